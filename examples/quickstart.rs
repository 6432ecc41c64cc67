//! The whole flow in one run: a token, then a first typed API call.
//!
//! With the `HOTMART_*` variables set, it talks to the real Hotmart: it gets a token and
//! lists your first products. Without any of them, it starts the bundled local Hotmart and
//! shows the flow against it: a token fetched, reused from the cache, refreshed after
//! expiry, a typed call, and a rejected secret giving a clear error. With some of them set
//! but not all, it lists every variable that is missing or wrong, at once.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use std::thread;
use std::time::{Duration, Instant};

use hotmart::{Client, Credentials, Environment};
use hotmart_mock::MockServer;

/// The variables that configure a real client; any of them set means "use the real API".
const VARIABLES: [&str; 6] = [
    "HOTMART_CLIENT_ID",
    "HOTMART_CLIENT_SECRET",
    "HOTMART_BASIC",
    "HOTMART_ENV",
    "HOTMART_AUTH_URL",
    "HOTMART_API_URL",
];

fn main() {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let result = if VARIABLES.iter().any(|name| set(name)) {
        let problems = configuration_problems(set);
        if !problems.is_empty() {
            eprintln!("The real Hotmart needs more configuration:");
            for problem in &problems {
                eprintln!("  - {problem}");
            }
            eprintln!(
                "Set them and run again, or unset every HOTMART_* variable to run against the \
                 bundled local Hotmart."
            );
            std::process::exit(2);
        }
        against_hotmart()
    } else {
        println!("No HOTMART_* variable is set: running against the bundled local Hotmart.\n");
        against_the_local_hotmart()
    };
    match result {
        Ok(()) => next_steps(),
        Err(err) => {
            // Failures go to stderr, in the crate's words, with their causes.
            eprintln!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            std::process::exit(1);
        }
    }
}

/// Everything missing or wrong in the environment, all at once rather than one per run.
fn configuration_problems(set: impl Fn(&str) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    for name in ["HOTMART_CLIENT_ID", "HOTMART_CLIENT_SECRET"] {
        if !set(name) {
            problems.push(format!(
                "{name} is not set (Hotmart: Tools > Developer Credentials)"
            ));
        }
    }
    let accepted = "accepted: `production` or `sandbox` (the credential's type), or `custom` \
                    with HOTMART_AUTH_URL and HOTMART_API_URL";
    match std::env::var("HOTMART_ENV").map(|v| v.trim().to_ascii_lowercase()) {
        Ok(env) if env == "production" || env == "sandbox" => {}
        Ok(env) if env == "custom" => {
            for name in ["HOTMART_AUTH_URL", "HOTMART_API_URL"] {
                if !set(name) {
                    problems.push(format!("{name} is not set (HOTMART_ENV is `custom`)"));
                }
            }
        }
        Ok(env) if !env.is_empty() => {
            problems.push(format!(
                "HOTMART_ENV is `{env}`, which is not valid; {accepted}"
            ));
        }
        _ => problems.push(format!("HOTMART_ENV is not set; {accepted}")),
    }
    problems
}

fn against_hotmart() -> Result<(), hotmart::Error> {
    let environment = Environment::from_env()?;
    let client = Client::new(environment.clone(), Credentials::from_env()?)?;
    println!("Requesting an access token from Hotmart ({environment})...");
    let token = client.access_token()?;
    let valid = token.expires_at().saturating_duration_since(Instant::now());
    println!("Got {token:?}, valid for {} s.", valid.as_secs());
    let again = client.access_token()?;
    println!("Asked again: same token from the cache: {}", again == token);

    println!("\nA first API call, client.products().list(), first page:");
    let page = client.products().list().max_results(5).pages().next();
    for product in page
        .transpose()?
        .map(|p| p.into_items())
        .unwrap_or_default()
    {
        println!(
            "  product {:?}: {:?} ({:?})",
            product.id, product.name, product.status
        );
    }
    Ok(())
}

fn against_the_local_hotmart() -> Result<(), hotmart::Error> {
    // Tokens that live 2 s, so the refresh shows within the run.
    let server = MockServer::builder()
        .token_lifetime(Duration::from_secs(2))
        .start()
        .expect("the local Hotmart starts on a free port of 127.0.0.1");
    println!("Local Hotmart listening on {}", server.url());

    let client = Client::builder(server.environment(), server.credentials())
        .refresh_margin(Duration::from_secs(300))
        .build()?;

    let first = client.access_token()?;
    println!("1. Fetched a token:        {first:?}");

    let cached = client.access_token()?;
    println!(
        "2. Asked again:            same token from the cache: {} (token requests so far: {})",
        cached == first,
        server.token_request_count()
    );

    // The 300 s margin is clamped to half of the 2 s lifetime: the token is replaced after 1 s.
    thread::sleep(first.refresh_at().saturating_duration_since(Instant::now()));
    let refreshed = client.access_token()?;
    println!(
        "3. After its refresh time: a new token: {} (token requests so far: {})",
        refreshed != first,
        server.token_request_count()
    );

    println!("4. A typed call:           client.sales().history(), every page:");
    let mut shown = 0;
    for sale in client.sales().history().max_results(10).items() {
        let purchase = sale?.purchase.unwrap_or_default();
        let price = purchase.price.unwrap_or_default();
        if shown < 3 {
            println!(
                "                            {} {} {} {}",
                purchase.transaction.unwrap_or_default(),
                purchase.status.unwrap_or_default(),
                price.value.unwrap_or_default(),
                price.currency_code.unwrap_or_default()
            );
        }
        shown += 1;
    }
    println!("                            … {shown} approved or complete sales in all");

    let wrong = Client::new(
        server.environment(),
        Credentials::new(hotmart_mock::CLIENT_ID, "not-the-secret"),
    )?;
    let err = wrong
        .access_token()
        .expect_err("the local Hotmart refuses a wrong secret");
    println!("5. A wrong secret:         HTTP {:?}", err.status());
    print_error(&err);
    Ok(())
}

fn next_steps() {
    println!(
        "\nNext steps:\n\
         - Real credentials: export HOTMART_CLIENT_ID, HOTMART_CLIENT_SECRET and HOTMART_ENV \
         (production or sandbox), then run this again.\n\
         - More calls: client.sales(), subscriptions(), products(), coupons(), club(..), \
         events(), negotiation(); tests/endpoints_table.rs makes every endpoint's request with its call.\n\
         - Examples: cargo run --example sales_report; cargo run --example daily_export > \
         sales.csv; cargo run --example cron_job."
    );
}

fn print_error(err: &dyn std::error::Error) {
    println!("   error: {err}");
    // The chain of causes, e.g. the I/O error behind a transport failure.
    let mut source = err.source();
    while let Some(cause) = source {
        println!("   caused by: {cause}");
        source = cause.source();
    }
}
