//! Proxies: honoured for hosts off this machine, never used for a loopback host, whatever the
//! environment or the builder says; a proxy's password never shows.
//!
//! Proxy variables are process-wide, so tests that need them run in a child process of this
//! test binary, which gets them through `Command::env`: no test here changes the environment
//! of the process it runs in. The "proxy" is a listener on 127.0.0.1 that counts connections.

mod support;

use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use hotmart::{Client, Credentials, Environment, Error};
use support::hostile::{Answer, HostileServer};

/// Set in the child process; names the proxy URL the parent gave it.
const CHILD: &str = "HOTMART_TEST_PROXY_CHILD";
const VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];
const PASSWORD: &str = "pr0xy-pa55word";
/// A host off this machine; `.invalid` never resolves, and through an HTTP proxy the client
/// does not resolve it anyway: it only asks the proxy to `CONNECT`.
const REMOTE: &str = "https://hotmart.invalid";

/// Child processes run one at a time: their figures stay readable and the machine unloaded.
static SERIAL: Mutex<()> = Mutex::new(());

/// A "proxy" that refuses every request it is sent (and counts the connections).
fn proxy() -> HostileServer {
    HostileServer::start(|_| Answer::text(502, "no"))
}

fn proxy_url(proxy: &HostileServer) -> String {
    format!("http://user:{PASSWORD}@{}", proxy.addr())
}

/// Runs the test `name` of this binary in a child process whose environment sets each of
/// `variables` to `value` (and no `NO_PROXY`), and asserts that it passed.
fn run_child(name: &str, variables: &[&str], value: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", name, "--test-threads", "1", "--nocapture"])
        .env(CHILD, value);
    for variable in VARIABLES.iter().chain(&["NO_PROXY", "no_proxy"]) {
        command.env_remove(variable);
    }
    for variable in variables {
        command.env(variable, value);
    }
    let output = command.output().expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child `{name}` with {variables:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The proxy URL, if this process is a child.
fn child() -> Option<String> {
    std::env::var(CHILD).ok()
}

fn loopback_calls_work() {
    let server = HostileServer::start(|req| {
        if req.is_token() {
            Answer::token("tok")
        } else {
            Answer::json(200, "{}")
        }
    });
    let client = Client::builder(server.environment(), Credentials::new("id", "secret"))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client.access_token().unwrap();
    client.get("/x").send().unwrap();
    assert_eq!(server.requests(), 2);
}

/// Every proxy variable set, one at a time and all together: a loopback server is still
/// called directly, and the proxy sees no connection at all.
#[test]
fn proxy_variables_are_never_used_for_loopback() {
    if child().is_some() {
        return loopback_calls_work();
    }
    let proxy = proxy();
    let url = proxy_url(&proxy);
    for variable in VARIABLES {
        run_child(
            "proxy_variables_are_never_used_for_loopback",
            &[variable],
            &url,
        );
    }
    run_child(
        "proxy_variables_are_never_used_for_loopback",
        &VARIABLES,
        &url,
    );
    assert_eq!(proxy.connections(), 0);
}

/// The same variables are honoured for a host off this machine (so the test above is not
/// passing because the variables are ignored), and the proxy's password never shows.
#[test]
fn proxy_variables_are_used_for_remote_hosts() {
    if child().is_some() {
        let client = Client::builder(
            Environment::Custom {
                auth_url: REMOTE.into(),
                api_url: REMOTE.into(),
            },
            Credentials::new("id", "secret"),
        )
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .unwrap();
        assert!(!format!("{client:?}").contains(PASSWORD));
        let err = client.access_token().unwrap_err();
        assert_no_password(&err);
        return;
    }
    let proxy = proxy();
    let url = proxy_url(&proxy);
    for (n, variable) in VARIABLES.iter().enumerate() {
        run_child(
            "proxy_variables_are_used_for_remote_hosts",
            &[variable],
            &url,
        );
        assert_eq!(proxy.connections(), n + 1, "{variable} was not used");
    }
    for request in proxy.seen() {
        assert!(
            request.head.starts_with("CONNECT hotmart.invalid:443 "),
            "{}",
            request.head
        );
    }
}

/// `no_proxy()` turns the variables off.
#[test]
fn no_proxy_ignores_the_variables() {
    if child().is_some() {
        let server = HostileServer::start(|_| Answer::token("tok"));
        let client = Client::builder(server.environment(), Credentials::new("id", "secret"))
            .no_proxy()
            .build()
            .unwrap();
        client.access_token().unwrap();
        return;
    }
    let proxy = proxy();
    run_child(
        "no_proxy_ignores_the_variables",
        &VARIABLES,
        &proxy_url(&proxy),
    );
    assert_eq!(proxy.connections(), 0);
}

fn assert_no_password(err: &Error) {
    let mut texts = vec![err.to_string(), format!("{err:?}")];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        texts.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for text in texts {
        assert!(!text.contains(PASSWORD), "{text}");
    }
}

/// A proxy set on the builder is used for a remote host, never for a loopback one.
#[test]
fn an_explicit_proxy_is_bypassed_for_loopback_only() {
    if child().is_some() {
        return;
    }
    let proxy = proxy();
    let server = HostileServer::start(|_| Answer::token("tok"));
    let local = Client::builder(server.environment(), Credentials::new("id", "secret"))
        .proxy(proxy_url(&proxy))
        .build()
        .unwrap();
    local.access_token().unwrap();
    assert_eq!(proxy.connections(), 0);
    assert_eq!(server.requests(), 1);

    let remote = Client::builder(
        Environment::Custom {
            auth_url: REMOTE.into(),
            api_url: REMOTE.into(),
        },
        Credentials::new("id", "secret"),
    )
    .proxy(proxy_url(&proxy))
    .timeout(Duration::from_secs(5))
    .max_retries(0)
    .build()
    .unwrap();
    let err = remote.access_token().unwrap_err();
    assert_no_password(&err);
    assert_eq!(proxy.connections(), 1);
}

/// A proxy that refuses connections: the error names no password either.
#[test]
fn an_unreachable_proxy_shows_no_password() {
    if child().is_some() {
        return;
    }
    let closed = support::closed_port();
    let client = Client::builder(
        Environment::Custom {
            auth_url: REMOTE.into(),
            api_url: REMOTE.into(),
        },
        Credentials::new("id", "secret"),
    )
    .proxy(format!("http://user:{PASSWORD}@{closed}"))
    .max_retries(0)
    .build()
    .unwrap();
    let err = client.access_token().unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_no_password(&err);
}

#[test]
fn a_malformed_proxy_url_is_refused_by_build() {
    // An empty or unreadable host was taken, and failed only once a request went out.
    for url in [
        "not a url",
        "http://",
        "ftp://proxy:21",
        "http://@:1",
        "http://:3128",
        "http://[zz]:1",
        "http://[::1",
        "http://[::1]x",
        "http://pro xy:1",
    ] {
        let result = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
            .proxy(url)
            .build();
        assert!(
            matches!(
                result,
                Err(Error::InvalidConfig {
                    setting: "proxy",
                    ..
                })
            ),
            "{url}: {result:?}"
        );
    }
}

/// A port that is not a number is not silently replaced by the default port.
#[test]
fn a_proxy_url_with_a_bad_port_is_refused_by_build() {
    for url in [
        "http://proxy:notaport",
        "http://127.0.0.1:99999",
        "http://u:p@proxy:0",
        "socks5://[::1]:x",
    ] {
        let result = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
            .proxy(url)
            .build();
        assert!(
            matches!(
                result,
                Err(Error::InvalidConfig {
                    setting: "proxy",
                    ..
                })
            ),
            "{url}: {result:?}"
        );
    }
}

#[test]
fn well_formed_proxy_urls_are_accepted() {
    for url in [
        "http://proxy.internal:3128",
        "http://user:p%40ss@proxy.internal:3128/",
        "socks5://[::1]:1080",
        "https://proxy.internal",
        "http://10.0.0.1:8080",
        "socks5h://[fe80::1]",
        "http://[fe80::1%25eth0]:3128",
        "proxy_host.internal:3128",
    ] {
        let result = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
            .proxy(url)
            .build();
        assert!(result.is_ok(), "{url}: {result:?}");
    }
}

#[test]
fn the_proxy_password_never_shows_in_debug() {
    let url = format!("socks5://user:{PASSWORD}@proxy.internal:1080");
    let builder =
        Client::builder(Environment::Sandbox, Credentials::new("id", "secret")).proxy(url.as_str());
    let shown = format!("{builder:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{client:?} {client:#?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}
