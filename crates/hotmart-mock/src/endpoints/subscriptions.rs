//! `/payments/api/v1/subscriptions/…`: lists, summary, purchases, cancel, reactivate, due day.

use super::data::{self, DAY, Store, SubscriptionRec, subscriber_email};
use super::{Query, Reply, bad, body, list, member, money, not_found, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Number, Value, array, object};

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", []) => subscriptions(store, request),
        ("GET", ["summary"]) => summary(store, request),
        ("GET", [code, "purchases"]) => purchases(store, code),
        ("POST", ["cancel"]) => change_many(store, request, Change::Cancel),
        ("POST", ["reactivate"]) => change_many(store, request, Change::Reactivate),
        ("POST", [code, "cancel"]) => change_one(store, code, Change::Cancel),
        ("POST", [code, "reactivate"]) => change_one(store, code, Change::Reactivate),
        ("PATCH", [code]) => due_day(store, code, request),
        _ => Err(not_found()),
    }
}

fn subscription_json(store: &Store, s: &SubscriptionRec) -> Value {
    let p = &store.products[s.product];
    let i = s.index;
    let end = s.status.starts_with("CANCELLED").then_some(store.now - DAY);
    let transaction = store
        .charges(s)
        .first()
        .map_or(String::new(), |c| c.2.clone());
    object! {
        "subscriber_code": &s.code,
        "subscription_id": s.id,
        "status": &s.status,
        "accession_date": s.accession_date,
        "end_accession_date": end,
        "request_date": s.accession_date,
        "date_next_charge": s.date_next_charge,
        "trial": s.trial,
        "transaction": transaction,
        "plan": object! {
            "name": "Plano Mensal",
            "id": s.plan_id,
            "recurrency_period": 30u64,
            "max_charge_cycles": 12u64,
        },
        "product": object! { "id": p.id, "name": p.name, "ucode": &p.ucode },
        "price": money(s.price, s.currency),
        "subscriber": object! {
            "name": format!("Assinante {i}"),
            "email": subscriber_email(s),
            "ucode": format!("subscriber-{i}"),
        },
    }
}

fn subscriptions(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let plan_id = query.number::<u64>("plan_id")?;
    let start = query.number::<i64>("accession_date")?;
    let end = query.number::<i64>("end_accession_date")?;
    let trial = query.text("trial").map(|t| t == "true");
    let email = query.text("subscriber_email");
    let items: Vec<&SubscriptionRec> = store
        .subscriptions
        .iter()
        .filter(|s| {
            query.allows("status", &s.status)
                && query.allows("subscriber_code", &s.code)
                && email.is_none_or(|wanted| wanted == subscriber_email(s))
                && product_id.is_none_or(|id| id == store.products[s.product].id)
                && plan_id.is_none_or(|id| id == s.plan_id)
                && trial.is_none_or(|t| t == s.trial)
                && start.is_none_or(|start| s.accession_date >= start)
                && end.is_none_or(|end| s.accession_date <= end)
        })
        .collect();
    paginate(request, &items, |s| subscription_json(store, s))
}

fn summary(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let items: Vec<&SubscriptionRec> = store
        .subscriptions
        .iter()
        .filter(|s| {
            query.allows("subscriber_code", &s.code)
                && product_id.is_none_or(|id| id == store.products[s.product].id)
        })
        .collect();
    paginate(request, &items, |s| summary_json(store, s))
}

fn summary_json(store: &Store, s: &SubscriptionRec) -> Value {
    let p = &store.products[s.product];
    let charges = store.charges(s);
    let (number, date) = charges.last().map_or((0, s.accession_date), |c| (c.0, c.1));
    let paid = s.status != "DELAYED";
    let unpaid = if paid {
        Vec::new()
    } else {
        vec![object! { "number": number, "charge_date": date }]
    };
    let i = s.index;
    object! {
        "subscriber_code": &s.code,
        "subscription_id": s.id,
        "status": &s.status,
        "lifetime": charges.len(),
        "accession_date": s.accession_date,
        "date_next_charge": s.date_next_charge,
        "trial": s.trial,
        "plan": object! { "name": "Plano Mensal", "recurrency_period": 30u64 },
        "product": object! { "name": p.name, "id": p.id },
        "offer": object! { "code": format!("off{:03}", s.product) },
        "last_recurrency": object! {
            "number": number,
            "request_date": date,
            "status": if paid { "PAID" } else { "NOT_PAID" },
            "transaction_number": number,
            "billing_type": "SUBSCRIPTION",
        },
        "unpaid_recurrencies": unpaid,
        "subscriber": object! {
            "name": format!("Assinante {i}"),
            "id": 800_000 + i,
            "email": subscriber_email(s),
        },
    }
}

/// A bare array, as Hotmart answers this one.
fn purchases(store: &Store, code: &str) -> Reply {
    let Some(s) = store.subscriptions.iter().find(|s| s.code == code) else {
        return Err(not_found());
    };
    let items = store
        .charges(s)
        .into_iter()
        .map(|(number, date, transaction)| {
            object! {
                "transaction": transaction,
                "approved_date": date,
                "payment_engine": "HotPay",
                "status": "APPROVED",
                "price": money(s.price, s.currency),
                "payment_type": "CREDIT_CARD",
                "payment_method": "VISA_CREDIT_CARD",
                "recurrency_number": number,
                "under_warranty": store.now - date < 7 * DAY,
                "purchase_subscription": true,
            }
        });
    Ok(list(items))
}

#[derive(Clone, Copy)]
enum Change {
    Cancel,
    Reactivate,
}

/// Applies a cancel or reactivate to one subscription: `Ok(entry)` changed, `Err(entry)` not.
fn apply(store: &mut Store, code: &str, change: Change) -> Result<Value, Value> {
    let Some(s) = store.subscriptions.iter_mut().find(|s| s.code == code) else {
        return Err(object! { "subscriber_code": code, "error": "SUBSCRIPTION_NOT_FOUND" });
    };
    let index = s.index;
    let (ok, error) = match change {
        Change::Cancel => (
            s.status == "ACTIVE" || s.status == "DELAYED" || s.status == "STARTED",
            "SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE",
        ),
        Change::Reactivate => (
            s.status.starts_with("CANCELLED") || s.status == "INACTIVE",
            "SUBSCRIPTION_ALREADY_ACTIVE",
        ),
    };
    if ok {
        s.status = match change {
            Change::Cancel => "CANCELLED_BY_SELLER",
            // The mock skips the subscriber's confirmation link that Hotmart e-mails.
            Change::Reactivate => "ACTIVE",
        }
        .to_owned();
    }
    let (day, i) = (s.due_day, s.index);
    let entry = object! {
        "status": &s.status,
        "error": (!ok).then_some(error),
        "subscriber_code": &s.code,
        "creation_date": "2023-11-14 12:00:00",
        "current_recurrence": 1u64,
        "date_next_charge": format!("2030-01-{day:02} 12:00:00"),
        "due_day": day,
        "interval_type_between_charges": "MONTH",
        "interval_between_charges": 1u64,
        "max_charge_cycles": 12u64,
        "shopper": object! {
            "email": format!("assinante{i}@example.com"),
            "phone": format!("(31) 98888{i:04}"),
        },
    };
    if ok && matches!(change, Change::Cancel) {
        store.changes.push(data::Change::Cancelled(index));
    }
    if ok { Ok(entry) } else { Err(entry) }
}

fn change_many(store: &mut Store, request: &RecordedRequest, change: Change) -> Reply {
    if request.body.is_empty() {
        // Nothing asked, nothing changed. Hotmart's answer to a body-less call is not
        // documented; an empty 200 keeps the mock's earlier behaviour, which tests of
        // empty bodies rely on.
        return Ok(Answer::empty());
    }
    let body = body(request)?;
    let Some(Value::Array(codes)) = member(&body, "subscriber_code") else {
        return Err(bad("subscriber_code must be a list of codes"));
    };
    let (mut success, mut fail) = (Vec::new(), Vec::new());
    for code in codes {
        let Value::String(code) = code else {
            return Err(bad("subscriber_code must be a list of codes"));
        };
        match apply(store, code, change) {
            Ok(entry) => success.push(entry),
            Err(entry) => fail.push(entry),
        }
    }
    let value = object! {
        "success_subscriptions": array(success),
        "fail_subscriptions": array(fail),
    };
    Ok(Answer::json(200, &value))
}

fn change_one(store: &mut Store, code: &str, change: Change) -> Reply {
    if !store.subscriptions.iter().any(|s| s.code == code) {
        return Err(not_found());
    }
    match apply(store, code, change) {
        Ok(entry) => Ok(Answer::json(200, &entry)),
        Err(_) => Err(Answer::error(
            400,
            "invalid_value_parameter",
            "The subscription is not in a state that allows this",
        )),
    }
}

fn due_day(store: &mut Store, code: &str, request: &RecordedRequest) -> Reply {
    let body = body(request)?;
    let day = match member(&body, "due_day") {
        Some(Value::Number(Number::U64(day @ 1..=31))) => *day,
        _ => return Err(bad("due_day must be a day of the month, 1 to 31")),
    };
    let Some(s) = store.subscriptions.iter_mut().find(|s| s.code == code) else {
        return Err(not_found());
    };
    let (sub, from) = (s.index, s.due_day);
    s.due_day = day;
    if from != day {
        store
            .changes
            .push(data::Change::ChargeDay { sub, from, to: day });
    }
    Ok(Answer::empty())
}
