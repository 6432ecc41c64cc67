//! Decoding a 500-item sales-history page into `Vec<Sale>`: this crate's models (miniserde
//! streaming, lenient numbers, both money keys) against serde_json's derive on the same bytes,
//! with miniserde's plain derive for reference, in the same process.
//!
//! Two pages: one whose items carry only members the models name (30 leaves each), and the
//! same items with five members more that no model names (7 leaves, two of them objects), which
//! the models keep in `extra` and serde_json's derive skips. The last line is the cost of
//! `extra`: the models on the second page against the models on the first.
//!
//! `cargo bench -p hotmart --bench sales_decode` prints the median time per page over 31
//! interleaved rounds and each decoder's time as a multiple of serde_json's on the same page.

use std::hint::black_box;
use std::time::Instant;

use hotmart::Page;
use hotmart::models::Sale;

/// A page of `n` sales in Hotmart's shape (the documented example's members, compact JSON as
/// Hotmart sends it), with `unnamed` members no model names in each item if asked.
fn page(n: usize, unnamed: bool) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            let (cur, price) = [("BRL", 297.0), ("USD", 47.5), ("CLP", 89_900.0)][i % 3];
            let (buyer_more, purchase_more) = if unnamed {
                (
                    format!(r#","checkout_phone":"55119{i:08}","address":{{"country":"Brasil","zip_code":"01310-100"}}"#),
                    format!(r#","is_funnel":false,"business_model":"I","order_bump":{{"is_order_bump":{},"parent_purchase_transaction":"HP{i:014}"}}"#, i % 2 == 0),
                )
            } else {
                (String::new(), String::new())
            };
            format!(
                r#"{{"product":{{"name":"Product {p}","id":{pid}}},"buyer":{{"name":"Buyer Number {i}","ucode":"839F1A4F-43DC-F60F-13FE-{i:012}","email":"buyer{i}@example.com"{buyer_more}}},"producer":{{"name":"Bárbara Sebastiana Cardoso","ucode":"252A74C5-4A97-143A-9349-E45D871C6018"}},"purchase":{{"transaction":"HP{tx:014}","order_date":{date},"approved_date":{date},"status":"APPROVED","recurrency_number":1,"is_subscription":false,"commission_as":"PRODUCER","price":{{"value":{price},"currency_code":"{cur}"}},"payment":{{"method":"CREDIT_CARD","installments_number":{inst},"type":"CREDIT_CARD"}},"tracking":{{"source_sck":"HOTMART_PRODUCT_PAGE","source":"HOTMART","external_code":"FD256D24-401C-7C93-284C-{i:012}"}},"warranty_expire_date":{warranty},"offer":{{"payment_mode":"INVOICE","code":"k2pasun{o}"}},"hotmart_fee":{{"total":36.75,"fixed":1.5,"currency_code":"{cur}","base":{price},"percentage":9.9}}{purchase_more}}}}}"#,
                p = i % 7,
                pid = 2_125_812 + i % 7,
                tx = 12_455_690_122_399u64 + i as u64,
                date = 1_622_948_400_000u64 + i as u64 * 3_600_000,
                inst = 1 + i % 12,
                warranty = 1_625_022_000_000u64 + i as u64 * 3_600_000,
                o = i % 10,
            )
        })
        .collect();
    format!(
        r#"{{"items":[{}],"page_info":{{"total_results":14000,"next_page_token":"eyJyb3dzIjo1LCJwYWdlIjozfQ==","results_per_page":{n}}}}}"#,
        items.join(",")
    )
}

/// serde_json's baseline: the same members, derived, owned strings, all optional.
mod serde_model {
    #![allow(dead_code)]
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Page {
        pub items: Option<Vec<Sale>>,
        pub page_info: Option<PageInfo>,
    }
    #[derive(Deserialize)]
    pub struct PageInfo {
        total_results: Option<u64>,
        next_page_token: Option<String>,
        prev_page_token: Option<String>,
        results_per_page: Option<u64>,
    }
    #[derive(Deserialize)]
    pub struct Sale {
        product: Option<ProductRef>,
        buyer: Option<Party>,
        producer: Option<Party>,
        purchase: Option<Purchase>,
    }
    #[derive(Deserialize)]
    struct ProductRef {
        id: Option<u64>,
        name: Option<String>,
        ucode: Option<String>,
    }
    #[derive(Deserialize)]
    struct Party {
        id: Option<u64>,
        name: Option<String>,
        email: Option<String>,
        ucode: Option<String>,
    }
    #[derive(Deserialize)]
    struct Purchase {
        transaction: Option<String>,
        order_date: Option<i64>,
        approved_date: Option<i64>,
        status: Option<String>,
        recurrency_number: Option<u64>,
        is_subscription: Option<bool>,
        commission_as: Option<String>,
        price: Option<Price>,
        payment: Option<Payment>,
        tracking: Option<Tracking>,
        offer: Option<Offer>,
        hotmart_fee: Option<HotmartFee>,
        warranty_expire_date: Option<i64>,
    }
    #[derive(Deserialize)]
    struct Price {
        value: Option<f64>,
        #[serde(alias = "currency_value")]
        currency_code: Option<String>,
    }
    #[derive(Deserialize)]
    struct Payment {
        method: Option<String>,
        installments_number: Option<u64>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    #[derive(Deserialize)]
    struct Tracking {
        source: Option<String>,
        source_sck: Option<String>,
        external_code: Option<String>,
    }
    #[derive(Deserialize)]
    struct Offer {
        code: Option<String>,
        payment_mode: Option<String>,
    }
    #[derive(Deserialize)]
    struct HotmartFee {
        total: Option<f64>,
        fixed: Option<f64>,
        base: Option<f64>,
        percentage: Option<f64>,
        currency_code: Option<String>,
    }
}

/// miniserde's plain derive, for reference: strict types, one currency key.
mod mini_model {
    #![allow(dead_code)]
    use miniserde::Deserialize;

    #[derive(Deserialize)]
    pub struct Page {
        pub items: Option<Vec<Sale>>,
    }
    #[derive(Deserialize)]
    pub struct Sale {
        product: Option<ProductRef>,
        buyer: Option<Party>,
        producer: Option<Party>,
        purchase: Option<Purchase>,
    }
    #[derive(Deserialize)]
    struct ProductRef {
        id: Option<u64>,
        name: Option<String>,
        ucode: Option<String>,
    }
    #[derive(Deserialize)]
    struct Party {
        id: Option<u64>,
        name: Option<String>,
        email: Option<String>,
        ucode: Option<String>,
    }
    #[derive(Deserialize)]
    struct Purchase {
        transaction: Option<String>,
        order_date: Option<i64>,
        approved_date: Option<i64>,
        status: Option<String>,
        recurrency_number: Option<u64>,
        is_subscription: Option<bool>,
        commission_as: Option<String>,
        price: Option<Price>,
        payment: Option<Payment>,
        tracking: Option<Tracking>,
        offer: Option<Offer>,
        hotmart_fee: Option<HotmartFee>,
        warranty_expire_date: Option<i64>,
    }
    #[derive(Deserialize)]
    struct Price {
        value: Option<f64>,
        currency_code: Option<String>,
    }
    #[derive(Deserialize)]
    struct Payment {
        method: Option<String>,
        installments_number: Option<u64>,
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    #[derive(Deserialize)]
    struct Tracking {
        source: Option<String>,
        source_sck: Option<String>,
        external_code: Option<String>,
    }
    #[derive(Deserialize)]
    struct Offer {
        code: Option<String>,
        payment_mode: Option<String>,
    }
    #[derive(Deserialize)]
    struct HotmartFee {
        total: Option<f64>,
        fixed: Option<f64>,
        base: Option<f64>,
        percentage: Option<f64>,
        currency_code: Option<String>,
    }
}

type Contender<'a> = (&'static str, Box<dyn FnMut() + 'a>);

/// Decodes `bytes` with each decoder, the same number of times, interleaved.
fn contenders<'a>(bytes: &'a [u8]) -> Vec<Contender<'a>> {
    vec![
        (
            "serde_json derive",
            Box::new(move || {
                let page: serde_model::Page = serde_json::from_slice(black_box(bytes)).unwrap();
                black_box(page.items);
            }),
        ),
        (
            "hotmart models",
            Box::new(move || {
                let text = std::str::from_utf8(black_box(bytes)).unwrap();
                let page: Page<Sale> = hotmart::miniserde::json::from_str(text).unwrap();
                black_box(page.into_items());
            }),
        ),
        (
            "miniserde derive",
            Box::new(move || {
                let text = std::str::from_utf8(black_box(bytes)).unwrap();
                let page: mini_model::Page = miniserde::json::from_str(text).unwrap();
                black_box(page.items);
            }),
        ),
    ]
}

fn main() {
    let named = page(500, false);
    let unnamed = page(500, true);
    for (text, kept) in [(&named, 0), (&unnamed, 5)] {
        // Every decoder must read all 500 items, and the models keep exactly the unnamed
        // members, or the comparison means nothing.
        let ours: Page<Sale> = hotmart::miniserde::json::from_str(text).expect("hotmart decodes");
        assert_eq!(ours.items().len(), 500);
        let sale = &ours.items()[0];
        let (buyer, purchase) = (
            sale.buyer.as_ref().unwrap(),
            sale.purchase.as_ref().unwrap(),
        );
        assert_eq!(buyer.extra.len() + purchase.extra.len(), kept);
        let serde: serde_model::Page = serde_json::from_slice(text.as_bytes()).expect("serde_json");
        assert_eq!(serde.items.map_or(0, |v| v.len()), 500);
        let mini: mini_model::Page = miniserde::json::from_str(text).expect("miniserde decodes");
        assert_eq!(mini.items.map_or(0, |v| v.len()), 500);
    }

    const ROUNDS: usize = 31;
    const PER_BATCH: usize = 20;
    let pages = [
        ("only named members", &named),
        ("with unnamed members", &unnamed),
    ];
    let mut all: Vec<Contender<'_>> = Vec::new();
    for (_, text) in pages {
        all.extend(contenders(text.as_bytes()));
    }
    let mut ns = vec![Vec::with_capacity(ROUNDS); all.len()];
    // One warm-up round, then interleaved rounds so drift in the machine's speed hits all
    // alike.
    for round in 0..=ROUNDS {
        for (i, (_, call)) in all.iter_mut().enumerate() {
            let start = Instant::now();
            for _ in 0..PER_BATCH {
                call();
            }
            if round > 0 {
                ns[i].push(start.elapsed().as_nanos() as f64 / PER_BATCH as f64);
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = |a: usize, b: usize| median(ns[a].iter().zip(&ns[b]).map(|(x, y)| x / y).collect());
    let per_page = all.len() / pages.len();
    for (p, (what, text)) in pages.iter().enumerate() {
        println!(
            "sales-history page, 500 items {what} ({} bytes), median of {ROUNDS} rounds",
            text.len()
        );
        for (i, (name, _)) in all.iter().enumerate().skip(p * per_page).take(per_page) {
            println!(
                "  {name:<20} {:>9.1} µs   {:>5.2}x serde_json",
                median(ns[i].clone()) / 1000.0,
                ratio(i, p * per_page)
            );
        }
    }
    println!(
        "cost of extra: hotmart models {:.2}x on the page with unnamed members vs only named (serde_json, which skips them: {:.2}x)",
        ratio(per_page + 1, 1),
        ratio(per_page, 0)
    );
}
