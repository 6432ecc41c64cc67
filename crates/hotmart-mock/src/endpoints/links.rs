//! `/payments/api/v1/link…`: payment links, their extra offers and plans, and charges through
//! a link's token. Hotmart publishes no answers to these six calls: the answers here are
//! minimal ones (the link's `ucode` and URL, the charge's transaction).

use super::data::{LinkRec, Store};
use super::{Reply, bad, not_found, number, object_body, paginate, text};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::object;

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", []) => paginate(request, &store.links, |l| {
            object! {
                "ucode": &l.ucode,
                "name": &l.name,
                "url": url(&l.ucode),
                "offers": l.offers,
                "plans": l.plans,
            }
        }),
        ("POST", []) => create(store, request),
        ("POST", [ucode, kind @ ("offer" | "plan")]) => add(store, ucode, kind, request),
        ("POST", ["token", "charge", how @ ("offer" | "value")]) => charge(store, how, request),
        _ => Err(not_found()),
    }
}

fn url(ucode: &str) -> String {
    format!("https://pay.hotmart.com/link/{ucode}")
}

fn create(store: &mut Store, request: &RecordedRequest) -> Reply {
    let body = object_body(request)?;
    let Some(name) = text(&body, "name") else {
        return Err(bad("name is required"));
    };
    let ucode = format!("link-{:04}", store.links.len() + 1);
    let value = object! { "ucode": &ucode, "url": url(&ucode) };
    store.links.push(LinkRec {
        ucode,
        name: name.to_owned(),
        offers: 1,
        plans: 0,
    });
    Ok(Answer::json(200, &value))
}

fn add(store: &mut Store, ucode: &str, kind: &str, request: &RecordedRequest) -> Reply {
    object_body(request)?;
    let link = store
        .links
        .iter_mut()
        .find(|l| l.ucode == ucode)
        .ok_or_else(not_found)?;
    let n = if kind == "offer" {
        link.offers += 1;
        link.offers
    } else {
        link.plans += 1;
        link.plans
    };
    let value = object! { "ucode": ucode, "code": format!("{ucode}-{kind}-{n}") };
    Ok(Answer::json(200, &value))
}

fn charge(store: &mut Store, how: &str, request: &RecordedRequest) -> Reply {
    let body = object_body(request)?;
    let given = match how {
        "offer" => text(&body, "offer_code").is_some(),
        _ => number(&body, "value").is_some_and(|v| v > 0.0),
    };
    if text(&body, "token").is_none() || !given {
        return Err(bad(
            "token and the offer_code or a value above zero are required",
        ));
    }
    store.negotiations += 1;
    let transaction = format!("HP{:011}", 21_000_000_000u64 + store.negotiations);
    Ok(Answer::json(
        200,
        &object! { "transaction": transaction, "status": "PROCESSING" },
    ))
}
