//! The commands: building the client from the environment and the flags, and `token`, `get`
//! and `mock`. `export` has its own module.

use std::io;
use std::time::Duration;

use hotmart::{Client, Credentials, Environment};

use crate::args::{Cache, Command, Env, Global, Parsed};
use crate::exit::Failure;
use crate::output::{flush, write, write_out, write_raw};
use crate::raw::RawPages;

pub fn run(parsed: Parsed) -> Result<(), Failure> {
    let Parsed { global, command } = parsed;
    if matches!(
        command,
        Command::Token | Command::Get { .. } | Command::Export(_) | Command::Webhook(_)
    ) {
        warn_unused_redis();
    }
    match command {
        Command::Help(topic) => write_out(crate::help::text(topic).as_bytes()),
        Command::Version => {
            write_out(concat!("hotmart ", env!("CARGO_PKG_VERSION"), "\n").as_bytes())
        }
        Command::Token => {
            let token = client(&global)?.access_token()?;
            write_out(format!("{}\n", token.secret()).as_bytes())
        }
        Command::Get { path, query, all } => get(&client(&global)?, &path, &query, all),
        Command::Export(export) => crate::export::run(&client(&global)?, &export),
        Command::Webhook(webhook) => crate::webhook::run(&global, webhook),
        #[cfg(feature = "mock")]
        Command::Mock { port } => mock(port),
    }
}

/// Says so when HOTMART_REDIS_URL is set and this build cannot use it (`--redis` is refused
/// outright): the token, the rate budget and webhook ids then stay on this host, and a fleet
/// that counts on sharing them would take every event once per host.
fn warn_unused_redis() {
    if !cfg!(feature = "redis")
        && std::env::var_os("HOTMART_REDIS_URL").is_some_and(|v| !v.is_empty())
    {
        log::warn!(
            "HOTMART_REDIS_URL is set, but this hotmart was built without Redis support \
             (feature redis): the token, the rate budget and webhook ids stay on this host"
        );
    }
}

/// The client the flags and the environment describe, with the persistent token cache unless
/// `--no-cache`.
fn client(global: &Global) -> Result<Client, Failure> {
    let builder = match global.environment {
        Some(Env::Sandbox) => Client::builder(Environment::Sandbox, Credentials::from_env()?),
        Some(Env::Production) => Client::builder(Environment::Production, Credentials::from_env()?),
        // Every missing variable named at once, the environment's among them.
        None => Client::builder_from_env()?,
    };
    let timeout = global.timeout.unwrap_or(Duration::from_secs(30));
    // The call's deadline leaves each of its three tries the whole --timeout: with the
    // library's 180 s alone, a --timeout of 300s was cut at 180 s.
    let call_timeout = Duration::from_secs(180).max(timeout.saturating_mul(3));
    let mut builder = builder.timeout(timeout).call_timeout(call_timeout);
    let cache = match &global.cache {
        Cache::Default => {
            let dir = hotmart::default_token_cache_dir();
            if dir.is_none() {
                log::warn!(
                    "no cache directory (neither XDG_CACHE_HOME nor HOME is set): running without a token cache"
                );
            }
            dir
        }
        Cache::Dir(dir) => Some(dir.clone()),
        Cache::Off => None,
    };
    // With Redis, every run on every host shares one token and one rate budget; the file
    // cache stays as this host's copy, for when Redis cannot be reached.
    #[cfg(feature = "redis")]
    {
        let redis = match &global.redis {
            Some(url) => Some(hotmart_redis::Redis::new(&url.0)?),
            None => hotmart_redis::Redis::from_env()?,
        };
        if let Some(redis) = redis {
            builder = match cache {
                // The store keeps this host's copy in the file cache; the budget counts for
                // the builder's own account.
                Some(dir) => hotmart_redis::ClientBuilderExt::redis_budget(
                    builder.token_store(
                        redis
                            .token_store()
                            .fallback(hotmart::store::FileStore::new(dir)),
                    ),
                    &redis,
                ),
                None => hotmart_redis::ClientBuilderExt::redis(builder, &redis),
            };
            return Ok(builder.build()?);
        }
    }
    if let Some(dir) = cache {
        builder = builder.token_cache(dir);
    }
    Ok(builder.build()?)
}

fn get(client: &Client, path: &str, query: &[(String, String)], all: bool) -> Result<(), Failure> {
    let usage = |message: String| Failure::Other(crate::exit::USAGE, message);
    if path.trim().is_empty() {
        return Err(usage(
            "get needs an API path, e.g. /payments/api/v1/sales/history".into(),
        ));
    }
    // --all adds each page's token to the query: one in PATH would go out beside it, and the
    // server answer the first page again and again.
    let in_path = path.split_once('?').map_or("", |(_, query)| query);
    if all
        && in_path
            .split('&')
            .any(|pair| pair.split('=').next() == Some("page_token"))
    {
        return Err(usage(
            "with --all, give the page token to start from as page_token=VALUE, not in PATH".into(),
        ));
    }
    // The path is the command line's: a URL the client refuses is a usage error here.
    get_path(client, path, query, all).map_err(|failure| match failure {
        Failure::Hotmart(err @ hotmart::Error::InvalidUrl { .. }) => usage(err.to_string()),
        other => other,
    })
}

fn get_path(
    client: &Client,
    path: &str,
    query: &[(String, String)],
    all: bool,
) -> Result<(), Failure> {
    let mut request = client.get(path);
    // With --all, a page token given is where the pages start, not a filter of each page.
    let mut start = None;
    for (name, value) in query {
        if all && name == "page_token" {
            start = Some(value.clone());
        } else {
            request = request.query(name, value);
        }
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if !all {
        let response = request.send()?;
        let body = response.body();
        write(&mut out, body)?;
        if !body.ends_with(b"\n") {
            write(&mut out, b"\n")?;
        }
        return flush(&mut out);
    }
    // Each item as it came, so nothing the models do not name is lost.
    write_raw(&mut out, RawPages::new(request, start))
}

/// Runs the local Hotmart until the process is stopped, after printing how to use it.
#[cfg(feature = "mock")]
fn mock(port: u16) -> Result<(), Failure> {
    let server = hotmart_mock::MockServer::builder()
        .port(port)
        .start()
        .map_err(|e| Failure::Io("cannot start the local Hotmart", e))?;
    let url = server.url();
    let credentials = server.credentials();
    // The mock's own, public credentials: nothing secret.
    let exports = format!(
        "export HOTMART_ENV=custom\nexport HOTMART_AUTH_URL={url}\nexport HOTMART_API_URL={url}\n\
         export HOTMART_CLIENT_ID={}\nexport HOTMART_CLIENT_SECRET={}\n",
        credentials.client_id(),
        hotmart_mock::CLIENT_SECRET,
    );
    write_out(exports.as_bytes())?;
    crate::logger::say(format_args!(
        "the local Hotmart is listening on {url}; stop it with Ctrl-C"
    ));
    loop {
        std::thread::park();
    }
}
