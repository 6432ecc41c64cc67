//! No secret, Basic value or access token reaches `Debug`, `Display`, an error or a log line.
//!
//! One test in its own binary, since it installs the process-wide logger at `trace`.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use hotmart::token::TokenResponse;
use hotmart::{Client, Credentials, Error, TokenRequestStyle};
use hotmart_mock::{Endpoint, Fault, MockServer};

const ID: &str = "leak-test-client-id";
const SECRET: &str = "SUPER-SECRET-VALUE-42";

struct Capture(Mutex<Vec<(String, log::Level, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = record.args().to_string();
        let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        lines.push((record.target().to_owned(), record.level(), line));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

fn forbidden(tokens: &[String]) -> Vec<String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}"));
    // Every token the mock issues starts so: this catches tokens fetched by refreshes too.
    let mut all = vec![SECRET.to_owned(), basic, "mock-at.".to_owned()];
    all.extend(tokens.iter().cloned());
    all
}

fn assert_clean(what: &str, text: &str, forbidden: &[String]) {
    for secret in forbidden {
        assert!(
            !text.contains(secret.as_str()),
            "{what} leaks a secret: {text}"
        );
    }
}

/// Every error the token path can produce, formatted every way, with its sources.
fn all_errors(server: &MockServer, client: &Client) -> Vec<Error> {
    let mut errors = Vec::new();
    let wrong = Client::new(server.environment(), Credentials::new(ID, "wrong")).unwrap();
    errors.push(wrong.access_token().unwrap_err());
    for fault in [
        Fault::Status(500),
        Fault::NotJson,
        Fault::Truncated,
        Fault::Oversized(100_000),
        Fault::NoResponse,
        Fault::Response {
            status: 200,
            content_type: "application/json".into(),
            body: br#"{"access_token":"tok-in-a-bad-body","token_type":"mac","expires_in":1}"#
                .to_vec(),
        },
    ] {
        server.fail_next(Endpoint::Token, 1, fault);
        if let Some(token) = client.cached_token() {
            client.invalidate(&token);
        }
        if let Err(err) = client.access_token() {
            errors.push(err);
        }
    }
    // API calls: a refresh after 401, a retry after 503, an error envelope, a bad body.
    client.get("/user/api/v1/me").send().ok();
    server.revoke_tokens();
    client.get("/user/api/v1/me").send().ok();
    server.fail_next(Endpoint::Api, 1, Fault::Status(503));
    client.get("/user/api/v1/me").send().ok();
    server.fail_next(Endpoint::Api, 2, Fault::Status(401));
    errors.push(client.get("/user/api/v1/me").send().unwrap_err());
    errors.push(client.get("/no/such/thing").send().unwrap_err());
    let empty = client
        .post("/payments/api/v1/subscriptions/cancel")
        .send()
        .unwrap();
    errors.push(empty.json::<miniserde::json::Value>().unwrap_err());
    errors.push(
        client
            .get("https://elsewhere.example/x")
            .send()
            .unwrap_err(),
    );
    let closed = Client::new(
        support::env_at(support::closed_port()),
        Credentials::new(ID, SECRET),
    )
    .unwrap();
    errors.push(closed.access_token().unwrap_err());
    errors.push(
        Credentials::new(ID, SECRET)
            .with_basic("Basic Zm9vOmJhcg==")
            .unwrap_err(),
    );
    // A password a user did not percent-encode may hold what ends an authority: the search
    // for its `@` must not stop there.
    for (scheme, userinfo) in [
        ("http://", ""),
        ("http://", "/"),
        ("http://", "?x"),
        ("http://", "#x"),
        ("http://", "/a@b"),
        ("https:/", ""),
        ("//", ""),
        ("", ""),
    ] {
        errors.push(
            Client::new(
                hotmart::Environment::Custom {
                    auth_url: format!("{scheme}{ID}:{SECRET}{userinfo}@example.com"),
                    api_url: "https://example.com".into(),
                },
                Credentials::new(ID, SECRET),
            )
            .unwrap_err(),
        );
    }
    errors
}

#[test]
fn no_secret_in_debug_display_errors_or_logs() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let server = MockServer::builder()
        .credentials(ID, SECRET)
        .start()
        .unwrap();
    let mut tokens = Vec::new();
    for style in [TokenRequestStyle::Documented, TokenRequestStyle::BasicOnly] {
        let client = Client::builder(server.environment(), Credentials::new(ID, SECRET))
            .token_request_style(style)
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let token = client.access_token().unwrap();
        tokens.push(token.secret().to_owned());
        let forbidden = forbidden(&tokens);
        assert_clean("AccessToken Debug", &format!("{token:?}"), &forbidden);
        assert_clean("Client Debug", &format!("{client:?}"), &forbidden);
        assert_clean(
            "Credentials Debug",
            &format!("{:?}", Credentials::new(ID, SECRET)),
            &forbidden,
        );
        for err in all_errors(&server, &client) {
            let mut shown = format!("{err} | {err:?}");
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                shown.push_str(&format!(" | {s} | {s:?}"));
                source = s.source();
            }
            assert_clean("an error", &shown, &forbidden);
        }
    }
    // The persistent token cache: stored, read back, refused (mode 0644), corrupt, removed.
    let cache = support::TempDir::new("secrets-cache");
    let cached = || {
        Client::builder(server.environment(), Credentials::new(ID, SECRET))
            .token_cache(cache.path())
            .build()
            .unwrap()
    };
    let token = cached().access_token().unwrap();
    tokens.push(token.secret().to_owned());
    let file = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cache"))
        .unwrap();
    assert_clean(
        "the cache file (but for its token)",
        &std::fs::read_to_string(&file)
            .unwrap()
            .replace(token.secret(), ""),
        &forbidden(&tokens),
    );
    cached().access_token().unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let loose = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(&file, loose).unwrap();
    }
    let client = cached();
    let token = client.access_token().unwrap();
    tokens.push(token.secret().to_owned());
    std::fs::write(
        &file,
        format!("hotmart-token-cache 1\ntoken {}\n", token.secret()),
    )
    .unwrap();
    cached().access_token().unwrap();
    client.invalidate(&token);
    let refused = LOGS.0.lock().unwrap().iter().any(|(target, level, line)| {
        target == "hotmart::token" && *level == log::Level::Warn && line.contains("0644")
    });
    assert!(refused, "refusing a readable cache file must be logged");

    tokens.push("tok-in-a-bad-body".to_owned());
    let body = br#"{"access_token":"tok-in-a-bad-body","token_type":"bearer","expires_in":1}"#;
    let parsed = TokenResponse::parse(body).unwrap();
    assert_clean(
        "TokenResponse Debug",
        &format!("{parsed:?}"),
        &forbidden(&tokens),
    );

    let logs = LOGS.0.lock().unwrap().clone();
    let ours: Vec<_> = logs
        .iter()
        .filter(|(target, ..)| target.starts_with("hotmart"))
        .collect();
    assert!(!ours.is_empty(), "the crate logged nothing at trace level");
    for (target, level, line) in &ours {
        assert_clean(
            &format!("log line {target} {level}"),
            line,
            &forbidden(&tokens),
        );
    }
    // What the docs warn of: at `trace` level ureq logs raw HTTP traffic (hex dumps of bodies,
    // the token response among them) and full URLs (the documented request's query holds the
    // secret). Its lines above `trace` must be clean, but for that URL.
    for (target, level, line) in logs.iter().filter(|(t, ..)| !t.starts_with("hotmart")) {
        let documented_url = *level == log::Level::Debug && line.contains("client_secret=");
        if *level < log::Level::Trace && !documented_url {
            assert_clean(
                &format!("log line {target} {level}"),
                line,
                &forbidden(&tokens),
            );
        }
    }
}
