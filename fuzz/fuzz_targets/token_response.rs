//! Arbitrary bytes into the parsers: they return Ok or Err, never panic, loop or blow up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hotmart::token::TokenResponse::parse(data);
    let _ = hotmart::token::OAuthErrorBody::parse(data);
});
