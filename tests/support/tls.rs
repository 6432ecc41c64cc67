//! https on loopback for the TLS tests: a certificate authority made at test time, and a raw
//! https server (rustls over a `TcpStream`) that answers the token endpoint and any API path,
//! and counts what it decrypted.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority that exists only for one test run.
pub struct TestCa {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

/// A server certificate with its chain (leaf first) and key.
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2099, 1, 1);
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        TestCa { params, key, pem }
    }

    /// The CA's certificate, as `add_root_certificates_pem` takes it.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A server certificate for `names`, valid now.
    pub fn issue(&self, names: &[&str]) -> ServerCert {
        self.issue_valid(names, (2020, 1, 1), (2099, 1, 1))
    }

    /// A server certificate for `names` that expired years ago.
    pub fn issue_expired(&self, names: &[&str]) -> ServerCert {
        self.issue_valid(names, (2020, 1, 1), (2021, 1, 1))
    }

    fn issue_valid(
        &self,
        names: &[&str],
        (y0, m0, d0): (i32, u8, u8),
        (y1, m1, d1): (i32, u8, u8),
    ) -> ServerCert {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "test server");
        params.not_before = date_time_ymd(y0, m0, d0);
        params.not_after = date_time_ymd(y1, m1, d1);
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        ServerCert {
            chain: vec![cert.der().clone()],
            key_der: key.serialize_der(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// What the https server saw.
#[derive(Default)]
pub struct Seen {
    /// Connections accepted, and connections done with (answered, refused or dropped).
    pub accepted: AtomicUsize,
    pub finished: AtomicUsize,
    /// Handshakes completed.
    pub handshakes: AtomicUsize,
    /// Handshakes that failed (the client refused the certificate, or gave up).
    pub refused: AtomicUsize,
    /// Bytes decrypted from the client, on any connection.
    pub plaintext: AtomicUsize,
    /// The request lines received, e.g. `POST /security/oauth/token?... HTTP/1.1`.
    pub requests: Mutex<Vec<String>>,
}

impl Seen {
    /// Waits (at most 2 s) until every connection accepted so far is done with, so that the
    /// counts are final: the client may see its error before the server sees the alert.
    pub fn settle(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while self.accepted.load(Ordering::SeqCst) != self.finished.load(Ordering::SeqCst)
            && std::time::Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
    pub fn plaintext(&self) -> usize {
        self.plaintext.load(Ordering::SeqCst)
    }
    pub fn paths(&self) -> Vec<String> {
        let lines = self.requests.lock().unwrap();
        lines
            .iter()
            .map(|line| {
                let target = line.split(' ').nth(1).unwrap_or("");
                target.split('?').next().unwrap_or("").to_owned()
            })
            .collect()
    }
}

/// An https server on 127.0.0.1 presenting `cert`: answers `POST /security/oauth/token` with
/// a token and any other path with `{"ok":true}`, one request per connection.
pub struct HttpsServer {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
}

impl HttpsServer {
    pub fn start(cert: &ServerCert) -> HttpsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_der.clone()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(cert.chain.clone(), key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Seen::default());
        let shared = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (config, seen) = (Arc::clone(&config), Arc::clone(&shared));
                seen.accepted.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    serve(stream, config, &seen);
                    seen.finished.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        HttpsServer { addr, seen }
    }

    /// An environment whose auth and API URLs are this server, named `localhost`.
    pub fn environment(&self) -> hotmart::Environment {
        let url = format!("https://localhost:{}", self.addr.port());
        hotmart::Environment::Custom {
            auth_url: url.clone(),
            api_url: url,
        }
    }
}

fn serve(mut tcp: TcpStream, config: Arc<rustls::ServerConfig>, seen: &Seen) {
    tcp.set_read_timeout(Some(Duration::from_secs(5))).ok();
    tcp.set_write_timeout(Some(Duration::from_secs(5))).ok();
    let Ok(mut conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    // Drive the handshake by hand, so that anything decrypted before it completes (0-RTT
    // data, say) is counted too. It is kept: it may be the start of the request.
    let mut early = Vec::new();
    let mut scratch = [0u8; 4096];
    while conn.is_handshaking() {
        let step = conn.complete_io(&mut tcp);
        while let Ok(n @ 1..) = conn.reader().read(&mut scratch) {
            seen.plaintext.fetch_add(n, Ordering::SeqCst);
            early.extend_from_slice(&scratch[..n]);
        }
        if step.is_err() {
            seen.refused.fetch_add(1, Ordering::SeqCst);
            return;
        }
    }
    seen.handshakes.fetch_add(1, Ordering::SeqCst);
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let mut input = (&early[..]).chain(&mut tls);

    // The request head, then as many body bytes as Content-Length says.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match input.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    seen.plaintext
        .fetch_add(head.len().saturating_sub(early.len()), Ordering::SeqCst);
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    if input.read_exact(&mut body).is_err() {
        return;
    }
    seen.plaintext.fetch_add(body.len(), Ordering::SeqCst);
    let line = head.lines().next().unwrap_or("").to_owned();
    let is_token = line.starts_with("POST /security/oauth/token");
    seen.requests.lock().unwrap().push(line);

    let body: &str = if is_token {
        r#"{"access_token":"tls-test-token","token_type":"bearer","expires_in":3600}"#
    } else {
        r#"{"ok":true}"#
    };
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(reply.as_bytes());
    let _ = tls.flush();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
}
