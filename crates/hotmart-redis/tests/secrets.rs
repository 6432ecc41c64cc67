//! The Redis URL's credentials and the access token never reach a message (issue 17): a fake
//! Redis on loopback that, like a Redis whose `AUTH` was renamed away, answers every command
//! with an error that quotes its arguments; every log line (captured by a test logger), error,
//! `Debug` and `Display` is searched for every form of the secrets.

mod support;

use std::io::Write;

use hotmart::Client;
use hotmart_mock::MockServer;
use hotmart_redis::{ClientBuilderExt, Redis};
use support::{FakeRedis, ME, read_command};

/// Answers each command as Redis answers one it does not know, quoting its arguments.
fn echoing_redis() -> FakeRedis {
    FakeRedis::start(|mut stream, stop| {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let Some(command) = read_command(&mut stream) else {
                return;
            };
            let args: String = command[1..].iter().map(|a| format!("'{a}' ")).collect();
            let reply = format!(
                "-ERR unknown command '{}', with args beginning with: {args}\r\n",
                command[0]
            );
            if stream.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
    })
}

/// Before, the warning scrubbed the password only as written in the URL (`Se%40cret%2B99`)
/// and never the user name: the decoded password that the server echoed (`Se@cret+99`) and
/// the user name reached the log, and this test failed on them.
#[test]
fn no_form_of_the_redis_credentials_or_the_token_reaches_any_message() {
    support::capture_log(log::LevelFilter::Trace);
    let server = MockServer::start().unwrap();
    let mut shown = Vec::new();

    // A URL with a user and a password, both percent-encoded: AUTH is answered with an echo.
    let fake = echoing_redis();
    let url = format!(
        "redis://hm-user%2B1:Se%40cret%2B99@127.0.0.1:{}/0",
        fake.port
    );
    let redis = Redis::new(&url).unwrap();
    let client = Client::builder(server.environment(), server.credentials())
        .redis(&redis)
        .build()
        .unwrap();
    let token = client.access_token().unwrap();
    client.get(ME).send().unwrap();
    shown.push(format!("{redis:?}"));
    shown.push(format!(
        "{:?} {:?}",
        redis.token_store(),
        redis.rate_budget()
    ));
    shown.push(format!("{client:?}"));

    // No password: every command after connecting is echoed, the scripts' too (the access
    // token is an argument of the one that stores it).
    let open = echoing_redis();
    let redis = Redis::new(&format!("redis://127.0.0.1:{}/0", open.port)).unwrap();
    let client = Client::builder(server.environment(), server.credentials())
        .redis(&redis)
        .build()
        .unwrap();
    let second = client.access_token().unwrap();
    client.get(ME).send().unwrap();

    // Refused URLs and variables.
    for bad in [
        "redis://hm-user%2B1:Se%40cret%2B99@127.0.0.1:port/0",
        "http://hm-user%2B1:Se%40cret%2B99@127.0.0.1/0",
        "rediss://hm-user%2B1:Se%40cret%2B99@127.0.0.1/0#insecure",
    ] {
        let err = Redis::new(bad).unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }

    let logs = support::logged();
    let warned = logs
        .iter()
        .filter(|l| l.contains("hotmart::redis") && l.contains("failed"))
        .count();
    let secrets = [
        "Se@cret+99",
        "Se%40cret%2B99",
        "hm-user+1",
        "hm-user%2B1",
        token.secret(),
        second.secret(),
    ];
    let texts: Vec<&String> = logs.iter().chain(&shown).collect();
    let leaks: Vec<&&String> = texts
        .iter()
        .filter(|text| secrets.iter().any(|s| text.contains(s)))
        .collect();
    eprintln!(
        "{} log lines ({warned} Redis warnings) and {} Debug/Display texts searched for {} \
         secrets: {} leak(s)",
        logs.len(),
        shown.len(),
        secrets.len(),
        leaks.len()
    );
    for line in logs.iter().filter(|l| l.contains("hotmart::redis")) {
        eprintln!("  {line}");
    }
    assert!(
        warned >= 2,
        "each Redis was warned about, or the test proves nothing: {logs:#?}"
    );
    assert!(leaks.is_empty(), "{leaks:#?}");
}
