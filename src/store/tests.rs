//! The store layer's unit tests: what a stored token is worth, and where the cache lives.

use super::*;
use std::ffi::OsString;

pub(crate) fn now_ms() -> u64 {
    millis(SystemTime::now())
}

fn stored(issued_ms: u64, expires_ms: u64) -> StoredToken {
    StoredToken::new("t", issued_ms, expires_ms)
}

fn at(ms: u64) -> (SystemTime, Instant) {
    (UNIX_EPOCH + Duration::from_millis(ms), Instant::now())
}

#[test]
fn freshness_follows_the_margin_rule() {
    let margin = Duration::from_secs(300);
    // 48 h token: fresh until 5 minutes before expiry.
    let long = stored(0, 172_800_000);
    assert!(long.to_fresh(margin, at(172_800_000 - 300_001)).is_some());
    assert!(long.to_fresh(margin, at(172_800_000 - 300_000)).is_none());
    // 10 s token: the margin is clamped to half the lifetime.
    let short = stored(0, 10_000);
    assert!(short.to_fresh(margin, at(4_999)).is_some());
    assert!(short.to_fresh(margin, at(5_000)).is_none());
    // Expired, or nonsense times.
    assert!(long.to_fresh(Duration::ZERO, at(172_800_000)).is_none());
    assert!(stored(10, 5).to_fresh(Duration::ZERO, at(0)).is_none());
}

#[test]
fn a_clock_set_back_does_not_stretch_a_token() {
    // Issued within the allowed skew ahead: trusted, never past its lifetime.
    let token = stored(30_000, 40_000)
        .to_fresh(Duration::ZERO, at(0))
        .unwrap();
    let left = token.expires_at() - Instant::now();
    assert!(left <= Duration::from_secs(10), "{left:?}");
    // Issued further ahead: a clock that ran ahead wrote it, and it is not trusted.
    assert!(
        stored(1_000_000, 1_010_000)
            .to_fresh(Duration::ZERO, at(0))
            .is_none()
    );
}

#[test]
fn restored_token_keeps_margin_and_value() {
    let now = Instant::now();
    let token = stored(0, 100_000)
        .to_fresh(Duration::from_secs(5), at(40_000))
        .unwrap();
    assert_eq!(token.secret(), "t");
    let until_refresh = token.refresh_at().saturating_duration_since(now);
    assert!(
        until_refresh <= Duration::from_secs(56),
        "{until_refresh:?}"
    );
    assert!(
        until_refresh >= Duration::from_secs(54),
        "{until_refresh:?}"
    );
}

#[test]
fn default_dir() {
    let vars = |xdg: Option<&str>, home: Option<&str>| {
        let (xdg, home) = (xdg.map(OsString::from), home.map(OsString::from));
        default_dir_from(move |name| match name {
            "XDG_CACHE_HOME" => xdg.clone(),
            "HOME" => home.clone(),
            _ => None,
        })
    };
    assert_eq!(
        vars(Some("/x/cache"), Some("/home/u")),
        Some(PathBuf::from("/x/cache/hotmart"))
    );
    assert_eq!(
        vars(Some("relative"), Some("/home/u")),
        Some(PathBuf::from("/home/u/.cache/hotmart"))
    );
    assert_eq!(vars(None, None), None);
}

#[cfg(unix)]
#[test]
fn default_dir_keeps_a_home_that_is_not_unicode() {
    use std::os::unix::ffi::OsStringExt;
    let home = OsString::from_vec(b"/home/\xffu".to_vec());
    let dir = default_dir_from(|name: &str| (name == "HOME").then(|| home.clone()));
    let mut want = PathBuf::from(home.clone());
    want.push(".cache/hotmart");
    assert_eq!(dir, Some(want));
}
