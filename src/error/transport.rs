//! No usable HTTP answer: [`TransportError`] and its kind.

use std::error::Error as StdError;
use std::fmt;

use super::GaveUp;
use crate::TlsFailure;

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name could not be resolved.
    Dns,
    /// No connection could be made (refused, unreachable, reset while connecting).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// A configured timeout ran out.
    Timeout,
    /// The connection broke while sending or receiving (e.g. a truncated body).
    Io,
    /// The server spoke malformed HTTP.
    Protocol,
}

/// A request that got no usable HTTP answer. See [`TransportError::kind`].
///
/// `Display` names the kind of failure and the URL; the low-level cause (the I/O or TLS
/// library's own message, scrubbed of secrets) is its [`source`](StdError::source).
#[derive(Clone, Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    url: String,
    cause: Cause,
    tls: Option<TlsFailure>,
    pub(crate) gave_up: Option<Box<GaveUp>>,
}

impl TransportError {
    pub(crate) fn new(kind: TransportErrorKind, url: String, cause: String) -> Self {
        TransportError {
            kind,
            url,
            cause: Cause {
                text: cause,
                os: None,
            },
            tls: None,
            gave_up: None,
        }
    }

    /// Keeps the operating system's own error as the cause's source, when it is one: an
    /// error code and its kind, with no payload that could quote what a server sent.
    pub(crate) fn with_os_error(mut self, err: std::io::Error) -> Self {
        if err.get_ref().is_none() {
            // Its own text follows as the source: the cause does not repeat it.
            self.cause.text = "the operating system reported an I/O error".to_owned();
            self.cause.os = Some(std::sync::Arc::new(err));
        }
        self
    }

    pub(crate) fn with_tls_failure(mut self, failure: TlsFailure) -> Self {
        self.tls = Some(failure);
        self
    }

    /// For a [`TransportErrorKind::Tls`] error, why the handshake failed: an unknown issuer,
    /// an expired certificate, a certificate for another host, or something else.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::{Error, TlsFailure};
    ///
    /// if let Err(Error::Transport(err)) = client.access_token() {
    ///     if err.tls_failure() == Some(TlsFailure::UnknownIssuer) {
    ///         eprintln!("behind a TLS-inspecting proxy? see add_root_certificates_pem");
    ///     }
    /// }
    /// ```
    pub fn tls_failure(&self) -> Option<TlsFailure> {
        self.tls
    }

    /// What kind of failure this was.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The URL that was being called, without its query (which may hold credentials).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the call ended, when it was retried and a limit stopped it.
    pub fn gave_up(&self) -> Option<&GaveUp> {
        self.gave_up.as_deref()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.url;
        match (self.kind, self.tls) {
            (TransportErrorKind::Dns, _) => write!(
                f,
                "could not resolve the host name of {url} (DNS); check the network and the \
                 environment's base URLs"
            ),
            (TransportErrorKind::Connect, _) => write!(
                f,
                "could not connect to {url}; check the network and the environment's base URLs"
            ),
            (TransportErrorKind::Tls, Some(failure)) => {
                write!(f, "TLS failed with {url}: {failure}")
            }
            (TransportErrorKind::Tls, None) => write!(f, "TLS failed with {url}"),
            (TransportErrorKind::Timeout, _) => write!(f, "timed out calling {url}"),
            (TransportErrorKind::Io, _) => write!(f, "the connection broke while calling {url}"),
            (TransportErrorKind::Protocol, _) => write!(f, "malformed HTTP from {url}"),
        }?;
        if let Some(gave_up) = &self.gave_up {
            write!(f, "; {gave_up}")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.cause)
    }
}

/// The low-level cause of a transport error. Its text is scrubbed of every secret the client
/// knows before it is stored, since a library's message may quote what a server sent; its
/// source is the operating system's error itself (`std::io::Error`, for its `kind()` and
/// `raw_os_error()`), where the failure was one.
#[derive(Clone, Debug)]
struct Cause {
    text: String,
    os: Option<std::sync::Arc<std::io::Error>>,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl StdError for Cause {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.os
            .as_deref()
            .map(|err| err as &(dyn StdError + 'static))
    }
}
