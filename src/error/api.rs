//! An error answer from the API: [`ApiError`].

use std::error::Error as StdError;
use std::fmt;

use super::GaveUp;

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
