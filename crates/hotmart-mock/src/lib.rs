//! A local Hotmart for tests: a real HTTP server on 127.0.0.1 that speaks
//! the token endpoint and every documented API endpoint as Hotmart does (bearer checks,
//! rate-limit headers and 429, cursor pagination over fictional sales, subscriptions and
//! products), with fault injection, a record of what it received, and webhooks sent to a
//! receiver of yours (`MockBuilder::webhook`).
//!
//! Use it to test your own programs without touching Hotmart:
//!
//! ```
//! # #[cfg(feature = "mock")] {
//! use hotmart::Client;
//! use hotmart_mock::{Endpoint, Fault, MockServer};
//!
//! let server = MockServer::start()?;
//! let client = Client::new(server.environment(), server.credentials())?;
//! client.access_token()?;
//!
//! server.fail_next(Endpoint::Token, 1, Fault::Status(401));
//! client.invalidate(&client.access_token()?);
//! assert_eq!(client.access_token().unwrap_err().status(), Some(401));
//! assert_eq!(server.token_request_count(), 2);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The server stops when the `MockServer` is dropped.
//!
//! # Features
//!
//! - `mock` (default): the local Hotmart. Without it the crate is [`http`] alone, the small
//!   server the local Hotmart runs on, with no dependency but `httparse`.
//! - `tls`: the local Hotmart over https (`MockBuilder::https`), with rustls.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod http;

mod lock;

#[cfg(feature = "mock")]
mod answer;
#[cfg(feature = "mock")]
mod api;
#[cfg(feature = "mock")]
mod dispatch;
#[cfg(feature = "mock")]
mod endpoints;
#[cfg(feature = "mock")]
mod json;
#[cfg(feature = "mock")]
mod mock;
#[cfg(feature = "mock")]
mod query;
#[cfg(feature = "mock")]
mod rate;
#[cfg(feature = "mock")]
mod record;
#[cfg(feature = "mock")]
mod state;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "mock")]
mod token;
#[cfg(feature = "mock")]
mod webhook;

#[cfg(feature = "mock")]
pub use mock::{MockBuilder, MockServer};
#[cfg(feature = "mock")]
pub use record::{MAX_RECORDED, MAX_RECORDED_BYTES, RecordedRequest};
#[cfg(feature = "mock")]
pub use webhook::{Delivery, DeliveryStatus};

/// The client id the mock accepts unless told otherwise.
#[cfg(feature = "mock")]
pub const CLIENT_ID: &str = "mock-client-id";
/// The client secret the mock accepts unless told otherwise.
#[cfg(feature = "mock")]
pub const CLIENT_SECRET: &str = "mock-client-secret";

/// The token endpoint's path, as Hotmart serves it.
#[cfg(feature = "mock")]
const TOKEN_PATH: &str = "/security/oauth/token";

/// Which part of the mock a fault applies to.
#[cfg(feature = "mock")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /security/oauth/token`.
    Token,
    /// Everything else (the API).
    Api,
}

/// A misbehaviour to inject into the next requests, see [`MockServer::fail_next`].
#[cfg(feature = "mock")]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and an OAuth-style error body.
    Status(u16),
    /// Answer with exactly this status, content type and body.
    Response {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body.
        body: Vec<u8>,
    },
    /// Wait this long, then answer as usual.
    Delay(std::time::Duration),
    /// Answer 200 with an HTML page instead of JSON.
    NotJson,
    /// Answer 200 with the usual body cut in half (the HTTP framing is intact; the JSON is not).
    Truncated,
    /// Answer 200 with a JSON body of this many bytes.
    Oversized(usize),
    /// Read the request and never answer, so the client runs into its timeout.
    NoResponse,
}
