//! A small, blocking client for the [Hotmart](https://developers.hotmart.com) API.
//!
//! It authenticates with OAuth 2.0 client credentials exactly as Hotmart documents it, keeps
//! the access token cached, and refreshes it lazily: before it expires, and when the API
//! rejects it. API calls ([`Client::get`] and friends) carry the token, wait out rate limits,
//! retry what is safe to retry, and page through results ([`RequestBuilder::items`]). No async
//! runtime, few dependencies, no `unsafe`.
//!
//! ```no_run
//! use hotmart::Client;
//!
//! // HOTMART_CLIENT_ID, HOTMART_CLIENT_SECRET (optionally HOTMART_BASIC), HOTMART_ENV
//! let client = Client::from_env()?; // every missing variable named at once
//! let token = client.access_token()?; // fetched on first use, then cached
//! println!("token valid until {:?}", token.expires_at());
//! # Ok::<(), hotmart::Error>(())
//! ```
//!
//! The whole flow against the local Hotmart (the `hotmart-mock` crate, a dev-dependency),
//! which is how the crate's own tests run:
//!
//! ```
//! # {
//! use hotmart::Client;
//! use hotmart_mock::MockServer;
//!
//! let server = MockServer::start()?;
//! let client = Client::new(server.environment(), server.credentials())?;
//! let first = client.access_token()?;
//! let second = client.access_token()?;
//! assert_eq!(first, second); // cached
//! assert_eq!(server.token_request_count(), 1);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Reading every sale, page after page, into typed models through the typed calls of
//! [`api`] (feature `json`, on by default):
//!
//! ```no_run
//! # let client: hotmart::Client = unimplemented!();
//! use std::time::{Duration, SystemTime};
//!
//! let since = SystemTime::now() - Duration::from_secs(86_400);
//! for sale in client.sales().history().start_date(since).items() {
//!     let sale = sale?;
//!     println!("{:?}", sale.purchase.and_then(|p| p.transaction));
//! }
//! # Ok::<(), hotmart::Error>(())
//! ```
//!
//! [`Client::get`] and friends remain for anything else:
//!
//! ```no_run
//! # let client: hotmart::Client = unimplemented!();
//! use hotmart::models::Sale;
//!
//! for sale in client.get("/payments/api/v1/sales/history").items::<Sale>() {
//!     println!("{:?}", sale?.buyer.and_then(|b| b.email));
//! }
//! # Ok::<(), hotmart::Error>(())
//! ```
//!
//! # Cron jobs, fleets, webhooks
//! A short-lived process keeps its token across runs with
//! [`ClientBuilder::token_cache`] (at [`default_token_cache_dir`], say): one private file per
//! environment and client id, shared by processes that start together, so a job that runs
//! every few minutes makes one token request per token lifetime, not one per run. Any other
//! place plugs in through [`store::TokenStore`] and [`budget::RateBudget`]; the
//! `hotmart-redis` crate shares one token and one rate budget across hosts. Webhooks are
//! verified, typed and deduplicated by [`webhook`] (feature `json`).
//!
//! # Secrets
//! The client secret, the Basic value and access tokens live in types whose `Debug` shows a
//! fingerprint, never the value; no error message and no log line of this crate contains
//! them. ureq's own `trace` output is another matter: it logs raw traffic, URLs and bodies
//! included, so keep the `ureq` and `ureq_proto` targets below `trace` where logs leave the
//! machine (see [`TokenRequestStyle`]).
//!
//! # Features
//! - `rustls` (default): TLS through rustls. `native-tls`: the platform's TLS instead; with
//!   both on, `ClientBuilder::tls_backend` chooses at run time. Either way the roots are
//!   Mozilla's; a refused handshake says why ([`TransportError::tls_failure`]).
//! - `extra-roots`: `ClientBuilder::add_root_certificates_pem`, for a TLS-inspecting proxy's
//!   root: it brings Mozilla's roots as certificates, a second copy a default build does
//!   without.
//! - `gzip`: accept gzip-compressed answers.
//! - `json` (default): typed JSON through miniserde: `api`, `models`, `webhook`, `miniserde`.
//! - `serde`: serde's `Serialize` and `Deserialize` on every model. Written through serde, a
//!   model is what miniserde writes; read through serde, it is read strictly, as serde
//!   derives do: a number where the model holds text (`"id": 1`) or two spellings of one
//!   member is an error, where the typed calls' own reading takes them. Read Hotmart's
//!   answers with the typed calls or `Response::json`.
//!
//! The local Hotmart for tests is the `hotmart-mock` crate; the `hotmart` command is
//! `hotmart-cli`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs labels every feature-gated item (doc_cfg now includes what doc_auto_cfg did).
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "json")]
pub mod api;
pub mod budget;
mod builder;
mod client;
mod credentials;
mod environment;
mod error;
mod http;
#[cfg(feature = "json")]
pub mod models;
#[cfg(feature = "json")]
mod page;
#[cfg(feature = "json")]
mod page_info;
#[cfg(feature = "json")]
mod page_scan;
#[cfg(feature = "json")]
mod page_text;
mod request;
mod response;
mod retry;
mod secret;
pub mod store;
pub mod token;
#[cfg(feature = "json")]
pub mod webhook;

pub use builder::ClientBuilder;
pub use client::Client;
pub use credentials::Credentials;
pub use environment::Environment;
pub use error::{ApiError, Error, GaveUp, Limit, TransportError, TransportErrorKind};
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub use http::tls::TlsBackend;
pub use http::tls::TlsFailure;
/// The JSON library of the models, so `hotmart::miniserde::json::Value` and friends need no
/// dependency of their own (feature `json`).
#[cfg(feature = "json")]
pub use miniserde;
#[cfg(feature = "json")]
pub use page::{Items, MAX_PAGES, Page, Pages};
#[cfg(feature = "json")]
pub use page_info::PageInfo;
#[cfg(feature = "json")]
pub use page_scan::MAX_ITEMS;
pub use request::RequestBuilder;
pub use response::Response;
pub use store::default_token_cache_dir;
pub use token::{AccessToken, TokenRequestStyle};
#[doc(hidden)]
pub const TOKEN_PATH: &str = Environment::TOKEN_PATH;

/// The README's examples, compiled and run as doctests so they cannot go stale. They use the
/// local Hotmart (`hotmart-mock`, a dev-dependency).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// What users rely on without saying so: the client is shared across threads, and errors go
/// into `Box<dyn Error + Send + Sync>` (and so into anyhow and friends).
#[cfg(test)]
mod auto_traits {
    fn send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        send_sync::<crate::Client>();
        send_sync::<crate::AccessToken>();
        send_sync::<crate::Credentials>();
        send_sync::<crate::Environment>();
        send_sync::<crate::Error>();
        send_sync::<crate::Response>();
        send_sync::<crate::token::TokenResponse<'static>>();
    }
}
