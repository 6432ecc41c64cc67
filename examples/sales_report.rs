//! A small sales report: every approved or complete sale of the last 30 days, totalled by
//! product.
//!
//! With `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and `HOTMART_ENV` set, it reads from
//! Hotmart; without them, from the bundled local Hotmart and its fictional shop.
//!
//! ```sh
//! cargo run --example sales_report
//! ```

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use hotmart::mock::MockServer;
use hotmart::models::Sale;
use hotmart::{Client, Credentials, Environment};

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), hotmart::Error> {
    // Keep the local server alive for the whole run when there is no real account.
    let (client, local) = if std::env::var_os("HOTMART_CLIENT_ID").is_some() {
        let client = Client::new(Environment::from_env()?, Credentials::from_env()?)?;
        (client, None)
    } else {
        let server = MockServer::builder()
            .sales(137)
            .start()
            .expect("the local Hotmart starts on a free port of 127.0.0.1");
        println!("(no HOTMART_CLIENT_ID: reading the local Hotmart's fictional shop)\n");
        let client = Client::new(server.environment(), server.credentials())?;
        (client, Some(server))
    };

    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut request = client
        .get("/payments/api/v1/sales/history")
        .query("max_results", "50");
    if local.is_none() {
        // Real data: the last 30 days. The fictional shop's sales are older, so take them all.
        let start = now_ms.saturating_sub(30 * 86_400_000).to_string();
        request = request
            .query("start_date", &start)
            .query("end_date", &now_ms.to_string());
    }

    let mut by_product: BTreeMap<String, (u32, f64, String)> = BTreeMap::new();
    for sale in request.items::<Sale>() {
        let sale = sale?;
        let name = sale
            .product
            .and_then(|p| p.name)
            .unwrap_or_else(|| "(unnamed product)".into());
        let price = sale.purchase.and_then(|p| p.price).unwrap_or_default();
        let entry = by_product.entry(name).or_default();
        entry.0 += 1;
        entry.1 += price.value.unwrap_or(0.0);
        if let Some(currency) = price.currency_code {
            entry.2 = currency;
        }
    }

    println!("{:<34} {:>6} {:>14}", "product", "sales", "total");
    for (name, (count, total, currency)) in &by_product {
        println!("{name:<34} {count:>6} {total:>10.2} {currency}");
    }
    let count: u32 = by_product.values().map(|v| v.0).sum();
    println!("\n{count} sales in all.");
    Ok(())
}
