//! One connection to Redis (feature `redis`), shared by the rate budget and the token store of
//! a client, with every failure contained: bounded connect and command timeouts, and while
//! Redis cannot be reached the callers get `None` at once and fall back to what they do
//! without Redis. A warning goes to the log at most once a minute; the URL's credentials are
//! never shown.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, ConnectionLike, IntoConnectionInfo, RedisResult, Value};

use crate::secret::Secret;

/// The most time connecting to Redis (with its handshake) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// The most time one command may wait for its answer, and for its bytes to be sent.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// The largest reply read from Redis: ours are a few numbers or one token.
const MAX_REPLY: usize = 64 * 1024;
/// After a failure, how long callers fall back without trying Redis again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// At most one warning about Redis in this time.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// The Redis URL as given, checked; its `Debug` and [`shown`](RedisUrl::shown) form never hold
/// the user name or password.
#[derive(Clone)]
pub(crate) struct RedisUrl {
    url: Secret,
    shown: String,
    /// `rediss://`: TLS, with Mozilla's roots and the client's extra ones.
    tls: bool,
}

impl RedisUrl {
    /// Checks the URL without connecting. The reason, on failure, never quotes the URL.
    pub(crate) fn parse(url: &str) -> Result<RedisUrl, &'static str> {
        #[cfg(feature = "rustls")]
        const EXPECTED: &str = "expected redis://[user:password@]host[:port][/db], \
                                rediss://… (TLS) or unix:///path/to/socket";
        #[cfg(not(feature = "rustls"))]
        const EXPECTED: &str = "expected redis://[user:password@]host[:port][/db] or \
                                unix:///path/to/socket (rediss:// needs TLS: the rustls \
                                feature)";
        let url = url.trim();
        if url.is_empty() || url.chars().any(char::is_control) {
            return Err(EXPECTED);
        }
        redis::Client::open(url).map_err(|_| EXPECTED)?;
        Ok(RedisUrl {
            shown: shown(url),
            tls: url.starts_with("rediss://"),
            url: Secret::new(url),
        })
    }

    /// The URL without user information, for messages.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// The password (or whole user information) in the URL, to scrub from error texts.
    fn userinfo(&self) -> Option<&str> {
        let url = self.url.expose();
        let rest = &url[url.find("://")? + 3..];
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        authority.rfind('@').map(|at| &authority[..at])
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The client for a `rediss://` URL: Mozilla's roots and the extra ones, never the system's
/// store (as for the API). `None` without TLS support in this build.
#[cfg(feature = "rustls")]
fn tls_client(url: &RedisUrl, extra_roots: &[Vec<u8>]) -> Option<redis::Client> {
    use base64::Engine as _;
    let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| c.as_ref());
    let mut pem = String::new();
    for der in mozilla.chain(extra_roots.iter().map(Vec::as_slice)) {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in text.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    let certificates = redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.into_bytes()),
    };
    redis::Client::build_with_tls(url.url.expose(), certificates).ok()
}

#[cfg(not(feature = "rustls"))]
fn tls_client(_: &RedisUrl, _: &[Vec<u8>]) -> Option<redis::Client> {
    None
}

/// `scheme://host:port/db` with any `user:password@` replaced by `***@`, and no query.
fn shown(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let Some(scheme_end) = url.find("://") else {
        return "<redis url>".to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    format!("{}://{host}{path}", &url[..scheme_end])
}

/// A lazily made connection to one Redis server.
pub(crate) struct Link {
    url: RedisUrl,
    client: redis::Client,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    connection: Option<Connection>,
    /// Until then, Redis is not tried again.
    down_until: Option<Instant>,
    last_warning: Option<Instant>,
}

impl Link {
    /// A link to `url`; over TLS (`rediss://`), the server's certificate must chain to one of
    /// Mozilla's roots or of `extra_roots` (DER), as for the API. Does no I/O.
    pub(crate) fn new(url: &RedisUrl, extra_roots: &[Vec<u8>]) -> Link {
        // Parsed once already by RedisUrl::parse; it cannot fail here, but if it did, the
        // link would simply stay down.
        let tls = if url.tls {
            tls_client(url, extra_roots)
        } else {
            None
        };
        let client = tls
            .map(Ok)
            .unwrap_or_else(|| redis::Client::open(url.url.expose()))
            .or_else(|_| redis::Client::open("redis://127.0.0.1:1/"))
            .expect("a constant URL parses");
        Link {
            url: url.clone(),
            client,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a connection and two instants: nothing a panic can leave half-set.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `command` on the connection, connecting first if needed. `None` if Redis cannot be
    /// reached or the command fails: the caller then does without Redis, this time. `what`
    /// names the command in the warning.
    ///
    /// The link serializes this process's commands: each is one round trip, bounded by the
    /// timeouts, so no caller waits long.
    pub(crate) fn with<T>(
        &self,
        what: &str,
        command: impl FnOnce(&mut dyn ConnectionLike) -> RedisResult<T>,
    ) -> Option<T> {
        let mut state = self.state();
        let now = Instant::now();
        if state.down_until.is_some_and(|until| now < until) {
            return None;
        }
        if state.connection.is_none() {
            match self.connect() {
                Ok(connection) => {
                    state.connection = Some(connection);
                    if state.down_until.take().is_some() {
                        log::info!(
                            target: "hotmart::redis",
                            "Redis at {} is reachable again",
                            self.url.shown()
                        );
                    }
                }
                Err(err) => {
                    self.failed(&mut state, what, &err);
                    return None;
                }
            }
        }
        let connection: &mut dyn ConnectionLike = match state.connection.as_mut()? {
            Connection::Bounded(c) => c,
            Connection::Crate(c) => c,
        };
        match command(connection) {
            Ok(value) => Some(value),
            Err(err) => {
                self.failed(&mut state, what, &err);
                None
            }
        }
    }

    fn connect(&self) -> RedisResult<Connection> {
        // Plain TCP: our own connection, whose replies are bounded in time and size.
        if let Ok(info) = self.url.url.expose().into_connection_info()
            && let ConnectionAddr::Tcp(host, port) = info.addr()
        {
            return Bounded::connect(host, *port, info.redis_settings()).map(Connection::Bounded);
        }
        // rustls panics when it cannot tell which crypto provider to use (a program that
        // builds two of them and installs neither): a failure to connect, not a crash.
        let connected = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.client.get_connection_with_timeout(CONNECT_TIMEOUT)
        }));
        let connection = connected.unwrap_or_else(|_| {
            Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "TLS could not start (no rustls crypto provider chosen)",
            )))
        })?;
        connection.set_read_timeout(Some(COMMAND_TIMEOUT))?;
        connection.set_write_timeout(Some(COMMAND_TIMEOUT))?;
        Ok(Connection::Crate(connection))
    }

    /// Drops the connection (the next try makes a new one), keeps Redis untried for a second,
    /// and warns unless it did so in the last minute.
    fn failed(&self, state: &mut State, what: &str, err: &redis::RedisError) {
        state.connection = None;
        let now = Instant::now();
        state.down_until = now.checked_add(RETRY_AFTER);
        if state
            .last_warning
            .is_some_and(|at| now.saturating_duration_since(at) < WARN_EVERY)
        {
            return;
        }
        state.last_warning = Some(now);
        let mut cause = err.to_string();
        if let Some(userinfo) = self.url.userinfo().filter(|u| !u.is_empty()) {
            cause = cause.replace(userinfo, "***");
            if let Some((_, password)) = userinfo.split_once(':')
                && !password.is_empty()
            {
                cause = cause.replace(password, "***");
            }
        }
        let cause: String = cause.chars().take(200).collect();
        log::warn!(
            target: "hotmart::redis",
            "Redis at {} failed ({what}: {cause}); doing without it (in-process rate budget, \
             token from this process) until it answers again; this warning is repeated at most \
             once a minute",
            self.url.shown()
        );
    }
}

enum Connection {
    /// `redis://`: every reply within [`COMMAND_TIMEOUT`] and [`MAX_REPLY`].
    Bounded(Bounded),
    /// `rediss://` and `unix://`: the crate's connection, whose timeouts bound each read, not
    /// a whole reply.
    Crate(redis::Connection),
}

/// A plain TCP connection to Redis whose every reply is bounded as a whole: a server that
/// trickles bytes, or sends without end, fails the command within [`COMMAND_TIMEOUT`] or at
/// [`MAX_REPLY`] bytes (the crate's connection bounds only each read, so such a server would
/// hold the link, and every call behind it, forever).
struct Bounded {
    stream: TcpStream,
    parser: redis::Parser,
    db: i64,
    open: bool,
}

impl Bounded {
    fn connect(host: &str, port: u16, settings: &redis::RedisConnectionInfo) -> RedisResult<Self> {
        let started = Instant::now();
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address for the host");
        let mut stream = None;
        for addr in (host, port).to_socket_addrs()? {
            let left = CONNECT_TIMEOUT.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&addr, left) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(err) => last = err,
            }
        }
        let stream = stream.ok_or(last)?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(COMMAND_TIMEOUT))?;
        let mut connection = Bounded {
            stream,
            parser: redis::Parser::new(),
            db: settings.db(),
            open: true,
        };
        if let Some(password) = settings.password() {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = settings.username() {
                auth.arg(user);
            }
            auth.arg(password).exec(&mut connection)?;
        }
        if settings.db() != 0 {
            redis::cmd("SELECT")
                .arg(settings.db())
                .exec(&mut connection)?;
        }
        Ok(connection)
    }
}

/// The connection's bytes until a deadline and up to a size.
struct Capped<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
    left: usize,
}

impl<'a> Capped<'a> {
    /// A reader for one reply: at most `MAX_REPLY` bytes within `COMMAND_TIMEOUT`.
    fn new(stream: &'a TcpStream) -> Self {
        Capped {
            stream,
            deadline: Instant::now()
                .checked_add(COMMAND_TIMEOUT)
                .unwrap_or_else(Instant::now),
            left: MAX_REPLY,
        }
    }
}

impl Read for Capped<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a Redis reply larger than any this client asks for",
            ));
        }
        let time = self.deadline.saturating_duration_since(Instant::now());
        if time.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "a Redis reply not complete within the command timeout",
            ));
        }
        self.stream.set_read_timeout(Some(time))?;
        let n = buf.len().min(self.left);
        let read = self.stream.read(&mut buf[..n])?;
        self.left -= read;
        Ok(read)
    }
}

impl ConnectionLike for Bounded {
    fn req_packed_command(&mut self, cmd: &[u8]) -> RedisResult<Value> {
        let reply = (|| {
            (&self.stream).write_all(cmd)?;
            let reader = Capped::new(&self.stream);
            self.parser.parse_value(reader)
        })();
        if reply.is_err() {
            self.open = false;
        }
        reply
    }

    fn req_packed_commands(
        &mut self,
        cmd: &[u8],
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        // Not used by this crate (no pipelines); done simply, each reply bounded.
        let mut values = Vec::new();
        let first = self.req_packed_command(cmd)?;
        values.push(first);
        for _ in 1..offset.saturating_add(count) {
            let reader = Capped::new(&self.stream);
            values.push(self.parser.parse_value(reader)?);
        }
        Ok(values.into_iter().skip(offset).collect())
    }

    fn get_db(&self) -> i64 {
        self.db
    }

    fn check_connection(&mut self) -> bool {
        redis::cmd("PING").exec(self).is_ok()
    }

    fn is_open(&self) -> bool {
        self.open
    }
}

/// A key for `purpose` (`budget`, `token`…) and the given parts, e.g. the API base URL and the
/// client id: a digest of them, so any value makes a valid key and none is spelled out. The
/// braces keep one account's keys in one slot of a Redis Cluster.
pub(crate) fn key(purpose: &str, parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("hotmart:v1:{{{hash:016x}}}:{purpose}")
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_never_shown_with_credentials() {
        let url = RedisUrl::parse("redis://user:s3cret@cache.internal:6380/2").unwrap();
        assert_eq!(url.shown(), "redis://***@cache.internal:6380/2");
        assert_eq!(format!("{url:?}"), "redis://***@cache.internal:6380/2");
        assert_eq!(url.userinfo(), Some("user:s3cret"));
        let url = RedisUrl::parse("redis://:s3cret@127.0.0.1/").unwrap();
        assert!(!url.shown().contains("s3cret"));
        let url = RedisUrl::parse("redis://127.0.0.1:6379").unwrap();
        assert_eq!(url.shown(), "redis://127.0.0.1:6379");
        assert_eq!(url.userinfo(), None);
        for bad in [
            "",
            "   ",
            "http://127.0.0.1:6379",
            "redis://",
            "not a url",
            "redis://host:notaport/",
            "redis://a:b@host\n:6379",
        ] {
            let err = RedisUrl::parse(bad).expect_err(bad);
            assert!(!err.contains("notaport") && !err.contains("a:b@"), "{err}");
        }
    }

    #[test]
    fn a_link_to_nothing_falls_back_at_once_and_does_not_retry_for_a_while() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let url = RedisUrl::parse(&format!("redis://u:pw@{addr}/")).unwrap();
        let link = Link::new(&url, &[]);
        let started = Instant::now();
        assert_eq!(
            link.with("PING", |c| redis::cmd("PING").query::<String>(c)),
            None
        );
        assert!(started.elapsed() < CONNECT_TIMEOUT + Duration::from_millis(200));
        // Within the next second, no connection is tried at all.
        let started = Instant::now();
        for _ in 0..1000 {
            assert_eq!(
                link.with("PING", |c| redis::cmd("PING").query::<String>(c)),
                None
            );
        }
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn keys_hold_no_value_in_clear() {
        let k = key(
            "budget",
            &["https://developers.hotmart.com", "my-client-id"],
        );
        assert!(
            k.starts_with("hotmart:v1:{") && k.ends_with("}:budget"),
            "{k}"
        );
        assert!(!k.contains("my-client-id"));
        assert_ne!(
            k,
            key("budget", &["https://sandbox.hotmart.com", "my-client-id"])
        );
    }
}
