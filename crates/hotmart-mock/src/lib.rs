//! A local Hotmart for tests (feature `mock`): a real HTTP server on 127.0.0.1 that speaks
//! the token endpoint and the common API endpoints as Hotmart does (bearer checks, rate-limit
//! headers and 429, cursor pagination over fictional sales, subscriptions and products), with
//! fault injection and a record of what it received.
//!
//! Use it to test your own programs without touching Hotmart:
//!
//! ```
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
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The server stops when the [`MockServer`] is dropped.

mod api;
mod query;
mod endpoints;
mod front;
#[cfg(feature = "tls")]
mod tls;
mod token;

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use hotmart::{Credentials, Environment, TOKEN_PATH};

/// The client id the mock accepts unless told otherwise.
pub const CLIENT_ID: &str = "mock-client-id";
/// The client secret the mock accepts unless told otherwise.
pub const CLIENT_SECRET: &str = "mock-client-secret";

/// The most request body bytes the mock reads.
const REQUEST_BODY_LIMIT: u64 = 1 << 20;

/// Which part of the mock a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /security/oauth/token`.
    Token,
    /// Everything else (the API).
    Api,
}

/// A misbehaviour to inject into the next requests, see [`MockServer::fail_next`].
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
    Delay(Duration),
    /// Answer 200 with an HTML page instead of JSON.
    NotJson,
    /// Answer 200 with the usual body cut in half (the HTTP framing is intact; the JSON is not).
    Truncated,
    /// Answer 200 with a JSON body of this many bytes.
    Oversized(usize),
    /// Read the request and never answer, so the client runs into its timeout.
    NoResponse,
}

/// A request as the mock received it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query's pairs, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lowercase, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Settings for a [`MockServer`]; made by [`MockServer::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until .start() is called"]
pub struct MockBuilder {
    client_id: String,
    client_secret: String,
    token_lifetime: Duration,
    rate_limit: (u32, Duration),
    counts: api::Counts,
    #[cfg(feature = "tls")]
    https: Option<tls::Https>,
    port: u16,
}

impl MockBuilder {
    /// How many API calls a window allows before answering 429. Default: 500 a minute, as
    /// Hotmart allows.
    pub fn rate_limit(mut self, calls: u32, window: Duration) -> Self {
        self.rate_limit = (calls, window);
        self
    }

    /// How many fictional sales the shop has. Default: 25, of which 19 are `APPROVED` or
    /// `COMPLETE` (what the sales endpoints list by default); one every 4 hours, the newest an
    /// hour before the server starts.
    pub fn sales(mut self, count: usize) -> Self {
        self.counts.sales = count;
        self
    }

    /// How many fictional subscriptions `GET /payments/api/v1/subscriptions` serves.
    /// Default: 12.
    pub fn subscriptions(mut self, count: usize) -> Self {
        self.counts.subscriptions = count;
        self
    }

    /// How many fictional products `GET /products/api/v1/products` serves. Default: 3.
    pub fn products(mut self, count: usize) -> Self {
        self.counts.products = count;
        self
    }

    /// The credentials the mock accepts. Default: [`CLIENT_ID`] and [`CLIENT_SECRET`].
    pub fn credentials(mut self, client_id: &str, client_secret: &str) -> Self {
        self.client_id = client_id.to_owned();
        self.client_secret = client_secret.to_owned();
        self
    }

    /// The lifetime of the tokens it issues, in whole seconds as `expires_in` carries it
    /// (rounded down). Default: 172 799 s, as Hotmart issues them.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// The port to listen on. Default: 0, a free port chosen by the system.
    ///
    /// ```
    /// use hotmart_mock::MockServer;
    ///
    /// let free = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let server = MockServer::builder().port(free).start()?;
    /// assert_eq!(server.addr().port(), free);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts the server on 127.0.0.1, on a free port unless [`port`](Self::port) says.
    pub fn start(self) -> io::Result<MockServer> {
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(io::Error::other)?;
        let backend = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the server has no IP address"))?;
        // Clients reach tiny_http only through the front, which bounds what a request holds.
        #[cfg(feature = "tls")]
        let front = match self.https {
            Some(https) => https.start(self.port, backend)?,
            None => front::Front::http(self.port, backend)?,
        };
        #[cfg(not(feature = "tls"))]
        let front = front::Front::http(self.port, backend)?;
        let addr = front.addr();
        let server = Arc::new(server);
        let state = Arc::new(State {
            client_id: self.client_id,
            client_secret: self.client_secret,
            token_lifetime_secs: AtomicU64::new(self.token_lifetime.as_secs()),
            seed: RandomState::new().hash_one(addr),
            next_token: AtomicU64::new(1),
            tokens: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            rate: Mutex::new(api::RateWindow::new(self.rate_limit.0, self.rate_limit.1)),
            store: Mutex::new(endpoints::data::Store::new(self.counts)),
        });
        let thread = {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            thread::Builder::new()
                .name("hotmart-mock".into())
                .spawn(move || {
                    for request in server.incoming_requests() {
                        let state = Arc::clone(&state);
                        // One thread a request, so a delayed answer holds up no other.
                        let _ = thread::Builder::new()
                            .name("hotmart-mock-request".into())
                            .spawn(move || serve(&state, request));
                    }
                })?
        };
        Ok(MockServer {
            addr,
            state,
            server,
            thread: Some(thread),
            front,
        })
    }
}

/// A local Hotmart on 127.0.0.1. See the [module documentation](self).
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    /// What clients connect to: http, or https when built with `MockBuilder::https`.
    front: front::Front,
}

impl MockServer {
    /// Starts a server with the default settings.
    pub fn start() -> io::Result<MockServer> {
        MockServer::builder().start()
    }

    /// A builder for the server's settings.
    pub fn builder() -> MockBuilder {
        MockBuilder {
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            token_lifetime: Duration::from_secs(172_799),
            rate_limit: (500, Duration::from_secs(60)),
            counts: api::Counts {
                sales: 25,
                subscriptions: 12,
                products: 3,
            },
            #[cfg(feature = "tls")]
            https: None,
            port: 0,
        }
    }

    /// The server's base URL, e.g. `http://127.0.0.1:41234`, or `https://localhost:41235`
    /// when it serves https.
    pub fn url(&self) -> String {
        self.front.url()
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An [`Environment::Custom`] whose auth and API URLs are this server.
    pub fn environment(&self) -> Environment {
        Environment::Custom {
            auth_url: self.url(),
            api_url: self.url(),
        }
    }

    /// The credentials this server accepts.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(&*self.state.client_id, &*self.state.client_secret)
    }

    /// Changes the lifetime of tokens issued from now on (whole seconds).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state
            .token_lifetime_secs
            .store(lifetime.as_secs(), Ordering::SeqCst);
    }

    /// Makes every token issued so far invalid, as if it had expired: the API answers 401
    /// to them.
    pub fn revoke_tokens(&self) {
        lock(&self.state.tokens).clear();
    }

    /// Changes the rate limit, starting a new window.
    pub fn set_rate_limit(&self, calls: u32, window: Duration) {
        *lock(&self.state.rate) = api::RateWindow::new(calls, window);
    }

    /// How many requests the API (everything but the token endpoint) has received.
    pub fn api_request_count(&self) -> usize {
        lock(&self.state.requests)
            .iter()
            .filter(|r| r.path != TOKEN_PATH)
            .count()
    }

    /// Makes the next `count` requests to `endpoint` misbehave as `fault` says. Faults queue
    /// up in the order given.
    pub fn fail_next(&self, endpoint: Endpoint, count: usize, fault: Fault) {
        let mut faults = lock(&self.state.faults);
        faults.extend(std::iter::repeat_n((endpoint, fault), count));
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The requests received by the token endpoint so far.
    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == TOKEN_PATH)
            .collect()
    }

    /// How many requests the token endpoint has received.
    pub fn token_request_count(&self) -> usize {
        lock(&self.state.requests)
            .iter()
            .filter(|r| r.path == TOKEN_PATH)
            .count()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the server threads share.
struct State {
    client_id: String,
    client_secret: String,
    token_lifetime_secs: AtomicU64,
    /// Makes token values unpredictable across servers.
    seed: u64,
    next_token: AtomicU64,
    /// Tokens issued and not revoked, with their expiry.
    tokens: Mutex<Vec<(String, Instant)>>,
    requests: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<VecDeque<(Endpoint, Fault)>>,
    rate: Mutex<api::RateWindow>,
    /// The fictional shop, changed by the API's writes.
    store: Mutex<endpoints::data::Store>,
}

impl State {
    fn take_fault(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let at = faults.iter().position(|(e, _)| *e == endpoint)?;
        faults.remove(at).map(|(_, fault)| fault)
    }
}

/// An answer before it is written.
struct Answer {
    status: u16,
    content_type: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Answer {
            status,
            content_type: "application/json;charset=UTF-8".to_owned(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Hotmart's error envelope.
    fn error(status: u16, error: &str, description: &str) -> Self {
        let body = format!(
            r#"{{"error":"{error}","error_description":"{description}","error_uri":"https://developers.hotmart.com/docs/en/start/http-response-codes/"}}"#
        );
        Answer::json(status, body)
    }
}

/// Locks a mutex of the mock; a panicking test thread must not wedge the server.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn record(request: &mut tiny_http::Request) -> RecordedRequest {
    let (path, query) = match request.url().split_once('?') {
        Some((path, query)) => (path, crate::query::parse(query)),
        None => (request.url(), Vec::new()),
    };
    let path = path.to_owned();
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let _ = request
        .as_reader()
        .take(REQUEST_BODY_LIMIT)
        .read_to_end(&mut body);
    RecordedRequest {
        method: request.method().as_str().to_owned(),
        path,
        query,
        headers,
        body,
    }
}

fn serve(state: &State, mut request: tiny_http::Request) {
    let recorded = record(&mut request);
    lock(&state.requests).push(recorded.clone());
    let endpoint = if recorded.path == TOKEN_PATH {
        Endpoint::Token
    } else {
        Endpoint::Api
    };
    let answer = match state.take_fault(endpoint) {
        None => Some(route(state, endpoint, &recorded)),
        Some(fault) => faulty(state, endpoint, &recorded, fault),
    };
    let Some(answer) = answer else {
        // Taking the writer and dropping it unused sends nothing at all.
        drop(request.into_writer());
        return;
    };
    let mut response = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
    let headers = std::iter::once(("Content-Type", answer.content_type)).chain(answer.headers);
    for (name, value) in headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let _ = request.respond(response);
}

fn route(state: &State, endpoint: Endpoint, request: &RecordedRequest) -> Answer {
    match endpoint {
        Endpoint::Token => token::respond(state, request),
        Endpoint::Api => api::respond(state, request),
    }
}

/// The answer a fault calls for; `None` for no answer at all.
fn faulty(
    state: &State,
    endpoint: Endpoint,
    request: &RecordedRequest,
    fault: Fault,
) -> Option<Answer> {
    let answer = match fault {
        Fault::Status(status) => Answer::error(status, "injected", "Injected failure"),
        Fault::Response {
            status,
            content_type,
            body,
        } => Answer {
            status,
            content_type,
            headers: Vec::new(),
            body,
        },
        Fault::Delay(delay) => {
            thread::sleep(delay);
            route(state, endpoint, request)
        }
        Fault::NotJson => Answer {
            status: 200,
            content_type: "text/html".to_owned(),
            headers: Vec::new(),
            body: b"<html><body>Service temporarily unavailable</body></html>".to_vec(),
        },
        Fault::Truncated => {
            let mut answer = route(state, endpoint, request);
            answer.status = 200;
            answer.body.truncate(answer.body.len() / 2);
            answer
        }
        Fault::Oversized(len) => {
            let mut body = b"{\"padding\":\"".to_vec();
            body.resize(len.saturating_sub(2).max(body.len()), b'x');
            body.extend_from_slice(b"\"}");
            Answer::json(200, body)
        }
        Fault::NoResponse => return None,
    };
    Some(answer)
}
