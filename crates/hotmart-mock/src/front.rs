//! The front of the local Hotmart: every client connection, plain http or https (after the
//! TLS handshake, see `tls.rs`), goes through a small relay on its own port of 127.0.0.1
//! before the tiny_http server, which buffers header lines without limit, sees any of it.
//!
//! The relay reads one request a connection: its head up to [`MAX_HEAD`] bytes (431 beyond),
//! then its body, by `Content-Length` or chunked (ureq sends a POST without a body chunked), up
//! to the mock's body cap (413 beyond; a malformed length or chunk is a 400, another transfer
//! coding a 501). It forwards the request to the tiny_http server over a connection of its
//! own with `Connection: close`, copies the answer back with `Connection: close` added, and
//! closes. One request a connection keeps the framing simple: the client opens a new
//! connection for the next one.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{Answer, REQUEST_BODY_LIMIT};

/// The most bytes a request head (request line, headers and the empty line) may take.
pub(super) const MAX_HEAD: usize = 64 * 1024;

/// How long a connection may stay silent, either way, before the relay gives up on it. Longer
/// than any client timeout in the tests: `Fault::NoResponse` must be the client's timeout.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the relay keeps reading (and discarding) after its answer, so that the client
/// reads the answer before the connection closes rather than a reset.
const LINGER: Duration = Duration::from_secs(2);

/// The most bytes of the backend's status line the relay looks at to add `Connection: close`.
const STATUS_LINE_MAX: u64 = 1024;

/// A client connection as the relay sees it: plain TCP, or TLS over TCP.
pub(super) trait Stream: Read + Write {
    /// The TCP connection underneath.
    fn tcp(&self) -> &TcpStream;

    /// Sends what is pending and ends the relay's direction: the client reads the end.
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

/// The running front; stops accepting when dropped.
pub(super) struct Front {
    addr: SocketAddr,
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Front {
    /// A plain http front on `port` (0: a free one) relaying to `backend`.
    pub(super) fn http(port: u16, backend: SocketAddr) -> io::Result<Front> {
        Front::start("http", "127.0.0.1", port, move |client| {
            relay(client, backend)
        })
    }

    /// Listens on `port` of 127.0.0.1 (0: a free one) and hands each connection to `serve`
    /// on a thread of its own. The URL is `scheme://host:port`.
    pub(super) fn start(
        scheme: &str,
        host: &str,
        port: u16,
        serve: impl Fn(TcpStream) + Send + Sync + 'static,
    ) -> io::Result<Front> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let serve = Arc::new(serve);
        let thread = {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("hotmart-mock-front".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        let serve = Arc::clone(&serve);
                        let _ = thread::Builder::new()
                            .name("hotmart-mock-connection".into())
                            .spawn(move || serve(stream));
                    }
                })?
        };
        Ok(Front {
            addr,
            url: format!("{scheme}://{host}:{}", addr.port()),
            stop,
            thread: Some(thread),
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(super) fn url(&self) -> String {
        self.url.clone()
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Relays one request of `client` to `backend` and its answer back, then closes.
pub(super) fn relay<S: Stream>(client: S, backend: SocketAddr) {
    let _ = relay_one(client, backend);
}

fn relay_one<S: Stream>(client: S, backend: SocketAddr) -> io::Result<()> {
    let tcp = client.tcp();
    tcp.set_read_timeout(Some(IDLE_TIMEOUT))?;
    tcp.set_write_timeout(Some(IDLE_TIMEOUT))?;
    tcp.set_nodelay(true)?;
    let mut client = BufReader::new(client);
    let head = match read_head(&mut client)? {
        Head::Complete(head) => head,
        Head::TooLarge => return refuse(client.into_inner(), &HEAD_TOO_LARGE),
        Head::Closed => return Ok(()),
    };
    let request = match Request::parse(&head) {
        Ok(request) => request,
        Err(refusal) => return refuse(client.into_inner(), refusal),
    };
    drop(head);
    if request.expect_continue {
        client
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        client.get_mut().flush()?;
    }
    // A chunked body is read whole first, so that a refusal comes before the backend (and
    // its record of requests) sees anything.
    let chunked = match request.body {
        Body::Chunked => match read_chunked(&mut client)? {
            Chunks::Complete(data) => Some(data),
            Chunks::Refused(refusal) => return refuse(client.into_inner(), refusal),
            Chunks::Closed => return Ok(()),
        },
        Body::Length(_) => None,
    };

    let mut upstream = TcpStream::connect(backend)?;
    upstream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    upstream.set_write_timeout(Some(IDLE_TIMEOUT))?;
    upstream.set_nodelay(true)?;
    upstream.write_all(request.head.as_bytes())?;
    match (request.body, chunked) {
        (Body::Length(len), _) => {
            let sent = io::copy(&mut (&mut client).take(len), &mut upstream)?;
            if sent < len {
                // The client closed mid-body: nobody to answer.
                return Ok(());
            }
        }
        (Body::Chunked, data) => {
            // As one chunk, without extensions or trailers.
            let data = data.unwrap_or_default();
            if !data.is_empty() {
                upstream.write_all(format!("{:x}\r\n", data.len()).as_bytes())?;
                upstream.write_all(&data)?;
                upstream.write_all(b"\r\n")?;
            }
            upstream.write_all(b"0\r\n\r\n")?;
        }
    }

    // Bytes the client sent past this request (pipelining) are dropped with the buffer.
    let mut client = client.into_inner();
    if answer(upstream, &mut client)? {
        client.finish()?;
        linger(client.tcp(), LINGER);
    } else {
        // The backend closed without a byte (`Fault::NoResponse`): like a server that never
        // answers, keep the client waiting until it gives up.
        linger(client.tcp(), IDLE_TIMEOUT);
    }
    Ok(())
}

/// What reading a request head came to.
enum Head {
    /// The head, up to and with its empty line.
    Complete(Vec<u8>),
    /// More than [`MAX_HEAD`] bytes without the end of the head.
    TooLarge,
    /// The client closed (or went silent) before the end of the head.
    Closed,
}

fn read_head(client: &mut impl BufRead) -> io::Result<Head> {
    let mut head = Vec::new();
    loop {
        let room = MAX_HEAD - head.len();
        match client.take(room as u64).read_until(b'\n', &mut head) {
            Ok(0) if room == 0 => return Ok(Head::TooLarge),
            Ok(0) => return Ok(Head::Closed),
            Ok(_) => {}
            Err(e) if is_timeout(&e) => return Ok(Head::Closed),
            Err(e) => return Err(e),
        }
        if head.ends_with(b"\r\n\r\n") {
            return Ok(Head::Complete(head));
        }
        if !head.ends_with(b"\n") {
            // The line was cut: by the cap, or by the end of the stream.
            return Ok(if head.len() == MAX_HEAD {
                Head::TooLarge
            } else {
                Head::Closed
            });
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A request as it goes to the backend.
#[derive(Debug)]
struct Request {
    /// The head, with `Connection: close` and without `Connection` or `Expect` headers.
    head: String,
    body: Body,
    expect_continue: bool,
}

/// How the request's body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    /// `Content-Length` (0 without one).
    Length(u64),
    /// `Transfer-Encoding: chunked`, as ureq sends a POST without a body.
    Chunked,
}

impl Request {
    /// Checks the head and rewrites it for the backend. Header lines are read as tiny_http
    /// reads them (trimmed, split at the first colon, names without whitespace), so that both
    /// agree on the body's length.
    fn parse(head: &[u8]) -> Result<Request, &'static Refusal> {
        let text = std::str::from_utf8(head)
            .ok()
            .filter(|text| text.is_ascii())
            .ok_or(&NOT_ASCII)?;
        let text = text.strip_suffix("\r\n\r\n").unwrap_or(text);
        let mut lines = text.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        if request_line.trim().is_empty() {
            return Err(&NO_REQUEST_LINE);
        }
        let mut out = String::with_capacity(head.len() + 32);
        out.push_str(request_line);
        out.push_str("\r\n");
        let mut length = None;
        let mut chunked = false;
        let mut expect_continue = false;
        for line in lines {
            let (name, value) = line.trim().split_once(':').ok_or(&MALFORMED_HEADER)?;
            if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
                return Err(&MALFORMED_HEADER);
            }
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding") {
                // Only chunked alone, once: what tiny_http and the relay both read alike.
                if chunked || !value.eq_ignore_ascii_case("chunked") {
                    return Err(&TRANSFER_CODING);
                }
                chunked = true;
            }
            if name.eq_ignore_ascii_case("content-length") {
                let this = content_length(value)?;
                if length.is_some_and(|first| first != this) {
                    return Err(&CONFLICTING_LENGTHS);
                }
                length = Some(this);
            }
            if name.eq_ignore_ascii_case("connection") {
                continue;
            }
            if name.eq_ignore_ascii_case("expect") {
                // Answered here, since the body is read here before the backend sees it.
                expect_continue = value.eq_ignore_ascii_case("100-continue");
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        let body = match (chunked, length) {
            (true, Some(_)) => return Err(&LENGTH_AND_CODING),
            (true, None) => Body::Chunked,
            (false, length) => Body::Length(length.unwrap_or(0)),
        };
        if matches!(body, Body::Length(len) if len > REQUEST_BODY_LIMIT) {
            return Err(&BODY_TOO_LARGE);
        }
        out.push_str("Connection: close\r\n\r\n");
        Ok(Request {
            head: out,
            body,
            expect_continue: expect_continue && body != Body::Length(0),
        })
    }
}

fn content_length(value: &str) -> Result<u64, &'static Refusal> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(&MALFORMED_LENGTH);
    }
    // Only digits: a failure is an overflow.
    value.parse().map_err(|_| &BODY_TOO_LARGE)
}

/// The most bytes of a chunk-size line, extensions included.
const CHUNK_LINE_MAX: usize = 1024;

/// What reading a chunked body came to.
enum Chunks {
    /// The data, without the framing.
    Complete(Vec<u8>),
    /// Over a limit, or malformed.
    Refused(&'static Refusal),
    /// The client closed (or went silent) before the end.
    Closed,
}

/// Reads a chunked body: at most the mock's body cap of data, chunk-size lines of at most
/// [`CHUNK_LINE_MAX`] bytes, trailers (dropped) of at most [`MAX_HEAD`] bytes.
fn read_chunked(client: &mut impl BufRead) -> io::Result<Chunks> {
    let mut data = Vec::new();
    loop {
        let line = match read_line(client, CHUNK_LINE_MAX)? {
            Line::Complete(line) => line,
            Line::TooLong => return Ok(Chunks::Refused(&MALFORMED_CHUNK)),
            Line::Closed => return Ok(Chunks::Closed),
        };
        let size = line.split(|&b| b == b';').next().unwrap_or_default();
        let size = size.trim_ascii();
        if size.is_empty() || !size.iter().all(u8::is_ascii_hexdigit) {
            return Ok(Chunks::Refused(&MALFORMED_CHUNK));
        }
        let size = std::str::from_utf8(size)
            .ok()
            .and_then(|size| u64::from_str_radix(size, 16).ok());
        let Some(size) = size else {
            // Only hex digits: a failure is an overflow.
            return Ok(Chunks::Refused(&BODY_TOO_LARGE));
        };
        if size == 0 {
            break;
        }
        if data.len() as u64 + size > REQUEST_BODY_LIMIT {
            return Ok(Chunks::Refused(&BODY_TOO_LARGE));
        }
        let read = client.take(size).read_to_end(&mut data);
        match read {
            Ok(n) if n as u64 == size => {}
            Ok(_) => return Ok(Chunks::Closed),
            Err(e) if is_timeout(&e) => return Ok(Chunks::Closed),
            Err(e) => return Err(e),
        }
        match read_line(client, 2)? {
            Line::Complete(rest) if rest.is_empty() => {}
            Line::Closed => return Ok(Chunks::Closed),
            _ => return Ok(Chunks::Refused(&MALFORMED_CHUNK)),
        }
    }
    let mut trailers = 0;
    loop {
        match read_line(client, MAX_HEAD - trailers)? {
            Line::Complete(line) if line.is_empty() => return Ok(Chunks::Complete(data)),
            Line::Complete(line) => trailers += line.len() + 2,
            Line::TooLong => return Ok(Chunks::Refused(&HEAD_TOO_LARGE)),
            Line::Closed => return Ok(Chunks::Closed),
        }
    }
}

/// A line of a chunked body.
enum Line {
    /// Without its line end (`\r\n`, or a bare `\n`).
    Complete(Vec<u8>),
    TooLong,
    Closed,
}

/// Reads a line of at most `max` bytes, its line end included.
fn read_line(client: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    match client.take(max as u64).read_until(b'\n', &mut line) {
        Ok(_) => {}
        Err(e) if is_timeout(&e) => return Ok(Line::Closed),
        Err(e) => return Err(e),
    }
    if !line.ends_with(b"\n") {
        // Cut by the cap, or by the end of the stream.
        return Ok(if line.len() == max {
            Line::TooLong
        } else {
            Line::Closed
        });
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(Line::Complete(line))
}

/// An answer of the relay's own, in Hotmart's error envelope.
#[derive(Debug)]
struct Refusal {
    status: u16,
    reason: &'static str,
    error: &'static str,
    description: &'static str,
}

const HEAD_TOO_LARGE: Refusal = Refusal {
    status: 431,
    reason: "Request Header Fields Too Large",
    error: "request_header_fields_too_large",
    description: "The request head is larger than 64 KiB",
};
const BODY_TOO_LARGE: Refusal = Refusal {
    status: 413,
    reason: "Content Too Large",
    error: "content_too_large",
    description: "The request body is larger than 1 MiB",
};
const TRANSFER_CODING: Refusal = Refusal {
    status: 501,
    reason: "Not Implemented",
    error: "not_implemented",
    description: "The only transfer coding served is chunked",
};
const LENGTH_AND_CODING: Refusal = bad_request("Content-Length and Transfer-Encoding together");
const MALFORMED_CHUNK: Refusal = bad_request("The chunked body is malformed");
const MALFORMED_LENGTH: Refusal = bad_request("Content-Length is not a number");
const CONFLICTING_LENGTHS: Refusal = bad_request("Content-Length headers disagree");
const MALFORMED_HEADER: Refusal = bad_request("A header line is malformed");
const NO_REQUEST_LINE: Refusal = bad_request("The request line is missing");
const NOT_ASCII: Refusal = bad_request("The request head is not ASCII");

const fn bad_request(description: &'static str) -> Refusal {
    Refusal {
        status: 400,
        reason: "Bad Request",
        error: "bad_request",
        description,
    }
}

/// Answers `refusal` instead of relaying, then closes.
fn refuse<S: Stream>(mut client: S, refusal: &Refusal) -> io::Result<()> {
    let answer = Answer::error(refusal.status, refusal.error, refusal.description);
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        refusal.status,
        refusal.reason,
        answer.content_type,
        answer.body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    client.write_all(&bytes)?;
    client.finish()?;
    linger(client.tcp(), LINGER);
    Ok(())
}

/// Copies the backend's answer to the client, with `Connection: close` added after the
/// status line (tiny_http sends none); whether the backend sent anything.
fn answer(upstream: TcpStream, client: &mut impl Write) -> io::Result<bool> {
    let mut upstream = BufReader::new(upstream);
    let mut start = Vec::new();
    (&mut upstream)
        .take(STATUS_LINE_MAX)
        .read_until(b'\n', &mut start)?;
    if start.is_empty() {
        return Ok(false);
    }
    if start.ends_with(b"\r\n") {
        start.extend_from_slice(b"Connection: close\r\n");
    }
    client.write_all(&start)?;
    io::copy(&mut upstream, client)?;
    client.flush()?;
    Ok(true)
}

/// Reads and discards what the client still sends, until it closes or `limit` has passed.
fn linger(tcp: &TcpStream, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut tcp = tcp;
    let mut buf = [0u8; 8 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || tcp.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match tcp.read(&mut buf) {
            Ok(1..) => {}
            Ok(0) | Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &str) -> Result<Request, u16> {
        Request::parse(head.as_bytes()).map_err(|refusal| refusal.status)
    }

    #[test]
    fn the_head_goes_on_with_connection_close() {
        let request = parse(
            "POST /t HTTP/1.1\r\nHost: x\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            request.head,
            "POST /t HTTP/1.1\r\nHost: x\r\ncontent-length: 3\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(request.body, Body::Length(3));
        assert!(!request.expect_continue);
    }

    #[test]
    fn lengths_and_encodings() {
        let with = |header: &str| parse(&format!("POST / HTTP/1.1\r\n{header}\r\n\r\n"));
        let length = |header: &str| with(header).map(|request| request.body);
        assert_eq!(length("Content-Length: 1048576"), Ok(Body::Length(1 << 20)));
        assert_eq!(with("Content-Length: 1048577").unwrap_err(), 413);
        assert_eq!(
            with("Content-Length: 99999999999999999999999").unwrap_err(),
            413
        );
        assert_eq!(with("Content-Length: -1").unwrap_err(), 400);
        assert_eq!(with("Content-Length: 1e3").unwrap_err(), 400);
        assert_eq!(with("Content-Length:").unwrap_err(), 400);
        assert_eq!(
            with("Content-Length: 1\r\nContent-Length: 2").unwrap_err(),
            400
        );
        assert_eq!(
            length("Content-Length: 2\r\nCONTENT-LENGTH: 2"),
            Ok(Body::Length(2))
        );
        assert_eq!(length("Host: x"), Ok(Body::Length(0)));
        assert_eq!(length("Transfer-Encoding: Chunked"), Ok(Body::Chunked));
        assert_eq!(with("Transfer-Encoding: gzip, chunked").unwrap_err(), 501);
        assert_eq!(
            with("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked").unwrap_err(),
            501
        );
        assert_eq!(
            with("Transfer-Encoding: chunked\r\nContent-Length: 2").unwrap_err(),
            400
        );
        assert_eq!(with("Content-Length : 2").unwrap_err(), 400);
        assert_eq!(with("No colon").unwrap_err(), 400);
        assert_eq!(parse("\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse("GET /\u{e9} HTTP/1.1\r\n\r\n").unwrap_err(), 400);
        let expect = with("Expect: 100-continue\r\nContent-Length: 2").unwrap();
        assert!(expect.expect_continue);
        assert!(!expect.head.contains("Expect"));
    }

    #[test]
    fn chunked_bodies() {
        let read = |bytes: &[u8]| match read_chunked(&mut &bytes[..]).unwrap() {
            Chunks::Complete(data) => Ok(data),
            Chunks::Refused(refusal) => Err(refusal.status),
            Chunks::Closed => Err(0),
        };
        assert_eq!(read(b"0\r\n\r\n"), Ok(Vec::new()));
        assert_eq!(
            read(b"5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: x\r\n\r\n"),
            Ok(b"hello!".to_vec())
        );
        assert_eq!(read(b"5\r\nhello"), Err(0));
        assert_eq!(read(b"5\r\nhelloXY0\r\n\r\n"), Err(400));
        assert_eq!(read(b"z\r\n"), Err(400));
        assert_eq!(read(b"\r\n"), Err(400));
        assert_eq!(read(b"100001\r\n"), Err(413));
        assert_eq!(read(b"fffffffffffffffffffff\r\n"), Err(413));
        let mut long = b"1".to_vec();
        long.resize(CHUNK_LINE_MAX + 10, b' ');
        assert_eq!(read(&long), Err(400));
        // Data up to the cap in many chunks, then one byte over.
        let mut many = Vec::new();
        for _ in 0..16 {
            many.extend_from_slice(b"10000\r\n");
            many.resize(many.len() + 0x10000, b'a');
            many.extend_from_slice(b"\r\n");
        }
        let mut over = many.clone();
        many.extend_from_slice(b"0\r\n\r\n");
        assert_eq!(read(&many).map(|data| data.len()), Ok(1 << 20));
        over.extend_from_slice(b"1\r\na\r\n0\r\n\r\n");
        assert_eq!(read(&over), Err(413));
        let mut trailers = b"0\r\n".to_vec();
        trailers.resize(MAX_HEAD + 10, b'a');
        assert_eq!(read(&trailers), Err(431));
    }

    #[test]
    fn the_head_is_capped() {
        let read = |bytes: &[u8]| match read_head(&mut &bytes[..]).unwrap() {
            Head::Complete(head) => Ok(head.len()),
            Head::TooLarge => Err("too large"),
            Head::Closed => Err("closed"),
        };
        let head = |len: usize| {
            let start = b"GET / HTTP/1.1\r\nX: ";
            let mut head = start.to_vec();
            head.resize(len - 4, b'a');
            head.extend_from_slice(b"\r\n\r\n");
            head
        };
        assert_eq!(read(&head(MAX_HEAD)), Ok(MAX_HEAD));
        assert_eq!(read(&head(MAX_HEAD + 1)), Err("too large"));
        assert_eq!(read(&head(MAX_HEAD)[..100]), Err("closed"));
        assert_eq!(read(b""), Err("closed"));
        let mut long = head(MAX_HEAD);
        long.truncate(MAX_HEAD - 4);
        long.resize(10 * MAX_HEAD, b'a');
        assert_eq!(read(&long), Err("too large"));
    }
}
