//! Arguments of typed calls that Hotmart would misread (a path code that names another
//! resource, an amount JSON cannot hold, a list of no one), refused before anything is sent;
//! and how a call without a body, or a model with `extra` members, goes on the wire.

mod support;

use hotmart::Error;
use hotmart_mock::MockServer;
use miniserde::json::Value;

/// Before: `refund("")` went out as `PUT …/sales//refund`, and `refund("..")` as
/// `PUT …/sales/../refund`, which a server that resolves dot segments reads as
/// `…/v1/refund`; an empty `page_token` went out as `page_token=`. Each is refused before
/// anything is sent, naming the argument; other codes go whole, percent-encoded.
#[test]
fn path_codes_that_name_another_resource_are_refused_before_sending() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let physical = client.physical_products("PARTNER");
    for code in ["", ".", ".."] {
        let calls: Vec<(&str, Result<(), Error>)> = vec![
            ("transaction", client.sales().refund(code)),
            ("transaction", client.sales().billet(code).map(drop)),
            ("ucode", client.products().offers(code).send().map(drop)),
            ("ucode", client.products().plans(code).send().map(drop)),
            ("module_id", client.club("sub").pages(code).send().map(drop)),
            ("user_id", client.club("sub").lessons(code).send().map(drop)),
            (
                "subscriber_code",
                client.subscriptions().purchases(code).send().map(drop),
            ),
            (
                "subscriber_code",
                client.subscriptions().cancel_one(code).send().map(drop),
            ),
            (
                "subscriber_code",
                client.subscriptions().reactivate_one(code).send().map(drop),
            ),
            (
                "subscriber_code",
                client.subscriptions().change_due_day(code, 10),
            ),
            ("client_id", physical.delete_credential(code).map(drop)),
            ("webhook_id", physical.delete_webhook(code).map(drop)),
            (
                "ucode",
                physical.set_product_status(code, "ACTIVE").map(drop),
            ),
        ];
        for (argument, result) in calls {
            let err = result.unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument { argument: a, .. } if a == argument),
                "{code:?}: {err:?}"
            );
            assert!(err.to_string().contains(argument), "{err}");
        }
    }
    let err = client
        .sales()
        .history()
        .page_token("")
        .send()
        .map(drop)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidFilter {
                filter: "page_token",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        client
            .sales()
            .history()
            .page_token("")
            .items()
            .next()
            .unwrap()
            .is_err()
    );
    assert!(server.requests().is_empty(), "nothing was sent");

    // A token set again decides anew; codes that only look like dots go whole.
    client
        .sales()
        .history()
        .page_token("")
        .page_token("mock-page-5")
        .send()
        .unwrap();
    for (code, path) in [
        ("...", "/products/api/v1/products/.../offers"),
        (".a", "/products/api/v1/products/.a/offers"),
        ("a/..", "/products/api/v1/products/a%2F../offers"),
    ] {
        let _ = client.products().offers(code).send();
        let last = server.requests().pop().unwrap();
        assert_eq!(last.path, path);
    }
}

/// Before: each of these was sent, and Hotmart would have read something else than meant:
/// NaN or infinity as `null` (no price), `20.0` as a coupon discount (meant as 20 %), a due
/// day of 0, a list of no one, an empty filter (`transaction=` also lifts the sales' status
/// default), a code with a comma that became two codes. Each is refused before anything is
/// sent, naming the argument.
#[test]
fn arguments_hotmart_would_misread_are_refused_before_sending() {
    use hotmart::api::PaymentLink;

    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let subs = client.subscriptions();
    let physical = client.physical_products("PARTNER");
    let nan_link = PaymentLink {
        name: Some("A".into()),
        value: Some(f64::NAN),
        ..Default::default()
    };
    let calls: Vec<(&str, Result<(), Error>)> = vec![
        ("discount", client.coupons().create(1, "C", f64::NAN)),
        ("discount", client.coupons().create(1, "C", 20.0)),
        ("discount", client.coupons().create(1, "C", 0.0)),
        ("discount", client.coupons().create(1, "C", -0.5)),
        ("code", client.coupons().create(1, " ", 0.2)),
        (
            "value",
            client
                .payment_links()
                .charge_value("t", "s", f64::INFINITY)
                .map(drop),
        ),
        (
            "value",
            client
                .payment_links()
                .charge_value("t", "s", -1.0)
                .map(drop),
        ),
        (
            "token",
            client.payment_links().charge_offer("", "s", "O").map(drop),
        ),
        ("body", client.payment_links().create(&nan_link).map(drop)),
        (
            "body",
            client.post("/x").json(&f64::NEG_INFINITY).send().map(drop),
        ),
        (
            "discount",
            client
                .negotiation()
                .create(1, &[1], "PIX")
                .discount("CUSTOM", f64::NAN)
                .send()
                .map(drop),
        ),
        (
            "recurrences",
            client.negotiation().create(1, &[], "PIX").send().map(drop),
        ),
        ("due_day", subs.change_due_day("S", 0)),
        ("due_day", subs.change_due_day("S", 32)),
        ("subscriber_codes", subs.cancel(&[]).send().map(drop)),
        ("subscriber_codes", subs.cancel(&["A", ""]).send().map(drop)),
        ("subscriber_codes", subs.reactivate(&[]).send().map(drop)),
        (
            "subscriber_codes",
            subs.switch_plan_options(&["A,B"]).send().map(drop),
        ),
        ("offer_code", subs.switch_plan("S", "").map(drop)),
        ("ucode", client.accounts().info("").map(drop)),
        ("subdomain", client.club("").modules().send().map(drop)),
        (
            "subdomain",
            client
                .club("mymembers.club.hotmart.com")
                .modules()
                .send()
                .map(drop),
        ),
        (
            "partner_identifier",
            client.physical_products("").delete_webhook("W").map(drop),
        ),
        (
            "events",
            physical
                .create_webhook(&[], "U", "https://e.example")
                .map(drop),
        ),
        (
            "date",
            physical.shipment_status("HP1", "SHIPPED", "").map(drop),
        ),
    ];
    for (argument, result) in calls {
        assert_eq!(refused(result), argument);
    }
    for result in [
        client.sales().history().transaction("").send().map(drop),
        client
            .sales()
            .history()
            .transaction_status(" ")
            .send()
            .map(drop),
        client.subscriptions().list().status("").send().map(drop),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::InvalidFilter { .. }), "{err:?}");
    }
    // A body given again decides anew.
    client
        .post("/x")
        .json(&f64::NAN)
        .body("a\nb", "hi")
        .json(&1.5)
        .send()
        .map(drop)
        .unwrap_err()
        .status()
        .expect("the second body was sent");
    server.clear_requests();
    let long = "A".repeat(70_000);
    let err = client.sales().refund(&long).unwrap_err();
    assert!(matches!(err, Error::InvalidUrl { .. }), "{err:?}");
    assert!(err.to_string().len() < 400, "the message is cut: {err}");
    // A path HTTP cannot carry was a transport error "from" the server, after a token fetch.
    for path in ["/a b", "/caf\u{e9}", "/x\u{7f}"] {
        let err = client.get(path).send().unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{path:?}: {err:?}");
    }
    assert!(
        server.requests().is_empty(),
        "nothing was sent, no token fetched"
    );

    // What is allowed goes as given; a known status in any case and with spaces is itself.
    // The local Hotmart knows no subscription `S`: what counts is that the call was sent.
    let _ = subs.change_due_day("S", 31);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.body, br#"{"due_day":31}"#);
    client
        .sales()
        .history()
        .transaction_status(" approved ")
        .send()
        .unwrap();
    last_query_holds(&server, &[("transaction_status", "APPROVED")]);
    // A repeatable filter given the same value twice sends it once.
    let _ = client
        .subscriptions()
        .list()
        .status("ACTIVE")
        .status("active")
        .status("DELAYED")
        .send();
    let last = server.requests().pop().unwrap();
    let statuses: Vec<&str> = last
        .query
        .iter()
        .filter(|(name, _)| name == "status")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(statuses, ["ACTIVE", "DELAYED"]);
}

/// Before: a typed field and a member of `extra` of the same name were both written
/// (`"value":10.0,…,"value":9999.0`), and a server keeping the last would charge the
/// other. The typed field wins.
#[test]
fn a_typed_field_wins_over_extra_of_the_same_name() {
    use hotmart::api::PaymentLink;
    use miniserde::json::Number;

    let mut link = PaymentLink {
        name: Some("A".into()),
        value: Some(10.0),
        ..Default::default()
    };
    link.extra
        .insert("value".into(), Value::Number(Number::F64(9999.0)));
    link.extra
        .insert("note".into(), Value::String("kept".into()));
    let json = miniserde::json::to_string(&link);
    assert_eq!(json, r#"{"name":"A","value":10.0,"note":"kept"}"#);

    // With the typed field left out, `extra`'s member is the one sent.
    link.value = None;
    let json = miniserde::json::to_string(&link);
    assert_eq!(json, r#"{"name":"A","note":"kept","value":9999.0}"#);
}

/// Before: a PUT or POST without a body (`refund`, the documented token request) went out
/// chunked (`0\r\n\r\n`), which some gateways answer with 411. It says
/// `Content-Length: 0`.
#[test]
fn a_request_without_a_body_says_content_length_zero() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    // The local Hotmart knows no such sale (404): what counts is how the call was sent.
    let _ = client.sales().refund("HP17715690036014");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the token, then the refund");
    for request in &requests {
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("content-length"), Some("0"), "{}", request.path);
        assert_eq!(header("transfer-encoding"), None, "{}", request.path);
    }
}

/// Asserts that the last request the local Hotmart received held these query parameters.
fn last_query_holds(server: &MockServer, parameters: &[(&str, &str)]) {
    let last = server.requests().pop().expect("a request was sent");
    for &(name, value) in parameters {
        let pair = (name.to_owned(), value.to_owned());
        assert!(
            last.query.contains(&pair),
            "{name}={value}: {:?}",
            last.query
        );
    }
}

/// The argument a call was refused for, or a panic saying what came instead.
fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    match result {
        Err(Error::InvalidArgument { argument, .. }) => argument,
        other => panic!("not refused: {other:?}"),
    }
}

/// Before: a code or subdomain read from a file with its newline, or padded with spaces, was
/// sent as it was (`PUT …/sales/%20/refund`, `subdomain=mymembers%0A`,
/// `transaction=%20HP1%20`) and matched nothing. Path codes and subdomains like that are
/// refused; text filters and filter values go without the spaces around them.
#[test]
fn codes_read_with_a_newline_or_spaces_are_refused_or_trimmed() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    for code in [" ", "\t", " HP1", "HP1\n", "\u{feff}HP1"] {
        assert_eq!(
            refused(client.sales().refund(code)),
            "transaction",
            "{code:?}"
        );
        assert_eq!(
            refused(client.subscriptions().cancel(&["A", code]).send().map(drop)),
            "subscriber_codes",
            "{code:?}"
        );
    }
    for subdomain in [
        "mymembers\n",
        " mymembers",
        "my members",
        "mymembers:443",
        "user@mymembers",
        "mymembers?x=1",
        "mymembers#f",
        "my\\members",
        "\u{3002}x",
        "\u{feff}mymembers",
        "-",
        "mymembers-",
        &"a".repeat(64),
    ] {
        assert_eq!(
            refused(client.club(subdomain).modules().send()),
            "subdomain",
            "{subdomain:?}"
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");

    client
        .sales()
        .history()
        .transaction("\u{feff}HP17715690036014\r\n")
        .transaction_status("NEW_ONE ")
        .send()
        .unwrap();
    last_query_holds(
        &server,
        &[
            ("transaction", "HP17715690036014"),
            ("transaction_status", "NEW_ONE"),
        ],
    );
    let _ = client.club("my-members2").modules().send();
    last_query_holds(&server, &[("subdomain", "my-members2")]);
}

/// Before: a caller's `Content-Length` on a request without a body (or with another one)
/// left the server waiting for bytes that never came, until the timeout, a
/// `Transfer-Encoding` beside the body's length made the request ambiguous, a `Host` could
/// send the token to another site behind a gateway, `Expect: 100-continue` held the body
/// back a second waiting for a `100`, a name with a space failed as a
/// transport error after a token fetch, and a NaN nested past the 128 levels the check
/// walks went out as `null`, and a content type with a newline failed as a transport error
/// blaming the server, after a token fetch. Each is refused before sending, and a later body does not undo
/// a header's refusal.
#[test]
fn a_length_or_a_body_the_crate_cannot_vouch_for_is_refused() {
    use miniserde::json::{Array, Number};

    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    for (name, value) in [
        ("content-length", "5"),
        ("Transfer-Encoding", "gzip"),
        ("Host", "other.example"),
        ("Expect", "100-continue"),
        ("Content-Length ", "5"),
        ("X-Note", "a\r\nX-Injected: 1"),
        ("X-Big", &"a".repeat(9000)),
    ] {
        let request = client.post("/payments/api/v1/link").header(name, value);
        assert_eq!(refused(request.send().map(drop)), "header", "{name}");
    }
    let request = client
        .post("/x")
        .json(&f64::NAN)
        .header("Content-Length", "5")
        .json(&1.5);
    assert_eq!(refused(request.send().map(drop)), "header");
    let content_types = [
        "text/plain\r\nX-Injected: 1",
        "a\nb",
        "nul\0",
        &"a".repeat(9000),
    ];
    for bad in content_types {
        let request = client.post("/x").body(bad, "hi");
        assert_eq!(refused(request.send().map(drop)), "body", "{bad:?}");
    }
    let nested = |levels: usize, leaf: f64| {
        let mut value = Value::Number(Number::F64(leaf));
        for _ in 0..levels {
            let mut array = Array::new();
            array.push(value);
            value = Value::Array(array);
        }
        value
    };
    for (levels, leaf) in [
        (128, f64::NAN),
        (129, f64::NAN),
        (10_000, f64::NAN),
        (129, 1.0),
    ] {
        assert_eq!(
            refused(
                client
                    .post("/x")
                    .json(&nested(levels, leaf))
                    .send()
                    .map(drop)
            ),
            "body",
            "{levels}"
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    // 128 levels of finite numbers are walked to the bottom, and sent.
    let err = client
        .post("/x")
        .json(&nested(128, 1.0))
        .send()
        .map(drop)
        .unwrap_err();
    assert!(
        err.status().is_some(),
        "the local Hotmart answered: {err:?}"
    );
}

/// A price of 10 BRL with these text members in `extra`.
fn price_with_extra(extra: &[(&str, &str)]) -> hotmart::models::Price {
    let mut price = hotmart::models::Price::default();
    price.value = Some(10.0);
    price.currency_code = Some("BRL".into());
    for (name, value) in extra {
        price
            .extra
            .insert((*name).into(), Value::String((*value).into()));
    }
    price
}

/// Before: a typed field kept `extra`'s member of one of its aliases beside it
/// (`{"currency_code":"BRL","currency":"USD"}`), and the crate read it back as `USD`.
#[test]
fn a_typed_field_wins_over_extra_under_an_alias_too() {
    let mut price = price_with_extra(&[("currency", "USD")]);
    let json = miniserde::json::to_string(&price);
    assert_eq!(json, r#"{"value":10.0,"currency_code":"BRL"}"#);
    let back: hotmart::models::Price = miniserde::json::from_str(&json).unwrap();
    assert_eq!(back.currency_code.as_deref(), Some("BRL"));

    price.currency_code = None;
    let json = miniserde::json::to_string(&price);
    assert_eq!(json, r#"{"value":10.0,"currency":"USD"}"#);
}

/// Before: with the `serde` feature, serde wrote absent fields as `null` and `extra`'s
/// shadowed members after the typed ones (`"value":10.0,…,"value":"9999"`). It writes what
/// miniserde writes, and reads it back.
#[cfg(feature = "serde")]
#[test]
fn serde_writes_a_model_as_miniserde_does() {
    let price = price_with_extra(&[("value", "9999"), ("currency", "USD"), ("note", "kept")]);
    let json = serde_json::to_string(&price).unwrap();
    assert_eq!(json, miniserde::json::to_string(&price));
    assert_eq!(
        json,
        r#"{"value":10.0,"currency_code":"BRL","note":"kept"}"#
    );
    let back: hotmart::models::Price = serde_json::from_str(&json).unwrap();
    assert_eq!(back.value, Some(10.0));
    assert_eq!(back.currency_code.as_deref(), Some("BRL"));
    assert!(matches!(back.extra.get("note"), Some(Value::String(note)) if note == "kept"));

    // Before: with serde_json's `arbitrary_precision` (as this crate's tests build it), an
    // unnamed number was kept as `{"$serde_json::private::Number":"1.5"}`.
    let read: hotmart::models::Price =
        serde_json::from_str(r#"{"value":1,"a":5,"b":-5,"c":1.5,"d":{"e":[2]}}"#).unwrap();
    assert_eq!(
        miniserde::json::to_string(&read),
        r#"{"value":1.0,"a":5,"b":-5,"c":1.5,"d":{"e":[2]}}"#
    );
    // A number past f64 is refused, as without the feature, not kept as infinity (`null`);
    // an object that only looks like such a number is kept.
    assert!(serde_json::from_str::<hotmart::models::Price>(r#"{"a":1e400}"#).is_err());
    let odd = r#"{"a":{"$serde_json::private::Number":"abc"}}"#;
    let read: hotmart::models::Price = serde_json::from_str(odd).unwrap();
    assert_eq!(miniserde::json::to_string(&read), odd);
}

/// The values of header `name` in `request`, in order.
fn values<'r>(request: &'r hotmart_mock::RecordedRequest, name: &str) -> Vec<&'r str> {
    let headers = request.headers.iter().filter(|(n, _)| n == name);
    headers.map(|(_, v)| v.as_str()).collect()
}

/// Before: a caller's `Content-Type` or `Accept` went out beside the crate's, and the server
/// picked either. The caller's replaces the crate's (the last one given; an empty one
/// leaves the crate's).
#[test]
fn a_callers_content_type_and_accept_replace_the_crates() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let _ = client
        .post("/x")
        .header("Content-Type", "text/plain")
        .header("Content-Type", "application/vnd.example+json")
        .header("accept", "text/html")
        .header("Accept", "text/plain")
        .json(&1.5)
        .send();
    let last = server.requests().pop().unwrap();
    assert_eq!(
        values(&last, "content-type"),
        ["application/vnd.example+json"]
    );
    assert_eq!(
        values(&last, "accept"),
        ["text/plain"],
        "the last one given"
    );
    assert_eq!(last.body, b"1.5");

    // An empty one leaves the crate's.
    let _ = client
        .post("/x")
        .header("Content-Type", "")
        .header("Accept", "")
        .json(&1.5)
        .send();
    let last = server.requests().pop().unwrap();
    assert_eq!(values(&last, "content-type"), ["application/json"]);
    assert_eq!(values(&last, "accept"), ["application/json"]);
}
