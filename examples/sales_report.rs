//! A small sales report: every approved or complete sale of the last 30 days (Hotmart's
//! default statuses), totalled by product and currency, never adding one currency to another.
//!
//! With `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and `HOTMART_ENV` set, it reads from
//! Hotmart; without them, from the bundled local Hotmart and its fictional shop.
//!
//! ```sh
//! cargo run --example sales_report
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use hotmart::{Client, Credentials, Environment};
use hotmart_mock::MockServer;

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), hotmart::Error> {
    // Keep the local server alive for the whole run when there is no real account.
    let (client, _local) = if std::env::var_os("HOTMART_CLIENT_ID").is_some() {
        let client = Client::new(Environment::from_env()?, Credentials::from_env()?)?;
        (client, None)
    } else {
        let server = MockServer::builder()
            .sales(137)
            .products(4)
            .start()
            .expect("the local Hotmart starts on a free port of 127.0.0.1");
        println!("(no HOTMART_CLIENT_ID: reading the local Hotmart's fictional shop)\n");
        let client = Client::new(server.environment(), server.credentials())?;
        (client, Some(server))
    };

    let now = SystemTime::now();
    let sales = client
        .sales()
        .history()
        .start_date(now - Duration::from_secs(30 * 86_400))
        .end_date(now)
        .max_results(500)
        .items();

    // (product, currency) -> (count, total)
    let mut totals: BTreeMap<(String, String), (u32, f64)> = BTreeMap::new();
    let mut skipped = 0;
    for sale in sales {
        let sale = match sale {
            Ok(sale) => sale,
            Err(err @ hotmart::Error::InvalidItem { .. }) => {
                // One odd item: say which, and go on with the rest. Any other error (a page
                // that cannot be read at all) ends the report, rather than print short totals.
                eprintln!("skipped: {err}");
                skipped += 1;
                continue;
            }
            Err(err) => return Err(err),
        };
        let name = sale
            .product
            .and_then(|p| p.name)
            .unwrap_or_else(|| "(unnamed product)".into());
        let price = sale.purchase.and_then(|p| p.price).unwrap_or_default();
        let currency = price.currency_code.unwrap_or_else(|| "???".into());
        let entry = totals.entry((name, currency)).or_default();
        entry.0 += 1;
        entry.1 += price.value.unwrap_or(0.0);
    }

    println!("{:<34} {:>6} {:>16}", "product", "sales", "total");
    for ((name, currency), (count, total)) in &totals {
        println!("{name:<34} {count:>6} {total:>12.2} {currency}");
    }
    let mut per_currency: BTreeMap<&str, f64> = BTreeMap::new();
    for ((_, currency), (_, total)) in &totals {
        *per_currency.entry(currency).or_default() += total;
    }
    println!();
    for (currency, total) in per_currency {
        println!("{:<34} {:>6} {total:>12.2} {currency}", "all products", "");
    }
    let count: u32 = totals.values().map(|v| v.0).sum();
    println!("\n{count} sales in all ({skipped} skipped).");
    Ok(())
}
