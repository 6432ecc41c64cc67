//! The crate's one error type.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::TlsFailure;
use crate::token::ParseError;

/// Everything that can go wrong, in one enum.
///
/// Each variant carries what a user needs to act on it, and none carries a secret: the client
/// secret, the Basic value and access tokens never reach `Display` or `Debug`, even when a
/// server or proxy echoes them back (text taken from an answer is scrubbed before it is
/// stored). Use [`Error::status`] to get the HTTP status behind an error, when there is one,
/// and [`Error::gave_up`] to learn which limit ended a call that was retried.
///
/// `Display` says what went wrong at this crate's level, in one line; the underlying cause (a
/// parse error, an I/O error) is in [`source()`](std::error::Error::source), so a cause-chain
/// printer (anyhow's `{:#}`, eyre) shows each part once.
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
#[derive(Clone)]
#[non_exhaustive]
pub enum Error {
    /// A required environment variable is not set, or is empty.
    MissingEnv {
        /// The variable's name, e.g. `HOTMART_CLIENT_ID`.
        variable: &'static str,
    },
    /// Several required environment variables are not set, or are empty: all of them are
    /// named at once, so one run tells everything to fix.
    MissingEnvs {
        /// The variables' names, in the order they are read.
        variables: Vec<&'static str>,
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
    /// A [`ClientBuilder`](crate::ClientBuilder) setting that the client cannot use safely,
    /// refused by `build()` rather than failing (or panicking) on the first request.
    InvalidConfig {
        /// The builder method, e.g. `user_agent`.
        setting: &'static str,
        /// What is wrong with the value (never the value itself).
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
    /// The token endpoint refused the credentials (an HTTP 4xx other than 429).
    TokenRejected {
        /// The HTTP status, e.g. 401.
        status: u16,
        /// The OAuth `error` code, e.g. `unauthorized` or `invalid_client`, when the body had one.
        error: Option<String>,
        /// The OAuth `error_description`, when the body had one.
        description: Option<String>,
    },
    /// The token endpoint kept answering 429 (too many requests) until a limit of the call ran
    /// out. The credentials may be fine: try again later.
    TokenRateLimited {
        /// How the call ended: attempts, time spent, and which limit stopped it.
        gave_up: Option<Box<GaveUp>>,
    },
    /// An HTTP answer whose status the crate did not expect (e.g. a 500 from the token endpoint).
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The URL that answered, without its query.
        url: String,
        /// The start of the body, cut short, stripped of control characters and scrubbed of
        /// secrets.
        excerpt: String,
        /// Set when the request was retried and a limit ended the call.
        gave_up: Option<Box<GaveUp>>,
    },
    /// The token endpoint answered with success, but its body is not a valid token response.
    /// The parse error is the [`source`](std::error::Error::source).
    MalformedTokenResponse {
        /// What the parser found, and where.
        source: ParseError,
    },
    /// The API answered with an error status, after any refresh and retries.
    Api(Box<ApiError>),
    /// The account's rate budget for the current window is spent, as the API's `RateLimit-*`
    /// headers told it, and the window resets too late: waiting for it would pass the call's
    /// deadline (`call_timeout`) or `max_rate_limit_wait`. The request was not sent, since
    /// Hotmart would have refused it with a 429. [`Error::is_rate_limited`] is true.
    RateBudgetSpent {
        /// How long until the window resets, as the budget knew it.
        reset_in: Duration,
        /// How the call ended: requests sent, time spent, and the limit that forbade the wait.
        gave_up: Box<GaveUp>,
    },
    /// An answer arrived but is not what the call needs: an empty body where JSON was asked
    /// for, JSON of another shape, or a page token seen before.
    InvalidResponse {
        /// The URL that answered, without its query.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// One item of a list does not fit its model; the list's other items are unaffected
    /// ([`Items`](crate::Items) yields this for the item and goes on with the next). Names the
    /// item and the member at fault, never the value.
    InvalidItem {
        /// The URL that answered, without its query.
        url: String,
        /// The item's index in its page (or list).
        index: usize,
        /// The path to the member at fault, e.g. `items[3].purchase.price.value`.
        path: String,
        /// What is wrong with it, e.g. `expected a number, found an object`.
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
            Error::TokenRateLimited { .. } => Some(429),
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// Whether the request ran out of time (connect, send or receive).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(t) if t.kind() == TransportErrorKind::Timeout)
    }

    /// Whether Hotmart's rate limit ended the call: an HTTP 429 at the API or the token
    /// endpoint, or a rate budget spent until after the call's deadline
    /// ([`Error::RateBudgetSpent`]).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429) || matches!(self, Error::RateBudgetSpent { .. })
    }

    /// How a retried call ended, when a limit (retries, rate-limit wait, the call's deadline)
    /// stopped it: attempts sent, time really spent, and which limit.
    pub fn gave_up(&self) -> Option<&GaveUp> {
        match self {
            Error::TokenRateLimited { gave_up } | Error::UnexpectedStatus { gave_up, .. } => {
                gave_up.as_deref()
            }
            Error::Transport(err) => err.gave_up.as_deref(),
            Error::Api(api) => api.gave_up.as_deref(),
            Error::RateBudgetSpent { gave_up, .. } => Some(gave_up),
            _ => None,
        }
    }

    /// Attaches how a retried call ended to the error that ended it.
    pub(crate) fn with_gave_up(mut self, ended: GaveUp) -> Self {
        let ended = Some(Box::new(ended));
        match &mut self {
            Error::TokenRateLimited { gave_up } | Error::UnexpectedStatus { gave_up, .. } => {
                *gave_up = ended
            }
            Error::Transport(err) => err.gave_up = ended,
            Error::Api(api) => api.gave_up = ended,
            _ => {}
        }
        self
    }
}

impl Error {
    /// The error for these missing variables: one, or all of them.
    pub(crate) fn missing(mut variables: Vec<&'static str>) -> Error {
        match variables.len() {
            1 => Error::MissingEnv {
                variable: variables.remove(0),
            },
            _ => Error::MissingEnvs { variables },
        }
    }

    /// The variant's name, for `Debug`.
    fn name(&self) -> &'static str {
        match self {
            Error::MissingEnv { .. } => "MissingEnv",
            Error::MissingEnvs { .. } => "MissingEnvs",
            Error::InvalidEnv { .. } => "InvalidEnv",
            Error::InvalidUrl { .. } => "InvalidUrl",
            Error::InvalidCredentials { .. } => "InvalidCredentials",
            Error::InvalidConfig { .. } => "InvalidConfig",
            Error::InvalidRootCertificate { .. } => "InvalidRootCertificate",
            Error::Transport(_) => "Transport",
            Error::TokenRejected { .. } => "TokenRejected",
            Error::TokenRateLimited { .. } => "TokenRateLimited",
            Error::UnexpectedStatus { .. } => "UnexpectedStatus",
            Error::MalformedTokenResponse { .. } => "MalformedTokenResponse",
            Error::Api(_) => "Api",
            Error::RateBudgetSpent { .. } => "RateBudgetSpent",
            Error::InvalidResponse { .. } => "InvalidResponse",
            Error::InvalidItem { .. } => "InvalidItem",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
        }
    }
}

/// The variant and its message, then each cause: what `fn main() -> Result<(), Error>` (or
/// `Box<dyn Error>`) prints on failure is the crate's own words, not a struct dump. Like
/// `Display`, it never holds a secret.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {self}", self.name())?;
        let mut cause = StdError::source(self);
        while let Some(err) = cause {
            write!(f, ": {err}")?;
            cause = err.source();
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingEnvs { variables } => write!(
                f,
                "environment variables {} are not set (or are empty)",
                variables.join(", ")
            ),
            Error::MissingEnv { variable } => {
                write!(
                    f,
                    "environment variable {variable} is not set (or is empty)"
                )?;
                if *variable == "HOTMART_ENV" {
                    // No default on purpose: a credential is sandbox or production for life.
                    f.write_str("; set it to `production` or `sandbox` (the credential's type), or `custom`")?;
                }
                Ok(())
            }
            Error::InvalidEnv { variable, expected } => {
                write!(f, "environment variable {variable} must be {expected}")
            }
            Error::InvalidUrl { url, reason } => write!(f, "invalid URL `{url}`: {reason}"),
            Error::InvalidCredentials { reason } => write!(f, "invalid credentials: {reason}"),
            Error::InvalidConfig { setting, reason } => {
                write!(f, "invalid client setting `{setting}`: {reason}")
            }
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
            Error::TokenRateLimited { gave_up } => {
                f.write_str(
                    "the token endpoint is rate limiting this account (HTTP 429); the \
                     credentials may be fine, try again later",
                )?;
                if let Some(gave_up) = gave_up {
                    write!(f, "; {gave_up}")?;
                }
                Ok(())
            }
            Error::UnexpectedStatus {
                status,
                url,
                excerpt,
                gave_up,
            } => {
                write!(f, "unexpected HTTP {status} from {url}")?;
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                if let Some(gave_up) = gave_up {
                    write!(f, "; {gave_up}")?;
                }
                Ok(())
            }
            Error::MalformedTokenResponse { .. } => f.write_str(
                "the token endpoint answered with success, but the body is not a valid token \
                 response",
            ),
            Error::Api(api) => fmt::Display::fmt(api, f),
            Error::RateBudgetSpent { reset_in, gave_up } => write!(
                f,
                "the account's rate budget is spent until the window resets in {:.1} s, so the \
                 request was not sent (Hotmart would answer 429); {gave_up}",
                reset_in.as_secs_f64()
            ),
            Error::InvalidResponse { url, reason } => {
                write!(f, "unusable answer from {url}: {reason}")
            }
            Error::InvalidItem {
                url, path, reason, ..
            } => write!(
                f,
                "an item from {url} does not fit its model: {path}: {reason}"
            ),
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
            // Transparent: its Display is the transport error's, so its source is too.
            Error::Transport(err) => err.source(),
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

/// How a call that was retried came to an end: the limit that stopped it, and what it had
/// spent by then. See [`Error::gave_up`].
///
/// ```
/// # fn report(err: &hotmart::Error) {
/// if let Some(gave_up) = err.gave_up() {
///     eprintln!("{} requests in {:?}, stopped by {:?}", gave_up.attempts, gave_up.elapsed, gave_up.limit);
/// }
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GaveUp {
    /// Requests sent in this call (retries included).
    pub attempts: u32,
    /// Time from the first request to giving up, measured.
    pub elapsed: Duration,
    /// Of that, time spent waiting out rate limits (429).
    pub rate_limit_waits: Duration,
    /// The limit that ended the call.
    pub limit: Limit,
}

/// The limit that ended a retried call; each names the [`ClientBuilder`](crate::ClientBuilder)
/// setting behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// `max_retries` retries after 5xx answers or transport failures were used up.
    Retries(u32),
    /// The next rate-limit wait would have taken the call's waiting past
    /// `max_rate_limit_wait`.
    RateLimitWait(Duration),
    /// The server kept answering 429 this many times, the most one call accepts, whatever
    /// waits it asked for.
    RateLimitAttempts(u32),
    /// The call's overall deadline, `call_timeout`, ran out (or would have during the next
    /// wait).
    Deadline(Duration),
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let GaveUp {
            attempts,
            elapsed,
            rate_limit_waits,
            limit,
        } = self;
        let plural = if *attempts == 1 { "" } else { "s" };
        write!(
            f,
            "gave up after {attempts} request{plural} in {:.1} s",
            elapsed.as_secs_f64()
        )?;
        if !rate_limit_waits.is_zero() {
            write!(
                f,
                " ({:.1} s of it waiting out rate limits)",
                rate_limit_waits.as_secs_f64()
            )?;
        }
        match limit {
            Limit::Retries(n) => write!(f, ": the {n} retries of max_retries were used up"),
            Limit::RateLimitWait(max) => write!(
                f,
                ": waiting as the server asked would pass max_rate_limit_wait ({:.1} s)",
                max.as_secs_f64()
            ),
            Limit::RateLimitAttempts(n) => {
                write!(
                    f,
                    ": {n} answers of 429 in a row, the most one call accepts"
                )
            }
            Limit::Deadline(max) => write!(
                f,
                ": the call's deadline, call_timeout ({:.1} s), ran out",
                max.as_secs_f64()
            ),
        }
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
#[derive(Clone, Debug)]
pub struct ApiError {
    pub(crate) status: u16,
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) error_uri: Option<String>,
    pub(crate) excerpt: String,
    pub(crate) gave_up: Option<Box<GaveUp>>,
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

    /// How the call ended, when it was retried and a limit stopped it.
    pub fn gave_up(&self) -> Option<&GaveUp> {
        self.gave_up.as_deref()
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
            gave_up,
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
            )?,
            403 => f.write_str(" (the credential lacks permission for this resource)")?,
            429 => f.write_str(" (rate limit: 500 calls a minute per account)")?,
            _ => {}
        }
        if let Some(gave_up) = gave_up {
            write!(f, "; {gave_up}")?;
        }
        Ok(())
    }
}

impl StdError for ApiError {}

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

/// Hotmart's error envelope (`error`, `error_description`, `error_uri`), read from a body and
/// sanitized for messages. Shared by the token endpoint's and the API's errors.
pub(crate) struct Envelope {
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) uri: Option<String>,
}

impl Envelope {
    /// The envelope, if the body is one; each text passes through `scrub` before it is kept.
    pub(crate) fn read(body: &[u8], scrub: impl Fn(&str) -> String) -> Option<Envelope> {
        let parsed = crate::token::OAuthErrorBody::parse(body).ok()?;
        let text = |value: Option<&str>| value.map(|v| excerpt(v.as_bytes(), &scrub));
        Some(Envelope {
            error: text(parsed.error()),
            description: text(parsed.error_description()),
            uri: text(parsed.error_uri()),
        })
    }
}

/// The start of a body for an error message: scrubbed of secrets (before it is cut, so no
/// part of a secret survives the cut), at most 200 characters, control characters replaced,
/// so a hostile or binary body cannot garble a terminal or a log line.
pub(crate) fn excerpt(body: &[u8], scrub: impl Fn(&str) -> String) -> String {
    const MAX_CHARS: usize = 200;
    // Only the first few KiB can reach the excerpt; scrubbing more would be wasted work.
    let body = body.trim_ascii_start();
    // Leading non-ASCII blanks too, before the cut: the excerpt starts after them, and must
    // not reach the cut, where a secret cut in two would escape the scrubber.
    let blanks = body.utf8_chunks().next().map_or(0, |chunk| {
        let valid = chunk.valid();
        valid.len() - valid.trim_start().len()
    });
    let body = &body[blanks..];
    let head = &body[..body.len().min(16 * 1024)];
    let text = scrub(&String::from_utf8_lossy(head));
    let mut out: String = text
        .trim()
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().chars().nth(MAX_CHARS).is_some() || head.len() < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt;

    #[test]
    fn leading_unicode_blanks_cannot_push_a_cut_secret_into_the_excerpt() {
        // 16,374 bytes of EM SPACE, then the secret: the 16 KiB cut falls inside it, so the
        // scrubber sees only its first 10 bytes and cannot recognise it.
        let secret = "SECRETTOKEN-0123456789";
        let body = format!("{}{secret} echoed", "\u{2003}".repeat(5_458));
        let shown = excerpt(body.as_bytes(), |t| t.replace(secret, "<redacted>"));
        assert!(!shown.contains("SECRETTOK"), "{shown}");
    }
}
