//! Every way getting a token can fail gives a typed error, never a panic.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use hotmart::token::ParseErrorKind;
use hotmart::{Client, Credentials, Environment, Error, TransportErrorKind};
use hotmart_mock::{Endpoint, Fault, MockServer};

#[test]
fn rejected_secret_is_a_401_with_the_oauth_code() {
    let server = MockServer::start().unwrap();
    let client = Client::new(
        server.environment(),
        Credentials::new(hotmart_mock::CLIENT_ID, "wrong-secret"),
    )
    .unwrap();
    let err = client.access_token().unwrap_err();
    assert_eq!(err.status(), Some(401));
    match &err {
        Error::TokenRejected {
            status: 401,
            error: Some(code),
            description: Some(description),
        } => {
            assert_eq!(code, "unauthorized");
            assert_eq!(description, "Bad credentials");
        }
        other => panic!("unexpected {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("HOTMART_CLIENT_SECRET"), "{message}");
    assert!(message.contains("sandbox or production"), "{message}");
}

#[test]
fn unknown_client_id_is_rejected_too() {
    let server = MockServer::start().unwrap();
    let client = Client::new(
        server.environment(),
        Credentials::new("someone-else", hotmart_mock::CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(client.access_token().unwrap_err().status(), Some(401));
}

#[test]
fn unreachable_port_is_a_connect_error() {
    let client = Client::new(
        support::env_at(support::closed_port()),
        Credentials::new("id", "secret"),
    )
    .unwrap();
    match client.access_token().unwrap_err() {
        Error::Transport(t) => {
            assert_eq!(t.kind(), TransportErrorKind::Connect, "{t}");
            assert!(t.url().ends_with("/security/oauth/token"), "{}", t.url());
            // The chain ends in the operating system's own error, kind and code intact.
            let cause = std::error::Error::source(&t).expect("a cause");
            let os = cause
                .source()
                .and_then(|e| e.downcast_ref::<std::io::Error>())
                .expect("the io::Error behind the cause");
            assert_eq!(os.kind(), std::io::ErrorKind::ConnectionRefused, "{os}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_server_that_never_answers_times_out_in_time() {
    let server = MockServer::start().unwrap();
    server.fail_next(Endpoint::Token, 1, Fault::NoResponse);
    let timeout = Duration::from_millis(500);
    let client = support::builder(&server)
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.access_token().unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(took >= timeout, "gave up early: {took:?}");
    // Not a performance figure: a timeout that fires 20 s late is not working.
    assert!(took < timeout + Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_listener_that_never_accepts_times_out() {
    // The kernel completes the handshake into the backlog; nobody reads or answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = Client::builder(
        support::env_at(listener.local_addr().unwrap()),
        Credentials::new("id", "s"),
    )
    .timeout(Duration::from_millis(300))
    .build()
    .unwrap();
    assert!(client.access_token().unwrap_err().is_timeout());
}

fn token_error_for(fault: Fault) -> Error {
    let server = MockServer::start().unwrap();
    server.fail_next(Endpoint::Token, 1, fault);
    // No retries: each fault is seen as it is (retries have their own tests).
    support::builder(&server)
        .max_retries(0)
        .build()
        .unwrap()
        .access_token()
        .unwrap_err()
}

#[test]
fn server_error_is_unexpected_status_with_an_excerpt() {
    match token_error_for(Fault::Status(500)) {
        Error::UnexpectedStatus {
            status: 500,
            url,
            excerpt,
            ..
        } => {
            assert!(
                url.ends_with("/security/oauth/token") && !url.contains('?'),
                "{url}"
            );
            assert!(excerpt.contains("Injected failure"), "{excerpt}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn non_json_success_is_a_malformed_response() {
    match token_error_for(Fault::NotJson) {
        Error::MalformedTokenResponse { source } => {
            assert_eq!(source.kind(), ParseErrorKind::ExpectedObject);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn truncated_json_is_a_malformed_response() {
    match token_error_for(Fault::Truncated) {
        Error::MalformedTokenResponse { source } => {
            assert_eq!(source.kind(), ParseErrorKind::UnexpectedEnd);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn connection_cut_mid_body_is_an_io_error() {
    let addr = support::raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"access_token\":\"abc",
        1,
    );
    let client = Client::builder(support::env_at(addr), Credentials::new("id", "s"))
        .max_retries(0)
        .build()
        .unwrap();
    match client.access_token().unwrap_err() {
        Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::Io, "{t}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn connection_closed_without_an_answer_is_a_transport_error() {
    let addr = support::raw_server(b"", 1);
    let client = Client::new(support::env_at(addr), Credentials::new("id", "s")).unwrap();
    assert!(matches!(
        client.access_token().unwrap_err(),
        Error::Transport(_)
    ));
}

#[test]
fn garbage_instead_of_http_is_a_transport_error() {
    let addr = support::raw_server(b"SSH-2.0-OpenSSH_9.2\r\n\r\n", 1);
    let client = Client::new(support::env_at(addr), Credentials::new("id", "s")).unwrap();
    assert!(matches!(
        client.access_token().unwrap_err(),
        Error::Transport(_)
    ));
}

#[test]
fn oversized_body_is_refused() {
    match token_error_for(Fault::Oversized(1 << 20)) {
        Error::BodyTooLarge { limit, url } => {
            assert_eq!(limit, 64 * 1024);
            assert!(!url.contains('?'));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn wrong_token_type_is_a_malformed_response() {
    let body = br#"{"access_token":"t","token_type":"mac","expires_in":60}"#.to_vec();
    let err = token_error_for(Fault::Response {
        status: 200,
        content_type: "application/json".into(),
        body,
    });
    match err {
        Error::MalformedTokenResponse { source } => {
            assert_eq!(source.kind(), ParseErrorKind::UnsupportedTokenType);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn missing_grant_type_style_400_is_rejected_with_its_code() {
    let err = token_error_for(Fault::Response {
        status: 400,
        content_type: "application/json".into(),
        body: br#"{"error":"invalid_request","error_description":"Missing grant type"}"#.to_vec(),
    });
    assert!(
        matches!(&err, Error::TokenRejected { status: 400, error: Some(e), .. } if e == "invalid_request"),
        "{err:?}"
    );
}

#[test]
fn redirect_is_not_followed() {
    let addr = support::raw_server(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n",
        1,
    );
    let client = Client::new(support::env_at(addr), Credentials::new("id", "s")).unwrap();
    assert_eq!(client.access_token().unwrap_err().status(), Some(302));
}

#[test]
fn plain_http_off_the_machine_is_refused_without_io() {
    // Nothing listens on these addresses; a refusal rather than a connect error shows that no
    // connection was tried.
    for url in [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://[2001:db8::1]",
    ] {
        let env = Environment::Custom {
            auth_url: url.into(),
            api_url: "https://example.com".into(),
        };
        let err = Client::new(env, Credentials::new("id", "secret")).unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {err:?}");
        let env = Environment::Custom {
            auth_url: "https://example.com".into(),
            api_url: url.into(),
        };
        let err = Client::new(env, Credentials::new("id", "secret")).unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {err:?}");
    }
}

#[test]
fn malformed_credentials_are_refused_at_build() {
    for (id, secret) in [("", "s"), ("id", ""), ("a:b", "s")] {
        let err = Client::new(Environment::Sandbox, Credentials::new(id, secret)).unwrap_err();
        assert!(matches!(err, Error::InvalidCredentials { .. }), "{err:?}");
    }
}

#[test]
fn configuration_from_variables_names_what_is_missing() {
    use std::collections::HashMap;
    let read = |pairs: &[(&str, &str)]| {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    };
    let missing = |err: Error| match err {
        Error::MissingEnv { variable } => variable,
        other => panic!("unexpected {other:?}"),
    };
    // Both missing: both named, in one error.
    match Credentials::from_lookup(read(&[])).unwrap_err() {
        Error::MissingEnvs { variables } => {
            assert_eq!(variables, ["HOTMART_CLIENT_ID", "HOTMART_CLIENT_SECRET"])
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        missing(Credentials::from_lookup(read(&[("HOTMART_CLIENT_ID", "id")])).unwrap_err()),
        "HOTMART_CLIENT_SECRET"
    );
    assert_eq!(
        missing(
            Credentials::from_lookup(read(&[
                ("HOTMART_CLIENT_ID", "id"),
                ("HOTMART_CLIENT_SECRET", " ")
            ]))
            .unwrap_err()
        ),
        "HOTMART_CLIENT_SECRET"
    );
    let err = Credentials::from_lookup(read(&[
        ("HOTMART_CLIENT_ID", "id"),
        ("HOTMART_CLIENT_SECRET", "secret"),
        ("HOTMART_BASIC", "Basic Zm9vOmJhcg=="),
    ]))
    .unwrap_err();
    assert!(matches!(err, Error::InvalidCredentials { .. }));
    assert_eq!(
        missing(Environment::from_lookup(read(&[])).unwrap_err()),
        "HOTMART_ENV"
    );
    assert!(matches!(
        Environment::from_lookup(read(&[("HOTMART_ENV", "custom")])).unwrap_err(),
        Error::MissingEnvs { variables } if variables == ["HOTMART_AUTH_URL", "HOTMART_API_URL"]
    ));
    // The client from the environment names every missing variable of both at once.
    let err = Client::builder_from_lookup(read(&[("HOTMART_CLIENT_ID", "id")])).unwrap_err();
    assert!(
        matches!(&err, Error::MissingEnvs { variables }
            if variables == &["HOTMART_ENV", "HOTMART_CLIENT_SECRET"]),
        "{err:?}"
    );
    // Debug is the crate's words too: what `fn main() -> Result<(), Error>` prints.
    assert_eq!(
        format!("{err:?}"),
        "MissingEnvs: environment variables HOTMART_ENV, HOTMART_CLIENT_SECRET are not set (or are empty)"
    );
    assert_eq!(
        Environment::from_lookup(read(&[("HOTMART_ENV", " PRODUCTION ")])).unwrap(),
        Environment::Production
    );
}
