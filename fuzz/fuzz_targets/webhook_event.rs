//! Arbitrary bytes into the webhook event parser; see `hotmart_fuzz::webhook` for the rules.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| hotmart_fuzz::webhook::check(data));
