//! One webhook POST over a plain TCP connection: the local Hotmart has no HTTP client of its
//! own, and its receivers are test servers on this machine, so an `http://` URL on a loopback
//! address is all it sends to.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The most bytes of an answer read: the status line is all that counts.
const MAX_ANSWER: usize = 64 * 1024;

/// Where webhooks go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) addr: SocketAddr,
    /// The `Host` header: the URL's authority.
    pub(crate) host: String,
    /// The path and query, `/` at least.
    pub(crate) path: String,
}

fn refuse(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("webhook URL: {why}"))
}

impl Target {
    /// Reads `http://HOST:PORT/PATH`, HOST a loopback address or `localhost`.
    pub(crate) fn parse(url: &str) -> io::Result<Target> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| refuse("only http:// is sent to"))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) => rest.split_at(at),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(refuse("the path holds spaces or control characters"));
        }
        let (host, port) = authority
            .rsplit_once(':')
            .ok_or_else(|| refuse("the port is required"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| refuse("the port is not a number"))?;
        let ip = match host {
            "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            host => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .map_err(|_| refuse("the host must be a loopback address or localhost"))?,
        };
        if !ip.is_loopback() || port == 0 {
            return Err(refuse(
                "only a loopback address and a port above 0 are sent to",
            ));
        }
        Ok(Target {
            addr: SocketAddr::new(ip, port),
            host: authority.to_owned(),
            path,
        })
    }
}

/// POSTs `body` with the hottok header; the receiver's status, or the failure to get one,
/// all within about `timeout` per step.
pub(crate) fn send(target: &Target, hottok: &str, body: &[u8], timeout: Duration) -> Option<u16> {
    attempt(target, hottok, body, timeout).ok().flatten()
}

fn attempt(
    target: &Target,
    hottok: &str,
    body: &[u8],
    timeout: Duration,
) -> io::Result<Option<u16>> {
    let deadline = Instant::now() + timeout;
    let mut stream = TcpStream::connect_timeout(&target.addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: hotmart-mock\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nX-HOTMART-HOTTOK: {hottok}\r\nConnection: close\r\n\r\n",
        target.path,
        target.host,
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Up to the end of the status line; a receiver that drips is cut off at the deadline.
    while !answer.windows(2).any(|w| w == b"\r\n") && answer.len() < MAX_ANSWER {
        if Instant::now() >= deadline {
            return Ok(None);
        }
        match stream.read(&mut buf)? {
            0 => break,
            n => answer.extend_from_slice(&buf[..n]),
        }
    }
    Ok(status(&answer))
}

/// The status of `HTTP/1.x NNN …`.
fn status(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    parts
        .next()?
        .parse()
        .ok()
        .filter(|s| (100..600).contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_urls_only() {
        let t = Target::parse("http://127.0.0.1:8080/hook?x=1").unwrap();
        assert_eq!((t.addr.port(), t.path.as_str()), (8080, "/hook?x=1"));
        assert_eq!(Target::parse("http://localhost:9").unwrap().path, "/");
        assert!(
            Target::parse("http://[::1]:9/h")
                .unwrap()
                .addr
                .ip()
                .is_loopback()
        );
        for bad in [
            "https://127.0.0.1:1/",
            "http://10.0.0.1:80/",
            "http://example.com:80/",
            "http://127.0.0.1/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:x/",
            "http://127.0.0.1:1/a b",
            "ftp://127.0.0.1:1/",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_the_status_line() {
        assert_eq!(status(b"HTTP/1.1 204 No Content\r\n\r\n"), Some(204));
        assert_eq!(status(b"HTTP/1.0 401\r\n"), Some(401));
        assert_eq!(status(b"garbage\r\n"), None);
        assert_eq!(status(b"HTTP/1.1 999 x\r\n"), None);
        assert_eq!(status(b""), None);
    }
}
