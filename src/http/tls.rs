//! TLS: which backend, which root certificates, and which failure a refused handshake was.

use std::fmt;

/// Why a TLS handshake failed, as far as the crate can tell; see
/// [`TransportError::tls_failure`](crate::TransportError::tls_failure).
///
/// With rustls it is read from the certificate error itself. With native-tls it is read from
/// the platform's message (OpenSSL's verification result on Linux, tested; the usual wording
/// of SChannel and Security.framework otherwise): wording the crate does not know is
/// [`Other`](TlsFailure::Other), and the error's `source()` still has the platform's text.
///
/// ```
/// use hotmart::TlsFailure;
///
/// assert_eq!(
///     TlsFailure::WrongHost.to_string(),
///     "the server's certificate is for another host name"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The certificate chain does not lead to a trusted root: a self-signed certificate, a
    /// private certificate authority, or a TLS-inspecting proxy whose root is not added with
    /// `ClientBuilder::add_root_certificates_pem` (feature `extra-roots`).
    UnknownIssuer,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is valid, but for another host name.
    WrongHost,
    /// Any other TLS failure: a bad signature, no common protocol version or cipher suite, a
    /// certificate not valid yet, an alert from the server, a broken handshake.
    Other,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsFailure::UnknownIssuer => {
                "the server's certificate is not signed by a trusted certificate authority"
            }
            TlsFailure::Expired => "the server's certificate has expired",
            TlsFailure::WrongHost => "the server's certificate is for another host name",
            TlsFailure::Other => "the TLS handshake failed",
        })
    }
}

/// Which TLS implementation a [`Client`](crate::Client) uses; see
/// [`ClientBuilder::tls_backend`](crate::ClientBuilder::tls_backend). Each variant exists
/// when its feature is on; with both features on, the choice is made at run time.
///
/// ```
/// # #[cfg(feature = "rustls")] {
/// use hotmart::{Client, Credentials, Environment, TlsBackend};
///
/// let client = Client::builder(Environment::Sandbox, Credentials::new("id", "secret"))
///     .tls_backend(TlsBackend::Rustls)
///     .build()?;
/// # }
/// # Ok::<(), hotmart::Error>(())
/// ```
#[cfg(any(feature = "rustls", feature = "native-tls"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsBackend {
    /// rustls, with the `ring` crypto provider (feature `rustls`). The default when the
    /// feature is on.
    #[cfg(feature = "rustls")]
    Rustls,
    /// The platform's TLS through `native-tls`: OpenSSL on Linux, Security.framework on
    /// macOS, SChannel on Windows (feature `native-tls`). The default when `rustls` is off.
    #[cfg(feature = "native-tls")]
    NativeTls,
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl Default for TlsBackend {
    fn default() -> Self {
        #[cfg(feature = "rustls")]
        return TlsBackend::Rustls;
        #[cfg(not(feature = "rustls"))]
        return TlsBackend::NativeTls;
    }
}

/// The TLS part of the transport's settings.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
#[derive(Clone, Debug, Default)]
pub(crate) struct TlsSettings {
    pub(crate) backend: TlsBackend,
    /// Extra roots, DER, already checked by [`parse_roots`].
    #[cfg(feature = "extra-roots")]
    pub(crate) extra_roots: Vec<Vec<u8>>,
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
impl TlsSettings {
    /// The ureq configuration: the chosen backend, and Mozilla's roots (ureq's default, for
    /// either backend) plus the extra ones, if any.
    pub(crate) fn config(&self) -> ureq::tls::TlsConfig {
        #[cfg(feature = "extra-roots")]
        use ureq::tls::{Certificate, RootCerts};
        use ureq::tls::{TlsConfig, TlsProvider};
        let provider = match self.backend {
            #[cfg(feature = "rustls")]
            TlsBackend::Rustls => TlsProvider::Rustls,
            #[cfg(feature = "native-tls")]
            TlsBackend::NativeTls => TlsProvider::NativeTls,
        };
        #[allow(unused_mut)]
        let mut builder = TlsConfig::builder().provider(provider);
        #[cfg(feature = "extra-roots")]
        if !self.extra_roots.is_empty() {
            let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()));
            let extra = self
                .extra_roots
                .iter()
                .map(|der| Certificate::from_der(der).to_owned());
            builder = builder.root_certs(RootCerts::from(mozilla.chain(extra)));
        }
        builder.build()
    }
}

/// The PEM texts given to `add_root_certificates_pem`, checked by `build()`. Its `Debug`
/// shows how many, not thousands of bytes.
#[cfg(all(
    feature = "extra-roots",
    any(feature = "rustls", feature = "native-tls")
))]
#[derive(Clone, Default)]
pub(crate) struct RootPems(pub(crate) Vec<Vec<u8>>);

#[cfg(all(
    feature = "extra-roots",
    any(feature = "rustls", feature = "native-tls")
))]
impl fmt::Debug for RootPems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} PEM text(s)", self.0.len())
    }
}

#[cfg(all(
    feature = "extra-roots",
    any(feature = "rustls", feature = "native-tls")
))]
impl RootPems {
    /// Every certificate of every PEM, as DER, or the error naming the first bad PEM.
    pub(crate) fn parse(&self) -> Result<Vec<Vec<u8>>, crate::Error> {
        let mut all = Vec::new();
        for (index, pem) in self.0.iter().enumerate() {
            let certs = parse_roots(pem)
                .map_err(|reason| crate::Error::InvalidRootCertificate { index, reason })?;
            all.extend(certs);
        }
        Ok(all)
    }
}

/// The certificates of one PEM given to `add_root_certificates_pem`, as DER: every one of
/// them a parsable X.509 certificate, at least one, or the reason why not. Never panics.
#[cfg(all(
    feature = "extra-roots",
    any(feature = "rustls", feature = "native-tls")
))]
pub(crate) fn parse_roots(pem: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    use ureq::tls::PemItem;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => {
                if !is_certificate(cert.der()) {
                    return Err("a CERTIFICATE block is not a valid X.509 certificate");
                }
                certs.push(cert.der().to_vec());
            }
            // A private key next to the certificates is not ours to use, and not an error.
            Ok(_) => {}
            Err(_) => return Err("the PEM text is malformed"),
        }
    }
    if certs.is_empty() {
        return Err("the PEM text holds no CERTIFICATE block");
    }
    Ok(certs)
}

/// Whether `der` parses as a certificate a trust store accepts as a root.
#[cfg(all(feature = "extra-roots", feature = "rustls"))]
fn is_certificate(der: &[u8]) -> bool {
    let der = rustls::pki_types::CertificateDer::from(der);
    rustls::RootCertStore::empty().add(der).is_ok()
}

/// Whether `der` parses as a certificate a trust store accepts as a root.
#[cfg(all(
    feature = "extra-roots",
    feature = "native-tls",
    not(feature = "rustls")
))]
fn is_certificate(der: &[u8]) -> bool {
    native_tls::Certificate::from_der(der).is_ok()
}

/// The TLS failure behind `err`, if it is one: the first rustls or native-tls error found in
/// its chain of causes (through `io::Error` wrappers too), read by its variant (rustls) or
/// its verification result (native-tls).
pub(crate) fn classify(err: &ureq::Error) -> Option<TlsFailure> {
    match err {
        ureq::Error::Tls(_) | ureq::Error::TlsRequired => return Some(TlsFailure::Other),
        _ => {}
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut depth = 0;
    while let Some(current) = next {
        if let Some(failure) = classify_one(current) {
            return Some(failure);
        }
        depth += 1;
        if depth > 16 {
            break;
        }
        next = cause(current);
    }
    None
}

/// The next error in the chain. ureq's errors have no `source()`, and `io::Error::source()`
/// skips the error it wraps: both are looked into here.
fn cause<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(ureq::Error::Io(io)) = err.downcast_ref::<ureq::Error>() {
        return Some(io);
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        return io
            .get_ref()
            .map(|inner| inner as &(dyn std::error::Error + 'static));
    }
    err.source()
}

#[allow(unused_variables)]
fn classify_one(err: &(dyn std::error::Error + 'static)) -> Option<TlsFailure> {
    #[cfg(feature = "rustls")]
    if let Some(ureq::Error::Rustls(err)) = err.downcast_ref::<ureq::Error>() {
        return Some(classify_rustls(err));
    }
    #[cfg(feature = "native-tls")]
    if let Some(ureq::Error::NativeTls(err)) = err.downcast_ref::<ureq::Error>() {
        return Some(classify_text(&err.to_string()));
    }
    #[cfg(feature = "rustls")]
    if let Some(err) = err.downcast_ref::<rustls::Error>() {
        return Some(classify_rustls(err));
    }
    #[cfg(feature = "native-tls")]
    if let Some(err) = err.downcast_ref::<native_tls::Error>() {
        return Some(classify_text(&err.to_string()));
    }
    None
}

#[cfg(feature = "rustls")]
fn classify_rustls(err: &rustls::Error) -> TlsFailure {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => TlsFailure::UnknownIssuer,
            C::Expired | C::ExpiredContext { .. } => TlsFailure::Expired,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsFailure::WrongHost,
            _ => TlsFailure::Other,
        },
        _ => TlsFailure::Other,
    }
}

/// native-tls reports a failed verification in the platform's words: OpenSSL's verify
/// result (e.g. "certificate has expired"), SChannel's or Security.framework's messages.
#[cfg(any(feature = "native-tls", test))]
fn classify_text(text: &str) -> TlsFailure {
    let text = text.to_ascii_lowercase().replace('-', " ");
    let any = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if any(&["certificate has expired", "not within its validity period"]) {
        TlsFailure::Expired
    } else if any(&[
        "hostname mismatch",
        "principal name is incorrect",
        "ip address mismatch",
    ]) {
        TlsFailure::WrongHost
    } else if any(&[
        "unable to get local issuer certificate",
        "unable to get issuer certificate",
        "self signed certificate",
        "issued by an authority that is not trusted",
        "certificate is not trusted",
    ]) {
        TlsFailure::UnknownIssuer
    } else {
        TlsFailure::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_texts_are_classified() {
        let openssl = |result: &str| {
            format!(
                "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate \
                 verify failed:../ssl/statem/statem_clnt.c:1889: ({result})"
            )
        };
        let cases = [
            (
                openssl("unable to get local issuer certificate"),
                TlsFailure::UnknownIssuer,
            ),
            (
                openssl("self-signed certificate"),
                TlsFailure::UnknownIssuer,
            ),
            (
                openssl("self signed certificate in certificate chain"),
                TlsFailure::UnknownIssuer,
            ),
            (openssl("certificate has expired"), TlsFailure::Expired),
            (openssl("hostname mismatch"), TlsFailure::WrongHost),
            (openssl("Hostname mismatch"), TlsFailure::WrongHost),
            (
                "The target principal name is incorrect.".to_owned(),
                TlsFailure::WrongHost,
            ),
            ("connection reset".to_owned(), TlsFailure::Other),
        ];
        for (text, expected) in cases {
            assert_eq!(classify_text(&text), expected, "{text}");
        }
    }

    #[cfg(all(
        feature = "extra-roots",
        any(feature = "rustls", feature = "native-tls")
    ))]
    #[test]
    fn hostile_pem_is_refused_without_panic() {
        let inputs: [&[u8]; 7] = [
            b"",
            b"not pem at all",
            b"-----BEGIN CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            &[0xff, 0x00, 0x2d, 0x2d, 0xfe],
        ];
        for input in inputs {
            assert!(parse_roots(input).is_err(), "{input:?}");
        }
    }

    /// A valid certificate, then every truncation and many byte flips of it, and random
    /// bytes: each is accepted or refused, never a panic.
    #[cfg(all(
        feature = "extra-roots",
        any(feature = "rustls", feature = "native-tls")
    ))]
    #[test]
    fn mangled_pem_never_panics() {
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem();
        let pem = pem.as_bytes();
        assert_eq!(parse_roots(pem).map(|certs| certs.len()), Ok(1));
        for end in 0..pem.len() {
            let _ = parse_roots(&pem[..end]);
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            let mut mangled = pem.to_vec();
            let at = (next() % mangled.len() as u64) as usize;
            mangled[at] = next() as u8;
            let _ = parse_roots(&mangled);
            let random: Vec<u8> = (0..next() % 64).map(|_| next() as u8).collect();
            let _ = parse_roots(&random);
        }
    }

    /// Extra roots join Mozilla's: the default roots stay trusted.
    #[cfg(all(
        feature = "extra-roots",
        any(feature = "rustls", feature = "native-tls")
    ))]
    #[test]
    fn extra_roots_are_added_to_the_default_ones() {
        let default = TlsSettings::default().config();
        assert!(matches!(default.root_certs(), ureq::tls::RootCerts::WebPki));

        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let settings = TlsSettings {
            extra_roots: vec![der.clone()],
            ..TlsSettings::default()
        };
        let config = settings.config();
        let ureq::tls::RootCerts::Specific(roots) = config.root_certs() else {
            panic!("expected specific roots");
        };
        assert_eq!(
            roots.len(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + 1
        );
        assert!(roots.iter().any(|root| root.der() == der.as_slice()));
        assert!(
            roots
                .iter()
                .any(|root| { root.der() == webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].as_ref() })
        );
    }
}
