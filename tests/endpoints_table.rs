//! Every row of Hotmart's endpoint table (`tests/fixtures/ENDPOINTS.md`, a copy of the table
//! of Hotmart's published request samples, source named at its top): the typed call sends that
//! method, that path, the query parameters the sample names and exactly those body members.
//! Checked against a recording loopback server of this file's own, over the real HTTP stack.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use hotmart::api::{
    BillingConfiguration, CheckoutConfiguration, LinkConfiguration, LinkOffer, LinkPlan,
    LinkSubscription, PaymentLink, PhysicalProduct, ShipmentTracking, TrackingEvent, Trial,
    Variants,
};
use hotmart::models::PaymentType;
use hotmart::{Client, Credentials, Environment};
use miniserde::json::{self, Value};

/// One request as the server read it.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A tiny HTTP/1.1 server on 127.0.0.1: answers each request on its own connection, token
/// requests with a valid token, GETs with an empty page, other calls with `{}`; records every
/// request but the token's.
fn recording_server() -> (SocketAddr, Arc<Mutex<Vec<Recorded>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let target = parts.next().unwrap_or_default().to_owned();
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok();
            let (path, query) = target.split_once('?').unwrap_or((&target, ""));
            let answer = if path.ends_with("/oauth/token") {
                r#"{"access_token":"table-token","token_type":"bearer","expires_in":172800}"#
            } else {
                seen.lock().unwrap().push(Recorded {
                    method: method.clone(),
                    path: path.to_owned(),
                    query: query
                        .split('&')
                        .filter(|p| !p.is_empty())
                        .map(pair)
                        .collect(),
                    body,
                });
                if method == "GET" {
                    r#"{"items":[],"page_info":{}}"#
                } else {
                    "{}"
                }
            };
            let mut stream = reader.into_inner();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            stream.write_all(reply.as_bytes()).ok();
        }
    });
    (addr, log)
}

fn pair(param: &str) -> (String, String) {
    let (name, value) = param.split_once('=').unwrap_or((param, ""));
    (name.to_owned(), value.to_owned())
}

/// The values the calls below use for the table's placeholders.
const VALUES: &[(&str, &str)] = &[
    ("transaction", "HP123"),
    ("subscriber_code", "SUB1"),
    ("ucode", "UC1"),
    ("product_id", "11"),
    ("coupon_id", "22"),
    ("user_id", "U1"),
    ("module_id", "M1"),
    ("event_id", "33"),
    ("payment_link_ucode", "PL1"),
    ("client_id", "C1"),
    ("product_ucode", "PU1"),
    ("webhook_id", "W1"),
];

/// The typed call of each of Hotmart's samples, by the sample's name.
fn call(client: &Client, sample: &str) -> bool {
    let tracking = ShipmentTracking {
        transaction: Some("HP123".into()),
        code: Some("AB0000001BR".into()),
        url: Some("https://example.com/track".into()),
        carrier: Some("CORREIOS".into()),
        carrier_service: Some("PAC".into()),
        shipping_type: Some("FIXED_PRICE".into()),
        estimated_delivery: Some("2026-06-18T00:00:00Z".into()),
        actual_delivery: Some("2026-06-17T16:40:00Z".into()),
        freight_actual_price: Some(18.9),
        recipient_email: Some("someone@example.com".into()),
        is_sample: Some(false),
        tracking_events: Some(vec![TrackingEvent {
            status: Some("DELIVERED".into()),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let billing = BillingConfiguration {
        billing_type: Some("FIXED".into()),
        max_number_of_payments: Some(12),
        extra: Default::default(),
    };
    let trial = Trial {
        trial_type: Some("DAYS".into()),
        trial_period: Some(7),
        extra: Default::default(),
    };
    let link = PaymentLink {
        name: Some("Link".into()),
        value: Some(499.99),
        currency: Some("USD".into()),
        checkout_configuration: Some(CheckoutConfiguration {
            is_offer_pix: Some(true),
            ..Default::default()
        }),
        link_configuration: Some(LinkConfiguration {
            link_callback_url: Some("https://example.com".into()),
            ..Default::default()
        }),
        subscription: Some(LinkSubscription {
            periodicity: Some("MONTHLY".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let offer = LinkOffer {
        offer_name: Some("O".into()),
        value: Some(9.0),
        currency: Some("BRL".into()),
        is_main_offer: Some(false),
        ..Default::default()
    };
    let plan = LinkPlan {
        name: Some("P".into()),
        value: Some(9.0),
        periodicity: Some("MONTHLY".into()),
        billing_configuration: Some(billing),
        trial: Some(trial),
        ..Default::default()
    };
    let product = PhysicalProduct {
        name: Some("Mug".into()),
        ..Default::default()
    };
    let variants = Variants {
        attributes: Some(vec![]),
        variants: Some(vec![]),
        ..Default::default()
    };
    let pp = client.physical_products("PARTNER");
    let (subs, sales, links) = (
        client.subscriptions(),
        client.sales(),
        client.payment_links(),
    );
    // Only the request matters here: the answers are the server's placeholders.
    match sample {
        "get-sales-history" => drop(sales.history().transaction_status("APPROVED").send()),
        "get-sales-summary" => drop(sales.summary().product_id(11).send()),
        "get-sales-users-request" => drop(sales.participants().product_id(11).send()),
        "get-sales-commissions-request" => drop(sales.commissions().product_id(11).send()),
        "get-sales-price-details-request" => drop(
            sales
                .price_details()
                .transaction_status("CANCELLED")
                .payment_type(PaymentType::CreditCard)
                .send(),
        ),
        "sales-refund-request" => drop(sales.refund("HP123")),
        "sales-billet-request" => drop(sales.billet("HP123")),
        "get-subscribers-request" => drop(
            subs.list()
                .status("CANCELLED_BY_SELLER")
                .status("ACTIVE")
                .send(),
        ),
        "get-subscription-summary" => drop(subs.summary().max_results(500).send()),
        "get-subscription-purchases-request" => drop(subs.purchases("SUB1").send()),
        "get-subscription-transaction-request" => drop(subs.transactions().max_results(500).send()),
        "cancel-subscriptions-request" => drop(subs.cancel(&["SUB1"]).send_mail(false).send()),
        "cancel-subscription-request" => drop(subs.cancel_one("SUB1").send_mail(false).send()),
        "reactivate-subscriptions-request" => drop(subs.reactivate(&["SUB1"]).charge(true).send()),
        "reactivate-subscription-request" => drop(subs.reactivate_one("SUB1").send()),
        "change-due-day-request" => drop(subs.change_due_day("SUB1", 15)),
        "switch-plan-get-plans-request" => drop(subs.switch_plan_options(&["SUB1"]).send()),
        "switch-plan-request" => drop(subs.switch_plan("SUB1", "OFFER1")),
        "product-list-request" => drop(client.products().list().send()),
        "product-offers-request" => drop(client.products().offers("UC1").send()),
        "product-plans-request" => drop(client.products().plans("UC1").send()),
        "product-configuration-request" => drop(client.products().set_buyer_emails(11, true)),
        "post-coupon-post-coupon" => drop(client.coupons().create(11, "SUMMER20", 0.2)),
        "get-coupon-get-coupon" => drop(
            client
                .coupons()
                .list(11)
                .code("SUMMER20")
                .page_token("T")
                .send(),
        ),
        "delete-coupon-delete-coupon" => drop(client.coupons().delete(22)),
        "get-club-users-request" => {
            drop(client.club("sub").students().email("a@example.com").send())
        }
        "get-club-lessons-request" => drop(client.club("sub").lessons("U1").send()),
        "get-club-modules-request" => drop(client.club("sub").modules().is_extra(false).send()),
        "get-club-pages-request" => drop(client.club("sub").pages("M1").send()),
        "get-club-pages-request-v2" => drop(client.club_by_product(11).pages("M1").send()),
        "get-get-info-tickets" => drop(client.events().get(33)),
        "get-get-participants-tickets" => drop(client.events().tickets(33).send()),
        "post-negotiate" => drop(
            client
                .negotiation()
                .create(123_456, &[3], "PIX")
                .discount("CUSTOM", 100.11)
                .send(),
        ),
        "create-pl-request" => drop(links.create(&link)),
        "get-pl-request" => drop(links.list().send()),
        "create-pl-additional-offer-request" => drop(links.add_offer("PL1", &offer)),
        "create-pl-additional-plan-request" => drop(links.add_plan("PL1", &plan)),
        "charge-by-offer-request" => drop(links.charge_offer("TOK", "SCK", "OFFER1")),
        "charge-by-value-request" => drop(links.charge_value("TOK", "SCK", 9.9)),
        "get-user-me-request" => drop(client.user().me().send()),
        "post-get-account-info" => drop(client.accounts().info("UC1")),
        "pp-credential-create-request" => drop(pp.create_credential("user-1", "C1")),
        "pp-credential-update-request" => drop(pp.update_credential("C1", "user-2")),
        "pp-credential-delete-request" => drop(pp.delete_credential("C1")),
        "pp-product-create-request" => drop(pp.create_product_v1(&product)),
        "pp-product-create-v2-request" => drop(pp.create_product(&product)),
        "pp-product-update-request" => drop(pp.update_product("PU1", &product)),
        "pp-product-sales-update-request" => drop(pp.set_product_status("PU1", "ACTIVE")),
        "pp-product-variants-update-request" => drop(pp.update_variants("PU1", &variants)),
        "pp-webhook-create-request" => {
            drop(pp.create_webhook(&["PURCHASE_APPROVED"], "PU1", "https://example.com"))
        }
        "pp-webhook-update-request" => {
            drop(pp.update_webhook("W1", &["PURCHASE_APPROVED"], "https://example.com"))
        }
        "pp-webhook-delete-request" => drop(pp.delete_webhook("W1")),
        "sp-shipment-status-request" => {
            drop(pp.shipment_status("HP123", "sent", "2025-02-26T12:26:06Z"))
        }
        "sp-shipment-tracking-request" => drop(pp.shipment_tracking(&tracking)),
        _ => return false,
    }
    true
}

/// A row of the table.
struct Row {
    method: String,
    path: String,
    body: BTreeSet<String>,
    sample: String,
    query: Vec<String>,
}

fn rows() -> Vec<Row> {
    let table = include_str!("fixtures/ENDPOINTS.md");
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| group") && !l.starts_with("|---"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 5, "{line}");
            let body = cells[3].replace("per the endpoint page", "");
            let (sample, note) = cells[4].split_once(' ').unwrap_or((cells[4], ""));
            let query = match note.split_once("(query ") {
                Some((_, rest)) => words(rest.split(')').next().unwrap_or_default()),
                None => Vec::new(),
            };
            Row {
                method: cells[1].to_owned(),
                path: cells[2].trim_matches('`').to_owned(),
                body: words(&body).into_iter().collect(),
                sample: sample.to_owned(),
                query,
            }
        })
        .collect()
}

/// The table's path with this file's values in its placeholders.
fn expected_path(template: &str) -> String {
    let mut path = template.to_owned();
    for (name, value) in VALUES {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    assert!(
        !path.contains('{'),
        "a placeholder without a value: {template}"
    );
    path
}

#[test]
fn every_row_of_hotmarts_table_is_sent_as_documented() {
    let rows = rows();
    assert_eq!(rows.len(), 54, "the table lists 54 endpoints");
    let (addr, log) = recording_server();
    let env = Environment::Custom {
        auth_url: format!("http://{addr}"),
        api_url: format!("http://{addr}"),
    };
    let client = Client::builder(env, Credentials::new("table-id", "table-secret"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for row in &rows {
        log.lock().unwrap().clear();
        if !call(&client, &row.sample) {
            failures.push(format!("{}: no typed call", row.sample));
            continue;
        }
        let sent = log.lock().unwrap().clone();
        let Some(request) = sent.first() else {
            failures.push(format!("{}: nothing sent", row.sample));
            continue;
        };
        let mut wrong = Vec::new();
        if sent.len() != 1 {
            wrong.push(format!("{} requests", sent.len()));
        }
        if request.method != row.method {
            wrong.push(format!("method {} (table: {})", request.method, row.method));
        }
        if request.path != expected_path(&row.path) {
            wrong.push(format!("path {} (table: {})", request.path, row.path));
        }
        for name in &row.query {
            if !request.query.iter().any(|(n, _)| n == name) {
                wrong.push(format!("no query parameter {name}"));
            }
        }
        let members: BTreeSet<String> = if request.body.is_empty() {
            BTreeSet::new()
        } else {
            match json::from_str::<Value>(std::str::from_utf8(&request.body).unwrap()) {
                Ok(Value::Object(object)) => object.keys().cloned().collect(),
                _ => {
                    wrong.push("a body that is not a JSON object".to_owned());
                    BTreeSet::new()
                }
            }
        };
        if members != row.body {
            wrong.push(format!("body members {members:?} (table: {:?})", row.body));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}", row.sample, wrong.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_repeatable_and_documented_query_values() {
    let (addr, log) = recording_server();
    let env = Environment::Custom {
        auth_url: format!("http://{addr}"),
        api_url: format!("http://{addr}"),
    };
    let client = Client::new(env, Credentials::new("table-id", "table-secret")).unwrap();
    drop(
        client
            .subscriptions()
            .list()
            .status("DELAYED")
            .status("OVERDUE")
            .send(),
    );
    drop(
        client
            .subscriptions()
            .switch_plan_options(&["A1", "B2"])
            .send(),
    );
    drop(client.physical_products("P&1").delete_webhook("W/1"));
    drop(client.accounts().info("u\"c"));
    let sent = log.lock().unwrap().clone();
    assert_eq!(
        sent[0].query,
        [
            ("status".into(), "DELAYED".into()),
            ("status".into(), "OVERDUE".into())
        ]
    );
    assert_eq!(
        sent[1].query,
        [("subscriber_codes".to_owned(), "A1%2CB2".to_owned())]
    );
    assert_eq!(sent[2].path, "/physicalproducts/api/v1/webhook/W%2F1");
    assert_eq!(
        sent[2].query,
        [("partner_identifier".to_owned(), "P%261".to_owned())]
    );
    // The ucode is a GraphQL string: a quote in it cannot end it early.
    let body: Value = json::from_str(std::str::from_utf8(&sent[3].body).unwrap()).unwrap();
    let Value::Object(body) = body else {
        panic!("not an object")
    };
    let Some(Value::String(query)) = body.get("query") else {
        panic!("no query")
    };
    assert!(
        query.contains(r#"accountInput: {ucode: "u\"c"}"#),
        "{query}"
    );
    assert!(query.contains("participationPercentage"), "{query}");
}
