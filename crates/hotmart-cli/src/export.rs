//! `hotmart export`: every item of an endpoint, page by page, as NDJSON or CSV, through the
//! crate's typed calls (`client.sales().history()`, …) and models.

use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

use hotmart::api::{ProductStatus, SubscriptionStatus, TransactionStatus};
use hotmart::models::{Product, Sale, Subscription};
use hotmart::{Client, Error, Items};

use crate::args::{Export, Format, Kind, Status};
use crate::commands::{flush, write_line};
use crate::exit::Failure;
use crate::time::iso8601;

/// The most items a page may hold, to make as few calls as possible.
const PAGE_SIZE: u32 = 500;

const SALE_COLUMNS: &[&str] = &[
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

const SUBSCRIPTION_COLUMNS: &[&str] = &[
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

const PRODUCT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "ucode",
    "status",
    "format",
    "is_subscription",
    "created_at",
    "warranty_period",
];

pub fn run(client: &Client, export: &Export) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = Output {
        writer: io::BufWriter::new(stdout.lock()),
        format: export.format,
        skipped: 0,
    };
    let time = |ms: i64| UNIX_EPOCH + Duration::from_millis(ms.max(0).unsigned_abs());
    let (since, until) = (export.since.map(time), export.until.map(time));
    match export.kind {
        Kind::Sales => {
            out.header(SALE_COLUMNS)?;
            for status in statuses(&export.status, TransactionStatus::KNOWN) {
                let mut request = client.sales().history().max_results(PAGE_SIZE);
                if let Some(since) = since {
                    request = request.start_date(since);
                }
                if let Some(until) = until {
                    request = request.end_date(until);
                }
                if let Some(status) = status {
                    request = request.transaction_status(status);
                }
                out.items(request.items(), sale_row)?;
            }
        }
        Kind::Subscriptions => {
            out.header(SUBSCRIPTION_COLUMNS)?;
            for status in statuses(&export.status, SubscriptionStatus::KNOWN) {
                let mut request = client.subscriptions().list().max_results(PAGE_SIZE);
                if let Some(since) = since {
                    request = request.accession_date(since);
                }
                if let Some(until) = until {
                    request = request.end_accession_date(until);
                }
                if let Some(status) = status {
                    request = request.status(status);
                }
                out.items(request.items(), subscription_row)?;
            }
        }
        Kind::Products => {
            out.header(PRODUCT_COLUMNS)?;
            for status in statuses(&export.status, ProductStatus::KNOWN) {
                let mut request = client.products().list().max_results(PAGE_SIZE);
                if let Some(status) = status {
                    request = request.status(status);
                }
                out.items(request.items(), product_row)?;
            }
        }
    }
    out.finish()
}

/// The status filter of each pass: one pass without a filter, one for each status the crate
/// knows (`all`), or one for each status asked for.
fn statuses<S: Clone + for<'a> From<&'a str>>(status: &Status, known: &[S]) -> Vec<Option<S>> {
    match status {
        Status::Default => vec![None],
        Status::All => known.iter().cloned().map(Some).collect(),
        Status::Only(list) => list.iter().map(|s| Some(S::from(s.as_str()))).collect(),
    }
}

struct Output<W: Write> {
    writer: W,
    format: Format,
    /// Items that did not fit their model: reported on stderr, not written.
    skipped: usize,
}

impl<W: Write> Output<W> {
    fn header(&mut self, columns: &[&str]) -> Result<(), Failure> {
        if self.format == Format::Csv {
            write_line(&mut self.writer, &columns.join(","))?;
        }
        Ok(())
    }

    /// Writes every item, flushing after each page's worth, so a reader sees progress and one
    /// page at most is held in memory.
    fn items<T: miniserde::Serialize + miniserde::Deserialize>(
        &mut self,
        items: Items<'_, T>,
        row: fn(&T) -> Vec<String>,
    ) -> Result<(), Failure> {
        let mut line = String::new();
        let mut written = 0usize;
        for item in items {
            let item = match item {
                Ok(item) => item,
                // One item that does not fit its model costs that item, not the export.
                Err(err @ Error::InvalidItem { .. }) => {
                    crate::logger::say(format_args!("skipped an item: {err}"));
                    self.skipped += 1;
                    continue;
                }
                Err(err) => return Err(err.into()),
            };
            line.clear();
            match self.format {
                Format::Ndjson => line.push_str(&miniserde::json::to_string(&item)),
                Format::Csv => {
                    for (i, cell) in row(&item).iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        push_csv_field(&mut line, cell);
                    }
                }
            }
            write_line(&mut self.writer, &line)?;
            written += 1;
            if written.is_multiple_of(PAGE_SIZE as usize) {
                flush(&mut self.writer)?;
            }
        }
        flush(&mut self.writer)
    }

    fn finish(mut self) -> Result<(), Failure> {
        flush(&mut self.writer)?;
        match self.skipped {
            0 => Ok(()),
            n => Err(Failure::Skipped(n)),
        }
    }
}

fn sale_row(sale: &Sale) -> Vec<String> {
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

fn subscription_row(subscription: &Subscription) -> Vec<String> {
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

fn product_row(product: &Product) -> Vec<String> {
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

/// A cell: the value's text, or empty when absent.
fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A date cell: epoch milliseconds as ISO 8601 (UTC), or empty when absent.
fn date(ms: Option<i64>) -> String {
    ms.map(iso8601).unwrap_or_default()
}

/// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
fn push_csv_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_pick_members_and_quote() {
        let sale: Sale = miniserde::json::from_str(
            r#"{"purchase":{"transaction":"HP1","order_date":1700000000000,
                "price":{"value":47.5,"currency_code":"BRL"}},
                "product":{"id":7,"name":"Livro, \"edição\" 2"}}"#,
        )
        .unwrap();
        let mut line = String::new();
        for (i, cell) in sale_row(&sale).iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_csv_field(&mut line, cell);
        }
        assert_eq!(
            line,
            r#"HP1,,2023-11-14T22:13:20Z,,7,"Livro, ""edição"" 2",,,47.5,BRL,,,,"#
        );
        assert_eq!(sale_row(&sale).len(), SALE_COLUMNS.len());
    }

    #[test]
    fn every_row_has_every_column() {
        let sale: Sale = miniserde::json::from_str("{}").unwrap();
        let subscription: Subscription = miniserde::json::from_str("{}").unwrap();
        let product: Product = miniserde::json::from_str("{}").unwrap();
        assert_eq!(sale_row(&sale).len(), SALE_COLUMNS.len());
        assert_eq!(
            subscription_row(&subscription).len(),
            SUBSCRIPTION_COLUMNS.len()
        );
        assert_eq!(product_row(&product).len(), PRODUCT_COLUMNS.len());
    }
}
