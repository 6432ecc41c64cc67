//! `/payments/api/v1/sales/…`: history, participants, commissions, price details, summary,
//! refunds.

use std::collections::BTreeMap;

use super::data::{Change, DAY, SaleRec, Store, buyer_email, buyer_name};
use super::{Query, Reply, allows, money, not_found, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, object};

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", ["history"]) => page(store, request, sale_json),
        ("GET", ["users"]) => page(store, request, participants_json),
        ("GET", ["commissions"]) => page(store, request, commissions_json),
        ("GET", ["price", "details"]) => page(store, request, price_details_json),
        ("GET", ["summary"]) => summary(store, request),
        ("PUT", [transaction, "refund"]) => refund(store, transaction),
        ("PUT", [transaction, "billet"]) => billet(store, transaction),
        _ => Err(not_found()),
    }
}

/// The filters of a sales read, read from the query once rather than once a sale.
struct Filter<'q> {
    /// Hotmart's default: `APPROVED` and `COMPLETE` only, unless `transaction_status` or
    /// `transaction` is given.
    default_statuses: bool,
    status: Option<&'q str>,
    transaction: Option<&'q str>,
    product_id: Option<u64>,
    start: Option<i64>,
    end: Option<i64>,
    buyer_email: Option<&'q str>,
    buyer_name: Option<&'q str>,
    payment_type: Option<&'q str>,
    offer_code: Option<&'q str>,
    source: Option<&'q str>,
    commission_as: Option<&'q str>,
}

impl<'q> Filter<'q> {
    fn new(request: &'q RecordedRequest) -> Result<Self, Answer> {
        let query = Query(request);
        Ok(Filter {
            default_statuses: query.text("transaction_status").is_none()
                && query.text("transaction").is_none(),
            status: query.text("transaction_status"),
            transaction: query.text("transaction"),
            product_id: query.number("product_id")?,
            start: query.number("start_date")?,
            end: query.number("end_date")?,
            buyer_email: query.text("buyer_email"),
            buyer_name: query.text("buyer_name"),
            payment_type: query.text("payment_type"),
            offer_code: query.text("offer_code"),
            source: query.text("sales_source"),
            commission_as: query.text("commission_as"),
        })
    }

    fn lets_through(&self, store: &Store, s: &SaleRec) -> bool {
        (!self.default_statuses || s.status == "APPROVED" || s.status == "COMPLETE")
            && allows(self.status, &s.status)
            && allows(self.transaction, &s.transaction)
            && self
                .product_id
                .is_none_or(|id| id == store.products[s.product].id)
            && self.start.is_none_or(|start| s.order_date >= start)
            && self.end.is_none_or(|end| s.order_date <= end)
            && self
                .buyer_email
                .is_none_or(|wanted| wanted == buyer_email(s.index))
            && self
                .buyer_name
                .is_none_or(|wanted| wanted == buyer_name(s.index))
            && allows(self.payment_type, s.payment_type)
            && allows(self.offer_code, &s.offer_code)
            && allows(self.source, s.source)
            && allows(self.commission_as, s.commission_as)
    }
}

/// The sales a sales read asks for, in the shop's order.
fn filtered<'s>(store: &'s Store, request: &RecordedRequest) -> Result<Vec<&'s SaleRec>, Answer> {
    let filter = Filter::new(request)?;
    Ok(store
        .sales
        .iter()
        .filter(|s| filter.lets_through(store, s))
        .collect())
}

/// A page of the sales asked for, each as `json` has it.
fn page(store: &Store, request: &RecordedRequest, json: fn(&Store, &SaleRec) -> Value) -> Reply {
    let sales = filtered(store, request)?;
    paginate(request, &sales, |s| json(store, s))
}

fn product_ref(store: &Store, s: &SaleRec) -> Value {
    let p = &store.products[s.product];
    object! { "name": p.name, "id": p.id }
}

fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn sale_json(store: &Store, s: &SaleRec) -> Value {
    let i = s.index;
    let fee = cents(s.price * 0.099) + 1.0;
    object! {
        "product": product_ref(store, s),
        "buyer": object! {
            "name": buyer_name(i),
            "ucode": format!("buyer-{i}"),
            "email": buyer_email(i),
        },
        "producer": object! { "name": "Mock Producer", "ucode": "mock-producer" },
        "purchase": object! {
            "transaction": &s.transaction,
            "order_date": s.order_date,
            "approved_date": s.order_date + 60_000,
            "status": &s.status,
            "recurrency_number": 1u64,
            "is_subscription": false,
            "commission_as": s.commission_as,
            "price": money(s.price, s.currency),
            "payment": object! {
                "method": s.payment_type,
                "installments_number": s.installments,
                "type": s.payment_type,
            },
            "tracking": object! {
                "source_sck": "HOTMART_PRODUCT_PAGE",
                "source": s.source,
                "external_code": format!("ext-{i}"),
            },
            "warranty_expire_date": s.order_date + 7 * DAY,
            "offer": object! { "payment_mode": "INVOICE", "code": &s.offer_code },
            "hotmart_fee": object! {
                "total": fee,
                "fixed": 1u64,
                "currency_code": s.currency,
                "base": s.price,
                "percentage": 9.9,
            },
        },
    }
}

fn participants_json(store: &Store, s: &SaleRec) -> Value {
    let i = s.index;
    let buyer = object! {
        "ucode": format!("buyer-{i}"),
        "locale": "pt_BR",
        "name": buyer_name(i),
        "email": buyer_email(i),
        "cellphone": format!("119{i:08}"),
        "documents": vec![object! {
            "value": format!("{:011}", 10_000_000_000u64 + i as u64),
            "type": "CPF",
        }],
        "address": object! {
            "city": "Belo Horizonte",
            "state": "MG",
            "country": "Brasil",
            "zip_code": format!("30130{:03}", i % 1000),
            "address": "Rua da Bahia",
            "neighborhood": "Centro",
            "number": i.to_string(),
        },
    };
    let producer = object! {
        "ucode": "mock-producer",
        "locale": "pt_BR",
        "name": "Mock Producer",
        "trade_name": "Mock Shop",
        "email": "producer@example.com",
    };
    object! {
        "transaction": &s.transaction,
        "product": product_ref(store, s),
        "users": vec![
            object! { "role": "BUYER", "user": buyer },
            object! { "role": "PRODUCER", "user": producer },
        ],
    }
}

fn commissions_json(store: &Store, s: &SaleRec) -> Value {
    // Hotmart's key for the currency here is `currency_value`, unlike everywhere else.
    let commission = |value: f64, ucode: &str, name: &str, source: &str| {
        object! {
            "commission": object! { "currency_value": s.currency, "value": value },
            "user": object! { "ucode": ucode, "name": name },
            "source": source,
        }
    };
    object! {
        "transaction": &s.transaction,
        "product": product_ref(store, s),
        "exchange_rate_currency_payout": 1.0,
        "commissions": vec![
            commission(cents(s.price * 0.85), "mock-producer", "Mock Producer", "PRODUCER"),
            commission(cents(s.price * 0.05), "mock-affiliate", "Mock Affiliate", "AFFILIATE"),
        ],
    }
}

fn price_details_json(store: &Store, s: &SaleRec) -> Value {
    let vat = cents(s.price * 0.1);
    let fee = cents(s.price * 0.099) + 1.0;
    let coupon = s
        .index
        .is_multiple_of(4)
        .then(|| object! { "code": "WELCOME10", "value": 10u64 });
    object! {
        "transaction": &s.transaction,
        "product": product_ref(store, s),
        "base": money(s.price - vat, s.currency),
        "total": money(s.price, s.currency),
        "vat": money(vat, s.currency),
        "fee": money(fee, s.currency),
        "coupon": coupon,
        "real_conversion_rate": 1.0,
    }
}

/// One item per currency, as Hotmart's summary totals.
fn summary(store: &Store, request: &RecordedRequest) -> Reply {
    let mut totals: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for s in filtered(store, request)? {
        let entry = totals.entry(s.currency).or_default();
        entry.0 += 1;
        entry.1 += s.price;
    }
    let totals: Vec<_> = totals.into_iter().collect();
    paginate(request, &totals, |(currency, (count, total))| {
        object! { "total_items": *count, "total_value": money(*total, currency) }
    })
}

fn refund(store: &mut Store, transaction: &str) -> Reply {
    let Some(sale) = store
        .sales
        .iter_mut()
        .find(|s| s.transaction == transaction)
    else {
        return Err(not_found());
    };
    if sale.status != "APPROVED" && sale.status != "COMPLETE" {
        return Err(Answer::error(
            400,
            "invalid_value_parameter",
            "Only approved or complete sales can be refunded",
        ));
    }
    sale.status = "REFUNDED".to_owned();
    let index = sale.index;
    store.changes.push(Change::Refunded(index));
    Ok(Answer::empty())
}

/// `PUT /payments/api/v1/sales/{transaction}/billet`: the billet of a sale paid by billet, sent
/// again. Hotmart publishes no answer to it; this one names the sale and its billet.
fn billet(store: &Store, transaction: &str) -> Reply {
    let sale = store
        .sales
        .iter()
        .find(|s| s.transaction == transaction)
        .ok_or_else(not_found)?;
    if sale.payment_type != "BILLET" {
        return Err(Answer::error(
            400,
            "invalid_value_parameter",
            "The sale was not paid by billet",
        ));
    }
    let value = object! {
        "transaction": transaction,
        "billet_url": format!("https://example.com/billet/{transaction}"),
    };
    Ok(Answer::json(200, &value))
}
