//! CSV as `hotmart export --format csv` writes it (RFC 4180, dates in ISO 8601 UTC), and its
//! schemas (sales, subscriptions, products). `examples/daily_export.rs` includes this file as
//! it is, so both write the same sales columns. Only the core's public API is used here.

use hotmart::models::{Product, Sale, Subscription};

/// The columns of a sales export, in order.
pub const SALE_COLUMNS: &[&str] = &[
    "transaction",
    "status",
    "order_date",
    "approved_date",
    "product_id",
    "product_name",
    "buyer_name",
    "buyer_email",
    "price",
    "currency",
    "payment_method",
    "installments",
    "hotmart_fee",
    "offer_code",
];

/// The cells of one sale, one per [`SALE_COLUMNS`] entry.
pub fn sale_row(sale: &Sale) -> Vec<String> {
    let purchase = sale.purchase.as_ref();
    let product = sale.product.as_ref();
    let buyer = sale.buyer.as_ref();
    let price = purchase.and_then(|p| p.price.as_ref());
    let payment = purchase.and_then(|p| p.payment.as_ref());
    vec![
        text(purchase.and_then(|p| p.transaction.as_ref())),
        text(purchase.and_then(|p| p.status.as_ref())),
        date(purchase.and_then(|p| p.order_date)),
        date(purchase.and_then(|p| p.approved_date)),
        text(product.and_then(|p| p.id)),
        text(product.and_then(|p| p.name.as_ref())),
        text(buyer.and_then(|b| b.name.as_ref())),
        text(buyer.and_then(|b| b.email.as_ref())),
        text(price.and_then(|p| p.value)),
        text(price.and_then(|p| p.currency_code.as_ref())),
        text(payment.and_then(|p| p.method.as_ref().or(p.kind.as_ref()))),
        text(payment.and_then(|p| p.installments_number)),
        text(
            purchase
                .and_then(|p| p.hotmart_fee.as_ref())
                .and_then(|f| f.total),
        ),
        text(
            purchase
                .and_then(|p| p.offer.as_ref())
                .and_then(|o| o.code.as_ref()),
        ),
    ]
}

/// The columns of a subscriptions export, in order.
pub const SUBSCRIPTION_COLUMNS: &[&str] = &[
    "subscriber_code",
    "subscription_id",
    "status",
    "accession_date",
    "date_next_charge",
    "plan",
    "product_id",
    "product_name",
    "subscriber_name",
    "subscriber_email",
    "price",
    "currency",
    "transaction",
];

/// The cells of one subscription, one per [`SUBSCRIPTION_COLUMNS`] entry.
pub fn subscription_row(subscription: &Subscription) -> Vec<String> {
    let s = subscription;
    let product = s.product.as_ref();
    let subscriber = s.subscriber.as_ref();
    let price = s.price.as_ref();
    vec![
        text(s.subscriber_code.as_ref()),
        text(s.subscription_id),
        text(s.status.as_ref()),
        date(s.accession_date),
        date(s.date_next_charge),
        text(s.plan.as_ref().and_then(|p| p.name.as_ref())),
        text(product.and_then(|p| p.id)),
        text(product.and_then(|p| p.name.as_ref())),
        text(subscriber.and_then(|p| p.name.as_ref())),
        text(subscriber.and_then(|p| p.email.as_ref())),
        text(price.and_then(|p| p.value)),
        text(price.and_then(|p| p.currency_code.as_ref())),
        text(s.transaction.as_ref()),
    ]
}

/// The columns of a products export, in order.
pub const PRODUCT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "ucode",
    "status",
    "format",
    "is_subscription",
    "created_at",
    "warranty_period",
];

/// The cells of one product, one per [`PRODUCT_COLUMNS`] entry.
pub fn product_row(product: &Product) -> Vec<String> {
    let p = product;
    vec![
        text(p.id),
        text(p.name.as_ref()),
        text(p.ucode.as_ref()),
        text(p.status.as_ref()),
        text(p.format.as_ref()),
        text(p.is_subscription),
        date(p.created_at),
        text(p.warranty_period),
    ]
}

/// One CSV line (without its line break) of `cells`.
pub fn line(cells: &[impl AsRef<str>]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(&mut line, cell.as_ref());
    }
    line
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// A cell: the value's text, or empty when absent.
pub fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A date cell: epoch milliseconds as ISO 8601 (UTC), or empty when absent.
pub fn date(ms: Option<i64>) -> String {
    ms.map(iso8601).unwrap_or_default()
}

/// Epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (H. Hinnant's civil-from-days).
pub fn iso8601(ms: i64) -> String {
    let seconds = ms.div_euclid(1_000);
    let (days, rem) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_row_picks_members_and_quotes() {
        let sale: Sale = hotmart::miniserde::json::from_str(
            r#"{"purchase":{"transaction":"HP1","order_date":1700000000000,
                "price":{"value":47.5,"currency_code":"BRL"}},
                "product":{"id":7,"name":"Livro, \"edição\" 2"}}"#,
        )
        .unwrap();
        assert_eq!(
            line(&sale_row(&sale)),
            r#"HP1,,2023-11-14T22:13:20Z,,7,"Livro, ""edição"" 2",,,47.5,BRL,,,,"#
        );
        let empty: Sale = hotmart::miniserde::json::from_str("{}").unwrap();
        assert_eq!(sale_row(&empty).len(), SALE_COLUMNS.len());
    }

    #[test]
    fn every_row_has_every_column() {
        let subscription: Subscription = hotmart::miniserde::json::from_str("{}").unwrap();
        let product: Product = hotmart::miniserde::json::from_str("{}").unwrap();
        assert_eq!(
            subscription_row(&subscription).len(),
            SUBSCRIPTION_COLUMNS.len()
        );
        assert_eq!(product_row(&product).len(), PRODUCT_COLUMNS.len());
    }

    #[test]
    fn iso() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601(1_709_164_860_999), "2024-02-29T00:01:00Z");
        assert_eq!(iso8601(-1_000), "1969-12-31T23:59:59Z");
    }
}
