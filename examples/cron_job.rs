//! A cron job: each run is a new process, and the persistent token cache lets the runs share
//! one token instead of fetching one each.
//!
//! With `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and `HOTMART_ENV` set, one run counts the
//! last day's sales on the real Hotmart, with the token cached under the default directory.
//! Without them, it plays five runs against the bundled local Hotmart, each with a client of
//! its own as a new process would have, and shows that only the first fetched a token.
//!
//! ```sh
//! cargo run --example cron_job
//! ```

use std::path::Path;
use std::time::{Duration, SystemTime};

use hotmart::{Client, Credentials, Environment};
use hotmart_mock::MockServer;

fn main() {
    let result = if std::env::var_os("HOTMART_CLIENT_ID").is_some() {
        Environment::from_env()
            .and_then(|env| Ok((env, Credentials::from_env()?)))
            .and_then(|(env, creds)| {
                let dir = hotmart::default_token_cache_dir();
                let dir = dir.as_deref().unwrap_or(Path::new(".hotmart-cache"));
                one_run(env, creds, dir).map(|sales| println!("{sales} sales in the last day"))
            })
    } else {
        five_runs_against_the_local_hotmart()
    };
    if let Err(err) = result {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

/// What one run of the job does: count the sales of the last 24 hours.
fn one_run(env: Environment, creds: Credentials, cache: &Path) -> Result<usize, hotmart::Error> {
    let client = Client::builder(env, creds).token_cache(cache).build()?;
    let since = SystemTime::now() - Duration::from_secs(86_400);
    let mut count = 0;
    for sale in client
        .sales()
        .history()
        .start_date(since)
        .max_results(500)
        .items()
    {
        sale?;
        count += 1;
    }
    Ok(count)
}

fn five_runs_against_the_local_hotmart() -> Result<(), hotmart::Error> {
    let server = MockServer::start().expect("the local Hotmart starts on 127.0.0.1");
    let cache = std::env::temp_dir().join(format!("hotmart-cron-example-{}", std::process::id()));
    println!(
        "Local Hotmart on {}; token cache in {}",
        server.url(),
        cache.display()
    );
    for run in 1..=5 {
        let sales = one_run(server.environment(), server.credentials(), &cache)?;
        println!(
            "run {run}: {sales} sales; token requests so far: {}",
            server.token_request_count()
        );
    }
    let _ = std::fs::remove_dir_all(&cache);
    Ok(())
}
