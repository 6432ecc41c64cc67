//! `hotmart export`: every item of an endpoint, page by page. NDJSON is each item exactly as
//! Hotmart sent it (through [`crate::raw`]); CSV goes through the crate's typed calls and
//! models (`client.sales().history()`, …), whose errors name the member at fault.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hotmart::api::{ProductStatus, SubscriptionStatus, TransactionStatus};
use hotmart::{Client, Error, Items};

use crate::args::{Export, Format, Kind, Status};
use crate::csv::{
    PRODUCT_COLUMNS, SALE_COLUMNS, SUBSCRIPTION_COLUMNS, product_row, sale_row, subscription_row,
};
use crate::exit::Failure;
use crate::output::{flush, write_line, write_raw};
use crate::raw::RawPages;

/// The most items a page may hold, to make as few calls as possible.
const PAGE_SIZE: u32 = 500;

/// The statuses Hotmart's sales endpoints return when no `transaction_status` is given.
pub const SALES_DEFAULT: [&str; 2] = ["APPROVED", "COMPLETE"];

pub fn run(client: &Client, export: &Export) -> Result<(), Failure> {
    if export.kind == Kind::Sales && export.status == Status::Default {
        crate::logger::say(format_args!(
            "no --status: Hotmart sends only {} sales (its default); --status all for every status",
            SALES_DEFAULT.join(" and ")
        ));
    }
    let stdout = io::stdout();
    let mut out = Output {
        writer: io::BufWriter::new(stdout.lock()),
        skipped: 0,
    };
    let passes = passes(export.kind, &export.status);
    match export.format {
        Format::Ndjson => {
            for status in passes {
                out.raw(request(client, export, status))?;
            }
        }
        Format::Csv => csv(client, export, &passes, &mut out)?,
    }
    out.finish()
}

/// The status filter of each pass, as few as Hotmart allows: `None` is a pass without one
/// (Hotmart's default). Hotmart's samples repeat `status` on subscriptions but never
/// `transaction_status` on sales, so each sales status is a pass of its own, except that
/// APPROVED and COMPLETE together are the default pass.
pub fn passes(kind: Kind, status: &Status) -> Vec<Option<&'static str>> {
    match (kind, status) {
        (_, Status::Default) => vec![None],
        // Hotmart's default for subscriptions is every status.
        (Kind::Subscriptions, Status::All) => vec![None],
        (Kind::Sales, Status::All) => sales_passes(&kind.statuses()),
        (Kind::Sales, Status::Only(list)) => sales_passes(list),
        (_, Status::All) => kind.statuses().into_iter().map(Some).collect(),
        (_, Status::Only(list)) => list.iter().copied().map(Some).collect(),
    }
}

fn sales_passes(list: &[&'static str]) -> Vec<Option<&'static str>> {
    if !SALES_DEFAULT.iter().all(|s| list.contains(s)) {
        return list.iter().copied().map(Some).collect();
    }
    let rest = list.iter().copied().filter(|s| !SALES_DEFAULT.contains(s));
    std::iter::once(None).chain(rest.map(Some)).collect()
}

/// The request of one pass, with the filters as Hotmart names them on each endpoint.
fn request<'c>(
    client: &'c Client,
    export: &Export,
    status: Option<&str>,
) -> hotmart::RequestBuilder<'c> {
    let (path, since, until, status_name) = match export.kind {
        Kind::Sales => (
            "/payments/api/v1/sales/history",
            "start_date",
            "end_date",
            "transaction_status",
        ),
        Kind::Subscriptions => (
            "/payments/api/v1/subscriptions",
            "accession_date",
            "end_accession_date",
            "status",
        ),
        Kind::Products => ("/products/api/v1/products", "", "", "status"),
    };
    let mut request = client.get(path).query("max_results", PAGE_SIZE);
    if let Some(ms) = export.since {
        request = request.query(since, ms);
    }
    if let Some(ms) = export.until {
        request = request.query(until, ms);
    }
    if let Some(status) = status {
        request = request.query(status_name, status);
    }
    request
}

fn csv<W: Write>(
    client: &Client,
    export: &Export,
    passes: &[Option<&str>],
    out: &mut Output<W>,
) -> Result<(), Failure> {
    let time = |ms: i64| UNIX_EPOCH + Duration::from_millis(ms.max(0).unsigned_abs());
    let (since, until): (Option<SystemTime>, _) = (export.since.map(time), export.until.map(time));
    match export.kind {
        Kind::Sales => {
            write_line(&mut out.writer, &SALE_COLUMNS.join(","))?;
            for status in passes {
                let mut request = client.sales().history().max_results(PAGE_SIZE);
                if let Some(since) = since {
                    request = request.start_date(since);
                }
                if let Some(until) = until {
                    request = request.end_date(until);
                }
                if let Some(status) = status {
                    request = request.transaction_status(TransactionStatus::from(*status));
                }
                out.rows(request.items(), sale_row)?;
            }
        }
        Kind::Subscriptions => {
            write_line(&mut out.writer, &SUBSCRIPTION_COLUMNS.join(","))?;
            for status in passes {
                let mut request = client.subscriptions().list().max_results(PAGE_SIZE);
                if let Some(since) = since {
                    request = request.accession_date(since);
                }
                if let Some(until) = until {
                    request = request.end_accession_date(until);
                }
                if let Some(status) = status {
                    request = request.status(SubscriptionStatus::from(*status));
                }
                out.rows(request.items(), subscription_row)?;
            }
        }
        Kind::Products => {
            write_line(&mut out.writer, &PRODUCT_COLUMNS.join(","))?;
            for status in passes {
                let mut request = client.products().list().max_results(PAGE_SIZE);
                if let Some(status) = status {
                    request = request.status(ProductStatus::from(*status));
                }
                out.rows(request.items(), product_row)?;
            }
        }
    }
    Ok(())
}

struct Output<W: Write> {
    writer: W,
    /// Items that did not fit their model: reported on stderr, not written.
    skipped: usize,
}

impl<W: Write> Output<W> {
    /// Writes every item of every page as it came, one a line, flushing after each page so a
    /// reader sees progress.
    fn raw(&mut self, request: hotmart::RequestBuilder<'_>) -> Result<(), Failure> {
        write_raw(&mut self.writer, RawPages::new(request, None))
    }

    /// Writes a CSV row per item, flushing after each page's worth, so a reader sees progress
    /// and one page at most is held in memory.
    fn rows<T: hotmart::miniserde::Deserialize>(
        &mut self,
        items: Items<'_, T>,
        row: fn(&T) -> Vec<String>,
    ) -> Result<(), Failure> {
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
            write_line(&mut self.writer, &crate::csv::line(&row(&item)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_few_passes_as_hotmart_allows() {
        let all = passes(Kind::Sales, &Status::All);
        assert_eq!(all.len(), TransactionStatus::KNOWN.len() - 1);
        assert_eq!(all[0], None);
        assert!(!all.contains(&Some("APPROVED")) && !all.contains(&Some("COMPLETE")));
        assert!(all.contains(&Some("REFUNDED")));
        assert_eq!(
            passes(
                Kind::Sales,
                &Status::Only(vec!["COMPLETE", "REFUNDED", "APPROVED"])
            ),
            [None, Some("REFUNDED")]
        );
        assert_eq!(
            passes(Kind::Sales, &Status::Only(vec!["APPROVED"])),
            [Some("APPROVED")]
        );
        assert_eq!(passes(Kind::Subscriptions, &Status::All), [None]);
        assert_eq!(
            passes(Kind::Products, &Status::All).len(),
            ProductStatus::KNOWN.len()
        );
        assert_eq!(passes(Kind::Sales, &Status::Default), [None]);
    }
}
