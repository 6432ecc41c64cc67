//! Arbitrary bytes into our parser and serde_json; see `hotmart_fuzz::differential` for the rule.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hotmart_fuzz::differential::check(data));
