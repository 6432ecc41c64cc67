//! Percent-encoding of query values (RFC 3986) and its inverse for the local server.

use std::borrow::Cow;

/// Appends `value` to `out`, percent-encoding every byte outside RFC 3986's unreserved set.
pub(crate) fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// Appends `key=value` (both encoded) to a query string, with `&` between pairs.
pub(crate) fn push_pair(query: &mut String, key: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    encode_into(query, key);
    query.push('=');
    encode_into(query, value);
}

/// Decodes `%XX` escapes and, as form encoding does, `+` as a space. Malformed escapes are
/// kept as they are; bytes that do not form UTF-8 are replaced.
#[cfg_attr(not(feature = "mock"), allow(dead_code))]
pub(crate) fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains(['%', '+']) {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Splits a query string into decoded pairs.
#[cfg_attr(not(feature = "mock"), allow(dead_code))]
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key).into_owned(), decode(value).into_owned())
        })
        .collect()
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        let cases = [
            ("abc-._~XYZ09", "abc-._~XYZ09"),
            ("a b", "a%20b"),
            ("a&b=c", "a%26b%3Dc"),
            ("+/?#%", "%2B%2F%3F%23%25"),
            ("ç", "%C3%A7"),
        ];
        for (raw, encoded) in cases {
            let mut out = String::new();
            encode_into(&mut out, raw);
            assert_eq!(out, encoded);
            assert_eq!(decode(&out), raw);
        }
    }

    #[test]
    fn decodes_leniently() {
        assert_eq!(decode("a+b%41%4"), "a bA%4");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%"), "%");
        assert_eq!(
            parse_query("a=1&b=x%26y&&c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x&y".into()),
                ("c".into(), "".into())
            ]
        );
    }
}
