//! Access tokens and the bodies of the token endpoint: the success response and the OAuth
//! error body, read by a hand-written parser ([`TokenResponse::parse`]).
//!
//! # The token request
//!
//! By default the request is exactly the documented one:
//!
//! ```text
//! POST https://api-sec-vlc.hotmart.com/security/oauth/token?grant_type=client_credentials&client_id=…&client_secret=…
//! Authorization: Basic <base64(client_id:client_secret)>
//! Content-Type: application/json
//! (empty body)
//! ```
//!
//! [`TokenRequestStyle::BasicOnly`] sends RFC 6749 §2.3.1's form instead (the credentials only
//! in the Basic header), which keeps the secret out of URLs. The request is retried like a
//! GET; a 429 is waited out and, if it persists, is `Error::TokenRateLimited`; other 4xx are
//! final. However many threads need a token at once, one request is in flight and the others
//! share its outcome, error included. Redirects are not followed and answers are read with a
//! 64 KiB cap.
//!
//! # The parser
//!
//! It borrows from the input, does not recurse, bounds depth (128) and size (1 MiB), and its
//! errors give a byte offset without ever quoting the input. It is fuzzed (`fuzz/`: arbitrary
//! bytes, a differential against serde_json, and round trips), and `cargo test` replays the
//! corpus. `cargo bench -p hotmart --bench token_parse` interleaves it with serde_json and
//! miniserde (both into derived structs of owned strings); medians of 31 rounds, one run on
//! 2026-12-06, 2-core machine (a slow, noisy day: the same binary's ratio against serde_json
//! ranged 2.31–2.75× over nine runs; 3.3–3.5× on 2026-12-04):
//!
//! | payload | hotmart | serde_json | miniserde |
//! |---|---|---|---|
//! | Hotmart's documented token response, 131 B | 272 ns | 639 ns (2.34×) | 692 ns (2.54×) |
//! | 20 unknown members of every JSON kind, 2 KB | 4.06 µs | 6.02 µs (1.49×) | 9.86 µs (2.45×) |
//! | an OAuth error body, 183 B | 107 ns | 321 ns (3.05×) | 352 ns (3.36×) |
//!
//! # The cached token
//!
//! [`Client::access_token`](crate::Client::access_token) on a fresh token is a lock, one clock
//! read and an `Arc` clone: `cargo bench -p hotmart --bench token_cell` measured 45 ns against
//! 45 ns for that floor (1.00×, the median of per-round ratios) on 2026-12-06. A fetch runs
//! outside the lock, so `cached_token()` and `invalidate()` never wait for the network.

mod cell;
mod error;
mod fetch;
mod parse;
mod scan;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) use cell::TokenCell;
pub use error::{Member, ParseError, ParseErrorKind};
pub use fetch::TokenRequestStyle;
pub(crate) use fetch::{TokenEndpoint, fetch};
pub(crate) use parse::is_header_safe;
// The webhook and page readers walk JSON with the token parser's scanner.
#[cfg(feature = "json")]
pub(crate) use {
    parse::{members, object},
    scan::Scanner,
};
// serde's reader tells a number's text, under serde_json's `arbitrary_precision`, by it.
#[cfg(feature = "serde")]
pub(crate) use scan::is_number;

use crate::secret::{Fingerprint, Secret};

/// The token endpoint's success body, read without copying where no escape forces it.
///
/// ```json
/// {"access_token":"…","token_type":"bearer","expires_in":172799,"scope":"read write","jti":"…"}
/// ```
///
/// The rules, exactly: the input is one JSON object with optional JSON whitespace around it
/// (no BOM, nothing after it). `access_token` (a non-empty string), `token_type` (a string
/// equal to `bearer` in any ASCII case) and `expires_in` (digits only, fitting a `u64`) are
/// required; `scope` and `jti` are a string or `null`. A known member of another type, or one
/// given twice, is an error. Every other member is skipped whatever its value, but must be
/// valid JSON. Inputs up to [`ParseError::MAX_INPUT_LEN`] bytes and nesting up to
/// [`ParseError::MAX_DEPTH`] levels are accepted; beyond that it is an error, never a stack
/// overflow: the parser does not recurse.
///
/// `Debug` does not show the access token.
///
/// ```
/// use hotmart::token::TokenResponse;
///
/// let body = br#"{"access_token":"wxyz","token_type":"bearer","expires_in":172799,
///                 "scope":"read write","jti":"da2eff63"}"#;
/// let token = TokenResponse::parse(body)?;
/// assert_eq!(token.access_token(), "wxyz");
/// assert_eq!(token.token_type(), "bearer");
/// assert_eq!(token.expires_in(), 172799);
/// assert_eq!(token.scope(), Some("read write"));
/// assert_eq!(token.jti(), Some("da2eff63"));
/// # Ok::<(), hotmart::token::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse<'a> {
    access_token: Cow<'a, str>,
    token_type: Cow<'a, str>,
    expires_in: u64,
    scope: Option<Cow<'a, str>>,
    jti: Option<Cow<'a, str>>,
}

impl<'a> TokenResponse<'a> {
    /// Parses a token endpoint's success body. See the type's documentation for the rules.
    pub fn parse(body: &'a [u8]) -> Result<Self, ParseError> {
        parse::token_response(body)
    }

    /// The bearer token. Opaque: never decode it.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The token type, `bearer` in some ASCII case.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The token's lifetime in seconds, counted from when the response was sent.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The granted scope (e.g. `read write`), if given.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The token's unique id, if given.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// A copy that does not borrow from the input.
    pub fn into_owned(self) -> TokenResponse<'static> {
        TokenResponse {
            access_token: Cow::Owned(self.access_token.into_owned()),
            token_type: Cow::Owned(self.token_type.into_owned()),
            expires_in: self.expires_in,
            scope: self.scope.map(|s| Cow::Owned(s.into_owned())),
            jti: self.jti.map(|s| Cow::Owned(s.into_owned())),
        }
    }
}

impl fmt::Debug for TokenResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field(
                "access_token",
                &format_args!("<redacted {}>", Fingerprint(&self.access_token)),
            )
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("jti", &self.jti)
            .finish()
    }
}

/// The OAuth error body, `{"error":…,"error_description":…,"error_uri":…}`, which Hotmart
/// sends with 4xx answers from the token endpoint and the API alike.
///
/// All three members are optional (a string or `null`); other members are skipped. The same
/// rules as [`TokenResponse::parse`] apply to the JSON itself.
///
/// ```
/// use hotmart::token::OAuthErrorBody;
///
/// let body = br#"{"error":"unauthorized","error_description":"Bad credentials"}"#;
/// let err = OAuthErrorBody::parse(body)?;
/// assert_eq!(err.error(), Some("unauthorized"));
/// assert_eq!(err.error_description(), Some("Bad credentials"));
/// assert_eq!(err.error_uri(), None);
/// # Ok::<(), hotmart::token::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthErrorBody<'a> {
    error: Option<Cow<'a, str>>,
    description: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
}

impl<'a> OAuthErrorBody<'a> {
    /// Parses an OAuth error body.
    pub fn parse(body: &'a [u8]) -> Result<Self, ParseError> {
        parse::oauth_error_body(body)
    }

    /// The error code, e.g. `unauthorized`, `invalid_client` or `invalid_token`.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The human-readable description.
    pub fn error_description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// A link to documentation about the error.
    pub fn error_uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }
}

/// An access token, as the client caches it: cheap to clone (an `Arc`), with its expiry.
///
/// `Debug` shows a fingerprint, never the token; [`AccessToken::secret`] gives the value for
/// an `Authorization: Bearer` header. Two `AccessToken`s are equal when they are clones of the
/// same fetched token.
///
/// ```no_run
/// # let client: hotmart::Client = unimplemented!();
/// let token = client.access_token()?;
/// let header = format!("Bearer {}", token.secret());
/// # Ok::<(), hotmart::Error>(())
/// ```
#[derive(Clone)]
pub struct AccessToken(Arc<Issued>);

struct Issued {
    secret: Secret,
    /// When the token stops working, by the monotonic clock.
    expires_at: Instant,
    /// When the client fetches a new one instead of handing this one out.
    refresh_at: Instant,
    scope: Option<Box<str>>,
    jti: Option<Box<str>>,
}

impl AccessToken {
    /// Builds a token from a parsed response. `requested_at` is taken before the request was
    /// sent, so the computed expiry errs on the early side.
    pub(crate) fn issue(
        response: &TokenResponse<'_>,
        requested_at: Instant,
        margin: Duration,
    ) -> Self {
        // A lifetime too long for the clock to represent is as good as ten years.
        let lifetime = Duration::from_secs(response.expires_in());
        let expires_at = requested_at
            .checked_add(lifetime)
            .or_else(|| requested_at.checked_add(Duration::from_secs(10 * 365 * 86_400)))
            .unwrap_or(requested_at);
        let lifetime = expires_at - requested_at;
        // Short-lived tokens still get used: never spend more than half the lifetime early.
        let refresh_at = expires_at - margin.min(lifetime / 2);
        AccessToken(Arc::new(Issued {
            secret: Secret::new(response.access_token()),
            expires_at,
            refresh_at,
            scope: response.scope().map(Into::into),
            jti: response.jti().map(Into::into),
        }))
    }

    /// Rebuilds a token read back from a persistent store: `remaining` until it expires (from
    /// `now`), out of the `lifetime` it was issued with. The margin is clamped as in
    /// [`issue`](Self::issue): at most half the lifetime.
    pub(crate) fn restore(
        secret: &str,
        remaining: Duration,
        lifetime: Duration,
        margin: Duration,
        now: Instant,
    ) -> Self {
        let expires_at = now
            .checked_add(remaining)
            .or_else(|| now.checked_add(Duration::from_secs(10 * 365 * 86_400)))
            .unwrap_or(now);
        let refresh_at = expires_at
            .checked_sub(margin.min(lifetime / 2))
            .unwrap_or(now);
        AccessToken(Arc::new(Issued {
            secret: Secret::new(secret),
            expires_at,
            refresh_at,
            scope: None,
            jti: None,
        }))
    }

    /// The bearer value, for `Authorization: Bearer <secret>`. Keep it out of logs.
    pub fn secret(&self) -> &str {
        self.0.secret.expose()
    }

    /// When the token stops working, by the monotonic clock.
    pub fn expires_at(&self) -> Instant {
        self.0.expires_at
    }

    /// When the client stops handing this token out and fetches a new one.
    pub fn refresh_at(&self) -> Instant {
        self.0.refresh_at
    }

    /// Whether the token has reached its expiry.
    pub fn is_expired(&self) -> bool {
        Instant::now() >= self.0.expires_at
    }

    /// The granted scope, if the token endpoint said.
    pub fn scope(&self) -> Option<&str> {
        self.0.scope.as_deref()
    }

    /// The token's unique id (`jti`), if the token endpoint gave one.
    pub fn jti(&self) -> Option<&str> {
        self.0.jti.as_deref()
    }

    /// Whether the token should still be handed out at `now`.
    pub(crate) fn is_fresh_at(&self, now: Instant) -> bool {
        now < self.0.refresh_at
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let remaining = self.0.expires_at.saturating_duration_since(Instant::now());
        f.debug_struct("AccessToken")
            .field("secret", &self.0.secret)
            .field("expires_in", &remaining)
            .field("scope", &self.0.scope)
            .finish()
    }
}

#[cfg(test)]
mod tests;
