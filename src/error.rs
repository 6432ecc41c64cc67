//! The crate's one error type.

use std::error::Error as StdError;
use std::fmt;

use crate::TlsFailure;
use crate::token::ParseError;

/// Everything that can go wrong, in one enum.
///
/// Each variant carries what a user needs to act on it, and none carries a secret: the client
/// secret, the Basic value and access tokens never reach `Display` or `Debug`. Use
/// [`Error::status`] to get the HTTP status behind an error, when there is one.
///
/// ```
/// use hotmart::{Client, Credentials, Environment, Error};
///
/// let env = Environment::Custom {
///     auth_url: "http://auth.example.com".into(), // clear text off the machine: refused
///     api_url: "https://api.example.com".into(),
/// };
/// let err = Client::new(env, Credentials::new("id", "secret")).unwrap_err();
/// assert!(matches!(err, Error::InvalidUrl { .. }));
/// assert_eq!(err.status(), None);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A required environment variable is not set, or is empty.
    MissingEnv {
        /// The variable's name, e.g. `HOTMART_CLIENT_ID`.
        variable: &'static str,
    },
    /// An environment variable is set to a value the crate cannot use.
    InvalidEnv {
        /// The variable's name, e.g. `HOTMART_ENV`.
        variable: &'static str,
        /// What the variable may hold.
        expected: &'static str,
    },
    /// A base URL is malformed or would send credentials in clear text across a network.
    InvalidUrl {
        /// The URL, without any user information it held.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The credentials are malformed: empty, or a Basic value that does not match them.
    InvalidCredentials {
        /// What is wrong with them (never the values themselves).
        reason: &'static str,
    },
    /// A root certificate given to
    /// [`ClientBuilder::add_root_certificates_pem`](crate::ClientBuilder::add_root_certificates_pem)
    /// cannot be used: the PEM text is malformed, holds no certificate, or holds one that does
    /// not parse.
    InvalidRootCertificate {
        /// Which call gave it: 0 for the first call to `add_root_certificates_pem`.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No HTTP answer was received: DNS, connection, TLS, timeout or I/O failure.
    Transport(TransportError),
    /// The token endpoint refused the credentials (an HTTP 4xx).
    TokenRejected {
        /// The HTTP status, e.g. 401.
        status: u16,
        /// The OAuth `error` code, e.g. `unauthorized` or `invalid_client`, when the body had one.
        error: Option<String>,
        /// The OAuth `error_description`, when the body had one.
        description: Option<String>,
    },
    /// An HTTP answer whose status the crate did not expect (e.g. a 500 from the token endpoint).
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The URL that answered, without its query.
        url: String,
        /// The start of the body, cut short and stripped of control characters.
        excerpt: String,
    },
    /// The token endpoint answered with success, but its body is not a valid token response.
    MalformedTokenResponse {
        /// What the parser found, and where.
        source: ParseError,
    },
    /// The API answered with an error status, after any refresh and retries.
    Api(Box<ApiError>),
    /// An answer arrived but is not what the call needs: an empty body where JSON was asked
    /// for, JSON of another shape, or a page token that repeats.
    InvalidResponse {
        /// The URL that answered, without its query.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A response body was larger than the configured cap, so it was not read to the end.
    BodyTooLarge {
        /// The URL that answered, without its query.
        url: String,
        /// The cap, in bytes.
        limit: u64,
    },
}

impl Error {
    /// The HTTP status behind this error, if an HTTP answer was received.
    ///
    /// ```
    /// let err = hotmart::Error::TokenRejected { status: 401, error: None, description: None };
    /// assert_eq!(err.status(), Some(401));
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::TokenRejected { status, .. } | Error::UnexpectedStatus { status, .. } => {
                Some(*status)
            }
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// Whether the request ran out of time (connect, send or receive).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingEnv { variable } => {
                write!(
                    f,
                    "environment variable {variable} is not set (or is empty)"
                )
            }
            Error::InvalidEnv { variable, expected } => {
                write!(f, "environment variable {variable} must be {expected}")
            }
            Error::InvalidUrl { url, reason } => write!(f, "invalid base URL `{url}`: {reason}"),
            Error::InvalidCredentials { reason } => write!(f, "invalid credentials: {reason}"),
            Error::InvalidRootCertificate { index, reason } => write!(
                f,
                "invalid root certificate (PEM #{index} given to add_root_certificates_pem): \
                 {reason}"
            ),
            Error::Transport(err) => fmt::Display::fmt(err, f),
            Error::TokenRejected {
                status,
                error,
                description,
            } => {
                write!(f, "Hotmart refused the credentials (HTTP {status}")?;
                if let Some(code) = error {
                    write!(f, " {code}")?;
                }
                if let Some(text) = description {
                    write!(f, ": {text}")?;
                }
                f.write_str(")")?;
                if *status == 401 || *status == 403 {
                    f.write_str(
                        "; check HOTMART_CLIENT_ID / HOTMART_CLIENT_SECRET (and HOTMART_BASIC if \
                         set), and that the credential's type (sandbox or production) matches \
                         the environment",
                    )
                } else {
                    f.write_str("; check the credentials and the token request settings")
                }
            }
            Error::UnexpectedStatus {
                status,
                url,
                excerpt,
            } => {
                write!(f, "unexpected HTTP {status} from {url}")?;
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                Ok(())
            }
            Error::MalformedTokenResponse { source } => {
                write!(
                    f,
                    "the token endpoint answered with a malformed body: {source}"
                )
            }
            Error::Api(api) => fmt::Display::fmt(api, f),
            Error::InvalidResponse { url, reason } => {
                write!(f, "unusable answer from {url}: {reason}")
            }
            Error::BodyTooLarge { url, limit } => {
                write!(
                    f,
                    "the response from {url} is larger than the {limit}-byte limit"
                )
            }
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Transport(err) => Some(err),
            Error::MalformedTokenResponse { source } => Some(source),
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(err: TransportError) -> Self {
        Error::Transport(err)
    }
}

/// An error answer from the API, with Hotmart's error envelope when the body had one.
///
/// ```
/// # fn check(err: hotmart::Error) {
/// if let hotmart::Error::Api(api) = &err {
///     eprintln!("{} {} -> {}: {:?}", api.method(), api.url(), api.status(), api.error());
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) error_uri: Option<String>,
    pub(crate) excerpt: String,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request's method, e.g. `GET`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL that answered, without its query.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Hotmart's `error` code, e.g. `invalid_token` or `not_found`.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Hotmart's `error_description`.
    pub fn error_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Hotmart's `error_uri`.
    pub fn error_uri(&self) -> Option<&str> {
        self.error_uri.as_deref()
    }

    /// The start of the body when it had no error envelope (cut short, sanitized).
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ApiError {
            status,
            method,
            url,
            error,
            description,
            excerpt,
            ..
        } = self;
        write!(f, "Hotmart answered HTTP {status} to {method} {url}")?;
        match (error, description) {
            (Some(code), Some(text)) => write!(f, ": {code}: {text}")?,
            (Some(text), None) | (None, Some(text)) => write!(f, ": {text}")?,
            (None, None) if !excerpt.is_empty() => write!(f, ": {excerpt}")?,
            (None, None) => {}
        }
        match status {
            401 => f.write_str(
                " (a fresh access token was refused too: check that the credential's type, \
                 sandbox or production, matches the environment)",
            ),
            403 => f.write_str(" (the credential lacks permission for this resource)"),
            429 => f.write_str(
                " (rate limit: 500 calls a minute per account; still exceeded after waiting as \
                 long as allowed)",
            ),
            _ => Ok(()),
        }
    }
}

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
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    url: String,
    source: Box<dyn StdError + Send + Sync>,
    tls: Option<TlsFailure>,
}

impl TransportError {
    pub(crate) fn new(
        kind: TransportErrorKind,
        url: String,
        source: Box<dyn StdError + Send + Sync>,
    ) -> Self {
        TransportError {
            kind,
            url,
            source,
            tls: None,
        }
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
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Dns => "could not resolve the host of",
            TransportErrorKind::Connect => "could not connect to",
            TransportErrorKind::Tls => "TLS failed with",
            TransportErrorKind::Timeout => "timed out calling",
            TransportErrorKind::Io => "the connection broke calling",
            TransportErrorKind::Protocol => "malformed HTTP from",
        };
        match self.tls {
            // This layer's words only: the TLS library's text is in `source()`.
            Some(failure) => write!(f, "{what} {}: {failure}", self.url)?,
            None => write!(f, "{what} {}: {}", self.url, self.source)?,
        }
        if self.kind == TransportErrorKind::Dns || self.kind == TransportErrorKind::Connect {
            f.write_str(" (check the network and the environment's base URLs)")?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// Hotmart's error envelope (`error`, `error_description`, `error_uri`), read from a body and
/// sanitized for messages. Shared by the token endpoint's and the API's errors.
pub(crate) struct Envelope {
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) uri: Option<String>,
}

impl Envelope {
    /// The envelope, if the body is one.
    pub(crate) fn read(body: &[u8]) -> Option<Envelope> {
        let parsed = crate::OAuthErrorBody::parse(body).ok()?;
        let text = |value: Option<&str>| value.map(|v| excerpt(v.as_bytes()));
        Some(Envelope {
            error: text(parsed.error()),
            description: text(parsed.error_description()),
            uri: text(parsed.error_uri()),
        })
    }
}

/// The start of a body for an error message: at most 200 characters, control characters
/// replaced, so a hostile or binary body cannot garble a terminal or a log line.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .trim()
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().chars().nth(MAX_CHARS).is_some() {
        out.push('…');
    }
    out
}
