//! The request head: read up to the cap, parsed with httparse, checked for how the body is
//! framed; and the server's own refusals.

use std::io::{self, BufRead};

/// What reading a request head came to.
pub(super) enum Head {
    /// The head, up to and with its empty line.
    Complete(Vec<u8>),
    /// `max` bytes without the end of the head.
    TooLarge,
    /// The client closed (or went silent) before the end of the head.
    Closed,
}

/// Reads a head of at most `max` bytes, leaving what follows it in `reader`. Empty lines
/// before the request line are skipped, as RFC 9112 asks.
pub(super) fn read_head(reader: &mut impl BufRead, max: usize) -> io::Result<Head> {
    let mut head = Vec::new();
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if is_timeout(&e) => return Ok(Head::Closed),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(Head::Closed);
        }
        if head.is_empty() {
            let blank = chunk
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            if blank > 0 {
                reader.consume(blank);
                continue;
            }
        }
        let take = chunk.len().min(max - head.len());
        // The end may straddle what was read before: look from three bytes back.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..take]);
        if let Some(end) = end_of_head(&head[from..]) {
            let end = from + end;
            reader.consume(take - (head.len() - end));
            head.truncate(end);
            return Ok(Head::Complete(head));
        }
        reader.consume(take);
        if head.len() == max {
            return Ok(Head::TooLarge);
        }
    }
}

/// Where the head ends (just past its empty line), `\r\n` or bare `\n` line ends alike.
fn end_of_head(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(2)
        .enumerate()
        .find_map(|(at, pair)| match pair {
            b"\n\n" => Some(at + 2),
            b"\n\r" if bytes.get(at + 2) == Some(&b'\n') => Some(at + 3),
            _ => None,
        })
}

pub(super) fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A parsed head.
#[derive(Debug)]
pub(super) struct Parsed {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// `Expect: 100-continue` with a body to come.
    pub expect_continue: bool,
    /// Whether the connection ends after this request.
    pub close: bool,
}

/// How the request's body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Body {
    /// `Content-Length` (0 without one).
    Length(u64),
    /// `Transfer-Encoding: chunked`, as ureq sends a POST without a body.
    Chunked,
}

/// Parses and checks a head read by [`read_head`].
pub(super) fn parse(head: &[u8], max_body: u64) -> Result<Parsed, &'static Refusal> {
    if !head.is_ascii() {
        return Err(&NOT_ASCII);
    }
    // No more headers than lines.
    let lines = head.iter().filter(|&&b| b == b'\n').count();
    let mut slots = vec![httparse::EMPTY_HEADER; lines];
    let mut request = httparse::Request::new(&mut slots);
    match request.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(&MALFORMED_LINE),
        Err(httparse::Error::HeaderName | httparse::Error::HeaderValue) => {
            return Err(&MALFORMED_HEADER);
        }
        Err(_) => return Err(&MALFORMED_LINE),
    }
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(&MALFORMED_LINE);
    };
    let mut headers = Vec::with_capacity(request.headers.len());
    let (mut length, mut chunked, mut expect_continue) = (None, false, false);
    let (mut close, mut keep_alive) = (false, false);
    for header in request.headers.iter() {
        // ASCII throughout, checked above.
        let value = String::from_utf8_lossy(header.value).trim().to_owned();
        let name = header.name;
        if name.eq_ignore_ascii_case("transfer-encoding") {
            // Only chunked alone, once.
            if chunked || !value.eq_ignore_ascii_case("chunked") {
                return Err(&TRANSFER_CODING);
            }
            chunked = true;
        } else if name.eq_ignore_ascii_case("content-length") {
            let this = content_length(&value)?;
            if length.is_some_and(|first| first != this) {
                return Err(&CONFLICTING_LENGTHS);
            }
            length = Some(this);
        } else if name.eq_ignore_ascii_case("connection") {
            for option in value.split(',').map(str::trim) {
                close |= option.eq_ignore_ascii_case("close");
                keep_alive |= option.eq_ignore_ascii_case("keep-alive");
            }
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = value.eq_ignore_ascii_case("100-continue");
        }
        headers.push((name.to_owned(), value));
    }
    let body = match (chunked, length) {
        (true, Some(_)) => return Err(&LENGTH_AND_CODING),
        (true, None) => Body::Chunked,
        (false, length) => Body::Length(length.unwrap_or(0)),
    };
    if matches!(body, Body::Length(len) if len > max_body) {
        return Err(&BODY_TOO_LARGE);
    }
    Ok(Parsed {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body,
        expect_continue: expect_continue && body != Body::Length(0),
        // HTTP/1.0 closes unless asked to keep alive.
        close: close || (version == 0 && !keep_alive),
    })
}

fn content_length(value: &str) -> Result<u64, &'static Refusal> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(&MALFORMED_LENGTH);
    }
    // Only digits: a failure is an overflow.
    value.parse().map_err(|_| &BODY_TOO_LARGE)
}

/// An answer of the server's own, before any handler.
#[derive(Debug)]
pub(super) struct Refusal {
    pub status: u16,
    pub error: &'static str,
    pub description: &'static str,
}

impl Refusal {
    /// The body: `{"error":…,"error_description":…}`, in the shape of Hotmart's errors.
    /// Written by hand so that the server needs no JSON crate of its own.
    pub(super) fn body(&self) -> String {
        format!(
            "{{\"error\":{},\"error_description\":{}}}",
            json_string(self.error),
            json_string(self.description)
        )
    }
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) const HEAD_TOO_LARGE: Refusal = Refusal {
    status: 431,
    error: "request_header_fields_too_large",
    description: "The request head is larger than the server allows",
};
pub(super) const BODY_TOO_LARGE: Refusal = Refusal {
    status: 413,
    error: "content_too_large",
    description: "The request body is larger than the server allows",
};
const TRANSFER_CODING: Refusal = Refusal {
    status: 501,
    error: "not_implemented",
    description: "The only transfer coding served is chunked",
};
const LENGTH_AND_CODING: Refusal = bad_request("Content-Length and Transfer-Encoding together");
pub(super) const MALFORMED_CHUNK: Refusal = bad_request("The chunked body is malformed");
const MALFORMED_LENGTH: Refusal = bad_request("Content-Length is not a number");
const CONFLICTING_LENGTHS: Refusal = bad_request("Content-Length headers disagree");
const MALFORMED_HEADER: Refusal = bad_request("A header line is malformed");
const MALFORMED_LINE: Refusal = bad_request("The request line is malformed");
const NOT_ASCII: Refusal = bad_request("The request head is not ASCII");

const fn bad_request(description: &'static str) -> Refusal {
    Refusal {
        status: 400,
        error: "bad_request",
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 64 * 1024;

    fn parsed(head: &str) -> Result<Parsed, u16> {
        parse(head.as_bytes(), 1 << 20).map_err(|refusal| refusal.status)
    }

    #[test]
    fn refusal_bodies_are_json() {
        assert_eq!(json_string("a\"b\\c\n"), r#""a\"b\\c\u000a""#);
        let body = HEAD_TOO_LARGE.body();
        assert!(body.starts_with(r#"{"error":"request_header_fields_too_large","#));
    }

    #[test]
    fn headers_and_connection() {
        let request = parsed(
            "POST /t?a=1 HTTP/1.1\r\nHost: x\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("POST", "/t?a=1")
        );
        assert_eq!(request.headers[2], ("content-length".into(), "3".into()));
        assert_eq!(request.body, Body::Length(3));
        assert!(!request.close && !request.expect_continue);
        assert!(
            parsed("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n")
                .unwrap()
                .close
        );
        assert!(parsed("GET / HTTP/1.0\r\n\r\n").unwrap().close);
        let old = parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert!(!old.close);
    }

    #[test]
    fn lengths_and_encodings() {
        let with = |header: &str| parsed(&format!("POST / HTTP/1.1\r\n{header}\r\n\r\n"));
        let length = |header: &str| with(header).map(|request| request.body);
        assert_eq!(length("Content-Length: 1048576"), Ok(Body::Length(1 << 20)));
        assert_eq!(with("Content-Length: 1048577").unwrap_err(), 413);
        let huge = "Content-Length: 99999999999999999999999";
        assert_eq!(with(huge).unwrap_err(), 413);
        assert_eq!(with("Content-Length: -1").unwrap_err(), 400);
        assert_eq!(with("Content-Length: 1e3").unwrap_err(), 400);
        assert_eq!(with("Content-Length:").unwrap_err(), 400);
        let twice = "Content-Length: 1\r\nContent-Length: 2";
        assert_eq!(with(twice).unwrap_err(), 400);
        let same = "Content-Length: 2\r\nCONTENT-LENGTH: 2";
        assert_eq!(length(same), Ok(Body::Length(2)));
        assert_eq!(length("Host: x"), Ok(Body::Length(0)));
        assert_eq!(length("Transfer-Encoding: Chunked"), Ok(Body::Chunked));
        assert_eq!(with("Transfer-Encoding: gzip, chunked").unwrap_err(), 501);
        let chunked_twice = "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked";
        assert_eq!(with(chunked_twice).unwrap_err(), 501);
        let both = "Transfer-Encoding: chunked\r\nContent-Length: 2";
        assert_eq!(with(both).unwrap_err(), 400);
        assert_eq!(with("Content-Length : 2").unwrap_err(), 400);
        assert_eq!(with("No colon").unwrap_err(), 400);
        assert_eq!(parsed("GET\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parsed("GET /\u{e9} HTTP/1.1\r\n\r\n").unwrap_err(), 400);
        assert_eq!(
            parsed("GET / HTTP/1.1\r\nX: \u{e9}\r\n\r\n").unwrap_err(),
            400
        );
        let expect = with("Expect: 100-continue\r\nContent-Length: 2").unwrap();
        assert!(expect.expect_continue);
        let nothing_to_wait_for = with("Expect: 100-continue").unwrap();
        assert!(!nothing_to_wait_for.expect_continue);
    }

    fn read(bytes: &[u8]) -> Result<usize, &'static str> {
        match read_head(&mut &bytes[..], MAX).unwrap() {
            Head::Complete(head) => Ok(head.len()),
            Head::TooLarge => Err("too large"),
            Head::Closed => Err("closed"),
        }
    }

    fn head(len: usize) -> Vec<u8> {
        let mut head = b"GET / HTTP/1.1\r\nX: ".to_vec();
        head.resize(len - 4, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        head
    }

    #[test]
    fn the_head_is_capped() {
        assert_eq!(read(&head(MAX)), Ok(MAX));
        assert_eq!(read(&head(MAX + 1)), Err("too large"));
        assert_eq!(read(&head(MAX)[..100]), Err("closed"));
        assert_eq!(read(b""), Err("closed"));
        let mut long = head(MAX);
        long.truncate(MAX - 4);
        long.resize(10 * MAX, b'a');
        assert_eq!(read(&long), Err("too large"));
    }

    #[test]
    fn the_head_ends_where_its_empty_line_does() {
        assert_eq!(read(b"\r\n\r\nGET / HTTP/1.1\n\nrest"), Ok(16));
        let mut bytes = &b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody"[..];
        let Head::Complete(head) = read_head(&mut bytes, MAX).unwrap() else {
            panic!("a head");
        };
        assert!(head.ends_with(b"b\r\n\r\n"));
        assert_eq!(bytes, b"body");
    }
}
