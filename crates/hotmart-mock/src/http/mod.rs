//! A small blocking HTTP/1.1 server on a listener of its own: the local Hotmart runs on it, and
//! so can any other test double or receiver that answers one request at a time.
//!
//! [`serve`] takes a bound [`TcpListener`], the [`Limits`] a request must keep to, and a handler
//! that turns each [`Request`] into a [`Response`]. Every connection gets a thread of its own,
//! up to [`Limits::max_connections`] at once (further clients wait in the listener's backlog).
//! Connections are kept alive between requests unless the client asks otherwise or an answer
//! [closes](Response::close) them. The head is parsed with `httparse`; a body comes by
//! `Content-Length` or chunked.
//!
//! What the server answers on its own, before the handler sees anything, with
//! `Connection: close`: 431 for a head over [`Limits::max_head`] bytes (as soon as that many
//! have arrived, without waiting for the rest), 413 for a body over [`Limits::max_body`]
//! (before reading it, when `Content-Length` says so), 501 for a transfer coding other than
//! chunked, 400 for a head that is not ASCII or not HTTP, or a body that is framed wrong.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::{TcpListener, TcpStream};
//!
//! use hotmart_mock::http::{self, Limits, Response};
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let server = http::serve(listener, Limits::default(), |request| {
//!     let text = format!("{} {}", request.method(), request.path());
//!     Some(Response::new(200).header("Content-Type", "text/plain").body(text))
//! })?;
//!
//! let mut stream = TcpStream::connect(server.addr())?;
//! stream.write_all(b"GET /hello?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.ends_with("\r\n\r\nGET /hello"));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The server stops when the [`Server`] is dropped: it accepts no more connections and closes
//! the open ones.

mod body;
mod conn;
mod head;

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::lock::lock;

/// What a request may hold and how long it may take; see the [module documentation](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most bytes of a request head: request line, headers and the empty line. Beyond:
    /// 431. Default: 64 KiB.
    pub max_head: usize,
    /// The most bytes of a request body, however framed. Beyond: 413. Default: 1 MiB.
    pub max_body: u64,
    /// How long a connection may stay silent, either way, and how long a kept-alive
    /// connection waits for its next request. Default: 60 s.
    pub idle_timeout: Duration,
    /// How long one request, head and body, may take to arrive from its first byte on; a
    /// client too slow is disconnected. Default: 60 s.
    pub request_timeout: Duration,
    /// The most connections served at once; others wait to be accepted. Default: 128.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head: 64 * 1024,
            max_body: 1 << 20,
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            max_connections: 128,
        }
    }
}

impl Limits {
    fn check(&self) -> io::Result<()> {
        let zero = self.max_head == 0
            || self.max_connections == 0
            || self.idle_timeout.is_zero()
            || self.request_timeout.is_zero();
        if zero {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "every limit of the server must be above zero",
            ));
        }
        Ok(())
    }
}

/// A request as the server read it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    /// The method, e.g. `POST`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent: the path and, after `?`, the query.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _)| path)
    }

    /// The query, without the `?`, as sent (percent-encoded); `None` without a `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }

    /// The headers, names and values as sent (values trimmed), in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body, unframed (a chunked body without its chunk lines).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for Request {
    // Headers and bodies may carry credentials: the method and path only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

/// An answer to write. The server adds `Content-Length` (and `Connection: close` when it
/// closes); the handler's own framing headers (`Content-Length`, `Transfer-Encoding`,
/// `Connection`) and headers holding a line break are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Response {
    /// An answer with this status, no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            close: false,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Closes the connection after this answer, whatever the client asked: for a client
    /// that should not keep its place (one that failed to authenticate, say).
    #[must_use]
    pub fn close(mut self) -> Self {
        self.close = true;
        self
    }

    /// Whether the connection is closed after this answer.
    pub fn closes(&self) -> bool {
        self.close
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// A client connection as the server reads and writes it: plain TCP, or e.g. TLS over TCP
/// (see [`serve_with`]).
pub trait Stream: Read + Write {
    /// The TCP connection underneath, for timeouts and the lingering close.
    fn tcp(&self) -> &TcpStream;

    /// Sends what is pending and ends the server's direction: the client reads the end.
    fn finish(&mut self) -> io::Result<()>;
}

impl Stream for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush()?;
        self.shutdown(Shutdown::Write)
    }
}

/// Serves plain HTTP on `listener` until the returned [`Server`] is dropped. The handler
/// answers each request; `None` answers nothing at all (the connection stays open, silent,
/// until the client gives up or [`Limits::idle_timeout`] passes), to test a client's timeout.
///
/// Fails with [`io::ErrorKind::InvalidInput`] if a limit is zero.
pub fn serve<H>(listener: TcpListener, limits: Limits, handler: H) -> io::Result<Server>
where
    H: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
{
    start(
        listener,
        limits,
        Ok::<TcpStream, io::Error>,
        no_check,
        handler,
    )
}

/// [`serve`], with `check` asked about each request once its head is read, before its body
/// is: the [`Request`] it gets has an empty body. `Some` answers at once, without the body
/// being asked for (`100 Continue`) or read, and closes the connection; `None` goes on to
/// `handler`. For refusals that a head settles (a credential missing or wrong), so that a
/// client refused costs the server a head, not a body.
///
/// ```
/// use std::io::{Read, Write};
/// use hotmart_mock::http::{self, Limits, Response};
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let server = http::serve_checked(
///     listener,
///     Limits::default(),
///     |head| head.header("x-key").is_none().then(|| Response::new(401)),
///     |request| Some(Response::new(200).body(request.body().to_vec())),
/// )?;
/// let mut stream = std::net::TcpStream::connect(server.addr())?;
/// stream.write_all(b"POST / HTTP/1.1\r\nHost: l\r\nContent-Length: 1000000\r\n\r\n")?;
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer)?; // refused before a byte of the body was sent
/// assert!(answer.starts_with("HTTP/1.1 401 "));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Fails with [`io::ErrorKind::InvalidInput`] if a limit is zero.
pub fn serve_checked<C, H>(
    listener: TcpListener,
    limits: Limits,
    check: C,
    handler: H,
) -> io::Result<Server>
where
    C: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    H: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
{
    start(listener, limits, Ok::<TcpStream, io::Error>, check, handler)
}

/// The check of [`serve`] and [`serve_with`]: every head goes on to the handler.
fn no_check(_: &Request) -> Option<Response> {
    None
}

/// [`serve`] over streams of another kind: `wrap` turns each accepted connection into one, on
/// the connection's own thread (a TLS handshake, say); a connection it fails is closed.
pub fn serve_with<S, W, H>(
    listener: TcpListener,
    limits: Limits,
    wrap: W,
    handler: H,
) -> io::Result<Server>
where
    S: Stream,
    W: Fn(TcpStream) -> io::Result<S> + Send + Sync + 'static,
    H: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
{
    start(listener, limits, wrap, no_check, handler)
}

fn start<S, W, C, H>(
    listener: TcpListener,
    limits: Limits,
    wrap: W,
    check: C,
    handler: H,
) -> io::Result<Server>
where
    S: Stream,
    W: Fn(TcpStream) -> io::Result<S> + Send + Sync + 'static,
    C: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    H: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
{
    limits.check()?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        open: Mutex::new(Open::default()),
        freed: Condvar::new(),
    });
    let thread = {
        let shared = Arc::clone(&shared);
        let job = Arc::new((limits, wrap, check, handler));
        thread::Builder::new()
            .name("hotmart-mock-accept".into())
            .spawn(move || accept(&listener, &shared, &job))?
    };
    Ok(Server {
        addr,
        shared,
        thread: Some(thread),
    })
}

/// A running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.freed.notify_all();
        // Wake the accept loop so that it sees the flag.
        // Bounded: with the connection cap reached and the backlog full, a plain connect
        // would wait for the kernel's SYN retries.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Connections kept alive end too: their threads read the end and return.
        for stream in lock(&self.shared.open).streams.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// What the accept loop and the connection threads share.
struct Shared {
    stop: AtomicBool,
    open: Mutex<Open>,
    /// Signalled when a connection ends or gives up its place (or the server stops).
    freed: Condvar,
}

/// The open connections, so that the cap holds and a stop can close them: those that hold a
/// place, and those that only drain after their last answer, which hold none.
#[derive(Default)]
struct Open {
    next: u64,
    streams: HashMap<u64, TcpStream>,
    lingering: usize,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Waits for a free place under the cap, then registers `stream`; `None` if the server
    /// stops first (or the stream cannot be registered).
    fn admit(&self, stream: &TcpStream, cap: usize) -> Option<u64> {
        let mut open = lock(&self.open);
        while open.streams.len() - open.lingering >= cap && !self.stopped() {
            open = self
                .freed
                .wait(open)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if self.stopped() {
            return None;
        }
        let id = open.next;
        open.next += 1;
        open.streams.insert(id, stream.try_clone().ok()?);
        Some(id)
    }

    fn release(&self, id: u64, lingering: bool) {
        let mut open = lock(&self.open);
        if open.streams.remove(&id).is_some() && lingering {
            open.lingering -= 1;
        }
        drop(open);
        self.freed.notify_all();
    }

    /// Lets one more connection drain without its place, if fewer than [`MAX_LINGERING`] do.
    fn linger_without_place(&self) -> bool {
        let mut open = lock(&self.open);
        if open.lingering >= MAX_LINGERING {
            return false;
        }
        open.lingering += 1;
        drop(open);
        self.freed.notify_all();
        true
    }
}

/// The most connections that linger at once after their last answer, having given up their
/// place; past it a connection closes at once.
const MAX_LINGERING: usize = 64;

/// A connection's place under the cap, freed however its thread ends (a panicking handler
/// included), or if the thread cannot start.
struct Place {
    shared: Arc<Shared>,
    id: u64,
    lingering: bool,
}

impl Place {
    /// Gives up the place for the connection's lingering close, so that senders refused by
    /// their head cannot hold the server's places while it drains what they still send; the
    /// stream stays known, so that a stop still ends it. `false` when [`MAX_LINGERING`]
    /// connections already linger: this one closes at once.
    fn leave(&mut self) -> bool {
        if !self.lingering {
            self.lingering = self.shared.linger_without_place();
        }
        self.lingering
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.shared.release(self.id, self.lingering);
    }
}

fn accept<S, W, C, H>(listener: &TcpListener, shared: &Arc<Shared>, job: &Arc<(Limits, W, C, H)>)
where
    S: Stream,
    W: Fn(TcpStream) -> io::Result<S> + Send + Sync + 'static,
    C: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    H: Fn(&Request) -> Option<Response> + Send + Sync + 'static,
{
    for stream in listener.incoming() {
        if shared.stopped() {
            break;
        }
        let stream = match stream {
            Ok(stream) => stream,
            Err(_) => {
                // Out of descriptors, say: wait a little rather than spin.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let Some(id) = shared.admit(&stream, job.0.max_connections) else {
            break;
        };
        let mut place = Place {
            shared: Arc::clone(shared),
            id,
            lingering: false,
        };
        let job = Arc::clone(job);
        // Should the thread not start, the closure, its place and the stream go with the error.
        let _ = thread::Builder::new()
            .name("hotmart-mock-connection".into())
            .spawn(move || {
                let (limits, wrap, check, handler) = &*job;
                if let Ok(stream) = wrap(stream) {
                    let by = conn::Answerers { check, handler };
                    conn::run(stream, limits, by, &mut place);
                }
            });
    }
}

/// The reason phrase of a status, as the status line carries it.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
