//! What the parser hands the cell: issuing a token from a response.

use super::*;

const SEED: &str = r#"{"access_token":"wxyz","token_type":"bearer","expires_in":172799}"#;

#[test]
fn borrows_unless_an_escape_forces_a_copy() {
    let parsed = TokenResponse::parse(SEED.as_bytes()).unwrap();
    assert!(matches!(parsed.access_token, Cow::Borrowed(_)));
    let escaped = br#"{"access_token":"a\/b","token_type":"bearer","expires_in":1}"#;
    let parsed = TokenResponse::parse(escaped).unwrap();
    assert!(matches!(parsed.access_token, Cow::Owned(_)));
    assert_eq!(parsed.clone().into_owned(), parsed);
}

#[test]
fn issue_clamps_the_margin_and_survives_huge_lifetimes() {
    let at = Instant::now();
    let response = |expires_in: u64| TokenResponse {
        access_token: "t".into(),
        token_type: "bearer".into(),
        expires_in,
        scope: None,
        jti: None,
    };
    let token = AccessToken::issue(&response(100), at, Duration::from_secs(300));
    assert_eq!(token.expires_at() - at, Duration::from_secs(100));
    assert_eq!(token.refresh_at() - at, Duration::from_secs(50));
    let token = AccessToken::issue(&response(1000), at, Duration::from_secs(300));
    assert_eq!(token.refresh_at() - at, Duration::from_secs(700));
    let token = AccessToken::issue(&response(0), at, Duration::from_secs(300));
    assert!(!token.is_fresh_at(at));
    let token = AccessToken::issue(&response(u64::MAX), at, Duration::from_secs(300));
    assert!(token.is_fresh_at(at + Duration::from_secs(86_400 * 365)));
}
