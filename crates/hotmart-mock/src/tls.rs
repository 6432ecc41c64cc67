//! https for the local Hotmart: the server of [`http`](crate::http) over rustls, the TLS
//! handshake done on each connection's thread before the first request is read.

use std::fmt;
use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConnection, StreamOwned};

use crate::MockBuilder;
use crate::http::{self, Limits, Request, Response, Server, Stream};

/// The longest a client may take over its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl MockBuilder {
    /// Serves https instead of plain http, presenting the certificate chain `cert_pem` (leaf
    /// first) and its private key `key_pem` (PKCS #8, PKCS #1 or SEC1). The certificate
    /// must be valid for `localhost`: [`url`](crate::MockServer::url) becomes
    /// `https://localhost:<port>`. Give your client the root that signed it with
    /// `ClientBuilder::add_root_certificates_pem` (the core's feature `extra-roots`).
    ///
    /// Needs the `tls` feature (for the server side; the client may use either backend).
    /// [`start`](Self::start) fails with [`io::ErrorKind::InvalidInput`] if the PEM texts
    /// are unusable.
    ///
    /// ```
    /// use hotmart::Client;
    /// use hotmart_mock::MockServer;
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
pub(crate) struct Https {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl fmt::Debug for Https {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Https { .. }")
    }
}

impl Https {
    /// Serves https on `listener`.
    pub(crate) fn serve(
        self,
        listener: TcpListener,
        limits: Limits,
        handler: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    ) -> io::Result<Server> {
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
        let handshake = move |client| handshake(client, Arc::clone(&config));
        http::serve_with(listener, limits, handshake, handler)
    }
}

/// The handshake of one client connection; then the server reads the decrypted stream.
fn handshake(
    mut client: TcpStream,
    config: Arc<rustls::ServerConfig>,
) -> io::Result<StreamOwned<ServerConnection, TcpStream>> {
    client.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    client.set_write_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let mut conn = ServerConnection::new(config).map_err(io::Error::other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut client)?;
    }
    Ok(StreamOwned::new(conn, client))
}

impl Stream for StreamOwned<ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    fn finish(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush()?;
        self.sock.shutdown(Shutdown::Write)
    }
}
