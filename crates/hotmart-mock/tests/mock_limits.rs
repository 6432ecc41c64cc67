//! What a request may hold at the local Hotmart: a head of at most 64 KiB (431 beyond, answered
//! before the rest is read), a body of at most 1 MiB, by `Content-Length` or chunked (413
//! beyond), and no transfer coding but chunked; and how connections are kept alive. Raw
//! loopback sockets, since no HTTP client sends such requests.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use hotmart_mock::MockServer;

/// The cap on a request head, request line to empty line included.
const MAX_HEAD: usize = 64 * 1024;
const ME: &str = "/user/api/v1/me";
/// Every answer here comes well within this.
const BOUND: Duration = Duration::from_secs(10);

fn connect(server: &MockServer) -> TcpStream {
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream
}

/// A request head of exactly `len` bytes: `GET /user/api/v1/me`, padded with an `X-Pad` header,
/// the connection to close after the answer.
fn head_of(len: usize) -> Vec<u8> {
    let mut head = format!("GET {ME} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Pad: ")
        .into_bytes();
    assert!(len >= head.len() + 4);
    head.resize(len - 4, b'a');
    head.extend_from_slice(b"\r\n\r\n");
    head
}

/// Everything the server sends until it closes.
fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("an answer, then the end");
    String::from_utf8(answer).unwrap()
}

fn assert_refused(answer: &str, status_line: &str, error: &str) {
    assert!(answer.starts_with(status_line), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.split("\r\n").any(|h| h == "Connection: close"),
        "{head}"
    );
    let body: miniserde::json::Value = miniserde::json::from_str(body).unwrap();
    let miniserde::json::Value::Object(body) = body else {
        panic!("{answer}");
    };
    let text = |name: &str| match body.get(name) {
        Some(miniserde::json::Value::String(text)) => Some(text.clone()),
        _ => None,
    };
    assert_eq!(text("error").as_deref(), Some(error), "{answer}");
    assert!(text("error_description").is_some(), "{answer}");
}

#[test]
fn a_header_line_of_a_mebibyte_is_refused_with_431() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        thread::spawn(move || {
            let start = format!("GET {ME} HTTP/1.1\r\nHost: localhost\r\nX-Big: ");
            // The head never ends: the answer cannot wait for it. Write errors are expected
            // once the server has closed.
            let _ = stream.write_all(start.as_bytes());
            let _ = stream.write_all(&vec![b'a'; 1 << 20]);
        })
    };
    let answer = read_answer(&mut stream);
    writer.join().unwrap();
    assert_refused(
        &answer,
        "HTTP/1.1 431 Request Header Fields Too Large\r\n",
        "request_header_fields_too_large",
    );
    assert!(server.requests().is_empty(), "the handler saw no request");
}

#[test]
fn the_431_comes_once_64_kib_are_read_and_not_before() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    let head = head_of(MAX_HEAD + 10);
    // One byte short of the cap, no end of head: the server waits for more.
    stream.write_all(&head[..MAX_HEAD - 1]).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = stream.read(&mut [0u8; 64]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    // Two bytes more pass the cap: the answer comes though the head is still open.
    stream.write_all(&head[MAX_HEAD - 1..MAX_HEAD + 1]).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    let answer = read_answer(&mut stream);
    assert_refused(&answer, "HTTP/1.1 431 ", "request_header_fields_too_large");
    assert!(server.requests().is_empty());
}

#[test]
fn a_head_of_64_kib_is_served() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    stream.write_all(&head_of(MAX_HEAD)).unwrap();
    let answer = read_answer(&mut stream);
    // No bearer token: the API's own answer.
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, ME);
    let pad = requests[0].header("x-pad").unwrap();
    assert!(pad.len() > MAX_HEAD - 100 && pad.bytes().all(|b| b == b'a'));
    assert_eq!(requests[0].header("connection"), Some("close"));
}

#[test]
fn a_head_one_byte_over_is_refused() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    stream.write_all(&head_of(MAX_HEAD + 1)).unwrap();
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    assert!(server.requests().is_empty());
}

/// A token request whose connection closes after the answer.
fn token_post(extra_headers: &str) -> Vec<u8> {
    format!(
        "POST /security/oauth/token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         {extra_headers}\r\n"
    )
    .into_bytes()
}

#[test]
fn a_content_length_over_a_mebibyte_is_refused_with_413() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    // Announced, never sent: the answer does not wait for the body.
    stream
        .write_all(&token_post("Content-Length: 1048577\r\n"))
        .unwrap();
    let answer = read_answer(&mut stream);
    assert_refused(&answer, "HTTP/1.1 413 ", "content_too_large");
    assert!(server.requests().is_empty());
}

#[test]
fn a_body_of_a_mebibyte_goes_through() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    let mut request = token_post("Content-Length: 1048576\r\n");
    request.extend(std::iter::repeat_n(b'x', 1 << 20));
    stream.write_all(&request).unwrap();
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    let requests = server.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body.len(), 1 << 20);
}

#[test]
fn bad_lengths_and_chunked_bodies_are_refused() {
    let server = MockServer::start().unwrap();
    for (headers, status_line, error) in [
        ("Content-Length: ten\r\n", "HTTP/1.1 400 ", "bad_request"),
        (
            "content-length: 3\r\nContent-Length: 4\r\n",
            "HTTP/1.1 400 ",
            "bad_request",
        ),
        (
            "Transfer-Encoding: gzip\r\n",
            "HTTP/1.1 501 ",
            "not_implemented",
        ),
        (
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "HTTP/1.1 400 ",
            "bad_request",
        ),
    ] {
        let mut stream = connect(&server);
        stream.write_all(&token_post(headers)).unwrap();
        assert_refused(&read_answer(&mut stream), status_line, error);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn chunked_bodies_go_through_up_to_a_mebibyte() {
    let server = MockServer::start().unwrap();
    let mut stream = connect(&server);
    let mut request = token_post("Transfer-Encoding: chunked\r\n");
    request.extend_from_slice(b"4;x=y\r\ngran\r\n19\r\nt_type=client_credentials\r\n0\r\n\r\n");
    stream.write_all(&request).unwrap();
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    let requests = server.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, b"grant_type=client_credentials");
    assert_eq!(requests[0].header("transfer-encoding"), Some("chunked"));

    // 1 MiB in one chunk, then one byte more.
    let mut stream = connect(&server);
    let mut request = token_post("Transfer-Encoding: chunked\r\n");
    request.extend_from_slice(b"100000\r\n");
    request.resize(request.len() + (1 << 20), b'x');
    request.extend_from_slice(b"\r\n1\r\n");
    stream.write_all(&request).unwrap();
    assert_refused(
        &read_answer(&mut stream),
        "HTTP/1.1 413 ",
        "content_too_large",
    );
    assert_eq!(server.token_requests().len(), 1);
}

/// The https mock is the same server, behind its TLS handshake.
#[cfg(feature = "tls")]
#[test]
fn the_https_mock_caps_heads_too() {
    use std::sync::Arc;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &rcgen::Issuer::from_params(&ca, &ca_key))
        .unwrap();
    let server = MockServer::builder()
        .https(cert.pem(), key.serialize_pem())
        .start()
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let answer = |head: &[u8]| {
        let conn = rustls::ClientConnection::new(
            Arc::new(config.clone()),
            "localhost".try_into().unwrap(),
        )
        .unwrap();
        let mut tls = rustls::StreamOwned::new(conn, connect(&server));
        tls.write_all(head).unwrap();
        let mut answer = Vec::new();
        tls.read_to_end(&mut answer)
            .expect("an answer, then close_notify");
        String::from_utf8(answer).unwrap()
    };
    let big = answer(&head_of(MAX_HEAD + 1));
    assert_refused(&big, "HTTP/1.1 431 ", "request_header_fields_too_large");
    assert!(server.requests().is_empty());
    let fits = answer(&head_of(MAX_HEAD));
    assert!(fits.starts_with("HTTP/1.1 401 "), "{fits}");
    assert_eq!(server.api_request_count(), 1);
}
