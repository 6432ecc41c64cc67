//! Every model on Hotmart's published example answer for its endpoint (`tests/fixtures/`,
//! sources in `tests/fixtures/SOURCES.md`), served by the local Hotmart over loopback and read
//! through the typed call, so the path from bytes to model is the real one.

mod support;

use hotmart::Client;
use hotmart_mock::{Endpoint, Fault, MockServer};
use hotmart::models::{self, Sale};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The next API answer is this fixture, byte for byte.
fn serve(server: &MockServer, name: &str) {
    server.fail_next(
        Endpoint::Api,
        1,
        Fault::Response {
            status: 200,
            content_type: "application/json;charset=UTF-8".into(),
            body: fixture(name),
        },
    );
}

fn setup() -> (MockServer, Client) {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    client.access_token().unwrap();
    (server, client)
}

#[test]
fn sales_history() {
    let (server, client) = setup();
    serve(&server, "sales_history.json");
    let page = client.sales().history().send().unwrap();
    assert_eq!(page.page_info().total_results, Some(14));
    let sale = &page.items()[0];
    assert_eq!(sale.product.as_ref().unwrap().id, Some(2_125_812));
    let purchase = sale.purchase.as_ref().unwrap();
    assert_eq!(purchase.status.as_deref(), Some("UNDER_ANALISYS"));
    let price = purchase.price.as_ref().unwrap();
    assert_eq!(
        (price.value, price.currency_code.as_deref()),
        (Some(235.76), Some("USD"))
    );
    assert_eq!(
        purchase.payment.as_ref().unwrap().kind.as_deref(),
        Some("BILLET")
    );
    let fee = purchase.hotmart_fee.as_ref().unwrap();
    assert_eq!(
        (fee.fixed, fee.currency_code.as_deref()),
        (Some(0.0), Some("EUR"))
    );
    assert_eq!(
        models::time_from_ms(purchase.order_date.unwrap()),
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_622_948_400_000)
    );
}

#[test]
fn sales_summary() {
    let (server, client) = setup();
    serve(&server, "sales_summary.json");
    let page = client.sales().summary().send().unwrap();
    let total = page.items()[0].total_value.as_ref().unwrap();
    assert_eq!(
        (total.value, total.currency_code.as_deref()),
        (Some(3290.64), Some("BRL"))
    );
    assert_eq!(page.items()[0].total_items, Some(14));
}

#[test]
fn sales_users() {
    let (server, client) = setup();
    serve(&server, "sales_users.json");
    let page = client.sales().participants().send().unwrap();
    let item = &page.items()[0];
    assert_eq!(item.transaction.as_deref(), Some("HP10014546320130"));
    let user = item.users.as_ref().unwrap()[0].user.as_ref().unwrap();
    assert_eq!(
        user.documents.as_ref().unwrap()[1].kind.as_deref(),
        Some("CPF")
    );
    assert_eq!(
        user.address.as_ref().unwrap().number.as_deref(),
        Some("123")
    );
}

#[test]
fn sales_commissions_read_currency_value_as_currency_code() {
    let (server, client) = setup();
    serve(&server, "sales_commissions.json");
    let page = client.sales().commissions().send().unwrap();
    let item = &page.items()[0];
    assert_eq!(item.exchange_rate_currency_payout, Some(0.001334));
    let commissions = item.commissions.as_ref().unwrap();
    assert_eq!(commissions.len(), 3);
    let first = commissions[0].commission.as_ref().unwrap();
    assert_eq!(
        (first.value, first.currency_code.as_deref()),
        (Some(95.0), Some("USD"))
    );
    assert_eq!(commissions[2].source.as_deref(), Some("ADDON"));
    // Written back under the one key this crate uses.
    let json = hotmart::miniserde::json::to_string(first);
    assert_eq!(json, r#"{"value":95.0,"currency_code":"USD"}"#);
}

#[test]
fn sales_price_details() {
    let (server, client) = setup();
    serve(&server, "sales_price_details.json");
    let page = client.sales().price_details().send().unwrap();
    let item = &page.items()[0];
    assert_eq!(item.base.as_ref().unwrap().value, Some(930.0));
    assert_eq!(
        item.vat.as_ref().unwrap().currency_code.as_deref(),
        Some("BRL")
    );
    assert_eq!(item.coupon.as_ref().unwrap().value, Some(22.9));
    assert_eq!(item.real_conversion_rate, Some(708.75));
}

#[test]
fn subscriptions() {
    let (server, client) = setup();
    serve(&server, "subscriptions.json");
    let page = client.subscriptions().list().send().unwrap();
    let sub = &page.items()[0];
    assert_eq!(sub.subscription_id, Some(123_456));
    assert_eq!(sub.plan.as_ref().unwrap().max_charge_cycles, Some(6));
    assert_eq!(
        sub.price.as_ref().unwrap().currency_code.as_deref(),
        Some("BRL")
    );
    // This example's dates are epoch seconds; the model keeps what was sent.
    assert_eq!(sub.accession_date, Some(1_577_847_600));
}

#[test]
fn subscriptions_summary() {
    let (server, client) = setup();
    serve(&server, "subscriptions_summary.json");
    let page = client.subscriptions().summary().send().unwrap();
    let item = &page.items()[0];
    assert_eq!(item.lifetime, Some(200));
    let last = item.last_recurrency.as_ref().unwrap();
    assert_eq!(last.billing_type.as_deref(), Some("SMART_INSTALLMENT"));
    assert_eq!(
        item.unpaid_recurrencies.as_ref().unwrap()[0].number,
        Some(2)
    );
    assert_eq!(item.subscriber.as_ref().unwrap().id, Some(12_345));
}

#[test]
fn subscription_purchases_bare_array() {
    let (server, client) = setup();
    serve(&server, "subscription_purchases.json");
    let purchases = client.subscriptions().purchases("X").send().unwrap();
    assert_eq!(purchases.len(), 1);
    assert_eq!(
        purchases[0].payment_method.as_deref(),
        Some("VISA_CREDIT_CARD")
    );
    assert_eq!(purchases[0].price.as_ref().unwrap().value, Some(108.0));
}

#[test]
fn subscription_cancel_and_reactivate_answers() {
    let (server, client) = setup();
    serve(&server, "subscriptions_cancel_list.json");
    let changes = client.subscriptions().cancel(&["A", "B"]).send().unwrap();
    let ok = &changes.success_subscriptions.as_ref().unwrap()[0];
    assert_eq!(ok.due_day, Some(24));
    assert_eq!(ok.date_next_charge.as_deref(), Some("2020-08-24 12:00:00"));
    let failed = &changes.fail_subscriptions.as_ref().unwrap()[0];
    assert_eq!(
        failed.error.as_deref(),
        Some("SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE")
    );

    // `trial_period: "7"` and `date_last_recurrence: 3`: Hotmart's types vary here.
    serve(&server, "subscription_cancel.json");
    let one = client.subscriptions().cancel_one("A").send_one().unwrap();
    assert_eq!(one.trial_period, Some(7));
    assert_eq!(one.date_last_recurrence.as_deref(), Some("3"));
    assert_eq!(
        one.shopper.as_ref().unwrap().email.as_deref(),
        Some("a@a.com")
    );

    serve(&server, "subscription_reactivate.json");
    let one = client
        .subscriptions()
        .reactivate_one("A")
        .send_one()
        .unwrap();
    assert_eq!(one.interval_between_charges, Some(30));
}

#[test]
fn products_offers_and_plans() {
    let (server, client) = setup();
    serve(&server, "products.json");
    let page = client.products().list().send().unwrap();
    assert_eq!(page.items()[1].warranty_period, Some(15));
    assert_eq!(page.items()[1].is_subscription, Some(true));

    serve(&server, "product_offers.json");
    let offers = client.products().offers("u").send().unwrap();
    assert_eq!(offers.items()[0].price.as_ref().unwrap().value, Some(10.0));
    assert_eq!(
        offers.page_info().prev_page_token,
        None,
        "null reads as absent"
    );

    serve(&server, "product_plans.json");
    let plans = client.products().plans("u").send().unwrap();
    assert_eq!(plans.items()[1].trial_period, Some(7));
    assert_eq!(plans.items()[0].name.as_deref(), Some("Básico Mensal"));
}

#[test]
fn club_modules_pages_users_and_lessons() {
    let (server, client) = setup();
    let club = client.club("any");
    serve(&server, "club_modules.json");
    let modules = club.modules().send().unwrap();
    assert_eq!(
        modules[1].classes.as_deref(),
        Some(&["qV7y1Jm7Jn".to_owned()][..])
    );

    serve(&server, "club_module_pages.json");
    let pages = club.pages("m").send().unwrap();
    assert_eq!(pages[1].rates.as_ref().unwrap()[1].rate, Some(5));
    assert_eq!(pages[2].kind.as_deref(), Some("ADVERTISEMENT"));

    serve(&server, "club_users.json");
    let students = club.students().send().unwrap();
    let second = &students.items()[1];
    assert_eq!(second.progress.as_ref().unwrap().total, Some(11));
    assert_eq!(second.kind.as_deref(), Some("BUYER"));
    let when = models::time_from_secs(second.purchase_date.unwrap());
    assert!(when > std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000));

    serve(&server, "club_user_lessons.json");
    let lessons = club.lessons("u").send().unwrap();
    assert_eq!(lessons.len(), 2);
    assert_eq!(lessons[0].completed_date, Some(1_609_984_800_000));
    assert_eq!(lessons[1].is_completed, Some(false));
}

#[test]
fn models_serialize_back_and_read_again() {
    let text = String::from_utf8(fixture("sales_history.json")).unwrap();
    let page: hotmart::Page<Sale> = hotmart::miniserde::json::from_str(&text).unwrap();
    let sale = &page.items()[0];
    let json = hotmart::miniserde::json::to_string(sale);
    assert!(json.contains(r#""type":"BILLET""#), "{json}");
    assert!(!json.contains("null"), "absent fields are left out: {json}");
    let again: Sale = hotmart::miniserde::json::from_str(&json).unwrap();
    assert_eq!(&again, sale);
}

#[cfg(feature = "serde")]
#[test]
fn models_derive_serde_too() {
    let text = String::from_utf8(fixture("sales_commissions.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let item: models::SaleCommissions = serde_json::from_value(value["items"][0].clone()).unwrap();
    let first = item.commissions.as_ref().unwrap()[0]
        .commission
        .clone()
        .unwrap();
    assert_eq!(
        first.currency_code.as_deref(),
        Some("USD"),
        "serde reads the alias too"
    );
    let back = serde_json::to_string(&first).unwrap();
    assert!(back.contains(r#""currency_code":"USD""#), "{back}");
}
