//! The whole authentication flow in one run.
//!
//! With `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and `HOTMART_ENV` set, it gets a token
//! from the real Hotmart. Without them, it starts the bundled local Hotmart and shows the
//! flow against it: a token fetched, reused from the cache, refreshed after expiry, and a
//! rejected secret giving a clear error.
//!
//! ```sh
//! cargo run --example quickstart
//! ```

use std::thread;
use std::time::{Duration, Instant};

use hotmart::mock::MockServer;
use hotmart::{Client, Credentials, Environment};

fn main() {
    let result = if std::env::var_os("HOTMART_CLIENT_ID").is_some() {
        against_hotmart()
    } else {
        println!("HOTMART_CLIENT_ID is not set: running against the bundled local Hotmart.\n");
        against_the_local_hotmart()
    };
    if let Err(err) = result {
        print_error(&err);
        std::process::exit(1);
    }
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

    let wrong = Client::new(
        server.environment(),
        Credentials::new(hotmart::mock::CLIENT_ID, "not-the-secret"),
    )?;
    let err = wrong
        .access_token()
        .expect_err("the local Hotmart refuses a wrong secret");
    println!("4. A wrong secret:         HTTP {:?}", err.status());
    print_error(&err);
    Ok(())
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
