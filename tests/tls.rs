//! https end to end, on loopback, with a certificate authority made at test time: a valid
//! chain works; an unknown issuer, a certificate for another host and an expired certificate
//! are each refused with the matching [`TlsFailure`], before a single byte of the request is
//! sent. Every case runs under each TLS backend compiled in.

mod support;
#[path = "support/tls.rs"]
mod tls_support;

use std::error::Error as _;
use std::time::{Duration, Instant};

use hotmart::{Client, Credentials, Error, TlsBackend, TlsFailure, TransportErrorKind};
use hotmart_mock::MockServer;
use tls_support::{HttpsServer, ServerCert, TestCa};

/// Every test ends well within this: a refused handshake takes milliseconds.
const BOUND: Duration = Duration::from_secs(5);

fn client(server: &HttpsServer, backend: TlsBackend, roots: &[&str]) -> Client {
    let mut builder = Client::builder(server.environment(), Credentials::new("id", "secret"))
        .tls_backend(backend)
        .timeout(BOUND)
        .max_retries(0);
    for pem in roots {
        builder = builder.add_root_certificates_pem(pem);
    }
    builder.build().expect("client")
}

fn is_native(backend: TlsBackend) -> bool {
    #[cfg(feature = "native-tls")]
    if backend == TlsBackend::NativeTls {
        return true;
    }
    let _ = backend;
    false
}

fn valid_chain_fetches_a_token_and_calls_the_api(backend: TlsBackend) {
    let started = Instant::now();
    let ca = TestCa::new("hotmart test CA");
    let server = HttpsServer::start(&ca.issue(&["localhost"]));
    let client = client(&server, backend, &[ca.pem()]);

    let token = client.access_token().expect("token over https");
    assert_eq!(token.secret(), "tls-test-token");
    let answer = client
        .get("/products/api/v1/products")
        .send()
        .expect("API call");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.body(), br#"{"ok":true}"#);

    assert_eq!(
        server.seen.paths(),
        ["/security/oauth/token", "/products/api/v1/products"]
    );
    assert_eq!(server.seen.refused(), 0);
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
}

/// `cert` is refused as `expected`, the error says so in the crate's words, and the server
/// decrypted nothing: the request, credentials and all, was never sent.
fn refused(backend: TlsBackend, cert: &ServerCert, roots: &[&str], expected: TlsFailure) {
    let started = Instant::now();
    let server = HttpsServer::start(cert);
    let client = client(&server, backend, roots);

    let err = client.access_token().expect_err("the handshake must fail");
    let elapsed = started.elapsed();
    let Error::Transport(transport) = &err else {
        panic!("{backend:?}: not a transport error: {err:?}");
    };
    assert_eq!(
        transport.kind(),
        TransportErrorKind::Tls,
        "{backend:?}: {err:?}"
    );
    assert_eq!(
        transport.tls_failure(),
        Some(expected),
        "{backend:?}: {err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains(&expected.to_string()), "{shown}");
    assert!(shown.contains("https://localhost:"), "{shown}");
    // Display is this layer's words; the TLS library's text is the source, and only there.
    let cause = transport
        .source()
        .expect("the TLS library's error")
        .to_string();
    assert!(!shown.contains(&cause), "{shown} / {cause}");
    // The backend asked for did the refusing (ureq labels native-tls' errors).
    assert_eq!(
        cause.starts_with("native-tls"),
        is_native(backend),
        "{cause}"
    );

    // Nothing was decrypted and no handshake completed: not a byte of the request left.
    let seen = &server.seen;
    seen.settle();
    assert!(
        seen.refused() >= 1,
        "{backend:?}: the server saw no refused handshake"
    );
    assert_eq!(seen.handshakes(), 0, "{backend:?}");
    assert_eq!(seen.plaintext(), 0, "{backend:?}");
    assert!(seen.paths().is_empty(), "{backend:?}");
    assert!(elapsed < BOUND, "{elapsed:?}");
}

fn unknown_issuer_is_refused(backend: TlsBackend) {
    let trusted = TestCa::new("trusted test CA");
    let stranger = TestCa::new("unknown test CA");
    refused(
        backend,
        &stranger.issue(&["localhost"]),
        &[trusted.pem()],
        TlsFailure::UnknownIssuer,
    );
}

fn default_roots_do_not_trust_a_private_ca(backend: TlsBackend) {
    let ca = TestCa::new("private test CA");
    refused(
        backend,
        &ca.issue(&["localhost"]),
        &[],
        TlsFailure::UnknownIssuer,
    );
}

fn wrong_host_is_refused(backend: TlsBackend) {
    let ca = TestCa::new("hotmart test CA");
    refused(
        backend,
        &ca.issue(&["example.com"]),
        &[ca.pem()],
        TlsFailure::WrongHost,
    );
}

fn expired_certificate_is_refused(backend: TlsBackend) {
    let ca = TestCa::new("hotmart test CA");
    refused(
        backend,
        &ca.issue_expired(&["localhost"]),
        &[ca.pem()],
        TlsFailure::Expired,
    );
}

fn https_mock_with_an_added_root(backend: TlsBackend) {
    let started = Instant::now();
    let ca = TestCa::new("hotmart test CA");
    let cert = ca.issue(&["localhost"]);
    let server = MockServer::builder()
        .https(&cert.cert_pem, &cert.key_pem)
        .start()
        .expect("https mock");
    assert!(
        server.url().starts_with("https://localhost:"),
        "{}",
        server.url()
    );
    let client = Client::builder(server.environment(), server.credentials())
        .tls_backend(backend)
        .add_root_certificates_pem(ca.pem())
        .timeout(BOUND)
        .build()
        .expect("client");
    let first = client.access_token().expect("token from the https mock");
    assert_eq!(client.access_token().expect("cached"), first);
    let products = client
        .get("/products/api/v1/products")
        .send()
        .expect("API call");
    assert_eq!(products.status(), 200);
    assert_eq!(server.token_request_count(), 1);
    assert_eq!(server.api_request_count(), 1);
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
}

macro_rules! for_backend {
    ($module:ident, $backend:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn valid_chain_fetches_a_token_and_calls_the_api() {
                super::valid_chain_fetches_a_token_and_calls_the_api($backend);
            }

            #[test]
            fn unknown_issuer_is_refused_before_anything_is_sent() {
                super::unknown_issuer_is_refused($backend);
            }

            #[test]
            fn default_roots_do_not_trust_a_private_ca() {
                super::default_roots_do_not_trust_a_private_ca($backend);
            }

            #[test]
            fn wrong_host_is_refused_before_anything_is_sent() {
                super::wrong_host_is_refused($backend);
            }

            #[test]
            fn expired_certificate_is_refused_before_anything_is_sent() {
                super::expired_certificate_is_refused($backend);
            }

            #[test]
            fn https_mock_with_an_added_root() {
                super::https_mock_with_an_added_root($backend);
            }
        }
    };
}

for_backend!(rustls, TlsBackend::Rustls);
#[cfg(feature = "native-tls")]
for_backend!(native_tls, TlsBackend::NativeTls);

#[test]
fn unusable_pem_is_refused_by_build() {
    let ca = TestCa::new("hotmart test CA");
    let key_only = ca.issue(&["localhost"]).key_pem;
    let garbled = ca.pem().replace('M', "!");
    let truncated = &ca.pem()[..ca.pem().len() / 2];
    let not_der = "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n";
    let cases: [&[u8]; 7] = [
        b"",
        b"hello",
        key_only.as_bytes(),
        garbled.as_bytes(),
        truncated.as_bytes(),
        not_der.as_bytes(),
        &[0xff, 0xfe, 0x00, b'-', b'-'],
    ];
    for pem in cases {
        let err = Client::builder(hotmart::Environment::Sandbox, Credentials::new("id", "s"))
            // A good PEM first: the error names the second one.
            .add_root_certificates_pem(ca.pem())
            .add_root_certificates_pem(pem)
            .build()
            .expect_err("an unusable PEM must be refused");
        assert!(
            matches!(err, Error::InvalidRootCertificate { index: 1, .. }),
            "{pem:?}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("invalid root certificate (PEM #1"),
            "{err}"
        );
    }
}

#[test]
fn a_pem_with_several_certificates_and_a_key_is_accepted() {
    let ca = TestCa::new("hotmart test CA");
    let other = TestCa::new("another test CA");
    let cert = ca.issue(&["localhost"]);
    let bundle = format!("{}\n{}{}", other.pem(), cert.key_pem, ca.pem());
    let server = HttpsServer::start(&cert);
    let client = client(&server, TlsBackend::default(), &[&bundle]);
    client
        .access_token()
        .expect("the bundle's second certificate is trusted");
}
