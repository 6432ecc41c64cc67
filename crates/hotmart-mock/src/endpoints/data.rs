//! The local Hotmart's fictional shop: products, sales, subscriptions, coupons and a Club,
//! dated relative to the moment the server starts so time-window filters have something to
//! find. Writes (refunds, cancellations, due days, coupons) change it in place.

use std::time::{SystemTime, UNIX_EPOCH};

/// How many fictional records each endpoint serves.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counts {
    pub(crate) sales: usize,
    pub(crate) subscriptions: usize,
    pub(crate) products: usize,
}

/// The id of the shop's first product (the one with a coupon and the Club).
pub(crate) const FIRST_PRODUCT_ID: u64 = 1_000_001;

pub(crate) const HOUR: i64 = 3_600_000;
pub(crate) const DAY: i64 = 24 * HOUR;

/// A product of the shop: id, name, price, currency of its offers.
pub(crate) struct ProductRec {
    pub id: u64,
    pub name: &'static str,
    pub ucode: String,
    pub price: f64,
    pub currency: &'static str,
    pub format: &'static str,
    pub status: &'static str,
    pub is_subscription: bool,
    pub created_at: i64,
}

/// One sale.
pub(crate) struct SaleRec {
    pub index: usize,
    pub transaction: String,
    pub product: usize,
    pub status: String,
    pub order_date: i64,
    pub price: f64,
    pub currency: &'static str,
    pub payment_type: &'static str,
    pub installments: u64,
    pub offer_code: String,
    pub source: &'static str,
    pub commission_as: &'static str,
}

/// One subscription.
pub(crate) struct SubscriptionRec {
    pub index: usize,
    pub code: String,
    pub id: u64,
    pub status: String,
    pub product: usize,
    pub plan_id: u64,
    pub accession_date: i64,
    pub date_next_charge: i64,
    pub trial: bool,
    pub price: f64,
    pub currency: &'static str,
    pub due_day: u64,
}

/// One coupon.
pub(crate) struct CouponRec {
    pub id: u64,
    pub product_id: u64,
    pub code: String,
    pub discount: f64,
}

/// The e-mail address of the buyer of sale `i`.
pub(crate) fn buyer_email(i: usize) -> String {
    format!("comprador{i}@example.com")
}

/// The name of the buyer of sale `i`.
pub(crate) fn buyer_name(i: usize) -> String {
    format!("Comprador {i}")
}

/// The e-mail address of a subscriber.
pub(crate) fn subscriber_email(s: &SubscriptionRec) -> String {
    format!("assinante{}@example.com", s.index)
}

/// A change of the shop Hotmart tells the producer of by webhook.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    /// The sale at this index was refunded.
    Refunded(usize),
    /// The subscription at this index was cancelled.
    Cancelled(usize),
    /// The subscription at this index moved from the plan `from` to the plan `to`.
    SwitchedPlan { sub: usize, from: u64, to: u64 },
    /// The subscription at this index is now charged on day `to` instead of `from`.
    ChargeDay { sub: usize, from: u64, to: u64 },
}

/// A payment link made through the API.
pub(crate) struct LinkRec {
    pub ucode: String,
    pub name: String,
    pub offers: usize,
    pub plans: usize,
}

/// What the physical-products partner API made: credentials, products, webhooks.
#[derive(Default)]
pub(crate) struct Physical {
    pub credentials: Vec<String>,
    pub products: Vec<(String, String)>,
    pub webhooks: Vec<String>,
    pub next: u64,
}

/// The whole shop.
pub(crate) struct Store {
    pub now: i64,
    pub products: Vec<ProductRec>,
    pub sales: Vec<SaleRec>,
    pub subscriptions: Vec<SubscriptionRec>,
    pub coupons: Vec<CouponRec>,
    pub next_coupon_id: u64,
    pub negotiations: u64,
    pub links: Vec<LinkRec>,
    pub physical: Physical,
    /// Changes not yet handed to the webhook sender, oldest first.
    pub changes: Vec<Change>,
}

const CATALOG: [(&str, f64, &str, &str); 4] = [
    (
        "Curso de Rust para Cron Jobs",
        297.0,
        "BRL",
        "ONLINE_COURSE",
    ),
    ("E-book: Ferris e o OAuth", 47.5, "USD", "EBOOK"),
    ("Mentoria Blocking I/O", 89_900.0, "CLP", "ONLINE_SERVICE"),
    ("Workshop Cursor Pagination", 120.0, "EUR", "ETICKET"),
];

/// Sale statuses in turn: mostly what Hotmart lists by default, with others in between so the
/// default has something to leave out.
const SALE_STATUSES: [&str; 8] = [
    "APPROVED",
    "COMPLETE",
    "APPROVED",
    "COMPLETE",
    "APPROVED",
    "REFUNDED",
    "COMPLETE",
    "CANCELLED",
];

const PAYMENT_TYPES: [&str; 4] = ["CREDIT_CARD", "PIX", "BILLET", "PAYPAL"];

const SUBSCRIPTION_STATUSES: [&str; 4] = ["ACTIVE", "ACTIVE", "DELAYED", "CANCELLED_BY_CUSTOMER"];

impl Store {
    pub(crate) fn new(counts: Counts) -> Store {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // Whole minutes, so two readings during one test agree.
        let now = now - now % 60_000;
        let products = (0..counts.products.max(1))
            .map(|i| {
                let (name, price, currency, format) = CATALOG[i % CATALOG.len()];
                let id = FIRST_PRODUCT_ID + i as u64;
                ProductRec {
                    id,
                    name,
                    ucode: format!("prod-{id}"),
                    price,
                    currency,
                    format,
                    status: if i % 5 == 4 { "DRAFT" } else { "ACTIVE" },
                    is_subscription: i % 4 == 0,
                    created_at: now - (400 - i as i64) * DAY,
                }
            })
            .collect::<Vec<_>>();
        let sales = (0..counts.sales)
            .map(|i| {
                let product = i % products.len();
                SaleRec {
                    index: i,
                    transaction: format!("HP{:011}", 17_000_000_000u64 + i as u64),
                    product,
                    status: SALE_STATUSES[i % SALE_STATUSES.len()].to_owned(),
                    // Newest first, one every 4 hours: the last 24 h hold six sales, one refunded.
                    order_date: now - HOUR - i as i64 * 4 * HOUR,
                    price: products[product].price,
                    currency: products[product].currency,
                    payment_type: PAYMENT_TYPES[i % PAYMENT_TYPES.len()],
                    installments: 1 + (i % 3) as u64,
                    offer_code: format!("off{:03}", product),
                    source: if i % 2 == 0 {
                        "instagram"
                    } else {
                        "newsletter"
                    },
                    commission_as: if i % 6 == 5 { "AFFILIATE" } else { "PRODUCER" },
                }
            })
            .collect();
        let subscriptions = (0..counts.subscriptions)
            .map(|i| {
                let product = i % products.len();
                let accession_date = now - (i as i64 + 1) * 20 * DAY;
                SubscriptionRec {
                    index: i,
                    code: format!("SUB{i:05}"),
                    // Small ids, as in Hotmart's examples (`subscription_id: 1`).
                    id: 1 + i as u64,
                    status: SUBSCRIPTION_STATUSES[i % SUBSCRIPTION_STATUSES.len()].to_owned(),
                    product,
                    plan_id: 700 + (i % 2) as u64,
                    accession_date,
                    date_next_charge: now + (1 + i as i64 % 28) * DAY,
                    trial: i % 5 == 1,
                    price: products[product].price,
                    currency: products[product].currency,
                    due_day: 1 + (i % 28) as u64,
                }
            })
            .collect();
        let coupons = products
            .iter()
            .take(1)
            .map(|p| CouponRec {
                id: 9_001,
                product_id: p.id,
                code: "WELCOME10".to_owned(),
                discount: 0.1,
            })
            .collect();
        Store {
            now,
            products,
            sales,
            subscriptions,
            coupons,
            next_coupon_id: 9_002,
            negotiations: 0,
            // One link and one of each physical-products record to begin with, so that every
            // documented path has something to act on.
            links: vec![LinkRec {
                ucode: "link-0001".to_owned(),
                name: "Link de pagamento".to_owned(),
                offers: 1,
                plans: 0,
            }],
            physical: Physical {
                credentials: vec!["pp-client-1".to_owned()],
                products: vec![("pp-prod-1".to_owned(), "ACTIVE".to_owned())],
                webhooks: vec!["pp-webhook-1".to_owned()],
                next: 2,
            },
            changes: Vec::new(),
        }
    }

    /// The charges of a subscription: one every 30 days from its start, up to now.
    pub(crate) fn charges(&self, sub: &SubscriptionRec) -> Vec<(u64, i64, String)> {
        (0u64..)
            .map(|k| (k + 1, sub.accession_date + k as i64 * 30 * DAY))
            .take_while(|(_, date)| *date <= self.now)
            .take(24)
            .map(|(number, date)| {
                let transaction = format!(
                    "HP{:011}",
                    18_000_000_000u64 + sub.index as u64 * 100 + number
                );
                (number, date, transaction)
            })
            .collect()
    }
}
