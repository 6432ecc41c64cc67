//! Our token parser against serde_json, the reference JSON implementation.
//!
//! The rule: where serde_json reads one JSON object whose known members have the types the
//! token response requires, ours accepts with equal values; where ours accepts, serde_json
//! reads the same values. Where they differ on purpose, it is spelled out here:
//! - a known member given twice: ours refuses; the oracle sees every entry, so it refuses too;
//! - nesting deeper than our limit, or input longer than it: ours refuses, whatever serde says;
//! - `expires_in` must be digits only: `-0`, which serde reads as the integer 0, is refused;
//! - `access_token` must fit an HTTP header: a control or non-ASCII character is refused, and so
//!   is one over `ParseError::MAX_ACCESS_TOKEN_LEN` bytes.

use std::fmt;

use hotmart::token::{ParseError, TokenResponse};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Every member of an object in order, duplicates kept (a map would keep only one).
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// What the token response must hold, as the oracle reads it.
#[derive(Debug, PartialEq)]
struct Expected {
    access_token: String,
    token_type: String,
    expires_in: u64,
    scope: Option<String>,
    jti: Option<String>,
}

/// The oracle's verdict: `Some` where the input is a valid token response.
fn oracle(input: &[u8]) -> Option<Expected> {
    let Entries(entries) = serde_json::from_slice(input).ok()?;
    let mut seen = [0u8; 5];
    let (mut access_token, mut token_type, mut expires_in, mut scope, mut jti) =
        (None, None, None, None, None);
    for (name, value) in entries {
        let slot = match name.as_str() {
            "access_token" => 0,
            "token_type" => 1,
            "expires_in" => 2,
            "scope" => 3,
            "jti" => 4,
            _ => continue,
        };
        seen[slot] += 1;
        if seen[slot] > 1 {
            return None;
        }
        match (slot, value) {
            (0, Value::String(s))
                if !s.is_empty()
                    && s.len() <= ParseError::MAX_ACCESS_TOKEN_LEN
                    && s.bytes().all(|b| (b'!'..=b'~').contains(&b)) =>
            {
                access_token = Some(s)
            }
            (1, Value::String(s)) if s.eq_ignore_ascii_case("bearer") => token_type = Some(s),
            (2, Value::Number(n)) => {
                let text = n.to_string();
                if !text.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                expires_in = Some(text.parse::<u64>().ok()?);
            }
            (3, Value::String(s)) => scope = Some(s),
            (4, Value::String(s)) => jti = Some(s),
            (3 | 4, Value::Null) => {}
            _ => return None,
        }
    }
    Some(Expected {
        access_token: access_token?,
        token_type: token_type?,
        expires_in: expires_in?,
        scope,
        jti,
    })
}

/// How deeply a valid JSON text nests, counting the outermost container as 1.
fn depth(input: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &byte in input {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Runs both parsers on `input` and panics, with the reason, where they disagree against the
/// rule above.
pub fn check(input: &[u8]) {
    let ours = TokenResponse::parse(input);
    let expected = oracle(input);
    match (&ours, &expected) {
        (Ok(ours), Some(expected)) => {
            let ours = Expected {
                access_token: ours.access_token().to_owned(),
                token_type: ours.token_type().to_owned(),
                expires_in: ours.expires_in(),
                scope: ours.scope().map(str::to_owned),
                jti: ours.jti().map(str::to_owned),
            };
            assert_eq!(&ours, expected, "the parsers read different values");
        }
        (Ok(_), None) => panic!("ours accepts what serde_json refuses"),
        (Err(err), Some(_)) => {
            let limited =
                input.len() > ParseError::MAX_INPUT_LEN || depth(input) > ParseError::MAX_DEPTH;
            assert!(limited, "ours refuses a valid token response: {err}");
        }
        (Err(_), None) => {}
    }
}
