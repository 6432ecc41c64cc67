//! Replays the checked-in fuzz corpus (`fuzz/corpus/<target>/`) on stable Rust, so every
//! seed and every minimized finding is exercised by each `cargo test`, not only by fuzzing.

#[path = "../fuzz/src/differential.rs"]
mod differential;
#[path = "../fuzz/src/roundtrip.rs"]
mod roundtrip;
#[cfg(feature = "json")]
#[path = "../fuzz/src/webhook.rs"]
mod webhook;

use std::fs;
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
}

#[test]
fn token_response_corpus_parses_without_panic() {
    for (path, bytes) in corpus("token_response") {
        let outcome = std::panic::catch_unwind(|| {
            let _ = hotmart::token::TokenResponse::parse(&bytes);
            let _ = hotmart::token::OAuthErrorBody::parse(&bytes);
        });
        assert!(outcome.is_ok(), "{} panics the parser", path.display());
    }
}

#[test]
fn differential_corpus_agrees_with_serde_json() {
    for (path, bytes) in corpus("differential")
        .into_iter()
        .chain(corpus("token_response"))
    {
        if std::panic::catch_unwind(|| differential::check(&bytes)).is_err() {
            panic!("{} breaks the differential rule", path.display());
        }
    }
}

#[test]
fn roundtrip_corpus_parses_back() {
    use arbitrary::{Arbitrary, Unstructured};
    for (path, bytes) in corpus("roundtrip") {
        let Ok(input) = roundtrip::Input::arbitrary_take_rest(Unstructured::new(&bytes)) else {
            continue;
        };
        if std::panic::catch_unwind(|| roundtrip::check(&input)).is_err() {
            panic!("{} does not round-trip", path.display());
        }
    }
}

#[cfg(feature = "json")]
#[test]
fn webhook_event_corpus_parses_without_panic() {
    let corpus = corpus("webhook_event");
    let mut events = 0;
    for (path, bytes) in &corpus {
        if std::panic::catch_unwind(|| webhook::check(bytes)).is_err() {
            panic!("{} breaks the webhook parser's rules", path.display());
        }
        events += usize::from(hotmart::webhook::Event::parse(bytes).is_ok());
    }
    // The seeds are the published samples, which all parse.
    assert!(
        events >= 43,
        "only {events} of {} seeds parse",
        corpus.len()
    );
}
