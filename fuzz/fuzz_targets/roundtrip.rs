//! Structured token responses, serialized every which way, parse back to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: hotmart_fuzz::roundtrip::Input| hotmart_fuzz::roundtrip::check(&input));
