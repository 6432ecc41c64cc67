//! The cache file's format: one entry as a few named lines, read back only whole and only
//! for the key it was written for, so a torn or foreign file is never taken for a token.

use super::{StoredToken, TokenKey};

/// The first line of every cache file; another version is ignored and replaced.
pub(super) const FORMAT: &str = "hotmart-token-cache 1";

/// The entry's text; `None` for one whose token or key would break its lines.
pub(super) fn encode(entry: &StoredToken, key: &TokenKey) -> Option<String> {
    let token = entry.secret();
    let clean = |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c.is_whitespace());
    if !clean(token)
        || !clean(&key.auth_url)
        || !clean(&key.api_url)
        || key.client_id.contains(['\n', '\r'])
    {
        return None;
    }
    Some(format!(
        "{FORMAT}\nauth {}\napi {}\nclient_id {}\nissued_ms {}\nexpires_ms {}\ntoken {token}\nend\n",
        key.auth_url, key.api_url, key.client_id, entry.issued_ms, entry.expires_ms
    ))
}

/// Reads a cache file's text: exactly the lines [`encode`] writes, for exactly this key.
pub(super) fn decode(text: &str, key: &TokenKey) -> Option<StoredToken> {
    let mut lines = text.strip_suffix('\n')?.split('\n');
    let mut field = |name: &str| {
        lines
            .next()?
            .strip_prefix(name)?
            .strip_prefix(' ')
            .map(str::to_owned)
    };
    if field("hotmart-token-cache")? != "1" {
        return None;
    }
    let found = TokenKey::new(field("auth")?, field("api")?, field("client_id")?);
    let issued_ms = field("issued_ms")?.parse().ok()?;
    let expires_ms = field("expires_ms")?.parse().ok()?;
    let token = field("token")?;
    if found != *key || token.is_empty() || lines.next()? != "end" || lines.next().is_some() {
        return None;
    }
    Some(StoredToken::new(token, issued_ms, expires_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new("https://a.example", "https://b.example", "id 1")
    }

    #[test]
    fn encode_decode_roundtrip_and_rejects_everything_else() {
        let entry = StoredToken::new("tok.en-1", 5, 10);
        let text = encode(&entry, &key()).unwrap();
        assert!(text.starts_with(FORMAT));
        assert_eq!(decode(&text, &key()), Some(entry.clone()));
        // Every prefix is a torn file.
        for end in 0..text.len() {
            assert_eq!(decode(&text[..end], &key()), None, "{end}");
        }
        let other = TokenKey::new("https://a.example", "https://b.example", "id 2");
        assert_eq!(decode(&text, &other), None);
        assert_eq!(decode(&text.replace("cache 1", "cache 2"), &key()), None);
        assert_eq!(decode(&format!("{text}x\n"), &key()), None);
        assert_eq!(
            decode(&text.replace("issued_ms 5", "issued_ms -5"), &key()),
            None
        );
        let bad = StoredToken::new("two\nlines", 5, 10);
        assert_eq!(encode(&bad, &key()), None);
    }
}
