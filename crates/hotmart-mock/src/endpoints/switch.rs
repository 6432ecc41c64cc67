//! `/payments/api/v1/subscriptions/switch-plan…`: the plans a subscriber may switch to, and
//! the switch. Hotmart publishes no answer to either; the plans are listed as its SWITCH_PLAN
//! webhook lists them (`{id, name, offer{key}, current}`), and the switch answers an empty
//! object.

use super::data::{Change, Store};
use super::{Reply, bad, list, not_found, object_body, text};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, object};

/// Every subscription may be on one of two plans of its product.
const PLANS: [(u64, &str); 2] = [(700, "Plano Mensal"), (701, "Plano Anual")];

/// The offer key of a plan.
pub(crate) fn offer_key(plan_id: u64) -> String {
    format!("offer-{plan_id}")
}

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", ["plans"]) => options(store, request),
        ("POST", []) => switch(store, request),
        _ => Err(not_found()),
    }
}

/// The plans on offer to a subscriber now on `current`, as the SWITCH_PLAN webhook lists them.
pub(crate) fn plans(current: u64) -> Value {
    let plans = PLANS.map(|(id, name)| {
        object! {
            "id": id,
            "name": name,
            "offer": object! { "key": offer_key(id) },
            "current": id == current,
        }
    });
    Value::Array(plans.into_iter().collect())
}

fn options(store: &Store, request: &RecordedRequest) -> Reply {
    let Some(codes) = request.query_value("subscriber_codes") else {
        return Err(bad("subscriber_codes is required"));
    };
    let mut items = Vec::new();
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let s = store
            .subscriptions
            .iter()
            .find(|s| s.code == code)
            .ok_or_else(not_found)?;
        items.push(object! { "subscriber_code": code, "plans": plans(s.plan_id) });
    }
    Ok(list(items))
}

fn switch(store: &mut Store, request: &RecordedRequest) -> Reply {
    let body = object_body(request)?;
    let (Some(code), Some(offer)) = (text(&body, "subscriber_code"), text(&body, "offer_code"))
    else {
        return Err(bad("subscriber_code and offer_code are required"));
    };
    let Some(to) = PLANS.iter().map(|p| p.0).find(|id| offer_key(*id) == offer) else {
        return Err(bad(
            "offer_code is not a plan of this subscription's product",
        ));
    };
    let s = store
        .subscriptions
        .iter_mut()
        .find(|s| s.code == code)
        .ok_or_else(not_found)?;
    let (sub, from) = (s.index, s.plan_id);
    s.plan_id = to;
    if from != to {
        store.changes.push(Change::SwitchedPlan { sub, from, to });
    }
    Ok(Answer::raw(200, "{}"))
}
