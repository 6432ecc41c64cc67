//! `/products/api/v1/…`: products, their offers and plans.

use super::data::{ProductRec, Store};
use super::{Query, Reply, bad, coupons, member, money, not_found, object_body, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, object};

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", ["products"]) => products(store, request),
        ("GET", ["products", ucode, "offers"]) => offers(store, ucode, request),
        ("GET", ["products", ucode, "plans"]) => plans(store, ucode, request),
        ("PUT", ["product", "configuration", id]) => configuration(store, id, request),
        _ => coupons::route(store, method, path, request),
    }
}

/// `PUT /products/api/v1/product/configuration/{product_id}`: whether the producer may e-mail
/// the product's buyers. Hotmart publishes no answer; an empty object.
fn configuration(store: &Store, id: &str, request: &RecordedRequest) -> Reply {
    let id = id.parse::<u64>().map_err(|_| not_found())?;
    if !store.products.iter().any(|p| p.id == id) {
        return Err(not_found());
    }
    let body = object_body(request)?;
    let Some(Value::Bool(_)) = member(&body, "is_allowed_to_email_the_buyer") else {
        return Err(bad("is_allowed_to_email_the_buyer must be true or false"));
    };
    Ok(Answer::raw(200, "{}"))
}

fn products(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let id = query.number::<u64>("id")?;
    let items: Vec<&ProductRec> = store
        .products
        .iter()
        .filter(|p| {
            id.is_none_or(|id| id == p.id)
                && query.allows("status", p.status)
                && query.allows("format", p.format)
        })
        .collect();
    paginate(request, &items, |p| {
        object! {
            "id": p.id,
            "name": p.name,
            "ucode": &p.ucode,
            "status": p.status,
            "created_at": p.created_at,
            "format": p.format,
            "is_subscription": p.is_subscription,
            "warranty_period": 7u64,
        }
    })
}

fn offers(store: &Store, ucode: &str, request: &RecordedRequest) -> Reply {
    let (at, p) = store
        .products
        .iter()
        .enumerate()
        .find(|(_, p)| p.ucode == ucode)
        .ok_or_else(not_found)?;
    let items = [
        (format!("off{at:03}"), p.price, true),
        (format!("promo{at:03}"), (p.price * 0.8).round(), false),
    ];
    paginate(request, &items, |(code, price, main)| {
        object! {
            "code": code,
            "name": "",
            "description": "",
            "price": money(*price, p.currency),
            "payment_mode": "PAY_IN_FULL",
            "is_currency_conversion_enabled": true,
            "is_main_offer": *main,
            "is_smart_recovery_enabled": false,
        }
    })
}

fn plans(store: &Store, ucode: &str, request: &RecordedRequest) -> Reply {
    let p = store
        .products
        .iter()
        .find(|p| p.ucode == ucode)
        .ok_or_else(not_found)?;
    let items = [("MONTHLY", 1.0, None), ("ANNUAL", 10.0, Some(7))];
    let items: Vec<_> = items.into_iter().enumerate().collect();
    paginate(request, &items, |(i, (periodicity, factor, trial))| {
        object! {
            "code": format!("plan{i}{}", p.id),
            "name": format!("Plano {periodicity}"),
            "description": "",
            "price": money(p.price * factor, p.currency),
            "payment_mode": "ASSINATURA",
            "periodicity": *periodicity,
            "max_installments": if *i == 0 { 1u64 } else { 12 },
            // Hotmart sends this one as a string in places.
            "trial_period": trial.map(|days: u64| days.to_string()),
            "is_subscription_recovery_enabled": false,
            "is_switch_plan_enabled": true,
        }
    })
}
