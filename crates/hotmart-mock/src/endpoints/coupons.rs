//! `/payments/api/v1/product/{id}/coupon`, `/payments/api/v1/coupon/…`: a product's coupons.

use super::data::{CouponRec, DAY, Store};
use super::{Query, Reply, bad, body, member, not_found, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Number, Value, object};

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
    let (Some(Value::String(code)), Some(Value::Number(discount))) =
        (member(&body, "code"), member(&body, "discount"))
    else {
        return Err(bad("code and discount are required"));
    };
    let discount = match *discount {
        Number::F64(d) => d,
        Number::U64(d) => d as f64,
        Number::I64(d) => d as f64,
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
    Ok(Answer::empty())
}

/// A product's coupons; an empty body when it has none, as Hotmart answers.
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
    if items.is_empty() {
        return Ok(Answer::empty());
    }
    paginate(request, &items, |c| {
        object! {
            "coupon_id": c.id,
            "code": &c.code,
            "discount": c.discount,
            "status": "ACTIVE",
            "product_id": c.product_id,
            "start_date": store.now - DAY,
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
    Ok(Answer::empty())
}
