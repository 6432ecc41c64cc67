//! Every model on every published example and recorded answer found for its endpoint
//! (`tests/fixtures/`, sources in `SOURCES.md` at the top of the repository and in
//! `tests/fixtures/SOURCES.md`), decoded straight from the bytes: each item must decode, keep
//! at least 90 % of its leaves in the members the model names, and come back whole (every
//! leaf) when written back, its `extra` included.

use hotmart::miniserde::{Deserialize, Serialize};
use hotmart::models::{
    self, ClubLesson, ClubModule, ClubPage, ClubStudent, Coupon, Event, Negotiation, Product,
    ProductOffer, ProductPlan, Sale, SaleCommissions, SaleParticipants, SalePriceDetails,
    SalesSummary, Subscription, SubscriptionChange, SubscriptionChanges, SubscriptionPurchase,
    SubscriptionSummary, SubscriptionTransaction, Ticket,
};
use miniserde::json::{self, Value};

fn read(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The leaves of a JSON value: its non-null scalars (a null reads as an absent member).
fn leaves(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::Array(items) => items.iter().map(leaves).sum(),
        Value::Object(members) => members.values().map(leaves).sum(),
        _ => 1,
    }
}

/// The items of a fixture: a page's `items`, a bare array's elements, a member list's
/// elements (`{"lessons": [...]}`), or the one object.
fn items(value: Value, member: Option<&str>) -> Vec<Value> {
    match (value, member) {
        (Value::Object(mut object), Some(member)) => match object.remove(member) {
            Some(Value::Array(items)) => items.into_iter().collect(),
            _ => panic!("no `{member}` list"),
        },
        (Value::Object(mut object), None) if object.contains_key("items") => {
            match object.remove("items") {
                Some(Value::Array(items)) => items.into_iter().collect(),
                _ => panic!("`items` is not a list"),
            }
        }
        (Value::Array(items), _) => items.into_iter().collect(),
        (other, _) => vec![other],
    }
}

/// Decodes every item of `name` as `T`; each must keep 90 % of its leaves in named members
/// and all of them when written back. `added` lists members a recorder added (not Hotmart),
/// left out of the count. Returns the models.
fn check<T: Deserialize + Serialize>(name: &str, member: Option<&str>, added: &[&str]) -> Vec<T> {
    let value: Value = json::from_str(&read(name)).unwrap_or_else(|_| panic!("{name}: not JSON"));
    let items = items(value, member);
    assert!(!items.is_empty(), "{name}: no items");
    items
        .into_iter()
        .enumerate()
        .map(|(i, mut item)| {
            if let Value::Object(object) = &mut item {
                for key in added {
                    object.remove(*key);
                }
            }
            let text = json::to_string(&item);
            let model: T =
                json::from_str(&text).unwrap_or_else(|_| panic!("{name}[{i}]: does not decode"));
            let all: Value = json::from_str(&json::to_string(&model)).unwrap();
            let named: Value = json::from_str(&models::named_json(&model)).unwrap();
            let (have, kept, whole) = (leaves(&item), leaves(&named), leaves(&all));
            assert_eq!(whole, have, "{name}[{i}]: written back, leaves were lost");
            assert!(
                kept * 10 >= have * 9,
                "{name}[{i}]: the model names {kept} of {have} leaves (under 90 %)"
            );
            model
        })
        .collect()
}

#[test]
fn sales() {
    let sales: Vec<Sale> = check("answers/sales-history.hotmart-doc.json", None, &[]);
    let purchase = sales[0].purchase.as_ref().unwrap();
    assert_eq!(purchase.status.as_deref(), Some("UNDER_ANALISYS"));
    assert!(purchase.ordered_at().is_some());
    check::<Sale>("sales_history.json", None, &[]);
    check::<SalesSummary>("answers/sales-summary.hotmart-doc.json", None, &[]);
    check::<SalesSummary>("answers/sales-summary.real-sample-item.json", None, &[]);
    check::<SalesSummary>("sales_summary.json", None, &[]);
    check::<SaleParticipants>("answers/sales-users.hotmart-doc.json", None, &[]);
    check::<SaleParticipants>("sales_users.json", None, &[]);
    let commissions: Vec<SaleCommissions> =
        check("answers/sales-commissions.hotmart-doc.json", None, &[]);
    let first = &commissions[0].commissions.as_ref().unwrap()[0];
    assert!(first.commission.as_ref().unwrap().currency_code.is_some());
    check::<SaleCommissions>("sales_commissions.json", None, &[]);
    check::<SalePriceDetails>("answers/sales-price-details.hotmart-doc.json", None, &[]);
    check::<SalePriceDetails>(
        "answers/sales-price-details.real-sample-item.json",
        None,
        &[],
    );
    check::<SalePriceDetails>("sales_price_details.json", None, &[]);
}

#[test]
fn subscriptions() {
    for name in [
        "answers/subscriptions-list.hotmart-doc.json",
        "answers/subscriptions-list.n8n-recording.json",
        "subscriptions.json",
    ] {
        check::<Subscription>(name, None, &[]);
    }
    for name in [
        "answers/subscriptions-summary.hotmart-doc.json",
        "answers/subscriptions-summary.n8n-recording.json",
        "answers/subscriptions-summary.real-sample-item.json",
        "subscriptions_summary.json",
    ] {
        check::<SubscriptionSummary>(name, None, &[]);
    }
    let recorded: Vec<SubscriptionSummary> = check(
        "answers/subscriptions-summary.n8n-recording.json",
        None,
        &[],
    );
    assert!(
        recorded[0].next_charge_at().is_some(),
        "date_next_charge is read"
    );
    for name in [
        "answers/subscriptions-purchases.hotmart-doc.json",
        "answers/subscriptions-purchases.n8n-recording.json",
        "answers/subscriptions-purchases.real-sample-item.json",
        "subscription_purchases.json",
    ] {
        check::<SubscriptionPurchase>(name, None, &[]);
    }
    let transactions: Vec<SubscriptionTransaction> = check(
        "answers/subscriptions-transactions.hotmart-doc.json",
        None,
        &[],
    );
    let price = transactions[0]
        .purchase
        .as_ref()
        .unwrap()
        .price
        .as_ref()
        .unwrap();
    // The third money key: `currency`.
    assert_eq!(
        (price.value, price.currency_code.as_deref()),
        (Some(29.99), Some("USD"))
    );
    let plan = transactions[0].plan.as_ref().unwrap();
    assert_eq!(
        plan.offer.as_ref().unwrap().key.as_deref(),
        Some("OFFER_KEY_A")
    );
    check::<SubscriptionTransaction>(
        "answers/subscriptions-transactions.n8n-recording.json",
        None,
        &[],
    );
    check::<SubscriptionTransaction>(
        "answers/subscriptions-transactions.real-sample-item.json",
        None,
        &[],
    );
    for name in [
        "answers/subscriptions-cancel-list.hotmart-doc.json",
        "answers/subscriptions-cancel-list.n8n-recording.json",
        "answers/subscriptions-reactivate-list.hotmart-doc.json",
        "answers/subscriptions-reactivate-list.n8n-recording.json",
        "subscriptions_cancel_list.json",
    ] {
        check::<SubscriptionChanges>(name, None, &[]);
    }
    for name in [
        "answers/subscriptions-cancel-one.hotmart-doc.json",
        "answers/subscriptions-cancel-one.n8n-recording.json",
        "answers/subscriptions-reactivate-one.hotmart-doc.json",
        "answers/subscriptions-reactivate-one.n8n-recording.json",
        "subscription_cancel.json",
        "subscription_reactivate.json",
    ] {
        check::<SubscriptionChange>(name, None, &[]);
    }
}

#[test]
fn products_and_coupons() {
    for name in [
        "answers/products-list.hotmart-doc.json",
        "answers/products-list.n8n-recording.json",
        "answers/products-list.real-sample-item.json",
        "products.json",
    ] {
        check::<Product>(name, None, &[]);
    }
    check::<ProductOffer>("answers/products-offers.hotmart-doc.json", None, &[]);
    check::<ProductOffer>("product_offers.json", None, &[]);
    check::<ProductPlan>("answers/products-plans.hotmart-doc.json", None, &[]);
    check::<ProductPlan>("product_plans.json", None, &[]);
    let coupons: Vec<Coupon> = check("answers/coupons-list.hotmart-doc.json", None, &[]);
    assert_eq!(
        (coupons[0].id, coupons[0].coupon_code.as_deref()),
        (Some(123_456), Some("couponCode"))
    );
    // The recorder (an n8n node) adds these two members; Hotmart does not send them.
    check::<Coupon>(
        "answers/coupons-list.n8n-recording.json",
        None,
        &["discount_percentage", "coupon_info"],
    );
    check::<Coupon>("answers/coupons-list.real-sample-item.json", None, &[]);
}

#[test]
fn club() {
    for name in [
        "answers/club-modules.hotmart-doc.json",
        "answers/club-modules.n8n-recording.json",
        "club_modules.json",
    ] {
        check::<ClubModule>(name, None, &[]);
    }
    let pages: Vec<ClubPage> = check("answers/club-pages-v2.hotmart-doc.json", None, &[]);
    let rules = pages[1].dripping_configs.as_ref().unwrap();
    assert_eq!(
        rules[1].liberation.as_ref().unwrap().kind.as_deref(),
        Some("BY_QUIZ")
    );
    check::<ClubPage>("answers/club-pages-v1.n8n-recording.json", None, &[]);
    check::<ClubPage>("club_module_pages.json", None, &[]);
    for name in [
        "answers/club-users.hotmart-doc.json",
        "answers/club-users.n8n-recording.json",
        "club_users.json",
    ] {
        check::<ClubStudent>(name, None, &[]);
    }
    check::<ClubLesson>(
        "answers/club-lessons.hotmart-doc.json",
        Some("lessons"),
        &[],
    );
    check::<ClubLesson>("answers/club-lessons.n8n-recording.json", None, &[]);
    check::<ClubLesson>("club_user_lessons.json", Some("lessons"), &[]);
}

#[test]
fn events_and_negotiation() {
    let events: Vec<Event> = check("answers/events-info.hotmart-doc.json", None, &[]);
    assert_eq!(events[0].lots.as_ref().unwrap().len(), 2);
    assert!(events[0].starts_at().is_some());
    check::<Event>("answers/events-info.n8n-recording.json", None, &[]);
    let tickets: Vec<Ticket> = check("answers/events-participants.hotmart-doc.json", None, &[]);
    let holder = tickets[0].participant.as_ref().unwrap();
    // Hotmart sends the phone as a number; it is kept as its digits.
    assert_eq!(holder.phone.as_deref(), Some("31999999999"));
    check::<Ticket>("answers/events-participants.n8n-recording.json", None, &[]);
    let deal: Vec<Negotiation> = check("answers/negotiate.hotmart-doc.json", None, &[]);
    assert_eq!(
        deal[0].payment.as_ref().unwrap().kind.as_deref(),
        Some("PIX")
    );
}

#[test]
fn a_sale_with_members_no_model_names_comes_back_byte_for_byte() {
    let text = r#"{"purchase":{"transaction":"HP1","tracking":{"source_sck":"a","sck":"b"},"next_year":[1,{"x":null}]},"hotmart_extra":true}"#;
    let sale: Sale = json::from_str(text).unwrap();
    assert_eq!(json::to_string(&sale), text);
    assert!(sale.extra.contains_key("hotmart_extra"));
}
