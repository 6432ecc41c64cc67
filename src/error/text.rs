//! Text taken from answers for error messages: the OAuth envelope and short excerpts, both
//! scrubbed of secrets before they are kept.

/// Hotmart's error envelope (`error`, `error_description`, `error_uri`), read from a body and
/// sanitized for messages. Shared by the token endpoint's and the API's errors.
pub(crate) struct Envelope {
    pub(crate) error: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) uri: Option<String>,
}

impl Envelope {
    /// The envelope, if the body is one; each text passes through `scrub` before it is kept.
    pub(crate) fn read(body: &[u8], scrub: impl Fn(&str) -> String) -> Option<Envelope> {
        let parsed = crate::token::OAuthErrorBody::parse(body).ok()?;
        let text = |value: Option<&str>| value.map(|v| excerpt(v.as_bytes(), &scrub));
        Some(Envelope {
            error: text(parsed.error()),
            description: text(parsed.error_description()),
            uri: text(parsed.error_uri()),
        })
    }
}

/// The start of a body for an error message: scrubbed of secrets (before it is cut, so no
/// part of a secret survives the cut), at most 200 characters, control characters replaced,
/// so a hostile or binary body cannot garble a terminal or a log line.
pub(crate) fn excerpt(body: &[u8], scrub: impl Fn(&str) -> String) -> String {
    const MAX_CHARS: usize = 200;
    // Only the first few KiB can reach the excerpt; scrubbing more would be wasted work.
    let body = body.trim_ascii_start();
    // Leading non-ASCII blanks too, before the cut: the excerpt starts after them, and must
    // not reach the cut, where a secret cut in two would escape the scrubber.
    let blanks = body.utf8_chunks().next().map_or(0, |chunk| {
        let valid = chunk.valid();
        valid.len() - valid.trim_start().len()
    });
    let body = &body[blanks..];
    let head = &body[..body.len().min(16 * 1024)];
    let text = scrub(&String::from_utf8_lossy(head));
    let mut out: String = text
        .trim()
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().chars().nth(MAX_CHARS).is_some() || head.len() < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt;

    #[test]
    fn leading_unicode_blanks_cannot_push_a_cut_secret_into_the_excerpt() {
        // 16,374 bytes of EM SPACE, then the secret: the 16 KiB cut falls inside it, so the
        // scrubber sees only its first 10 bytes and cannot recognise it.
        let secret = "SECRETTOKEN-0123456789";
        let body = format!("{}{secret} echoed", "\u{2003}".repeat(5_458));
        let shown = excerpt(body.as_bytes(), |t| t.replace(secret, "<redacted>"));
        assert!(!shown.contains("SECRETTOK"), "{shown}");
    }
}
