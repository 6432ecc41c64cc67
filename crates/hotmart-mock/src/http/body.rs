//! The request body: `Content-Length` bytes, or a chunked body read whole, both within the
//! cap, so that a refusal comes before the handler sees anything.

use std::io::{self, BufRead, Read};

use super::head::{BODY_TOO_LARGE, HEAD_TOO_LARGE, MALFORMED_CHUNK, Refusal, is_timeout};

/// What reading a body came to.
pub(super) enum Body {
    /// The data, without the framing.
    Complete(Vec<u8>),
    /// Over a limit, or malformed.
    Refused(&'static Refusal),
    /// The client closed (or went silent) before the end.
    Closed,
}

/// Reads exactly `len` bytes (checked against the cap when the head was parsed).
pub(super) fn read_length(reader: &mut impl BufRead, len: u64) -> io::Result<Body> {
    let mut data = Vec::with_capacity(usize::try_from(len.min(64 * 1024)).unwrap_or(0));
    match reader.take(len).read_to_end(&mut data) {
        Ok(n) if n as u64 == len => Ok(Body::Complete(data)),
        Ok(_) => Ok(Body::Closed),
        Err(e) if is_timeout(&e) => Ok(Body::Closed),
        Err(e) => Err(e),
    }
}

/// The most bytes of a chunk-size line, extensions included.
const CHUNK_LINE_MAX: usize = 1024;

/// Reads a chunked body: at most `max_body` bytes of data, chunk-size lines of at most
/// [`CHUNK_LINE_MAX`] bytes, trailers (dropped) of at most `max_trailers` bytes.
pub(super) fn read_chunked(
    reader: &mut impl BufRead,
    max_body: u64,
    max_trailers: usize,
) -> io::Result<Body> {
    let mut data = Vec::new();
    loop {
        let line = match read_line(reader, CHUNK_LINE_MAX)? {
            Line::Complete(line) => line,
            Line::TooLong => return Ok(Body::Refused(&MALFORMED_CHUNK)),
            Line::Closed => return Ok(Body::Closed),
        };
        // Blanks only between the size and an extension (RFC 9112's BWS): ` 7b` or `7b ` alone
        // is a size another parser could read differently.
        let size = match line.iter().position(|&b| b == b';') {
            Some(at) => line[..at].trim_ascii_end(),
            None => &line[..],
        };
        if size.is_empty() || !size.iter().all(u8::is_ascii_hexdigit) {
            return Ok(Body::Refused(&MALFORMED_CHUNK));
        }
        let size = std::str::from_utf8(size)
            .ok()
            .and_then(|size| u64::from_str_radix(size, 16).ok());
        let Some(size) = size else {
            // Only hex digits: a failure is an overflow.
            return Ok(Body::Refused(&BODY_TOO_LARGE));
        };
        if size == 0 {
            break;
        }
        if (data.len() as u64).saturating_add(size) > max_body {
            return Ok(Body::Refused(&BODY_TOO_LARGE));
        }
        match reader.take(size).read_to_end(&mut data) {
            Ok(n) if n as u64 == size => {}
            Ok(_) => return Ok(Body::Closed),
            Err(e) if is_timeout(&e) => return Ok(Body::Closed),
            Err(e) => return Err(e),
        }
        match read_line(reader, 2)? {
            Line::Complete(rest) if rest.is_empty() => {}
            Line::Closed => return Ok(Body::Closed),
            _ => return Ok(Body::Refused(&MALFORMED_CHUNK)),
        }
    }
    let mut trailers = 0;
    loop {
        match read_line(reader, max_trailers.saturating_sub(trailers))? {
            Line::Complete(line) if line.is_empty() => return Ok(Body::Complete(data)),
            // A trailer is a field line; anything else (a request line, say) is not one to drop.
            Line::Complete(line) if !line.contains(&b':') => {
                return Ok(Body::Refused(&MALFORMED_CHUNK));
            }
            Line::Complete(line) => trailers += line.len() + 2,
            Line::TooLong => return Ok(Body::Refused(&HEAD_TOO_LARGE)),
            Line::Closed => return Ok(Body::Closed),
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
fn read_line(reader: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    match reader.take(max as u64).read_until(b'\n', &mut line) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_BODY: u64 = 1 << 20;
    const MAX_HEAD: usize = 64 * 1024;

    fn read(bytes: &[u8]) -> Result<Vec<u8>, u16> {
        match read_chunked(&mut &bytes[..], MAX_BODY, MAX_HEAD).unwrap() {
            Body::Complete(data) => Ok(data),
            Body::Refused(refusal) => Err(refusal.status),
            Body::Closed => Err(0),
        }
    }

    #[test]
    fn chunked_bodies() {
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
        // Blanks only before an extension; a trailer is a field line.
        assert_eq!(read(b" 5\r\nhello\r\n0\r\n\r\n"), Err(400));
        assert_eq!(read(b"5 \r\nhello\r\n0\r\n\r\n"), Err(400));
        assert_eq!(read(b"5 ;x\r\nhello\r\n0\r\n\r\n"), Ok(b"hello".to_vec()));
        assert_eq!(read(b"0\r\nPOST / HTTP/1.1\r\n\r\n"), Err(400));
        let mut long = b"1".to_vec();
        long.resize(CHUNK_LINE_MAX + 10, b' ');
        assert_eq!(read(&long), Err(400));
    }

    #[test]
    fn chunked_bodies_are_capped() {
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
    fn lengths() {
        let read = |bytes: &[u8], len| match read_length(&mut &bytes[..], len).unwrap() {
            Body::Complete(data) => Some(data),
            _ => None,
        };
        assert_eq!(read(b"abcdef", 3), Some(b"abc".to_vec()));
        assert_eq!(read(b"ab", 3), None);
    }
}
