//! Table-driven tests of the token response and OAuth error body parsers, through their
//! public API.

use ParseErrorKind as K;
use hotmart::token::{Member, OAuthErrorBody, ParseError, ParseErrorKind, TokenResponse};

const SEED: &str = r#"{"access_token":"wxyz","token_type":"bearer","expires_in":172799,"scope":"read write","jti":"da2eff63-754d-4v76-9b3a-19bdb5cc8f36"}"#;

/// (input, access_token, token_type, expires_in, scope, jti)
type Valid = (
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<&'static str>,
    Option<&'static str>,
);

#[rustfmt::skip]
const VALID: &[Valid] = &[
    (SEED, "wxyz", "bearer", 172799, Some("read write"), Some("da2eff63-754d-4v76-9b3a-19bdb5cc8f36")),
    (r#"{"access_token":"a","token_type":"bearer","expires_in":0}"#, "a", "bearer", 0, None, None),
    // Member order, whitespace all around, token_type case.
    (" \t\r\n{ \"expires_in\" : 5 ,\"token_type\":\"BeArEr\", \"access_token\":\"t\" } \n", "t", "BeArEr", 5, None, None),
    // null scope and jti mean absent.
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"scope":null,"jti":null}"#, "t", "bearer", 1, None, None),
    // The largest u64.
    (r#"{"access_token":"t","token_type":"bearer","expires_in":18446744073709551615}"#, "t", "bearer", u64::MAX, None, None),
    // Every escape, decoded.
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"scope":"a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u20ac\ud83d\ude00"}"#, "t", "bearer", 1, Some("a\"b\\c/d\u{8}e\u{c}f\ng\rh\tiA\u{e9}\u{20ac}\u{1f600}"), None),
    // Escapes in the token itself, as long as it stays header-safe.
    (r#"{"access_token":"a\"b\\c\/d\u0041","token_type":"bearer","expires_in":1}"#, "a\"b\\c/dA", "bearer", 1, None, None),
    // Escaped member names match.
    (r#"{"access\u005ftoken":"t","token_type":"bearer","expires_in":1}"#, "t", "bearer", 1, None, None),
    // Raw UTF-8 in strings.
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"scope":"tök€n😀 leitura escrita ção"}"#, "t", "bearer", 1, Some("tök€n😀 leitura escrita ção"), None),
    // Unknown members of every kind are skipped.
    (r#"{"x":{"a":[1,-2.5e-3,true,false,null,{"b":"\u00e9\n"}],"c":{}},"access_token":"t","y":[],"token_type":"bearer","z":"\ud83d\ude00","expires_in":7,"w":-0,"v":1E+9}"#, "t", "bearer", 7, None, None),
    // Duplicate unknown members are fine.
    (r#"{"x":1,"x":2,"access_token":"t","token_type":"bearer","expires_in":1}"#, "t", "bearer", 1, None, None),
];

/// (input, expected kind, expected offset)
#[rustfmt::skip]
const INVALID: &[(&str, ParseErrorKind, usize)] = &[
    ("", K::UnexpectedEnd, 0),
    ("   ", K::UnexpectedEnd, 3),
    ("[]", K::ExpectedObject, 0),
    ("\u{feff}{}", K::ExpectedObject, 0),
    ("null", K::ExpectedObject, 0),
    ("{}", K::MissingMember(Member::AccessToken), 2),
    (r#"{"access_token":"t","token_type":"bearer"}"#, K::MissingMember(Member::ExpiresIn), 42),
    (r#"{"access_token":"t","expires_in":1}"#, K::MissingMember(Member::TokenType), 35),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1} x"#, K::TrailingCharacters, 58),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1}{}"#, K::TrailingCharacters, 57),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1"#, K::UnexpectedEnd, 56),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,}"#, K::ExpectedMemberName, 57),
    (r#"{"access_token":"t" "token_type":"bearer"}"#, K::ExpectedCommaOrObjectEnd, 20),
    (r#"{"access_token" "t"}"#, K::ExpectedColon, 16),
    (r#"{access_token:"t"}"#, K::ExpectedMemberName, 1),
    (r#"{"access_token":"","token_type":"bearer","expires_in":1}"#, K::EmptyAccessToken, 16),
    (r#"{"access_token":"a\r\nX-Evil: 1","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"a\u0000b","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"a\u007fb","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"a\tb","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"a b","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"   ","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":"tokén","token_type":"bearer","expires_in":1}"#, K::UnsafeAccessToken, 16),
    (r#"{"access_token":1,"token_type":"bearer","expires_in":1}"#, K::WrongType(Member::AccessToken), 16),
    (r#"{"access_token":null,"token_type":"bearer","expires_in":1}"#, K::WrongType(Member::AccessToken), 16),
    (r#"{"access_token":"t","token_type":"mac","expires_in":1}"#, K::UnsupportedTokenType, 33),
    (r#"{"access_token":"t","token_type":"bearer ","expires_in":1}"#, K::UnsupportedTokenType, 33),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":"1"}"#, K::WrongType(Member::ExpiresIn), 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":-1}"#, K::ExpectedUnsignedInteger, 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1.0}"#, K::ExpectedUnsignedInteger, 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1e3}"#, K::ExpectedUnsignedInteger, 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":01}"#, K::LeadingZero, 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":18446744073709551616}"#, K::NumberOutOfRange, 55),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"scope":5}"#, K::WrongType(Member::Scope), 65),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"jti":[]}"#, K::WrongType(Member::Jti), 63),
    (r#"{"access_token":"t","access_token":"u","token_type":"bearer","expires_in":1}"#, K::DuplicateMember(Member::AccessToken), 35),
    (r#"{"scope":null,"scope":"x","access_token":"t"}"#, K::DuplicateMember(Member::Scope), 22),
    (r#"{"access_token":"t","token_type":"bearer","expires_in":1,"expires_in":2}"#, K::DuplicateMember(Member::ExpiresIn), 70),
    // Strings.
    ("{\"access_token\":\"a\u{1}b\"}", K::ControlCharacter, 18),
    ("{\"access_token\":\"a\nb\"}", K::ControlCharacter, 18),
    (r#"{"access_token":"a\xb"}"#, K::InvalidEscape, 18),
    (r#"{"access_token":"a\u12g4"}"#, K::InvalidEscape, 22),
    (r#"{"access_token":"a\ud800"}"#, K::LoneSurrogate, 18),
    (r#"{"access_token":"a\ud800\u0041"}"#, K::LoneSurrogate, 18),
    (r#"{"access_token":"a\udc00"}"#, K::LoneSurrogate, 18),
    (r#"{"x":"\ud83d"}"#, K::LoneSurrogate, 6),
    (r#"{"access_token":"abc"#, K::UnexpectedEnd, 20),
    (r#"{"access_token":"abc\"#, K::UnexpectedEnd, 21),
    (r#"{"access_token":"abc\u00"#, K::UnexpectedEnd, 24),
    // Skipped values must be valid JSON too.
    (r#"{"x":}"#, K::ExpectedValue, 5),
    (r#"{"x":tru}"#, K::InvalidLiteral, 5),
    (r#"{"x":nul"#, K::UnexpectedEnd, 8),
    (r#"{"x":01}"#, K::LeadingZero, 6),
    (r#"{"x":-}"#, K::InvalidNumber, 6),
    (r#"{"x":1.}"#, K::InvalidNumber, 7),
    (r#"{"x":1e}"#, K::InvalidNumber, 7),
    (r#"{"x":+1}"#, K::ExpectedValue, 5),
    (r#"{"x":.5}"#, K::ExpectedValue, 5),
    (r#"{"x":[1,]}"#, K::ExpectedValue, 8),
    (r#"{"x":[1 2]}"#, K::ExpectedCommaOrArrayEnd, 8),
    (r#"{"x":{"a" 1}}"#, K::ExpectedColon, 10),
    (r#"{"x":{"a":1,}}"#, K::ExpectedMemberName, 12),
    (r#"{"x":{1:1}}"#, K::ExpectedMemberName, 6),
    (r#"{"x":[}"#, K::ExpectedValue, 6),
    (r#"{"x":{"a":1]}"#, K::ExpectedCommaOrObjectEnd, 11),
    (r#"{"x":NaN}"#, K::ExpectedValue, 5),
    (r#"{"x":'a'}"#, K::ExpectedValue, 5),
];

#[test]
fn valid_inputs() {
    for &(input, token, token_type, expires_in, scope, jti) in VALID {
        let parsed =
            TokenResponse::parse(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(parsed.access_token(), token, "{input}");
        assert_eq!(parsed.token_type(), token_type, "{input}");
        assert_eq!(parsed.expires_in(), expires_in, "{input}");
        assert_eq!(parsed.scope(), scope, "{input}");
        assert_eq!(parsed.jti(), jti, "{input}");
    }
}

#[test]
fn invalid_inputs() {
    let mut wrong = Vec::new();
    for &(input, kind, offset) in INVALID {
        match TokenResponse::parse(input.as_bytes()) {
            Ok(_) => wrong.push(format!("{input}: accepted")),
            Err(err) if (err.kind(), err.offset()) != (kind, offset) => {
                wrong.push(format!("{input}: {:?} at {}", err.kind(), err.offset()))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let cases: &[(&[u8], usize)] = &[
        (b"{\"access_token\":\"ab\xff\"}", 19),
        (b"{\"access_token\":\"\xc3\"}", 17),
        (b"{\"x\":\"\xed\xa0\x80\"}", 6), // an encoded surrogate
        (b"{\"\xe2\x82\":1}", 2),
    ];
    for &(input, offset) in cases {
        let err = TokenResponse::parse(input).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (K::InvalidUtf8, offset),
            "{input:?}"
        );
    }
}

fn nested(depth: usize) -> String {
    let mut input =
        String::from(r#"{"access_token":"t","token_type":"bearer","expires_in":1,"deep":"#);
    for i in 0..depth {
        input.push_str(if i % 2 == 0 { "[" } else { "{\"k\":" });
    }
    input.push('0');
    for i in (0..depth).rev() {
        input.push(if i % 2 == 0 { ']' } else { '}' });
    }
    input.push('}');
    input
}

#[test]
fn nesting_is_bounded_without_recursion() {
    // The outer object is level 1, so `MAX_DEPTH - 1` containers fit inside it.
    assert!(TokenResponse::parse(nested(64).as_bytes()).is_ok());
    assert!(TokenResponse::parse(nested(ParseError::MAX_DEPTH - 1).as_bytes()).is_ok());
    let err = TokenResponse::parse(nested(ParseError::MAX_DEPTH).as_bytes()).unwrap_err();
    assert_eq!(err.kind(), K::TooDeep);
    // Far beyond the limit: an error, not a stack overflow.
    let err = TokenResponse::parse(nested(1_000_000 / 5).as_bytes()).unwrap_err();
    assert_eq!(err.kind(), K::TooDeep);
}

#[test]
fn size_is_bounded() {
    let token = |len| {
        let input = format!(
            r#"{{"access_token":"{}","token_type":"bearer","expires_in":1}}"#,
            "x".repeat(len)
        );
        TokenResponse::parse(input.as_bytes()).map(|t| t.access_token().len())
    };
    let longest = ParseError::MAX_ACCESS_TOKEN_LEN;
    assert_eq!(token(longest), Ok(longest));
    assert_eq!(token(longest + 1).unwrap_err().kind(), K::UnsafeAccessToken);
    let huge = vec![b' '; ParseError::MAX_INPUT_LEN + 1];
    assert_eq!(TokenResponse::parse(&huge).unwrap_err().kind(), K::TooLarge);
}

#[test]
fn errors_never_quote_the_input() {
    let secret = "s3cr3t-t0k3n";
    let inputs = [
        format!(r#"{{"access_token":"{secret}","token_type":"mac","expires_in":1}}"#),
        format!(r#"{{"access_token":"{secret}","token_type":"bearer"}}"#),
        format!(r#"{{"access_token":"{secret}"#),
        format!(r#"{{"access_token":"{secret}","access_token":"{secret}"}}"#),
    ];
    for input in inputs {
        let err = TokenResponse::parse(input.as_bytes()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(secret), "{shown}");
    }
    let ok = TokenResponse::parse(SEED.as_bytes()).unwrap();
    assert!(!format!("{ok:?}").contains("wxyz"));
}

/// (input, error, error_description, error_uri)
type ErrorCase = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

#[test]
fn oauth_error_bodies() {
    let cases: &[ErrorCase] = &[
        (
            r#"{"error":"unauthorized","error_description":"Bad credentials"}"#,
            Some("unauthorized"),
            Some("Bad credentials"),
            None,
        ),
        (
            r#"{"error":"invalid_token","error_description":"x","error_uri":"https://h/e","extra":[1]}"#,
            Some("invalid_token"),
            Some("x"),
            Some("https://h/e"),
        ),
        (r#"{}"#, None, None, None),
        (r#"{"error":null}"#, None, None, None),
    ];
    for &(input, error, description, uri) in cases {
        let body = OAuthErrorBody::parse(input.as_bytes()).unwrap();
        assert_eq!(
            (body.error(), body.error_description(), body.error_uri()),
            (error, description, uri)
        );
    }
    for bad in [
        r#"{"error":1}"#,
        r#"{"error":"a","error":"b"}"#,
        "<html>",
        r#"{"error":"a""#,
    ] {
        assert!(OAuthErrorBody::parse(bad.as_bytes()).is_err(), "{bad}");
    }
}
