//! https for the local Hotmart: a small TLS-terminating front (rustls over a `TcpStream`) on
//! its own port of 127.0.0.1, relaying each connection's plaintext to the plain http server.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::ServerConnection;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{MockBuilder, lock};

/// The longest a client may take over its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl MockBuilder {
    /// Serves https instead of plain http, presenting the certificate chain `cert_pem` (leaf
    /// first) and its private key `key_pem` (PKCS #8, PKCS #1 or SEC1). The certificate
    /// must be valid for `localhost`: [`url`](super::MockServer::url) becomes
    /// `https://localhost:<port>`. Give your client the root that signed it with
    /// [`ClientBuilder::add_root_certificates_pem`](crate::ClientBuilder::add_root_certificates_pem).
    ///
    /// Needs the `rustls` feature (for the server side; the client may use either backend).
    /// [`start`](Self::start) fails with [`io::ErrorKind::InvalidInput`] if the PEM texts
    /// are unusable.
    ///
    /// ```
    /// use hotmart::Client;
    /// use hotmart::mock::MockServer;
    ///
    /// // A test certificate authority and a certificate for localhost, e.g. made with rcgen.
    /// let ca_key = rcgen::KeyPair::generate()?;
    /// let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
    /// ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    /// let ca_pem = ca.self_signed(&ca_key)?.pem();
    /// let key = rcgen::KeyPair::generate()?;
    /// let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?
    ///     .signed_by(&key, &rcgen::Issuer::from_params(&ca, &ca_key))?;
    ///
    /// let server = MockServer::builder()
    ///     .https(cert.pem(), key.serialize_pem())
    ///     .start()?;
    /// let client = Client::builder(server.environment(), server.credentials())
    ///     .add_root_certificates_pem(ca_pem)
    ///     .build()?;
    /// client.access_token()?;
    /// assert!(server.url().starts_with("https://localhost:"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn https(mut self, cert_pem: impl AsRef<[u8]>, key_pem: impl AsRef<[u8]>) -> Self {
        self.https = Some(Https {
            cert_pem: cert_pem.as_ref().to_vec(),
            key_pem: key_pem.as_ref().to_vec(),
        });
        self
    }
}

/// The certificate and key given to [`MockBuilder::https`], checked when the server starts.
pub(super) struct Https {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl fmt::Debug for Https {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Https { .. }")
    }
}

impl Https {
    /// Starts the front on a free port of 127.0.0.1, relaying to `backend`.
    pub(super) fn start(self, backend: SocketAddr) -> io::Result<Front> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what);
        let chain = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| invalid("the mock's certificate PEM is malformed"))?;
        if chain.is_empty() {
            return Err(invalid("the mock's certificate PEM holds no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|_| invalid("the mock's key PEM holds no usable private key"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|_| invalid("the mock's certificate and key do not fit together"))?;
        let config = Arc::new(config);

        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("hotmart-mock-tls".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        let config = Arc::clone(&config);
                        let _ = thread::Builder::new()
                            .name("hotmart-mock-tls-connection".into())
                            .spawn(move || {
                                let _ = relay(stream, config, backend);
                            });
                    }
                })?
        };
        Ok(Front {
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

/// The running front; stops accepting when dropped.
pub(super) struct Front {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Front {
    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(super) fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One client connection: the handshake, then plaintext both ways until either side closes.
fn relay(
    client: TcpStream,
    config: Arc<rustls::ServerConfig>,
    backend: SocketAddr,
) -> io::Result<()> {
    let mut client = client;
    client.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut conn = ServerConnection::new(config).map_err(io::Error::other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut client)?;
    }
    client.set_read_timeout(None)?;
    // Only now, with the handshake done, is the plain server contacted.
    let upstream = TcpStream::connect(backend)?;
    let conn = Arc::new(Mutex::new(conn));

    // The server's answers, encrypted, to the client.
    let down = {
        let conn = Arc::clone(&conn);
        let mut from = upstream.try_clone()?;
        let mut to = client.try_clone()?;
        thread::Builder::new()
            .name("hotmart-mock-tls-down".into())
            .spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n @ 1..) = from.read(&mut buf) {
                    let mut conn = lock(&conn);
                    if conn.writer().write_all(&buf[..n]).is_err()
                        || send_pending(&mut conn, &mut to).is_err()
                    {
                        break;
                    }
                }
                let mut conn = lock(&conn);
                conn.send_close_notify();
                let _ = send_pending(&mut conn, &mut to);
                let _ = to.shutdown(Shutdown::Write);
            })?
    };

    // The client's requests, decrypted, to the server.
    let result = relay_up(&mut client, &conn, upstream);
    let _ = down.join();
    result
}

fn relay_up(
    client: &mut TcpStream,
    conn: &Mutex<ServerConnection>,
    mut upstream: TcpStream,
) -> io::Result<()> {
    let result = pump_up(client, conn, &mut upstream);
    // On every way out, so that the server closes its side and the other direction ends.
    let _ = upstream.shutdown(Shutdown::Write);
    result
}

fn pump_up(
    client: &mut TcpStream,
    conn: &Mutex<ServerConnection>,
    upstream: &mut TcpStream,
) -> io::Result<()> {
    let mut to_client = client.try_clone()?;
    let mut buf = [0u8; 16 * 1024];
    let mut plain = Vec::new();
    loop {
        // First what is decrypted already: the handshake's last read may have brought the
        // start of the request with it.
        let closed = {
            let mut conn = lock(conn);
            let closed = drain(&mut conn, &mut plain)?;
            send_pending(&mut conn, &mut to_client)?;
            closed
        };
        upstream.write_all(&plain)?;
        plain.clear();
        if closed {
            return Ok(());
        }
        let n = client.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        let mut conn = lock(conn);
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            conn.read_tls(&mut rest)?;
            conn.process_new_packets().map_err(io::Error::other)?;
            // Keep rustls' plaintext buffer from filling up while records keep coming.
            if drain(&mut conn, &mut plain)? {
                break;
            }
        }
    }
}

/// Moves the decrypted bytes into `plain`; whether the client closed the connection.
fn drain(conn: &mut ServerConnection, plain: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match conn.reader().read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => plain.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

/// Writes whatever TLS records the connection has queued.
fn send_pending(conn: &mut ServerConnection, to: &mut TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(to)?;
    }
    Ok(())
}
