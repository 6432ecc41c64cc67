//! Walks the table of Hotmart's documented endpoints (`tests/fixtures/ENDPOINTS.md` at the top
//! of the repository, copied from Hotmart's published request samples) and asserts that the
//! local Hotmart answers every row with a 2xx after a valid token, and none with 404; and that
//! the paths a client library invented are 404, as on Hotmart.

use hotmart::Client;
use hotmart_mock::MockServer;

const TABLE: &str = include_str!("../../../tests/fixtures/ENDPOINTS.md");

/// `(method, path)` of every row of the table.
fn rows() -> Vec<(String, String)> {
    TABLE
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let method = *cells.get(2)?;
            let path = cells.get(3)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((method.to_owned(), path.to_owned()))
        })
        .collect()
}

/// The path with Hotmart's placeholders replaced by ids the mock's shop has.
fn concrete(path: &str) -> String {
    let billet = path.ends_with("/billet");
    [
        // The first sale is paid by card (refundable); the third by billet.
        (
            "{transaction}",
            if billet {
                "HP17000000002"
            } else {
                "HP17000000000"
            },
        ),
        ("{subscriber_code}", "SUB00000"),
        ("{ucode}", "prod-1000001"),
        ("{product_id}", "1000001"),
        ("{coupon_id}", "9001"),
        ("{user_id}", "user-0"),
        ("{module_id}", "mod-intro-1"),
        ("{event_id}", "3000001"),
        ("{payment_link_ucode}", "link-0001"),
        ("{client_id}", "pp-client-1"),
        ("{product_ucode}", "pp-prod-1"),
        ("{webhook_id}", "pp-webhook-1"),
    ]
    .iter()
    .fold(path.to_owned(), |path, (from, to)| path.replace(from, to))
}

/// A body with the members Hotmart's sample sends, for the writes that need one.
fn body(method: &str, path: &str) -> Option<&'static str> {
    let body = match (method, path) {
        ("POST", p) if p.ends_with("/coupon") => r#"{"code":"WALK10","discount":0.1}"#,
        ("POST", "/payments/api/v1/subscriptions/cancel") => {
            r#"{"subscriber_code":["SUB00001"],"send_mail":false}"#
        }
        ("POST", "/payments/api/v1/subscriptions/reactivate") => {
            r#"{"subscriber_code":["SUB00003"],"charge":false}"#
        }
        ("POST", p) if p.starts_with("/payments/api/v1/subscriptions/{") => "{}",
        ("PATCH", "/payments/api/v1/subscriptions/{subscriber_code}") => r#"{"due_day":15}"#,
        ("POST", "/payments/api/v1/subscriptions/switch-plan") => {
            r#"{"subscriber_code":"SUB00000","offer_code":"offer-701"}"#
        }
        ("PUT", p) if p.contains("/configuration/") => r#"{"is_allowed_to_email_the_buyer":true}"#,
        ("POST", "/payments/api/v1/installments/negotiate") => {
            r#"{"subscription_id":1,"recurrences":[3],"payment_type":"PIX","discount":{"type":"CUSTOM","value":10.5}}"#
        }
        ("POST", "/payments/api/v1/link") => r#"{"name":"Walk","value":10.0,"currency":"BRL"}"#,
        ("POST", p) if p.starts_with("/payments/api/v1/link/{") => r#"{"name":"x","value":1.0}"#,
        ("POST", "/payments/api/v1/link/token/charge/offer") => {
            r#"{"token":"t","sck":"s","offer_code":"o"}"#
        }
        ("POST", "/payments/api/v1/link/token/charge/value") => {
            r#"{"token":"t","sck":"s","value":9.9}"#
        }
        ("POST", "/accounts/api/v1/info") => {
            r#"{"query":"{ accountByFilterToExternalApplication(accountInput: {ucode: \"u-1\"}) { ucode } }","variables":{}}"#
        }
        (_, p) if p.starts_with("/physicalproducts/") && method != "DELETE" => {
            r#"{"partner":{"identifier":"p"},"user":{},"credential":{},"product":{},"status":"ACTIVE","event":"E","url":"https://example.com/h","product_ucode":"pp-prod-1","variants":[],"attributes":[],"transaction":"HP1","date":1}"#
        }
        _ => return None,
    };
    Some(body)
}

/// The query parameters a row needs.
fn query(path: &str) -> &'static [(&'static str, &'static str)] {
    if path.starts_with("/club/api/v1/") {
        &[("subdomain", "mock-club")]
    } else if path.starts_with("/club/api/v2/") {
        &[("product_id", "1000001")]
    } else if path.ends_with("/switch-plan/plans") {
        &[("subscriber_codes", "SUB00000,SUB00001")]
    } else if path.starts_with("/physicalproducts/") {
        &[("partner_identifier", "p")]
    } else {
        &[]
    }
}

#[test]
fn every_documented_endpoint_answers_2xx() {
    let server = MockServer::start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    let rows = rows();
    assert_eq!(rows.len(), 54, "the table lists Hotmart's 54 endpoints");
    for (method, path) in &rows {
        let url_path = concrete(path);
        let mut request = match method.as_str() {
            "GET" => client.get(&url_path),
            "POST" => client.post(&url_path),
            "PUT" => client.put(&url_path),
            "PATCH" => client.patch(&url_path),
            "DELETE" => client.delete(&url_path),
            other => panic!("unknown method {other} in the table"),
        };
        for (name, value) in query(path) {
            request = request.query(name, value);
        }
        if let Some(body) = body(method, path) {
            request = request.body("application/json", body);
        }
        match request.send() {
            Ok(resp) => assert!((200..300).contains(&resp.status()), "{method} {path}"),
            Err(e) => panic!("{method} {path} ({url_path}): {e}"),
        }
    }
}

#[test]
fn the_paths_hotmart_does_not_have_are_404() {
    let server = MockServer::start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    let json = "application/json";
    let wrong = [
        client.get("/payments/api/v1/coupon/product/1000001"),
        client.delete("/payments/api/v1/coupon/9001"),
        client
            .post("/payments/api/v1/product/1000001/coupon")
            .body(json, r#"{"code":"X","discount":0.1}"#),
        client
            .post("/payments/api/v1/negotiation")
            .body(json, r#"{"subscriber_code":"SUB00000"}"#),
    ];
    for request in wrong {
        assert_eq!(request.send().unwrap_err().status(), Some(404));
    }
}

#[test]
fn repeated_status_parameters_match_any_of_their_values() {
    let server = MockServer::builder().subscriptions(8).start().unwrap();
    let client = Client::new(server.environment(), server.credentials()).unwrap();
    let count = |statuses: &[&str]| {
        let request = statuses.iter().fold(
            client
                .get("/payments/api/v1/subscriptions")
                .query("max_results", 50),
            |request, status| request.query("status", status),
        );
        let page: miniserde::json::Value = request.send().unwrap().json().unwrap();
        match page {
            miniserde::json::Value::Object(page) => match page.get("items") {
                Some(miniserde::json::Value::Array(items)) => items.len(),
                _ => panic!("no items"),
            },
            _ => panic!("not a page"),
        }
    };
    // Eight subscriptions in turn ACTIVE, ACTIVE, DELAYED, CANCELLED_BY_CUSTOMER.
    assert_eq!(count(&["ACTIVE"]), 4);
    assert_eq!(count(&["DELAYED"]), 2);
    assert_eq!(count(&["ACTIVE", "DELAYED"]), 6);
    assert_eq!(count(&[]), 8);
}
