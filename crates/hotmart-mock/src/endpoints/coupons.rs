//! `/products/api/v1/product/{id}/coupon`, `/products/api/v1/coupon/…`: a product's coupons,
//! on Hotmart's own paths and in the shape of its published example.

use super::data::{CouponRec, DAY, Store};
use super::{Query, Reply, bad, body, member, not_found, number, paginate};
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
        ("POST", ["product", product_id, "coupon"]) => create(store, product_id, request),
        ("GET", ["coupon", "product", product_id]) => coupons(store, product_id, request),
        ("DELETE", ["coupon", id]) => delete(store, id),
        _ => Err(not_found()),
    }
}

fn create(store: &mut Store, product_id: &str, request: &RecordedRequest) -> Reply {
    let Some(product_id) = product_id
        .parse::<u64>()
        .ok()
        .filter(|id| store.products.iter().any(|p| p.id == *id))
    else {
        return Err(not_found());
    };
    let body = body(request)?;
    let (Some(Value::String(code)), Some(discount)) =
        (member(&body, "code"), number(&body, "discount"))
    else {
        return Err(bad("code and discount are required"));
    };
    if !(discount > 0.0 && discount < 0.99) {
        return Err(bad("discount must be above 0 and below 0.99"));
    }
    if store
        .coupons
        .iter()
        .any(|c| c.product_id == product_id && c.code == *code)
    {
        return Err(Answer::error(
            409,
            "conflict",
            "A coupon with this code exists",
        ));
    }
    let id = store.next_coupon_id;
    store.next_coupon_id += 1;
    store.coupons.push(CouponRec {
        id,
        product_id,
        code: code.clone(),
        discount,
    });
    // Hotmart's example answer to a creation is an empty object.
    Ok(Answer::raw(200, "{}"))
}

/// A product's coupons, a page in the shape of Hotmart's example (an empty page when none).
fn coupons(store: &Store, product_id: &str, request: &RecordedRequest) -> Reply {
    let Ok(product_id) = product_id.parse::<u64>() else {
        return Err(not_found());
    };
    let query = Query(request);
    let items: Vec<&CouponRec> = store
        .coupons
        .iter()
        .filter(|c| c.product_id == product_id && query.allows("code", &c.code))
        .collect();
    paginate(request, &items, |c| {
        object! {
            "id": c.id,
            "coupon_code": &c.code,
            "discount": c.discount,
            "active": true,
            "status": "valid",
            "start_date": store.now - DAY,
            "time_zone": object! {
                "offset": "-03:00",
                "description": "Fuso horário de Brasília",
                "id": "America/Sao_Paulo",
                "name": "AMERICA_SAO_PAULO",
            },
        }
    })
}

fn delete(store: &mut Store, id: &str) -> Reply {
    let before = store.coupons.len();
    let id = id.parse::<u64>().map_err(|_| not_found())?;
    store.coupons.retain(|c| c.id != id);
    if store.coupons.len() == before {
        return Err(not_found());
    }
    // Hotmart publishes no answer to a deletion; an empty object, as its creation answers.
    Ok(Answer::raw(200, "{}"))
}
