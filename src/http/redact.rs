//! Scrubbing secrets out of text that came from the network before it is kept in an error.
//!
//! A server or proxy that echoes the request (many debugging proxies and some error pages do)
//! would otherwise put the client secret or the bearer token into an error message. Every text
//! taken from an answer goes through [`Redactor::scrub`] first.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::secret::Secret;

/// What replaces a secret in scrubbed text.
pub(crate) const MARKER: &str = "<redacted>";

/// The secrets a client knows for its whole life: the client secret and the Basic value.
/// Tokens come and go, so they are passed to [`scrub`](Redactor::scrub) as they are used.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    secrets: Vec<Secret>,
}

impl Redactor {
    pub(crate) fn new(secrets: &[&str]) -> Self {
        Redactor {
            secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
        }
    }

    /// `text` with every known secret and each of `tokens`, in plain, percent-encoded,
    /// form-encoded, base64 and JSON-escaped forms, replaced by [`MARKER`].
    ///
    /// Only errors call this, so it favours being thorough over being fast.
    pub(crate) fn scrub(&self, text: &str, tokens: &[&str]) -> String {
        let mut needles: Vec<String> = Vec::new();
        let values = self
            .secrets
            .iter()
            .map(Secret::expose)
            .chain(tokens.iter().copied());
        for value in values.filter(|v| !v.is_empty()) {
            needles.push(value.to_owned());
            needles.push(json_escaped(value, true));
            needles.push(json_escaped(value, false));
            let mut encoded = String::new();
            crate::http::percent::encode_into(&mut encoded, value);
            needles.push(encoded.replace("%20", "+"));
            needles.push(lowercase_escapes(&encoded));
            needles.push(encoded);
            needles.push(STANDARD.encode(value));
            needles.push(URL_SAFE_NO_PAD.encode(value));
        }
        // Longest first, so a secret inside a longer form is not half-replaced first. Picked
        // by hand rather than sorted: the list is short, and a sort's code would be linked
        // into every program for the rare error that needs it.
        let mut out = text.to_owned();
        while let Some(longest) = (0..needles.len()).max_by_key(|&i| needles[i].len()) {
            let needle = needles.swap_remove(longest);
            if !needle.is_empty() && out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), MARKER);
            }
        }
        out
    }
}

/// `value` as a JSON string holds it: `"` and `\` escaped, and `/` as `\/` when `slash`
/// (an excerpt of a JSON body is kept as written, so both forms occur).
fn json_escaped(value: &str, slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '"' || c == '\\' || (slash && c == '/') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `%2F` as `%2f`: the same bytes, as some servers echo them.
fn lowercase_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            hex_left = if c == '%' { 2 } else { 0 };
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_every_secret_is_replaced() {
        let redactor = Redactor::new(&["S3cr3t/+ =", "QmFzaWM="]);
        let token = "tok.en-123";
        let cases = [
            "S3cr3t/+ =",
            "S3cr3t%2F%2B%20%3D",
            "S3cr3t%2f%2b%20%3d",
            "S3cr3t%2F%2B+%3D",
            &STANDARD.encode("S3cr3t/+ ="),
            &URL_SAFE_NO_PAD.encode("S3cr3t/+ ="),
            r"S3cr3t\/+ =",
            "QmFzaWM=",
            "tok.en-123",
            &STANDARD.encode(token),
        ];
        for case in cases {
            let text = format!("echo: [{case}] end");
            let scrubbed = redactor.scrub(&text, &[token]);
            assert_eq!(scrubbed, format!("echo: [{MARKER}] end"), "{case}");
        }
    }

    #[test]
    fn json_escapes_are_secrets_too() {
        let redactor = Redactor::new(&[r#"a"b\c/d"#]);
        for case in [r#"a\"b\\c/d"#, r#"a\"b\\c\/d"#] {
            assert_eq!(redactor.scrub(case, &[]), MARKER, "{case}");
        }
    }

    #[test]
    fn text_without_secrets_is_unchanged_and_empty_secrets_are_ignored() {
        let redactor = Redactor::new(&["", "abc"]);
        assert_eq!(redactor.scrub("nothing here", &[""]), "nothing here");
        assert_eq!(redactor.scrub("xabcx", &[]), format!("x{MARKER}x"));
    }
}
