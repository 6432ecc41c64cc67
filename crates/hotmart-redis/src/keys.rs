//! Redis keys, and which account a budget speaks for.

use std::sync::{Mutex, PoisonError};

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

/// The accounts that the token stores sharing this value were asked about. A budget asks
/// [`Account::only`] only after its client's store has seen the client's own account (a
/// client reads its store before its first API call), so "only one seen" is its own.
#[derive(Debug, Default)]
pub(crate) struct Account(Mutex<Seen>);

#[derive(Debug, Default)]
enum Seen {
    #[default]
    Nothing,
    One(TokenKey),
    Several,
}

impl Account {
    /// A store was asked about `key`.
    pub(crate) fn saw(&self, key: &TokenKey) {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match &*seen {
            Seen::Nothing => *seen = Seen::One(key.clone()),
            Seen::One(one) if one != key => *seen = Seen::Several,
            _ => {}
        }
    }

    /// The one account seen so far; `None` before any, or once there were several.
    pub(crate) fn only(&self) -> Option<TokenKey> {
        match &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            Seen::One(key) => Some(key.clone()),
            _ => None,
        }
    }
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

    #[test]
    fn a_second_account_makes_the_account_unknown() {
        let account = Account::default();
        assert!(account.only().is_none());
        let a = TokenKey::new("https://a", "https://b", "id-a");
        account.saw(&a);
        account.saw(&a);
        assert_eq!(account.only(), Some(a.clone()));
        account.saw(&TokenKey::new("https://a", "https://b", "id-b"));
        assert!(account.only().is_none());
        account.saw(&a);
        assert!(account.only().is_none());
    }
}
