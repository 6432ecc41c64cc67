//! The crate's one error type.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

mod api;
mod gave_up;
mod text;
mod transport;

pub use api::ApiError;
use gave_up::Seconds;
pub use gave_up::{GaveUp, Limit};
pub(crate) use text::{Envelope, excerpt};
pub use transport::{TransportError, TransportErrorKind};

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
    /// A required environment variable is not set, or is empty. When several are, the error
    /// is [`MissingEnvs`](Error::MissingEnvs): a `match` for missing settings takes both.
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
    /// `ClientBuilder::add_root_certificates_pem` (feature `extra-roots`)
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
    /// A request's filter that cannot be sent as asked, refused before anything is sent: a
    /// date before 1970 or after 9999 (Hotmart's epoch milliseconds cannot say it; it was
    /// sent as another date), or a window that ends before it starts.
    InvalidFilter {
        /// The setter, e.g. `start_date`.
        filter: &'static str,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// A typed call's argument that cannot be sent as asked, refused before anything is sent
    /// (and before any token is fetched): a code that goes in the path is empty, `.` or `..`
    /// (the path would name another resource, or none); a text or a list Hotmart needs is
    /// empty; an amount is NaN, infinite or below zero; a value is outside its range (a due
    /// day past 31, a coupon discount that is not a fraction); a JSON body holds a NaN or an
    /// infinite number (`argument: "body"`: miniserde would write `null`).
    ///
    /// ```
    /// # let client = hotmart::Client::new(hotmart::Environment::Sandbox, hotmart::Credentials::new("id", "secret"))?;
    /// let err = client.sales().refund("").unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidArgument { argument: "transaction", .. }));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    InvalidArgument {
        /// The argument, as the call's documentation names it, e.g. `transaction`.
        argument: &'static str,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// A response body was larger than the configured cap, so it was not read to the end.
    BodyTooLarge {
        /// The URL that answered, without its query.
        url: String,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A webhook delivery, or the hottok setting, was refused: see
    /// [`webhook::Error`](crate::webhook::Error), whose `http_status` says what to answer.
    /// Here so that `?` carries it out of a function that returns this crate's `Error`.
    ///
    /// ```
    /// fn receiver() -> Result<hotmart::webhook::Verifier, hotmart::Error> {
    ///     Ok(hotmart::webhook::Verifier::new("")?)
    /// }
    /// let err = receiver().unwrap_err();
    /// assert!(matches!(err, hotmart::Error::Webhook(hotmart::webhook::Error::BadHottok)));
    /// ```
    #[cfg(feature = "json")]
    Webhook(crate::webhook::Error),
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
            Error::InvalidFilter { .. } => "InvalidFilter",
            Error::InvalidArgument { .. } => "InvalidArgument",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
            #[cfg(feature = "json")]
            Error::Webhook(_) => "Webhook",
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
                        "; check the client id and secret (HOTMART_CLIENT_ID, \
                         HOTMART_CLIENT_SECRET and HOTMART_BASIC when read from the \
                         environment), and that the credential's type (sandbox or production) \
                         matches the environment",
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
                "the account's rate budget is spent until the window resets in {} s, so the \
                 request was not sent (Hotmart would answer 429); {gave_up}",
                Seconds(*reset_in)
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
            Error::InvalidFilter { filter, reason } => {
                write!(f, "invalid request filter `{filter}`: {reason}")
            }
            Error::InvalidArgument { argument, reason } => {
                write!(f, "invalid argument `{argument}`: {reason}")
            }
            Error::BodyTooLarge { url, limit } => {
                write!(
                    f,
                    "the response from {url} is larger than the {limit}-byte limit"
                )
            }
            #[cfg(feature = "json")]
            Error::Webhook(err) => fmt::Display::fmt(err, f),
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

#[cfg(feature = "json")]
impl From<crate::webhook::Error> for Error {
    fn from(err: crate::webhook::Error) -> Self {
        Error::Webhook(err)
    }
}
