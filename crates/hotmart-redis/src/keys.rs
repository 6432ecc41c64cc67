//! Redis keys: digests, never a value in clear.

use hotmart::store::TokenKey;

/// A key for `purpose` (`budget`, `token`…) and the given parts, e.g. the API base URL and the
/// client id: a digest of them, so any value makes a valid key and none is spelled out. The
/// braces keep one account's keys in one slot of a Redis Cluster.
pub(crate) fn key(purpose: &str, parts: &[&str]) -> String {
    // FNV-1a: stable across versions and platforms, so every host names the same key.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("hotmart:v1:{{{hash:016x}}}:{purpose}")
}

/// The budget's key of an account: its API base URL and client id (never the secret).
pub(crate) fn budget_key(key: &TokenKey) -> String {
    self::key("budget", &[key.api_url(), key.client_id()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_no_value_in_clear() {
        let k = key(
            "budget",
            &["https://developers.hotmart.com", "my-client-id"],
        );
        assert!(
            k.starts_with("hotmart:v1:{") && k.ends_with("}:budget"),
            "{k}"
        );
        assert!(!k.contains("my-client-id"));
        assert_ne!(
            k,
            key("budget", &["https://sandbox.hotmart.com", "my-client-id"])
        );
    }
}
