//! Arbitrary bytes into the webhook event parser: it returns an event or a refusal, never
//! panics, and an event it returns keeps its promises.

use hotmart::webhook::{Data, Event, EventKind, MAX_BODY, Verifier};

const HOTTOK: &str = "fuzz-hottok";

pub fn check(data: &[u8]) {
    let parsed = Event::parse(data);
    let verifier = Verifier::new(HOTTOK).expect("a valid hottok");
    let verified = verifier.verify(Some(HOTTOK), data);
    assert_eq!(
        parsed.is_ok(),
        verified.is_ok(),
        "verify and parse disagree"
    );
    assert!(
        verifier.verify(None, data).is_err(),
        "no hottok must fail closed"
    );
    let event = match parsed {
        Ok(event) => event,
        Err(err) => {
            let _ = (err.to_string(), format!("{err:?}"), err.http_status());
            return;
        }
    };
    assert!(data.len() <= MAX_BODY);
    assert_eq!(event.raw(), data);
    assert!(!event.id().is_empty());
    let kind = event.kind();
    assert_eq!(&kind.as_str().parse::<EventKind>().unwrap(), kind);
    let _ = (
        event.created_at(),
        event.version(),
        event.transaction(),
        event.buyer_email(),
    );
    let _ = (event.product_id(), event.subscriber_code(), event.json());
    if let Some(price) = event.price() {
        assert!(price.value.is_some_and(f64::is_finite));
    }
    if !matches!(kind, EventKind::Other(_)) {
        assert!(
            !matches!(event.data(), Data::Other),
            "a documented kind has typed data"
        );
    }
    let _ = format!("{event:?}");
}
