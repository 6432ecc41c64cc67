//! The events the local Hotmart sends, in Hotmart's shapes: each kind starts from a sample
//! Hotmart published (`tests/fixtures/webhooks/`, sources in their SOURCES.md), its envelope
//! made new (`id`, `creation_date`, `version`) and the values the sample has about the sale or
//! subscription replaced with the shop's own. Members the sample lacks are not added.

use hotmart::webhook::EventKind;

use crate::endpoints::data::{self, Change, Store};
use crate::endpoints::switch;
use crate::json::{Object, Value, object};

/// Values to put in an event: a path under `data` and its value.
pub(crate) type Subject = Vec<(&'static [&'static str], Value)>;

/// Hotmart's published sample of `kind`, or `None` for a kind it documents no sample of.
fn sample(kind: &EventKind) -> Option<&'static str> {
    macro_rules! samples {
        ($($kind:ident => $file:literal,)*) => {
            match kind {
                $(EventKind::$kind => Some(include_str!(concat!(
                    "../../../../tests/fixtures/webhooks/", $file, "-1.json"
                ))),)*
                _ => None,
            }
        };
    }
    samples! {
        PurchaseApproved => "PURCHASE_APPROVED",
        PurchaseComplete => "PURCHASE_COMPLETE",
        PurchaseCanceled => "PURCHASE_CANCELED",
        PurchaseRefunded => "PURCHASE_REFUNDED",
        PurchaseChargeback => "PURCHASE_CHARGEBACK",
        PurchaseBilletPrinted => "PURCHASE_BILLET_PRINTED",
        PurchaseProtest => "PURCHASE_PROTEST",
        PurchaseExpired => "PURCHASE_EXPIRED",
        PurchaseDelayed => "PURCHASE_DELAYED",
        PurchaseOutOfShoppingCart => "PURCHASE_OUT_OF_SHOPPING_CART",
        SubscriptionCancellation => "SUBSCRIPTION_CANCELLATION",
        SwitchPlan => "SWITCH_PLAN",
        UpdateSubscriptionChargeDate => "UPDATE_SUBSCRIPTION_CHARGE_DATE",
        ClubFirstAccess => "CLUB_FIRST_ACCESS",
        ClubModuleCompleted => "CLUB_MODULE_COMPLETED",
        OrderFulfillment => "ORDER_FULFILLMENT",
    }
}

/// The body of the event `kind` with this id, creation time and subject.
pub(crate) fn build(kind: &EventKind, id: &str, now_ms: u64, subject: Subject) -> Vec<u8> {
    let parsed = sample(kind).and_then(|text| miniserde::json::from_str::<Value>(text).ok());
    let mut event = match parsed {
        Some(Value::Object(event)) => event,
        _ => Object::new(),
    };
    // The header carries the hottok; some samples repeat it in the body, this copy never does.
    event.remove("hottok");
    // Some samples spell it `creationDate`; Hotmart's current events say `creation_date`.
    event.remove("creationDate");
    event.insert("id".to_owned(), Value::String(id.to_owned()));
    event.insert(
        "creation_date".to_owned(),
        crate::json::IntoValue::into_value(now_ms),
    );
    event.insert("event".to_owned(), Value::String(kind.as_str().to_owned()));
    event.insert("version".to_owned(), Value::String("2.0.0".to_owned()));
    let data = event
        .entry("data".to_owned())
        .or_insert_with(|| Value::Object(Object::new()));
    for (path, value) in subject {
        replace(data, path, value);
    }
    miniserde::json::to_string(&Value::Object(event)).into_bytes()
}

/// Replaces the member at `path` if the sample has it.
fn replace(value: &mut Value, path: &[&str], new: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = value;
    for key in parents {
        match at {
            Value::Object(object) => match object.get_mut(*key) {
                Some(next) => at = next,
                None => return,
            },
            _ => return,
        }
    }
    if let Value::Object(object) = at
        && let Some(slot) = object.get_mut(*last)
    {
        *slot = new;
    }
}

fn at(path: &'static [&'static str], value: Value) -> (&'static [&'static str], Value) {
    (path, value)
}

fn num(n: u64) -> Value {
    crate::json::IntoValue::into_value(n)
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// What a purchase event says about sale `i` of the shop.
fn sale(store: &Store, i: usize) -> Subject {
    let Some(s) = store.sales.get(i) else {
        return Vec::new();
    };
    let p = &store.products[s.product];
    let price = object! { "value": s.price, "currency_value": s.currency };
    vec![
        at(&["product", "id"], num(p.id)),
        at(&["product", "name"], text(p.name)),
        at(&["product", "ucode"], text(&p.ucode)),
        at(&["buyer", "email"], text(data::buyer_email(s.index))),
        at(&["buyer", "name"], text(data::buyer_name(s.index))),
        at(&["purchase", "transaction"], text(&s.transaction)),
        at(&["purchase", "status"], text(&s.status)),
        at(
            &["purchase", "order_date"],
            crate::json::IntoValue::into_value(s.order_date),
        ),
        at(&["purchase", "price"], price.clone()),
        at(&["purchase", "full_price"], price),
        at(&["purchase", "offer", "code"], text(&s.offer_code)),
    ]
}

/// What a subscription event says about subscription `i` of the shop.
fn subscription(store: &Store, i: usize) -> Subject {
    let Some(s) = store.subscriptions.get(i) else {
        return Vec::new();
    };
    let p = &store.products[s.product];
    let email = data::subscriber_email(s);
    let name = format!("Assinante {}", s.index);
    vec![
        at(&["product", "id"], num(p.id)),
        at(&["product", "name"], text(p.name)),
        at(&["subscriber", "code"], text(&s.code)),
        at(&["subscriber", "email"], text(&email)),
        at(&["subscriber", "name"], text(&name)),
        at(&["subscription", "id"], num(s.id)),
        at(&["subscription", "status"], text(&s.status)),
        at(&["subscription", "plan", "id"], num(s.plan_id)),
        at(&["subscription", "subscriber_code"], text(&s.code)),
        at(&["subscription", "user", "email"], text(&email)),
        at(&["subscription", "product", "id"], num(p.id)),
        at(&["subscription", "product", "name"], text(p.name)),
        at(&["subscription", "old_charge_day"], num(s.due_day)),
        at(&["subscription", "new_charge_day"], num(s.due_day)),
        at(&["plan", "id"], num(s.plan_id)),
        at(&["plans"], switch::plans(s.plan_id)),
        at(
            &["date_next_charge"],
            crate::json::IntoValue::into_value(s.date_next_charge),
        ),
        at(
            &["cancellation_date"],
            crate::json::IntoValue::into_value(store.now),
        ),
        at(
            &["switch_plan_date"],
            crate::json::IntoValue::into_value(store.now),
        ),
        at(
            &["actual_recurrence_value"],
            crate::json::IntoValue::into_value(s.price),
        ),
    ]
}

/// The event a change of the shop makes, and what it says.
pub(crate) fn from_change(store: &Store, change: &Change) -> (EventKind, Subject) {
    match *change {
        Change::Refunded(i) => (EventKind::PurchaseRefunded, sale(store, i)),
        Change::Cancelled(i) => (EventKind::SubscriptionCancellation, subscription(store, i)),
        Change::SwitchedPlan { sub, .. } => (EventKind::SwitchPlan, subscription(store, sub)),
        Change::ChargeDay { sub, from, to } => {
            let mut subject = subscription(store, sub);
            subject.push(at(&["subscription", "old_charge_day"], num(from)));
            subject.push(at(&["subscription", "new_charge_day"], num(to)));
            (EventKind::UpdateSubscriptionChargeDate, subject)
        }
    }
}

/// What an event sent on demand says: the shop's first sale or subscription, or the first
/// product for the other kinds.
pub(crate) fn on_demand(store: &Store, kind: &EventKind) -> Subject {
    match kind {
        EventKind::SubscriptionCancellation
        | EventKind::SwitchPlan
        | EventKind::UpdateSubscriptionChargeDate => subscription(store, 0),
        k if k.as_str().starts_with("PURCHASE_") => sale(store, 0),
        _ => store.products.first().map_or_else(Vec::new, |p| {
            vec![
                at(&["product", "id"], num(p.id)),
                at(&["product", "name"], text(p.name)),
            ]
        }),
    }
}
