//! A raw HTTP/1.1 server on 127.0.0.1 that answers by script, for tests of a hostile network:
//! answers that hang, drip, close mid-body or echo the request back. std only.
//!
//! Every connection gets one request and one answer, then is closed. The server counts the
//! connections and requests it saw and keeps the requests. It stops by itself: dropping the
//! [`HostileServer`] sets a flag that the accept loop and every connection thread poll, and
//! every loop in here is bounded.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The most bytes read of a request head; a longer head is answered 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most bytes read of a request body.
pub const MAX_BODY: usize = 1 << 20;
/// How long anything in here waits at most, whatever the script says: a test that forgets to
/// end still frees its threads.
const LIFETIME: Duration = Duration::from_secs(60);
/// How often waiting loops look at the shutdown flag.
const POLL: Duration = Duration::from_millis(5);

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The 0-based number of this request among all the server saw.
    pub index: usize,
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// The head, request line and headers, as sent (lossy UTF-8).
    pub head: String,
    pub body: Vec<u8>,
}

impl Request {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// A query parameter's raw (still percent-encoded) value.
    pub fn query(&self, name: &str) -> Option<&str> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            (n == name).then_some(v)
        })
    }

    /// Whether this is a request for the token endpoint.
    pub fn is_token(&self) -> bool {
        self.path() == hotmart::Environment::TOKEN_PATH
    }

    /// The whole request, head and body, as text.
    pub fn text(&self) -> String {
        format!("{}{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

/// What the server does with a request.
pub enum Answer {
    /// Writes these bytes, then closes the connection.
    Raw(Vec<u8>),
    /// Answers nothing and keeps the connection open until the server is dropped.
    Hang,
    /// Closes the connection without a byte.
    Close,
    /// Waits this long (or until the server is dropped), then answers.
    After(Duration, Box<Answer>),
    /// Writes these bytes one at a time, this long apart (until the server is dropped).
    Drip(Vec<u8>, Duration),
}

impl Answer {
    /// A complete answer: status line, these headers, `Content-Length` and the body.
    pub fn status(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Answer {
        let body = body.as_ref();
        let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body);
        Answer::Raw(bytes)
    }

    /// A JSON answer.
    pub fn json(status: u16, body: impl AsRef<[u8]>) -> Answer {
        Answer::status(status, &[("Content-Type", "application/json")], body)
    }

    /// A plain-text answer.
    pub fn text(status: u16, body: impl AsRef<[u8]>) -> Answer {
        Answer::status(status, &[("Content-Type", "text/plain")], body)
    }

    /// A valid token response for `token`.
    pub fn token(token: &str) -> Answer {
        Answer::json(
            200,
            format!(r#"{{"access_token":"{token}","token_type":"bearer","expires_in":3600}}"#),
        )
    }

    /// A 429 with this one header.
    pub fn rate_limited(header: &str, value: &str) -> Answer {
        Answer::status(429, &[(header, value)], "")
    }

    /// Announces `body` with a larger `Content-Length`, sends only `body`, then closes.
    pub fn cut(status: u16, body: &str) -> Answer {
        let head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reason(status),
            body.len() + 1000
        );
        Answer::Raw([head.as_bytes(), body.as_bytes()].concat())
    }

    /// This answer, once `delay` has passed.
    pub fn after(delay: Duration, answer: Answer) -> Answer {
        Answer::After(delay, Box::new(answer))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

type Script = dyn Fn(&Request) -> Answer + Send + Sync;

struct Shared {
    stop: AtomicBool,
    connections: AtomicUsize,
    requests: AtomicUsize,
    seen: Mutex<Vec<Request>>,
    script: Box<Script>,
}

/// The server; it stops when dropped.
pub struct HostileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Starts a server that answers every request by `script`.
    pub fn start(script: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
            script: Box::new(script),
        });
        let state = Arc::clone(&shared);
        let accept = thread::spawn(move || {
            let born = Instant::now();
            while !state.stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        state.connections.fetch_add(1, Ordering::SeqCst);
                        let state = Arc::clone(&state);
                        thread::spawn(move || serve(stream, &state));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(POLL),
                    Err(_) => thread::sleep(POLL),
                }
            }
        });
        HostileServer {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// Answers every request with a fresh copy of `bytes`.
    pub fn fixed(bytes: &'static [u8]) -> HostileServer {
        HostileServer::start(move |_| Answer::Raw(bytes.to_vec()))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An environment with both base URLs here.
    pub fn environment(&self) -> hotmart::Environment {
        hotmart::Environment::Custom {
            auth_url: self.url(),
            api_url: self.url(),
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Requests read so far (heads complete).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The requests read so far.
    pub fn seen(&self) -> Vec<Request> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Requests to the token endpoint so far.
    pub fn token_requests(&self) -> usize {
        self.seen().iter().filter(|r| r.is_token()).count()
    }

    /// Requests to anything but the token endpoint so far.
    pub fn api_requests(&self) -> usize {
        self.seen().iter().filter(|r| !r.is_token()).count()
    }

    /// Waits (a bounded time) until `n` requests have been read.
    pub fn wait_for_requests(&self, n: usize, within: Duration) -> bool {
        let until = Instant::now() + within;
        while self.requests() < n {
            if Instant::now() >= until {
                return false;
            }
            thread::sleep(Duration::from_millis(2));
        }
        true
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            accept.join().ok();
        }
    }
}

fn stopped(state: &Shared, born: Instant) -> bool {
    state.stop.load(Ordering::SeqCst) || born.elapsed() >= LIFETIME
}

/// Sleeps `total`, or less if the server stops meanwhile. Returns whether it is still running.
fn pause(state: &Shared, born: Instant, total: Duration) -> bool {
    let until = Instant::now() + total;
    while Instant::now() < until {
        if stopped(state, born) {
            return false;
        }
        thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
    }
    !stopped(state, born)
}

fn serve(mut stream: TcpStream, state: &Shared) {
    let born = Instant::now();
    stream.set_nonblocking(false).ok();
    stream.set_nodelay(true).ok();
    // Short reads, so that waiting for bytes keeps looking at the shutdown flag; writes to a
    // client that stopped reading give up rather than block the thread forever.
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .ok();
    stream.set_write_timeout(Some(Duration::from_secs(2))).ok();
    let Some((head, mut rest)) = read_head(&mut stream, state, born) else {
        return;
    };
    if head.len() > MAX_HEAD {
        stream
            .write_all(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .ok();
        return;
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut chunk = [0u8; 8192];
    while rest.len() < length && !stopped(state, born) {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => rest.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return,
        }
    }
    rest.truncate(length);
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or("").to_owned();
    let target = words.next().unwrap_or("").to_owned();
    let request = {
        let mut seen = state.seen.lock().unwrap();
        let request = Request {
            index: seen.len(),
            method,
            target,
            head,
            body: rest,
        };
        seen.push(request.clone());
        state.requests.fetch_add(1, Ordering::SeqCst);
        request
    };
    let answer = (state.script)(&request);
    answer_with(&mut stream, answer, state, born);
    stream.flush().ok();
}

/// Reads up to the end of the head (`\r\n\r\n`), at most `MAX_HEAD + 1` bytes; returns the head
/// (with its final blank line) and whatever followed it.
fn read_head(stream: &mut TcpStream, state: &Shared, born: Instant) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Some((buf, Vec::new()));
        }
        if stopped(state, born) {
            return None;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return None,
        }
    }
}

fn answer_with(stream: &mut TcpStream, answer: Answer, state: &Shared, born: Instant) {
    match answer {
        Answer::Raw(bytes) => {
            stream.write_all(&bytes).ok();
        }
        Answer::Close => {}
        Answer::Hang => {
            // Keep the connection open, reading and dropping whatever comes, until the end.
            let mut sink = [0u8; 1024];
            while !stopped(state, born) {
                match stream.read(&mut sink) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => break,
                }
            }
        }
        Answer::After(delay, then) => {
            if pause(state, born, delay) {
                answer_with(stream, *then, state, born);
            }
        }
        Answer::Drip(bytes, gap) => {
            for byte in bytes {
                if stream.write_all(&[byte]).is_err() || !pause(state, born, gap) {
                    break;
                }
            }
        }
    }
}

// ---- The client side of the hostile tests ------------------------------------------------

use hotmart::{Client, ClientBuilder, Credentials, Error, Limit};

pub const CLIENT_ID: &str = "client-id";
/// A secret whose percent-encoded and base64 forms differ from the plain one.
pub const SECRET: &str = "s3cr3t/with+special=chars";
pub const TOKEN: &str = "tok/en+with=chars.123";

pub fn credentials() -> Credentials {
    Credentials::new(CLIENT_ID, SECRET)
}

pub fn builder(server: &HostileServer) -> ClientBuilder {
    Client::builder(server.environment(), credentials()).timeout(Duration::from_secs(10))
}

pub fn client(server: &HostileServer) -> Client {
    builder(server)
        .build()
        .expect("a client for the hostile server")
}

/// Prints a figure for the README's reliability table (visible with `--nocapture`).
pub fn figure(fault: &str, requests: usize, took: Duration) {
    println!("FIGURE | {fault} | {requests} requests | {took:.2?}");
}

/// A server whose token endpoint hands out [`TOKEN`] and whose API answers by `api`.
/// `value` percent-encoded as a URL query encodes it: every byte but the unreserved ones.
pub fn percent(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn api_server(api: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> HostileServer {
    HostileServer::start(move |req| {
        if req.is_token() {
            Answer::token(TOKEN)
        } else {
            api(req)
        }
    })
}

pub fn gave_up_limit(err: &Error) -> Limit {
    err.gave_up()
        .unwrap_or_else(|| panic!("no gave_up in {err:?}"))
        .limit
}

/// The call timeout of the deadline tests.
pub const DEADLINE: Duration = Duration::from_millis(1500);
/// What a deadline may overrun by on a loaded machine.
pub const SLACK: Duration = Duration::from_millis(1000);
