//! The token request, in the documented style or the RFC's, and what its answers mean.

use std::time::{Duration, Instant};

use ureq::http::Method;

use super::TokenCell;
use super::TokenResponse;
use crate::error::{Envelope, excerpt};
use crate::http::transport::{Call, Transport, display_url};
use crate::retry::Policy;
use crate::retry::call::{self, CallState, Finished};
use crate::{AccessToken, Credentials, Error};

/// The most bytes read from a token endpoint's answer. A real one is a few hundred bytes.
const TOKEN_BODY_LIMIT: u64 = 64 * 1024;

/// How the client credentials travel in the token request.
///
/// Hotmart documents [`Documented`](TokenRequestStyle::Documented); it is the default. The
/// server also accepts [`BasicOnly`](TokenRequestStyle::BasicOnly), the style of RFC 6749
/// §2.3.1, which keeps the secret out of URLs.
///
/// The trade-off: a URL is more exposed than a header. ureq masks paths and queries in its
/// `debug` lines, but once `trace` is on for its targets it logs full URLs (and hex dumps of
/// the bytes on the wire, headers included). With `Documented`, `trace` logging for `ureq`
/// therefore prints the client secret; `BasicOnly` keeps it out of URLs, at the price of
/// relying on behaviour Hotmart does not document. (The byte dumps also show the access token
/// in either style: keep `trace` off wherever logs leave the machine.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenRequestStyle {
    /// `POST …/security/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…`
    /// with `Authorization: Basic …`, `Content-Type: application/json` and an empty body,
    /// exactly as Hotmart's documentation shows.
    #[default]
    Documented,
    /// `POST …/security/oauth/token` with `Authorization: Basic …` and the form body
    /// `grant_type=client_credentials`: the credentials travel only in the Basic header.
    BasicOnly,
}

/// Where and how a client asks for its tokens; fixed by `build()`.
pub(crate) struct TokenEndpoint {
    /// The token URL, without the query.
    pub(crate) url: String,
    /// Whether the token endpoint is on this machine (no proxy, whatever the settings).
    pub(crate) loopback: bool,
    pub(crate) style: TokenRequestStyle,
    pub(crate) credentials: Credentials,
    pub(crate) margin: Duration,
}

/// One token request, retried like a GET within `deadline`, and its answer read.
pub(crate) fn fetch(
    endpoint: &TokenEndpoint,
    transport: &Transport,
    policy: &Policy,
    cell: &TokenCell,
    deadline: Instant,
) -> Result<AccessToken, Error> {
    let inner = endpoint;
    let creds = &inner.credentials;
    let basic = format!("Basic {}", creds.basic());
    let mut url = String::with_capacity(inner.url.len() + 128);
    url.push_str(&inner.url);
    let (headers, body): (&[_], _) = match inner.style {
        TokenRequestStyle::Documented => {
            let mut query = String::new();
            for (name, value) in [
                ("grant_type", "client_credentials"),
                ("client_id", creds.client_id()),
                ("client_secret", creds.client_secret()),
            ] {
                if !query.is_empty() {
                    query.push('&');
                }
                crate::http::percent::encode_into(&mut query, name);
                query.push('=');
                crate::http::percent::encode_into(&mut query, value);
            }
            url.push('?');
            url.push_str(&query);
            (
                &[
                    ("authorization", basic.as_str()),
                    ("content-type", "application/json"),
                ],
                None,
            )
        }
        TokenRequestStyle::BasicOnly => (
            &[("authorization", basic.as_str())],
            Some((
                "application/x-www-form-urlencoded",
                b"grant_type=client_credentials".as_slice(),
            )),
        ),
    };
    log::debug!(
        target: "hotmart::token",
        "requesting an access token from {} ({:?} style)",
        inner.url,
        inner.style
    );
    let label = format!("POST {}", inner.url);
    let mut requested_at = Instant::now();
    // The token request is retried like a GET: asking twice for a token does no harm.
    // The fetch has what is left of the deadline of the caller that starts it.
    let mut state = CallState::new(policy, deadline);
    let finished = call::run(&mut state, true, &label, |state| {
        requested_at = Instant::now();
        state.sent_one();
        let call = Call {
            method: Method::POST,
            url: &url,
            headers,
            body,
            limit: TOKEN_BODY_LIMIT,
            time_left: state.time_left(),
            loopback: inner.loopback,
            tokens: &[],
        };
        match transport.send(&call) {
            Ok(reply) => Ok(Ok(reply)),
            Err(Error::Transport(err)) => Ok(Err(err)),
            Err(other) => Err(other),
        }
    })?;
    // The cache is empty during a fetch, but the token it replaces was sent before.
    let known = cell.known();
    let tokens: Vec<&str> = known.iter().map(AccessToken::secret).collect();
    let scrub = |text: &str| transport.redactor().scrub(text, &tokens);
    let token = token_from_reply(finished, &inner.url, requested_at, inner.margin, scrub)?;
    log::debug!(
        target: "hotmart::token",
        "access token obtained, valid for {:?}",
        token.expires_at().saturating_duration_since(requested_at)
    );
    Ok(token)
}

/// Turns the token endpoint's last answer into a token or the error that explains it.
fn token_from_reply(
    finished: Finished,
    url: &str,
    requested_at: Instant,
    margin: Duration,
    scrub: impl Fn(&str) -> String,
) -> Result<AccessToken, Error> {
    let Finished { reply, gave_up } = finished;
    let gave_up = gave_up.map(Box::new);
    if reply.is_success() {
        // A success body carries a token: it is parsed, never quoted in an error.
        let response = TokenResponse::parse(&reply.body)
            .map_err(|source| Error::MalformedTokenResponse { source })?;
        return Ok(AccessToken::issue(&response, requested_at, margin));
    }
    log::debug!(target: "hotmart::token", "token endpoint answered HTTP {}", reply.status);
    if reply.status == 429 {
        return Err(Error::TokenRateLimited { gave_up });
    }
    if (400..500).contains(&reply.status) {
        let envelope = Envelope::read(&reply.body, &scrub);
        let (error, description) = envelope.map_or((None, None), |e| (e.error, e.description));
        return Err(Error::TokenRejected {
            status: reply.status,
            error,
            description,
        });
    }
    Err(Error::UnexpectedStatus {
        status: reply.status,
        url: display_url(url),
        excerpt: excerpt(&reply.body, &scrub),
        gave_up,
    })
}
