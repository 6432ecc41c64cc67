//! Authenticated API calls: a request builder, the send loop (bearer token, 401 refresh,
//! rate-limit waits, retries) and the response.

use std::fmt;
use std::time::SystemTime;

use ureq::http::{HeaderName, HeaderValue, Method};

use crate::budget::{self, Reading};
use crate::error::{ApiError, Envelope};
use crate::http::transport::{Call, Reply, display_url};
use crate::response::Response;
use crate::retry::call::{self, CallState};
use crate::{AccessToken, Client, Error};

impl Client {
    /// A `GET` request to `path` (e.g. `/payments/api/v1/sales/history`), joined to the
    /// environment's API base URL.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let v: miniserde::json::Value = client.get("/products/api/v1/products").send()?.json()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::GET, path)
    }

    /// A `POST` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::POST, path)
    }

    /// A `PUT` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::PUT, path)
    }

    /// A `PATCH` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::PATCH, path)
    }

    /// A `DELETE` request. Never retried after a 5xx unless marked
    /// [`retry_safe`](RequestBuilder::retry_safe).
    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, Method::DELETE, path)
    }
}

/// An API request being built; made by [`Client::get`], [`Client::post`] and the like.
///
/// ```no_run
/// # let client: hotmart::Client = unimplemented!();
/// let resp = client
///     .get("/payments/api/v1/sales/history")
///     .query("max_results", "50")
///     .send()?;
/// println!("{} calls left this minute", resp.header("RateLimit-Remaining").unwrap_or("?"));
/// # Ok::<(), hotmart::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a request does nothing until .send() (or .items(), .pages()) is called"]
pub struct RequestBuilder<'c> {
    client: &'c Client,
    method: Method,
    target: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
    repeatable: bool,
    /// Filters that cannot be sent as asked: `send` fails with the first rather than send.
    refused: Vec<(&'static str, &'static str)>,
    /// Arguments that cannot be sent: `send` fails with the first before anything else.
    bad_arguments: Vec<(&'static str, &'static str)>,
}

/// The longest header (name and value) a caller may add: servers commonly refuse a header
/// past 8 KiB, and ureq refuses a request head past its buffer only once it writes it, after
/// a token fetch, blaming the server.
const MAX_HEADER_LEN: usize = 8 * 1024;

impl<'c> RequestBuilder<'c> {
    pub(crate) fn new(client: &'c Client, method: Method, target: &str) -> Self {
        // GET and HEAD change nothing, so sending them twice is harmless.
        let repeatable = method == Method::GET || method == Method::HEAD;
        RequestBuilder {
            client,
            method,
            target: target.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            repeatable,
            refused: Vec::new(),
            bad_arguments: Vec::new(),
        }
    }

    /// Adds a query parameter: any `Display` value (`"APPROVED"`, `500`, …); both parts are
    /// percent-encoded.
    pub fn query(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Sets a query parameter, replacing any earlier value of the same name.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn set_query(&mut self, name: &str, value: &str) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value.to_owned()));
    }

    /// The value of a query parameter set earlier.
    #[cfg(feature = "json")]
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the query holds `name=value` already.
    #[cfg(feature = "json")]
    pub(crate) fn query_value_is(&self, name: &str, value: &str) -> bool {
        self.query.iter().any(|(n, v)| n == name && v == value)
    }

    /// Makes `send` fail with [`Error::InvalidFilter`] (the first refusal still standing).
    #[cfg(feature = "json")]
    pub(crate) fn refuse(&mut self, filter: &'static str, reason: &'static str) {
        self.refused.push((filter, reason));
    }

    /// Makes `send` fail with [`Error::InvalidArgument`] (the first argument refused).
    pub(crate) fn refuse_argument(&mut self, argument: &'static str, reason: &'static str) {
        self.bad_arguments.push((argument, reason));
    }

    /// Fills the `{}` of the path, in order, with these caller-given segments (each named as
    /// its call's documentation names it), percent-encoded so that a code cannot change the
    /// path. A segment that is empty, `.` or `..` would name another resource (a server that
    /// resolves dot segments turns `sales/../refund` into `refund`), and one that is blank or
    /// has spaces around it names no code Hotmart gives: `send` refuses them with
    /// [`Error::InvalidArgument`].
    #[cfg(feature = "json")]
    pub(crate) fn segments(mut self, segments: &[(&'static str, &str)]) -> Self {
        let template = std::mem::take(&mut self.target);
        let mut parts = template.split("{}");
        self.target.push_str(parts.next().unwrap_or_default());
        for (part, &(argument, segment)) in parts.zip(segments) {
            let reason = match segment {
                "" => Some("empty: the path would have an empty segment"),
                "." | ".." => Some("`.` or `..`: the path would name another resource"),
                blank if crate::models::filters::unpadded(blank).is_empty() => {
                    Some("only spaces: it names no code")
                }
                padded if crate::models::filters::unpadded(padded) != padded => {
                    Some("has spaces around it (a newline read with it?): no code does")
                }
                _ => None,
            };
            if let Some(reason) = reason {
                self.refuse_argument(argument, reason);
            }
            crate::http::percent::encode_into(&mut self.target, segment);
            self.target.push_str(part);
        }
        self
    }

    /// Withdraws the refusals that `which(filter, reason)` picks: a filter set again.
    #[cfg(feature = "json")]
    pub(crate) fn unrefuse(&mut self, which: impl Fn(&str, &str) -> bool) {
        self.refused
            .retain(|(filter, reason)| !which(filter, reason));
    }

    /// Removes a query parameter.
    #[cfg(feature = "json")]
    pub(crate) fn remove_query(&mut self, name: &str) {
        self.query.retain(|(n, _)| n != name);
    }

    /// Adds a header. `Authorization` is the client's to set and is ignored here. `Accept`
    /// and, with a body, `Content-Type` replace the crate's (`application/json`, or the
    /// body's type), the last one given winning; an empty (or blank) one leaves the crate's.
    ///
    /// `send` fails with [`Error::InvalidArgument`] (`argument: "header"`) for a name or
    /// value HTTP cannot carry (a space or a newline in the name, a control character in the
    /// value, or both together past 8 KiB, more than servers take), and for `Content-Length`,
    /// `Transfer-Encoding`, `Host` and `Expect`, which are the crate's: a length that is not
    /// the body's leaves the server waiting for bytes that never come, both at once make the
    /// request ambiguous, another host behind a gateway that routes by it would receive the
    /// access token, and `Expect: 100-continue` holds every body back until a `100` that
    /// Hotmart's servers are not documented to send (a second's wait each time).
    ///
    /// ```
    /// # let client = hotmart::Client::new(hotmart::Environment::Sandbox, hotmart::Credentials::new("id", "secret"))?;
    /// let err = client.post("/payments/api/v1/link").header("Content-Length", "5").send().unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidArgument { argument: "header", .. }));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let is = |other: &str| name.eq_ignore_ascii_case(other);
        if is("content-length") || is("transfer-encoding") || is("host") || is("expect") {
            self.refuse_argument(
                "header",
                "Content-Length, Transfer-Encoding, Host or Expect, which the crate sets \
                 (another length hangs the request, another host may receive the token)",
            );
        } else if HeaderName::from_bytes(name.as_bytes()).is_err()
            || HeaderValue::from_bytes(value.as_bytes()).is_err()
            || name.len().saturating_add(value.len()) > MAX_HEADER_LEN
        {
            self.refuse_argument(
                "header",
                "a name or value HTTP cannot carry (a space or newline in the name, a control \
                 character in the value, or past 8 KiB)",
            );
        } else if is("accept") || is("content-type") {
            self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            if !value.trim().is_empty() {
                self.headers.push((name.to_owned(), value.to_owned()));
            }
        } else if !is("authorization") {
            self.headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Sends `body` as serialized by miniserde, with `Content-Type: application/json`.
    ///
    /// A body holding a NaN or an infinite number is refused: `send` fails with
    /// [`Error::InvalidArgument`] (`argument: "body"`), where miniserde would write `null` and
    /// Hotmart would read "no value" (a price, a discount) instead of an error. So is a body
    /// nested deeper than 128 levels, below which it is not checked.
    ///
    /// ```
    /// # let client = hotmart::Client::new(hotmart::Environment::Sandbox, hotmart::Credentials::new("id", "secret"))?;
    /// let err = client.post("/payments/api/v1/link").json(&f64::NAN).send().unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidArgument { argument: "body", .. }));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[cfg(feature = "json")]
    pub fn json<T: miniserde::Serialize + ?Sized>(self, body: &T) -> Self {
        let unsendable = crate::models::finite::unsendable(body);
        let mut request = self.body(
            "application/json",
            miniserde::json::to_string(body).into_bytes(),
        );
        if let Some(reason) = unsendable {
            request.refuse_argument("body", reason);
        }
        request
    }

    /// Sends these bytes as the body, with this content type.
    ///
    /// A content type HTTP cannot carry (a control character, a newline, or past 8 KiB) is
    /// refused as `header` refuses such a value: `send` fails with
    /// [`Error::InvalidArgument`] (`argument: "body"`), before any token fetch.
    ///
    /// ```
    /// # let client = hotmart::Client::new(hotmart::Environment::Sandbox, hotmart::Credentials::new("id", "secret"))?;
    /// let err = client.post("/x").body("text/plain\r\nX-Other: 1", "hi").send().unwrap_err();
    /// assert!(matches!(err, hotmart::Error::InvalidArgument { argument: "body", .. }));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn body(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        // A body given again decides anew about the body, and only about it.
        self.bad_arguments
            .retain(|&(argument, _)| argument != "body");
        if HeaderValue::from_bytes(content_type.as_bytes()).is_err()
            || content_type.len() > MAX_HEADER_LEN
        {
            self.refuse_argument(
                "body",
                "a content type HTTP cannot carry (a control character or a newline, or past \
                 8 KiB)",
            );
        }
        self.body = Some((content_type.to_owned(), bytes.into()));
        self
    }

    /// Declares that sending this request twice does no harm, so it is retried after a 5xx or
    /// a broken connection like a GET. Hotmart has no idempotency keys: only say so for
    /// requests that really are idempotent (a POST that sets a state, say).
    pub fn retry_safe(mut self) -> Self {
        self.repeatable = true;
        self
    }

    /// Sends the request and reads the whole answer.
    ///
    /// The access token comes from the client's cache. On a 401 the token is invalidated and
    /// the request sent once more with a fresh one. A 429 is waited out (`Retry-After`, else
    /// `RateLimit-Reset`, never less than the growing retry backoff) up to the client's
    /// `max_rate_limit_wait`; 500, 502, 503 and 504 answers and broken connections are
    /// retried with backoff for GET, HEAD and [`retry_safe`](Self::retry_safe) requests. The
    /// whole call, retries and waits included, ends by the client's `call_timeout`. A final
    /// non-2xx answer is [`Error::Api`]; a 2xx with an empty body is not an error. When a
    /// limit ended the retries, [`Error::gave_up`] says which, and how long the call took.
    ///
    /// # Under hostile servers
    ///
    /// Everything from the network is hostile, and every loop ends. `tests/hostile*.rs` put
    /// the client in front of loopback servers that misbehave on purpose and print, per
    /// fault, the requests sent and the time the call took (`cargo test -p hotmart --test
    /// 'hostile*' -- --nocapture --test-threads 1`, its `FIGURE` lines; measured on
    /// 2026-12-03, 2-core machine):
    ///
    /// | fault | settings | requests | ends after |
    /// |---|---|---|---|
    /// | 429 `Retry-After: 0` forever | 2 s `max_rate_limit_wait` | 4 | 1.77 s, `Limit::RateLimitWait` |
    /// | 429 `RateLimit-Reset: 0` forever | the same | 4 | 1.77 s |
    /// | 429 `Retry-After: 0` forever | `retry_backoff(0)` | 21 | 0.11 s, `Limit::RateLimitAttempts(20)` |
    /// | 429 `Retry-After: 1`, then `u64::MAX` | defaults | 2 | 1.01 s, no overflow |
    /// | 429 `Retry-After: 1` forever | `call_timeout` 1.5 s | 2 | 1.01 s, `Limit::Deadline` |
    /// | slow 503 (300 ms) forever | `call_timeout` 1.5 s | 5 | 1.51 s |
    /// | the API never answers | `timeout` 10 s, `call_timeout` 1 s | 1 | 1.01 s |
    /// | the token endpoint never answers | the same | 1 | 1.02 s |
    /// | a 401 at 0.8 s, then the token endpoint hangs | `call_timeout` 1 s | 3 | 1.01 s |
    /// | an answer dripped a byte per 20 ms; endless `100 Continue` | `call_timeout` 1 s | 1 | 1.00 s |
    /// | the token endpoint never answers, 8 threads | `timeout` 1 s | 1 | 1.02 s for all 8 |
    /// | the token endpoint answers 503, 32 threads | `max_retries(0)` / `(2)` | 1 / 3 | 0.41 s / 0.94 s |
    /// | the token endpoint answers 503 once | defaults | 2 | success |
    /// | the token endpoint answers 429 forever | 1 s `max_rate_limit_wait` | 5 | 0.77 s, `Error::TokenRateLimited` |
    /// | the API answers 401 forever | defaults | 4 (2 API, 2 token) | 21 ms |
    /// | 8 threads, a shared token refused (401) | defaults | 18 | 117 ms |
    /// | a connection closed without an answer, GET | defaults | 3 | 41 ms |
    /// | page tokens A, B, A, … | defaults | 3 | `Error::InvalidResponse` |
    /// | an endless 500 body | `max_body_size` 64 KiB | 3 | 43 ms, the 500 (its body cut at the cap) |
    /// | a 1 MiB response header | defaults | 1 | 24 ms, a protocol error |
    ///
    /// `cached_token()` answered in 0.8 µs while a fetch hung: the fetch runs outside the lock.
    pub fn send(&self) -> Result<Response, Error> {
        if let Some(&(argument, reason)) = self.bad_arguments.first() {
            return Err(Error::InvalidArgument { argument, reason });
        }
        if let Some(&(filter, reason)) = self.refused.first() {
            return Err(Error::InvalidFilter { filter, reason });
        }
        let url = self.url()?;
        let shown = display_url(&url);
        let client = self.client;
        // The caller's `Accept` and `Content-Type` replace the crate's: sent twice, the
        // server would pick either.
        let given = |name: &str| {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(self.headers.len() + 2);
        if given("accept").is_none() {
            headers.push(("accept", "application/json"));
        }
        let body = self
            .body
            .as_ref()
            .map(|(kind, bytes)| (given("content-type").unwrap_or(kind), bytes.as_slice()));
        headers.extend(
            self.headers
                .iter()
                .filter(|(n, _)| body.is_none() || !n.eq_ignore_ascii_case("content-type"))
                .map(|(n, v)| (n.as_str(), v.as_str())),
        );
        let label = format!("{} {shown}", self.method);
        // The tokens this call sent, so that an answer echoing one cannot put it in an error.
        let mut sent: Vec<AccessToken> = Vec::new();
        let mut refreshed = false;
        let policy = &client.settings().retry;
        let mut state = CallState::new(policy, crate::retry::deadline_after(policy.call_timeout));
        let finished = call::run(&mut state, self.repeatable, &label, |state| {
            loop {
                let token = client.access_token_by(state.deadline)?;
                // Wait here, rather than be refused, when the account's window is spent.
                let ticket = budget::take_turn(client.budget(), state, &label)?;
                state.sent_one();
                let bearer = format!("Bearer {}", token.secret());
                let mut all = headers.clone();
                all.push(("authorization", &bearer));
                let call = Call {
                    method: self.method.clone(),
                    url: &url,
                    headers: &all,
                    body,
                    limit: client.settings().max_body,
                    // A token fetch may have spent some of it.
                    time_left: state.time_left(),
                    loopback: client.api_base().is_loopback(),
                    tokens: &[token.secret()],
                };
                let result = client.transport().send(&call);
                if let Ok(reply) = &result
                    && let Some(reading) = Reading::from_headers(&reply.headers, SystemTime::now())
                {
                    client.budget().observe(ticket, reading);
                }
                if !sent.contains(&token) {
                    sent.push(token.clone());
                }
                return match result {
                    Ok(reply) if reply.status == 401 => {
                        // The token expired or was revoked: nothing was done, so any method
                        // may go again, once, with a fresh token. One refused on that second
                        // try goes too, so that no later call, this client's or another's
                        // sharing the store, sends it again.
                        client.invalidate(&token);
                        if refreshed {
                            Ok(Ok(reply))
                        } else {
                            log::info!(
                                target: "hotmart::request",
                                "{label}: HTTP 401, refreshing the access token and retrying"
                            );
                            refreshed = true;
                            continue;
                        }
                    }
                    Ok(reply) => Ok(Ok(reply)),
                    Err(Error::Transport(err)) => Ok(Err(err)),
                    Err(other) => Err(other),
                };
            }
        })?;
        let reply = finished.reply;
        if reply.is_success() {
            return Ok(Response {
                status: reply.status,
                headers: reply.headers,
                body: reply.body,
                url: shown,
            });
        }
        let known = client.known_tokens();
        let tokens: Vec<&str> = sent.iter().chain(&known).map(AccessToken::secret).collect();
        let scrub = |text: &str| client.transport().redactor().scrub(text, &tokens);
        let mut err = api_error(&self.method, shown, &reply, scrub);
        if let Some(gave_up) = finished.gave_up {
            err = err.with_gave_up(gave_up);
        }
        Err(err)
    }

    /// The URL as errors show it: without its query.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    pub(crate) fn shown_url(&self) -> String {
        match self.url() {
            Ok(url) => display_url(&url),
            Err(_) => display_url(&self.target),
        }
    }

    /// The full URL: the API base joined with the path, and the query. An absolute URL is
    /// accepted only under the API base, so the bearer token never goes anywhere else.
    fn url(&self) -> Result<String, Error> {
        let base = self.client.api_base();
        let target = self.target.as_str();
        let refuse = |reason| Error::InvalidUrl {
            url: display_url(target).chars().take(200).collect(),
            reason,
        };
        if target.contains('#') {
            return Err(refuse("a request URL takes no fragment"));
        }
        // Absolute only with a scheme before any path or query: `/x?next=https://…` is a path.
        let absolute = target
            .find("://")
            .is_some_and(|at| !target[..at].contains(['/', '?']));
        let mut url = if absolute {
            let under_base = target
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']));
            if !under_base {
                return Err(refuse(
                    "absolute URLs must be under the API base URL: the access token goes nowhere else",
                ));
            }
            target.to_owned()
        } else if target.starts_with('/') {
            base.join(target)
        } else {
            base.join(&format!("/{target}"))
        };
        let mut separator = if url.contains('?') { '&' } else { '?' };
        for (name, value) in &self.query {
            url.push(separator);
            crate::http::percent::encode_into(&mut url, name);
            url.push('=');
            crate::http::percent::encode_into(&mut url, value);
            separator = '&';
        }
        // The `http` crate holds no longer URI: past it, ureq would report a protocol error,
        // as if the server had sent one, after a token fetch.
        if url.len() > MAX_URL_LEN {
            return Err(refuse(
                "longer than 65,534 bytes, the most a request URL can hold",
            ));
        }
        // Likewise for what a URI cannot hold (a space or a letter outside ASCII in the path,
        // which ureq sends raw and servers refuse).
        if !url.bytes().all(|b| b.is_ascii_graphic()) || ureq::http::Uri::try_from(&url).is_err() {
            return Err(refuse(
                "not a URL HTTP can carry: percent-encode spaces and other characters in the path",
            ));
        }
        Ok(url)
    }
}

/// The longest request URL sent, the `http` crate's limit.
const MAX_URL_LEN: usize = u16::MAX as usize - 1;

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("query", &self.query)
            .field("repeatable", &self.repeatable)
            .finish_non_exhaustive()
    }
}

/// The error for a final non-2xx answer, with Hotmart's envelope when the body has one.
fn api_error(method: &Method, url: String, reply: &Reply, scrub: impl Fn(&str) -> String) -> Error {
    // JSON with neither `error` nor `error_description` (a gateway's `{"message": …}`) says
    // nothing as an envelope: its excerpt is kept instead.
    let envelope = Envelope::read(&reply.body, &scrub)
        .filter(|e| e.error.is_some() || e.description.is_some());
    let (error, description, error_uri, excerpt) = match envelope {
        Some(e) => (e.error, e.description, e.uri, String::new()),
        None => (None, None, None, crate::error::excerpt(&reply.body, &scrub)),
    };
    Error::Api(Box::new(ApiError {
        status: reply.status,
        method: method.to_string(),
        url,
        error,
        description,
        error_uri,
        excerpt,
        gave_up: None,
    }))
}
