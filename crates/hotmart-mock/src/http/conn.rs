//! One connection: requests in turn (kept alive), each read within the limits, answered by the
//! handler, until either side closes.

use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::body::{self, Body};
use super::head::{self, HEAD_TOO_LARGE, Head, Refusal};
use super::{Limits, Place, Request, Response, Stream, reason};

/// How long the server keeps reading (and discarding) after its last answer, so that the
/// client reads the answer before the connection closes rather than a reset.
const LINGER: Duration = Duration::from_secs(2);

/// What answers the requests of a connection: `check` on each head before its body is read,
/// then `handler` on the whole request.
pub(super) struct Answerers<'a, C, H> {
    pub(super) check: &'a C,
    pub(super) handler: &'a H,
}

/// Serves the requests of one connection, then closes it.
pub(super) fn run<S, C, H>(stream: S, limits: &Limits, by: Answerers<'_, C, H>, place: &mut Place)
where
    S: Stream,
    C: Fn(&Request) -> Option<Response>,
    H: Fn(&Request) -> Option<Response>,
{
    let _ = serve(stream, limits, by, place);
}

fn serve<S, C, H>(
    stream: S,
    limits: &Limits,
    by: Answerers<'_, C, H>,
    place: &mut Place,
) -> io::Result<()>
where
    S: Stream,
    C: Fn(&Request) -> Option<Response>,
    H: Fn(&Request) -> Option<Response>,
{
    stream.tcp().set_nodelay(true)?;
    stream.tcp().set_write_timeout(Some(limits.idle_timeout))?;
    let mut reader = BufReader::with_capacity(16 * 1024, Timed::new(stream, limits));
    loop {
        let pending = !reader.buffer().is_empty();
        reader.get_mut().next_request(pending);
        let head = match head::read_head(&mut reader, limits.max_head)? {
            Head::Complete(head) => head,
            Head::TooLarge => return refuse(reader, &HEAD_TOO_LARGE, place),
            Head::Closed => return Ok(()),
        };
        let parsed = match head::parse(&head, limits.max_body) {
            Ok(parsed) => parsed,
            Err(refusal) => return refuse(reader, refusal, place),
        };
        drop(head);
        let mut request = Request {
            method: parsed.method,
            target: parsed.target,
            headers: parsed.headers,
            body: Vec::new(),
        };
        // Settled by its head: answered before a body is asked for or read, and the
        // connection closed, since the unread body cannot be told from a next request.
        if let Some(response) = (by.check)(&request) {
            let mut stream = reader.into_inner().inner;
            write_response(&mut stream, &response, true)?;
            return close_after(stream, place);
        }
        if parsed.expect_continue {
            let stream = reader.get_mut();
            stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            stream.flush()?;
        }
        let read = match parsed.body {
            head::Body::Length(len) => body::read_length(&mut reader, len)?,
            head::Body::Chunked => {
                body::read_chunked(&mut reader, limits.max_body, limits.max_head)?
            }
        };
        let body = match read {
            Body::Complete(body) => body,
            Body::Refused(refusal) => return refuse(reader, refusal, place),
            Body::Closed => return Ok(()),
        };
        request.body = body;
        let Some(response) = (by.handler)(&request) else {
            // Like a server that never answers: keep the client waiting until it gives up.
            let stream = reader.into_inner().inner;
            linger(stream.tcp(), limits.idle_timeout);
            return Ok(());
        };
        let close = parsed.close || response.closes() || place.shared.stopped();
        write_response(reader.get_mut(), &response, close)?;
        if close {
            return close_after(reader.into_inner().inner, place);
        }
    }
}

/// Answers `refusal` in place of the handler, then closes: what is left of the request
/// cannot be told from the next one.
fn refuse<S: Stream>(
    reader: BufReader<Timed<S>>,
    refusal: &Refusal,
    place: &mut Place,
) -> io::Result<()> {
    let mut stream = reader.into_inner().inner;
    let response = Response::new(refusal.status)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(refusal.body());
    write_response(&mut stream, &response, true)?;
    close_after(stream, place)
}

/// Closes after the last answer, lingering without the connection's place if others are not
/// lingering in too great a number already.
fn close_after<S: Stream>(mut stream: S, place: &mut Place) -> io::Result<()> {
    stream.finish()?;
    if place.leave() {
        linger(stream.tcp(), LINGER);
    }
    Ok(())
}

fn write_response(out: &mut impl Write, response: &Response, close: bool) -> io::Result<()> {
    let status = response.status;
    let mut bytes = format!("HTTP/1.1 {status:03} {}\r\n", reason(status)).into_bytes();
    for (name, value) in &response.headers {
        let framing = ["content-length", "transfer-encoding", "connection"]
            .iter()
            .any(|framing| name.eq_ignore_ascii_case(framing));
        let broken = |text: &str| text.contains(['\r', '\n']);
        if framing || broken(name) || broken(value) {
            continue;
        }
        bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    // These statuses carry no body, so no length either.
    let bodiless = status / 100 == 1 || status == 204 || status == 304;
    if !bodiless {
        bytes.extend_from_slice(format!("Content-Length: {}\r\n", response.body.len()).as_bytes());
    }
    if close {
        bytes.extend_from_slice(b"Connection: close\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    if !bodiless {
        bytes.extend_from_slice(&response.body);
    }
    out.write_all(&bytes)?;
    out.flush()
}

/// Reads and discards what the client still sends, until it closes or `limit` has passed.
fn linger(tcp: &TcpStream, limit: Duration) {
    let deadline = Instant::now().checked_add(limit);
    let mut tcp = tcp;
    let mut buf = [0u8; 8 * 1024];
    loop {
        let left = deadline.map_or(limit, |d| d.saturating_duration_since(Instant::now()));
        if left.is_zero() || tcp.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match tcp.read(&mut buf) {
            Ok(1..) => {}
            Ok(0) | Err(_) => return,
        }
    }
}

/// The stream with the read timeouts of the limits: each read waits at most the idle
/// timeout, and no longer than the request's deadline, counted from its first byte.
struct Timed<S> {
    inner: S,
    idle: Duration,
    per_request: Duration,
    deadline: Option<Instant>,
    /// Whether the next byte read starts a request (and its deadline).
    arm: bool,
}

impl<S: Stream> Timed<S> {
    fn new(inner: S, limits: &Limits) -> Self {
        Timed {
            inner,
            idle: limits.idle_timeout,
            per_request: limits.request_timeout,
            deadline: None,
            arm: true,
        }
    }

    /// Between requests: the next byte starts the next deadline, or now if bytes of the next
    /// request are already in.
    fn next_request(&mut self, pending: bool) {
        self.arm = !pending;
        self.deadline = pending
            .then(|| Instant::now().checked_add(self.per_request))
            .flatten();
    }
}

impl<S: Stream> Read for Timed<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let wait = match self.deadline {
            None => self.idle,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                left.min(self.idle)
            }
        };
        self.inner.tcp().set_read_timeout(Some(wait))?;
        let n = self.inner.read(buf)?;
        if n > 0 && self.arm {
            self.arm = false;
            // Beyond what the clock can count: no deadline but the idle timeout.
            self.deadline = Instant::now().checked_add(self.per_request);
        }
        Ok(n)
    }
}

impl<S: Stream> Write for Timed<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
