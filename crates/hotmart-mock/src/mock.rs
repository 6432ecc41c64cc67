//! The local Hotmart's handle and its settings.

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hotmart::{Credentials, Environment};

use crate::endpoints::data::{Counts, Store};
use crate::lock::lock;
use crate::rate::RateWindow;
use crate::record::Record;
use crate::state::State;
use crate::webhook::{self, Hottok};
use crate::{CLIENT_ID, CLIENT_SECRET, Endpoint, Fault, RecordedRequest, TOKEN_PATH};
use crate::{dispatch, http};

/// Settings for a [`MockServer`]; made by [`MockServer::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until .start() is called"]
pub struct MockBuilder {
    client_id: String,
    client_secret: String,
    token_lifetime: Duration,
    rate_limit: (u32, Duration),
    counts: Counts,
    #[cfg(feature = "tls")]
    pub(crate) https: Option<crate::tls::Https>,
    port: u16,
    webhook: Option<(String, Hottok)>,
    webhook_attempts: u32,
    webhook_first_delay: Duration,
    webhook_timeout: Duration,
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

    /// Sends webhooks to `url` with `hottok` in the `X-HOTMART-HOTTOK` header, as Hotmart
    /// does: when the shop changes (a refund: `PURCHASE_REFUNDED`; a subscription cancelled:
    /// `SUBSCRIPTION_CANCELLATION`; a plan switch: `SWITCH_PLAN`; a new charge day:
    /// `UPDATE_SUBSCRIPTION_CHARGE_DATE`) and on demand ([`MockServer::send_webhook`]).
    ///
    /// `url` must be `http://` on a loopback address or `localhost`, with a port; `hottok`
    /// non-empty visible ASCII. Anything else makes [`start`](Self::start) fail with
    /// [`io::ErrorKind::InvalidInput`]. The hottok never shows in `Debug`.
    ///
    /// ```
    /// use hotmart_mock::MockServer;
    ///
    /// let builder = MockServer::builder().webhook("http://127.0.0.1:9/hook", "s3cret");
    /// assert!(!format!("{builder:?}").contains("s3cret"));
    /// let refused = MockServer::builder().webhook("https://example.com/", "s3cret").start();
    /// assert_eq!(refused.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn webhook(mut self, url: &str, hottok: &str) -> Self {
        self.webhook = Some((url.to_owned(), Hottok(hottok.to_owned())));
        self
    }

    /// How a webhook is redelivered after a failure (an answer other than 2xx, or none):
    /// `attempts` in all (1 to 20), the first wait `first_delay` (at most 60 s), doubled after
    /// each failure. Default: 5 attempts, 100 ms first.
    pub fn webhook_retries(mut self, attempts: u32, first_delay: Duration) -> Self {
        self.webhook_attempts = attempts;
        self.webhook_first_delay = first_delay;
        self
    }

    /// How long one webhook attempt may take to connect, send, and read the answer's status
    /// line (above zero, at most 60 s). Default: 5 s.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// The webhook sender these settings call for; `None` without a receiver.
    fn webhook_sender(&self) -> io::Result<Option<webhook::Sender>> {
        let Some((url, hottok)) = &self.webhook else {
            return Ok(None);
        };
        let invalid = |why: &str| io::Error::new(io::ErrorKind::InvalidInput, why.to_owned());
        let target = webhook::Target::parse(url)?;
        if hottok.0.is_empty() || !hottok.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid("the hottok must be non-empty visible ASCII"));
        }
        if !(1..=webhook::MAX_ATTEMPTS).contains(&self.webhook_attempts)
            || self.webhook_first_delay > webhook::MAX_WAIT
            || self.webhook_timeout.is_zero()
            || self.webhook_timeout > webhook::MAX_WAIT
        {
            return Err(invalid(
                "webhook attempts must be 1 to 20, the first delay and the timeout at most 60 s \
                 (the timeout above zero)",
            ));
        }
        let config = webhook::Config {
            target,
            hottok: hottok.clone(),
            attempts: self.webhook_attempts,
            first_delay: self.webhook_first_delay,
            timeout: self.webhook_timeout,
        };
        webhook::Sender::start(config).map(Some)
    }

    /// Starts the server on 127.0.0.1, on a free port unless [`port`](Self::port) says.
    pub fn start(self) -> io::Result<MockServer> {
        let webhooks = self.webhook_sender()?;
        let listener = TcpListener::bind(("127.0.0.1", self.port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            client_id: self.client_id,
            client_secret: self.client_secret,
            token_lifetime_secs: AtomicU64::new(self.token_lifetime.as_secs()),
            seed: RandomState::new().hash_one(addr),
            next_token: AtomicU64::new(1),
            tokens: Mutex::new(Vec::new()),
            requests: Mutex::new(Record::default()),
            faults: Mutex::new(VecDeque::new()),
            rate: Mutex::new(RateWindow::new(self.rate_limit.0, self.rate_limit.1)),
            store: Mutex::new(Store::new(self.counts)),
            webhooks: webhooks.as_ref().map(|w| Arc::clone(&w.hooks)),
        });
        let handler = {
            let state = Arc::clone(&state);
            move |request: &http::Request| dispatch::serve(&state, request)
        };
        let limits = http::Limits::default();
        #[cfg(feature = "tls")]
        if let Some(https) = self.https {
            return Ok(MockServer {
                addr,
                state,
                url: format!("https://localhost:{}", addr.port()),
                _server: https.serve(listener, limits, handler)?,
                webhooks,
            });
        }
        Ok(MockServer {
            addr,
            state,
            url: format!("http://127.0.0.1:{}", addr.port()),
            _server: http::serve(listener, limits, handler)?,
            webhooks,
        })
    }
}

/// A local Hotmart on 127.0.0.1. See the [crate documentation](crate).
pub struct MockServer {
    addr: SocketAddr,
    pub(crate) state: Arc<State>,
    /// `http://127.0.0.1:<port>`, or `https://localhost:<port>` when it serves https.
    url: String,
    /// Serves until dropped.
    _server: http::Server,
    /// Sends webhooks until dropped.
    pub(crate) webhooks: Option<webhook::Sender>,
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
            counts: Counts {
                sales: 25,
                subscriptions: 12,
                products: 3,
            },
            #[cfg(feature = "tls")]
            https: None,
            port: 0,
            webhook: None,
            webhook_attempts: 5,
            webhook_first_delay: Duration::from_millis(100),
            webhook_timeout: Duration::from_secs(5),
        }
    }

    /// The server's base URL, e.g. `http://127.0.0.1:41234`, or `https://localhost:41235`
    /// when it serves https.
    pub fn url(&self) -> String {
        self.url.clone()
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
        *lock(&self.state.rate) = RateWindow::new(calls, window);
    }

    /// How many requests the API (everything but the token endpoint) has received (since
    /// [`clear_requests`](Self::clear_requests)), all of them counted.
    pub fn api_request_count(&self) -> usize {
        lock(&self.state.requests).api_count()
    }

    /// Makes the next `count` requests to `endpoint` misbehave as `fault` says. Faults queue
    /// up in the order given.
    pub fn fail_next(&self, endpoint: Endpoint, count: usize, fault: Fault) {
        let mut faults = lock(&self.state.faults);
        faults.extend(std::iter::repeat_n((endpoint, fault), count));
    }

    /// Every request received so far, in order of arrival: the newest
    /// [`MAX_RECORDED`](crate::MAX_RECORDED) within
    /// [`MAX_RECORDED_BYTES`](crate::MAX_RECORDED_BYTES), so that a server that runs for long
    /// keeps a bounded record.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).kept().cloned().collect()
    }

    /// The requests received by the token endpoint so far, among those
    /// [`requests`](Self::requests) keeps.
    pub fn token_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == TOKEN_PATH)
            .collect()
    }

    /// How many requests the token endpoint has received (since
    /// [`clear_requests`](Self::clear_requests)), all of them counted.
    pub fn token_request_count(&self) -> usize {
        lock(&self.state.requests).token_count()
    }

    /// Forgets the requests received so far, and their counts.
    pub fn clear_requests(&self) {
        *lock(&self.state.requests) = Record::default();
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
