//! Scrubbing secrets out of text that came from the network before it is kept in an error.
//!
//! A server or proxy that echoes the request (many debugging proxies and some error pages do)
//! would otherwise put the client secret or the bearer token into an error message. Every text
//! taken from an answer goes through [`Redactor::scrub`] first.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use std::cell::Cell;

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

    /// `text` with every known secret and each of `tokens` replaced by [`MARKER`], however
    /// the text spells it: as is or base64-encoded (alone, or inside an encoded request line:
    /// see [`base64_cores`]), and within that each character as itself or as a server may
    /// have re-encoded it (see [`spelled_at`]).
    ///
    /// Only errors call this, so it favours being thorough over being fast.
    pub(crate) fn scrub(&self, text: &str, tokens: &[&str]) -> String {
        let values = self
            .secrets
            .iter()
            .map(Secret::expose)
            .chain(tokens.iter().copied());
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for value in values.filter(|v| !v.is_empty()) {
            // The client secret travels percent-encoded in the documented token URL.
            let mut in_url = String::new();
            crate::http::percent::encode_into(&mut in_url, value);
            let mut forms = vec![
                value.as_bytes().to_vec(),
                STANDARD.encode(value).into_bytes(),
                URL_SAFE_NO_PAD.encode(value).into_bytes(),
            ];
            forms.extend(base64_cores(value.as_bytes()));
            if in_url != value {
                forms.extend(base64_cores(in_url.as_bytes()));
            }
            for needle in forms {
                // A token can be both sent and known: each needle once, or the work doubles.
                if !needles.contains(&needle) {
                    needles.push(needle);
                }
            }
        }
        let text = text.as_bytes();
        let steps = std::cell::Cell::new(MAX_SCRUB_STEPS);
        let longest_at = |at: usize| {
            let ends = needles
                .iter()
                .filter_map(|n| spelled_at(text, at, n, &steps));
            ends.max()
        };
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        while at < text.len() {
            let Some(mut end) = longest_at(at) else {
                out.push(text[at]);
                at += 1;
                continue;
            };
            // A secret that starts inside this one and runs past it goes too, or its tail
            // would be left.
            let mut inner = at + 1;
            // Once the rest of the text goes, there is nothing left to extend over.
            while inner < end && end < text.len() {
                end = end.max(longest_at(inner).unwrap_or(0));
                inner += 1;
            }
            out.extend_from_slice(MARKER.as_bytes());
            at = end;
        }
        // A cut falls between whole spellings, so only a secret's own odd bytes could make
        // this lossy.
        let out = String::from_utf8_lossy(&out).into_owned();
        if hides_a_secret(out.as_bytes(), &needles) {
            return MARKER.to_owned();
        }
        out
    }
}

/// The shortest piece of base64 taken for a secret's: the pieces of a secret of a few bytes
/// would match ordinary text.
const MIN_CORE: usize = 8;

/// What base64 text shows of `value` wherever it stood in what was encoded, as when a gateway
/// echoes the request line or a header line encoded: at each of the three places a 3-byte
/// group can start it, the characters made of its bits alone, in both alphabets. Its whole
/// encoding shows only when it was encoded alone. The character or two at each end that mix
/// in the neighbours' bits stay: they hold a few bits of the secret at most.
fn base64_cores(value: &[u8]) -> Vec<Vec<u8>> {
    let mut cores = Vec::new();
    for offset in 0..3 {
        let mut shifted = vec![0; offset];
        shifted.extend_from_slice(value);
        // The characters holding a bit of the zeros before, and the last one if it holds
        // fewer than six bits of the value.
        let skip = [0, 2, 3][offset];
        let whole = shifted.len().saturating_mul(8) / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let text = engine.encode(&shifted).into_bytes();
            if let Some(core) = text.get(skip..whole)
                && core.len() >= MIN_CORE
            {
                cores.push(core.to_vec());
            }
        }
    }
    cores
}

/// How many times over [`hides_a_secret`] undoes escapes.
const DECODE_ROUNDS: usize = 4;

/// Whether a secret still stands in `text` once its escapes are undone, a few times over:
/// the readings above take one escape for one character, but an echo may encode what it
/// quotes in two ways at once (`%5Cu002F`, JSON's `\u002F` percent-encoded; `&amp;#47;`).
/// The text that hides one shows nothing: where the secret lies in it is not known.
fn hides_a_secret(text: &[u8], needles: &[Vec<u8>]) -> bool {
    let mut text = text.to_vec();
    for _ in 0..DECODE_ROUNDS {
        if !text.iter().any(|b| matches!(b, b'%' | b'\\' | b'&' | b'+')) {
            return false;
        }
        let (decoded, changed) = decode_once(&text);
        let spaced: Vec<u8> = decoded
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        // Slices compared with memcmp, not a substring searcher: this runs only for errors,
        // on at most a few KiB, and a searcher's code would be in every binary.
        let shows = |form: &[u8]| {
            needles
                .iter()
                .any(|n| form.windows(n.len()).any(|window| window == n.as_slice()))
        };
        if shows(&spaced) || (changed && shows(&decoded)) {
            return true;
        }
        if !changed {
            return false;
        }
        text = decoded;
    }
    false
}

/// `text` with each escape [`readings`] knows replaced by what it stands for (the deepest
/// layer of `%25`s), and whether there was any.
fn decode_once(text: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut pos = 0;
    while pos < text.len() {
        // The literal reading comes first and moves one byte: any longer one is an escape.
        let (bytes, next) = readings(text, pos)
            .into_iter()
            .reduce(|best, other| if other.1 > best.1 { other } else { best })
            .unwrap_or_else(|| (vec![text[pos]], pos + 1));
        changed |= next > pos + 1;
        out.extend_from_slice(&bytes);
        pos = next;
    }
    (out, changed)
}

/// The most steps [`spelled_at`] takes from one place: far more than any secret needs, so
/// that text made to branch at every byte costs a bounded time. Past it the rest of the text
/// counts as the secret: refusing to show it is the safe way to fail.
const MAX_STEPS: usize = 4096;

/// The most steps one whole [`Redactor::scrub`] takes, over every place and secret: text that
/// matches the start of a long secret everywhere (a server picks its tokens' length and the
/// text of its errors) would otherwise cost `MAX_STEPS` at each of its bytes, seconds of CPU
/// for one error. Past it, as past `MAX_STEPS`, the rest of the text goes.
const MAX_SCRUB_STEPS: usize = 1 << 18;

/// A spelling that has matched this many bytes of a secret when the text ends, or ends in an
/// escape cut short (see [`at_cut`]), counts as the secret, to the end: text is cut (an
/// excerpt's head) where a secret may run on past the cut.
const CUT_PREFIX: usize = 4;

/// Where a spelling of `needle` that starts at `at` in `text` ends (the longest one), if any.
/// Each byte of `needle` may stand as itself or as servers and proxies re-encode what they
/// echo: `%HH` in either case (one byte), `+` for a space, a JSON escape (`\"`, `\\`, `\/`,
/// `\uHHHH`), or an HTML character reference (`&#47;`, `&#x2F;`, `&amp;`, `&quot;`, `&lt;`,
/// `&gt;`, `&apos;`). A literal `%` or `&` can be either itself or the start of an escape, so
/// every reading is followed. A line break may stand between two of its bytes.
fn spelled_at(text: &[u8], at: usize, needle: &[u8], budget: &Cell<usize>) -> Option<usize> {
    // Most places can start no spelling at all: settled without a single allocation.
    let first = *text.get(at)?;
    if needle.first() != Some(&first) && !matches!(first, b'%' | b'+' | b'\\' | b'&') {
        return None;
    }
    let mut pending = vec![(at, 0usize)];
    let mut longest = None;
    let mut steps = 0;
    while let Some((pos, matched)) = pending.pop() {
        if matched == needle.len() {
            longest = longest.max(Some(pos));
            continue;
        }
        if matched >= CUT_PREFIX && at_cut(&text[pos..]) {
            return Some(text.len());
        }
        steps += 1;
        let left = budget.get();
        if steps > MAX_STEPS || left == 0 {
            return Some(text.len());
        }
        budget.set(left - 1);
        let rest = &needle[matched..];
        for (bytes, next) in readings(text, pos) {
            if rest.starts_with(bytes.as_slice()) {
                pending.push((next, matched + bytes.len()));
            }
        }
        // A line break inside a spelling once it has begun, as MIME wraps base64 at 76
        // columns (itself, or as JSON escapes it).
        if matched > 0 {
            let rest = &text[pos..];
            for brk in [&b"\\r\\n"[..], b"\\n", b"\r\n", b"\n"] {
                if rest.starts_with(brk) {
                    pending.push((pos + brk.len(), matched));
                    break;
                }
            }
        }
    }
    longest
}

/// Whether `rest`, the end of a text, is nothing or an escape cut short (`\u00`, `%2`,
/// `&#x2`): a spelling that has come this far may have run on past the cut.
fn at_cut(rest: &[u8]) -> bool {
    let hex = |digits: &[u8]| digits.iter().all(u8::is_ascii_hexdigit);
    match rest {
        [] => true,
        // `%`, `%2`, and the layers of one encoded again (`%252`).
        [b'%', digits @ ..] => {
            let mut digits = digits;
            while let [b'2', b'5', more @ ..] = digits {
                digits = more;
            }
            digits.len() < 2 && hex(digits)
        }
        [b'\\'] => true,
        [b'\\', b'u', digits @ ..] => digits.len() < 4 && hex(digits),
        [b'&', name @ ..] => {
            name.len() < 11 && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'#')
        }
        _ => false,
    }
}

/// The ways the text at `pos` can be read as one character: its byte as itself, and the
/// escape that starts there if any, each with the bytes it stands for and where it ends.
fn readings(text: &[u8], pos: usize) -> Vec<(Vec<u8>, usize)> {
    let Some(&first) = text.get(pos) else {
        return Vec::new();
    };
    let mut out = vec![(vec![first], pos + 1)];
    let hex_at = |from: usize, len: usize| {
        let digits = text.get(from..from + len)?;
        let digits = std::str::from_utf8(digits).ok()?;
        digits
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(digits, 16).ok())
            .flatten()
    };
    let char_bytes =
        |code: u32| char::from_u32(code).map(|c| c.encode_utf8(&mut [0; 4]).as_bytes().to_vec());
    match first {
        b'%' => {
            // Encoded again on the way (`%252F` for `/`, as a link to the refused URL in a
            // gateway's page has it): a few layers of `25` are peeled too.
            let mut hex = pos + 1;
            for _ in 0..4 {
                if let Some(byte) = hex_at(hex, 2) {
                    out.push((vec![byte as u8], hex + 2));
                }
                if text.get(hex..hex + 2) != Some(b"25") {
                    break;
                }
                hex += 2;
            }
        }
        b'+' => out.push((vec![b' '], pos + 1)),
        b'\\' => match text.get(pos + 1) {
            Some(&c @ (b'"' | b'\\' | b'/')) => out.push((vec![c], pos + 2)),
            Some(b'u') => {
                if let Some(bytes) = hex_at(pos + 2, 4).and_then(char_bytes) {
                    out.push((bytes, pos + 6));
                }
            }
            _ => {}
        },
        b'&' => {
            let tail = &text[pos..text.len().min(pos + 12)];
            let end = tail.iter().position(|&b| b == b';');
            let reference = end.map(|end| &tail[1..end]);
            let code = match reference {
                Some(b"amp") => Some(u32::from(b'&')),
                Some(b"quot") => Some(u32::from(b'"')),
                Some(b"lt") => Some(u32::from(b'<')),
                Some(b"gt") => Some(u32::from(b'>')),
                Some(b"apos") => Some(u32::from(b'\'')),
                Some([b'#', b'x' | b'X', hex @ ..]) if !hex.is_empty() => {
                    hex_at(pos + 3, hex.len())
                }
                Some([b'#', digits @ ..])
                    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) =>
                {
                    std::str::from_utf8(digits)
                        .ok()
                        .and_then(|d| d.parse().ok())
                }
                _ => None,
            };
            if let (Some(bytes), Some(end)) = (code.and_then(char_bytes), end) {
                out.push((bytes, pos + end + 1));
            }
        }
        _ => {}
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

    /// How servers, proxies and frameworks echo what they were sent: Python's `quote`,
    /// JavaScript's `encodeURIComponent`, JSON's `\u` escapes, HTML's references, mixed.
    #[test]
    fn re_encoded_secrets_are_replaced_whole() {
        let redactor = Redactor::new(&["S3cr3t/+=value!", "ça va"]);
        let cases = [
            "S3cr3t/%2B%3Dvalue%21",
            "S3cr3t%2F%2B%3Dvalue!",
            r"S3cr3t\u002f+\u003Dvalue!",
            r"S3cr3t\/\u002B=value\u0021",
            "S3cr3t&#47;+&#x3d;value&#33;",
            "S3cr3t&#x2F;%2b&#61;value%21",
            "%53%33cr3t/+=value!",
            "%C3%A7a+va",
            "%c3%a7a%20va",
            r"\u00e7a va",
            "&#231;a&#32;va",
            &STANDARD.encode("ça va"),
        ];
        for case in cases {
            let scrubbed = redactor.scrub(&format!("echo: [{case}] end"), &[]);
            assert_eq!(scrubbed, format!("echo: [{MARKER}] end"), "{case}");
        }
    }

    /// Before: only a secret encoded alone was found, so an echo of the request line or of
    /// the `Authorization` line, base64-encoded, showed it to anyone who decoded it.
    #[test]
    fn a_secret_inside_encoded_text_is_replaced_at_every_offset() {
        let secret = "s3cr3t/with+special=chars";
        let token = "tok/en+with=chars.123";
        let redactor = Redactor::new(&[secret]);
        let mut in_url = String::new();
        crate::http::percent::encode_into(&mut in_url, secret);
        for value in [secret, in_url.as_str(), token] {
            for before in [
                "",
                "a",
                "ab",
                "authorization: Bearer ",
                "POST /t?client_secret=",
            ] {
                for after in ["", " HTTP/1.1", "&x=1"] {
                    let line = format!("{before}{value}{after}");
                    for encoded in [STANDARD.encode(&line), URL_SAFE_NO_PAD.encode(&line)] {
                        let shown = redactor.scrub(&encoded, &[token]);
                        let kept = shown.replacen(MARKER, "", 1);
                        assert!(kept.len() < shown.len(), "{line:?}: {shown}");
                        // Of the value's own characters, no more than the two at each end
                        // (which hold bits of its neighbours) are left.
                        let gone = encoded.len() - kept.len();
                        assert!(gone + 4 >= value.len() * 4 / 3, "{line:?}: {shown}");
                    }
                }
            }
        }
        // Wrapped at 76 columns, as MIME does, wherever the breaks fall.
        for pad in 0..76 {
            let line = format!("{}POST /t?client_secret={in_url} HTTP/1.1", "x".repeat(pad));
            let encoded = STANDARD.encode(&line);
            for brk in ["\r\n", "\n", "\\r\\n"] {
                let wrapped: Vec<&str> = encoded
                    .as_bytes()
                    .chunks(76)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect();
                let shown = redactor.scrub(&wrapped.join(brk), &[]);
                let kept = shown.replacen(MARKER, "", 1).replace(brk, "");
                let gone = encoded.len() - kept.len();
                assert!(gone + 4 >= in_url.len() * 4 / 3, "{pad} {brk:?}: {shown}");
            }
        }
        let plain = "a base64 text of nothing secret: aGVsbG8gd29ybGQ=";
        assert_eq!(redactor.scrub(plain, &[token]), plain);
    }

    #[test]
    fn a_secret_that_overlaps_another_goes_whole() {
        let redactor = Redactor::new(&["abcdef", "defghi"]);
        assert_eq!(
            redactor.scrub("x abcdefghi y", &[]),
            format!("x {MARKER} y")
        );
    }

    /// Text made to branch at every byte (a secret of `%` and hex digits, spelled half one
    /// way, half the other) ends in bounded time and shows nothing of the secret.
    #[test]
    fn text_that_branches_everywhere_is_bounded_and_shows_nothing() {
        let secret = "%41".repeat(40);
        let redactor = Redactor::new(&[&secret]);
        let text = format!("a {} b", "%2541".repeat(40));
        let scrubbed = redactor.scrub(&text, &[]);
        assert!(!scrubbed.contains("%41%41"), "{scrubbed}");
        assert!(scrubbed.starts_with("a "), "{scrubbed}");
    }

    /// Two encodings at once: JSON's escape percent-encoded, HTML's reference escaped again,
    /// five layers of `%25`. Where the secret lies is not known, so nothing shows.
    #[test]
    fn a_secret_encoded_two_ways_at_once_hides_the_whole_text() {
        let redactor = Redactor::new(&["S3cr3t/+=value"]);
        for case in [
            "S3cr3t%5Cu002F+=value",
            "S3cr3t%5C%2F%2B%3Dvalue",
            "S3cr3t&amp;#47;+=value",
            "S3cr3t%252525252F+=value",
        ] {
            let text = format!("echo: [{case}] end");
            assert_eq!(redactor.scrub(&text, &[]), MARKER, "{case}");
        }
        let plain = "echo: 100% of &amp; \\u0041 + more";
        assert_eq!(redactor.scrub(plain, &[]), plain);
    }

    /// Text cut short (an excerpt's head) may end inside a secret, or inside one of its
    /// escapes: what has come of it goes; the same start anywhere else is only text.
    #[test]
    fn a_secret_cut_by_the_end_of_the_text_goes() {
        let redactor = Redactor::new(&["S3cr3t/+=value"]);
        for cut in [
            "S3cr",
            "S3cr3t%2",
            "S3cr3t%252",
            r"S3cr3t\u00",
            "S3cr3t&#x2",
        ] {
            let text = format!("echo: {cut}");
            assert_eq!(
                redactor.scrub(&text, &[]),
                format!("echo: {MARKER}"),
                "{cut}"
            );
        }
        for kept in ["echo: S3c", "echo: S3cr3t%2 end", "echo: S3cr3t%20"] {
            assert_eq!(redactor.scrub(kept, &[]), kept);
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
