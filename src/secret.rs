//! Values that must never be shown: the client secret, the Basic value and access tokens.
//!
//! They live in [`Secret`], whose `Debug` prints a fingerprint instead of the value, so a
//! `{:?}` anywhere up the ownership chain cannot leak them.

use std::fmt;

/// A string that is never printed. Holds one credential or token.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Box<str>);

impl Secret {
    pub(crate) fn new(value: impl Into<Box<str>>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {}>", Fingerprint(&self.0))
    }
}

/// A short, one-way digest of a secret (FNV-1a, 32 bits), so two values can be told apart in
/// a log without revealing either. 32 bits of a long random value give nothing away.
pub(crate) struct Fingerprint<'a>(pub(crate) &'a str);

impl fmt::Display for Fingerprint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in self.0.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        write!(f, "fp:{hash:08x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_a_fingerprint_not_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.starts_with("<redacted fp:"), "{shown}");
        assert_ne!(shown, format!("{:?}", Secret::new("other")));
    }
}
