//! Percent-encoding of query values: every byte outside RFC 3986's unreserved set.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What RFC 3986 lets stand for itself: letters, digits and `-._~`.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `value` to `out`, percent-encoded.
pub(crate) fn encode_into(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, RESERVED));
}

#[cfg(test)]
mod tests {
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
            super::encode_into(&mut out, raw);
            assert_eq!(out, encoded);
        }
    }
}
