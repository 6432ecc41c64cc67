//! `hotmart export`: every item of an endpoint, page by page, as NDJSON or CSV.
//!
//! It reads raw JSON values and picks CSV columns by member path, so it relies on nothing but
//! the paths and filters of Hotmart's endpoints; each endpoint is one [`Spec`] below.

use std::io;

use hotmart::Client;
use miniserde::json::{Number, Value};

use crate::args::{Export, Format, Kind, Status};
use crate::commands::{flush, write_line};
use crate::exit::Failure;
use crate::time::iso8601;

/// One exportable endpoint.
struct Spec {
    path: &'static str,
    /// The query parameters of the time window and the status filter.
    since: &'static str,
    until: &'static str,
    status: &'static str,
    /// Every status the endpoint knows, for `--status all`.
    statuses: &'static [&'static str],
    columns: &'static [Column],
}

/// A CSV column: the first of its member paths that is present.
struct Column {
    name: &'static str,
    paths: &'static [&'static str],
    date: bool,
}

const fn col(name: &'static str, paths: &'static [&'static str]) -> Column {
    Column {
        name,
        paths,
        date: false,
    }
}

const fn date(name: &'static str, paths: &'static [&'static str]) -> Column {
    Column {
        name,
        paths,
        date: true,
    }
}

const SALES: Spec = Spec {
    path: "/payments/api/v1/sales/history",
    since: "start_date",
    until: "end_date",
    status: "transaction_status",
    statuses: &[
        "APPROVED",
        "BLOCKED",
        "CANCELLED",
        "CHARGEBACK",
        "COMPLETE",
        "EXPIRED",
        "NO_FUNDS",
        "OVERDUE",
        "PARTIALLY_REFUNDED",
        "PRE_ORDER",
        "PRINTED_BILLET",
        "PROCESSING_TRANSACTION",
        "PROTESTED",
        "REFUNDED",
        "STARTED",
        "UNDER_ANALISYS",
        "WAITING_PAYMENT",
    ],
    columns: &[
        col("transaction", &["purchase.transaction"]),
        col("status", &["purchase.status"]),
        date("order_date", &["purchase.order_date"]),
        date("approved_date", &["purchase.approved_date"]),
        col("product_id", &["product.id"]),
        col("product_name", &["product.name"]),
        col("buyer_name", &["buyer.name"]),
        col("buyer_email", &["buyer.email"]),
        col("price", &["purchase.price.value"]),
        col(
            "currency",
            &[
                "purchase.price.currency_code",
                "purchase.price.currency_value",
            ],
        ),
        col(
            "payment_method",
            &["purchase.payment.method", "purchase.payment.type"],
        ),
        col("installments", &["purchase.payment.installments_number"]),
        col("hotmart_fee", &["purchase.hotmart_fee.total"]),
        col("offer_code", &["purchase.offer.code"]),
    ],
};

const SUBSCRIPTIONS: Spec = Spec {
    path: "/payments/api/v1/subscriptions",
    since: "accession_date",
    until: "end_accession_date",
    status: "status",
    statuses: &[
        "ACTIVE",
        "INACTIVE",
        "DELAYED",
        "CANCELLED_BY_CUSTOMER",
        "CANCELLED_BY_SELLER",
        "CANCELLED_BY_ADMIN",
        "STARTED",
        "OVERDUE",
    ],
    columns: &[
        col("subscriber_code", &["subscriber_code"]),
        col("subscription_id", &["subscription_id"]),
        col("status", &["status"]),
        date("accession_date", &["accession_date"]),
        date("date_next_charge", &["date_next_charge"]),
        col("plan", &["plan.name"]),
        col("product_id", &["product.id"]),
        col("product_name", &["product.name"]),
        col("subscriber_name", &["subscriber.name"]),
        col("subscriber_email", &["subscriber.email"]),
        col("price", &["price.value"]),
        col("currency", &["price.currency_code", "price.currency_value"]),
        col("transaction", &["transaction"]),
    ],
};

const PRODUCTS: Spec = Spec {
    path: "/products/api/v1/products",
    since: "",
    until: "",
    status: "status",
    statuses: &[
        "DRAFT",
        "ACTIVE",
        "PAUSED",
        "NOT_APPROVED",
        "IN_REVIEW",
        "DELETED",
        "CHANGES_PENDING_ON_PRODUCT",
    ],
    columns: &[
        col("id", &["id"]),
        col("name", &["name"]),
        col("ucode", &["ucode"]),
        col("status", &["status"]),
        col("format", &["format"]),
        col("is_subscription", &["is_subscription"]),
        date("created_at", &["created_at"]),
        col("warranty_period", &["warranty_period"]),
    ],
};

/// The most items a page may hold, to make as few calls as possible.
const PAGE_SIZE: &str = "500";

pub fn run(client: &Client, export: &Export) -> Result<(), Failure> {
    let spec = match export.kind {
        Kind::Sales => &SALES,
        Kind::Subscriptions => &SUBSCRIPTIONS,
        Kind::Products => &PRODUCTS,
    };
    let statuses: Vec<Option<&str>> = match &export.status {
        Status::Default => vec![None],
        Status::All => spec.statuses.iter().map(|s| Some(*s)).collect(),
        Status::Only(list) => list.iter().map(|s| Some(s.as_str())).collect(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if export.format == Format::Csv {
        let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
        write_line(&mut out, &header.join(","))?;
    }
    let mut line = String::new();
    for status in statuses {
        let mut request = client.get(spec.path).query("max_results", PAGE_SIZE);
        if let Some(since) = export.since {
            request = request.query(spec.since, &since.to_string());
        }
        if let Some(until) = export.until {
            request = request.query(spec.until, &until.to_string());
        }
        if let Some(status) = status {
            request = request.query(spec.status, status);
        }
        for page in request.pages::<Value>() {
            for item in page?.into_items() {
                line.clear();
                match export.format {
                    Format::Ndjson => line.push_str(&miniserde::json::to_string(&item)),
                    Format::Csv => csv_row(&mut line, spec.columns, &item),
                }
                write_line(&mut out, &line)?;
            }
            flush(&mut out)?;
        }
    }
    flush(&mut out)
}

fn csv_row(line: &mut String, columns: &[Column], item: &Value) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let value = column.paths.iter().find_map(|path| member(item, path));
        let cell = match value {
            None | Some(Value::Null) => String::new(),
            Some(Value::Number(n)) if column.date => match *n {
                Number::U64(ms) => i64::try_from(ms).map_or_else(|_| ms.to_string(), iso8601),
                Number::I64(ms) => iso8601(ms),
                Number::F64(f) => f.to_string(),
            },
            Some(value) => text(value),
        };
        push_csv_field(line, &cell);
    }
}

/// The value at a dotted member path, e.g. `purchase.price.value`.
fn member<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(item, |value, name| match value {
        Value::Object(object) => object.get(name),
        _ => None,
    })
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::U64(n)) => n.to_string(),
        Value::Number(Number::I64(n)) => n.to_string(),
        Value::Number(Number::F64(n)) => n.to_string(),
        Value::String(s) => s.clone(),
        other => miniserde::json::to_string(other),
    }
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
        let item: Value = miniserde::json::from_str(
            r#"{"purchase":{"transaction":"HP1","order_date":1700000000000,
                "price":{"value":47.5,"currency_value":"BRL"}},
                "product":{"id":7,"name":"Livro, \"edição\" 2"}}"#,
        )
        .unwrap();
        let mut line = String::new();
        csv_row(&mut line, SALES.columns, &item);
        assert_eq!(
            line,
            r#"HP1,,2023-11-14T22:13:20Z,,7,"Livro, ""edição"" 2",,,47.5,BRL,,,,"#
        );
        assert_eq!(line.split(',').count() - 1, SALES.columns.len()); // one comma is quoted
    }
}
