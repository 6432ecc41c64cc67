//! A successful answer from the API, read whole: what `RequestBuilder::send` returns.

use std::fmt;

use ureq::http::HeaderMap;

#[cfg(feature = "json")]
use crate::Error;

/// A successful (2xx) answer from the API, read whole.
pub struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) url: String,
}

impl Response {
    /// The HTTP status, e.g. 200.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// A header's value by case-insensitive name, e.g. `RateLimit-Remaining`; `None` if absent
    /// or not text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body's bytes (possibly empty: some endpoints answer 200 with no body).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The URL that answered, without its query.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body as JSON: a [`miniserde::json::Value`] or any `T: miniserde::Deserialize`.
    ///
    /// An empty body, a body that is not JSON, or JSON of another shape is
    /// [`Error::InvalidResponse`], saying which.
    #[cfg(feature = "json")]
    pub fn json<T: miniserde::Deserialize>(&self) -> Result<T, Error> {
        crate::page::decode(&self.body, &self.url)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &self.url)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}
