//! The last 24 hours of sales, every status, as CSV on standard output: a cron job's export,
//! in the same columns as `hotmart export sales --format csv` (the command's own schema,
//! included from its source below, so the two cannot drift apart).
//!
//! Hotmart's sales history lists only `APPROVED` and `COMPLETE` sales unless a
//! `transaction_status` is given, and its samples send one status per request, so this asks
//! once without a status (those two) and once for each other status it knows
//! (`TransactionStatus::KNOWN`): 16 small requests, well within the 500 a minute Hotmart
//! allows.
//!
//! With `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and `HOTMART_ENV` set, it reads from
//! Hotmart; without them, from the bundled local Hotmart and its fictional shop. Any failure
//! (a refused credential, an item that fits no model) ends it with a message and exit 1,
//! never with a short count.
//!
//! ```sh
//! cargo run --example daily_export > sales.csv
//! ```

use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use hotmart::api::TransactionStatus;
use hotmart::models::Sale;
use hotmart::{Client, Credentials, Environment};
use hotmart_mock::MockServer;

/// The command's CSV (columns, rows, quoting, ISO 8601 dates), on the core's public API only.
#[allow(dead_code)]
#[path = "../crates/hotmart-cli/src/csv.rs"]
mod csv;

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _local) = if std::env::var_os("HOTMART_CLIENT_ID").is_some() {
        let client = Client::new(Environment::from_env()?, Credentials::from_env()?)?;
        (client, None)
    } else {
        let server = MockServer::builder().sales(60).start()?;
        eprintln!("(no HOTMART_CLIENT_ID: reading the local Hotmart's fictional shop)");
        let client = Client::new(server.environment(), server.credentials())?;
        (client, Some(server))
    };

    let end = SystemTime::now();
    let start = end - Duration::from_secs(24 * 3600);
    // `None`: Hotmart's default pass, APPROVED and COMPLETE together.
    let default = [TransactionStatus::Approved, TransactionStatus::Complete];
    let others = TransactionStatus::KNOWN
        .iter()
        .filter(|s| !default.contains(s))
        .cloned()
        .map(Some);
    let mut sales: Vec<Sale> = Vec::new();
    let mut skipped = 0;
    for status in std::iter::once(None).chain(others) {
        let mut request = client
            .sales()
            .history()
            .start_date(start)
            .end_date(end)
            .max_results(500);
        if let Some(status) = status {
            request = request.transaction_status(status);
        }
        for sale in request.items() {
            match sale {
                Ok(sale) => sales.push(sale),
                // One odd item is reported and the export goes on; the run fails at the end.
                Err(err @ hotmart::Error::InvalidItem { .. }) => {
                    eprintln!("skipped: {err}");
                    skipped += 1;
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
    sales.sort_by_key(|s| s.purchase.as_ref().and_then(|p| p.order_date));

    let mut out = io::BufWriter::new(io::stdout().lock());
    writeln!(out, "{}", csv::SALE_COLUMNS.join(","))?;
    for sale in &sales {
        writeln!(out, "{}", csv::line(&csv::sale_row(sale)))?;
    }
    out.flush()?;
    if skipped > 0 {
        return Err(
            format!("{skipped} sale(s) did not fit the model and are not in the CSV").into(),
        );
    }
    eprintln!("{} sales from the last 24 hours.", sales.len());
    Ok(())
}
