//! `/physicalproducts/api/…`: the physical-products partner API (credentials, products,
//! variants, webhooks, shipments). Hotmart publishes no answers to these fifteen calls: the
//! answers here are minimal ones (the id of what was made or changed), and an id the mock never
//! made is a 404.

use super::data::Store;
use super::{Reply, bad, member, not_found, object_body, text};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, object};

pub(super) fn route(
    store: &mut Store,
    method: &str,
    version: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    let pp = &mut store.physical;
    let answer = |key: &str, id: &str| {
        let mut object = crate::json::Object::new();
        object.insert(key.to_owned(), Value::String(id.to_owned()));
        Ok(Answer::json(200, &Value::Object(object)))
    };
    match (method, version, path) {
        ("POST", "v1", ["credentials"]) => {
            needs(request, &["partner", "credential"])?;
            let id = format!("pp-client-{}", fresh(&mut pp.next));
            pp.credentials.push(id.clone());
            answer("client_id", &id)
        }
        ("PUT", "v1", ["credentials", id]) => {
            needs(request, &["partner", "credential"])?;
            known(&pp.credentials, id)?;
            answer("client_id", id)
        }
        ("DELETE", "v1", ["credentials", id]) => {
            partner(request)?;
            remove(&mut pp.credentials, id)?;
            Ok(Answer::raw(200, "{}"))
        }
        ("POST", "v1" | "v2", ["product"]) => {
            needs(request, &["partner", "product"])?;
            let ucode = format!("pp-prod-{}", fresh(&mut pp.next));
            pp.products.push((ucode.clone(), "ACTIVE".to_owned()));
            answer("ucode", &ucode)
        }
        ("PUT", "v1", ["product", ucode]) => {
            needs(request, &["partner", "product"])?;
            pp.products
                .iter()
                .find(|p| p.0 == *ucode)
                .ok_or_else(not_found)?;
            answer("ucode", ucode)
        }
        ("PUT", "v1", ["product", ucode, "status"]) => {
            let body = needs(request, &["partner", "status"])?;
            let status = text(&body, "status").ok_or_else(|| bad("status must be text"))?;
            let product = pp
                .products
                .iter_mut()
                .find(|p| p.0 == *ucode)
                .ok_or_else(not_found)?;
            product.1 = status.to_owned();
            Ok(Answer::json(
                200,
                &object! { "ucode": *ucode, "status": status },
            ))
        }
        ("PATCH", "v1", ["product", ucode, "variants"]) => {
            partner(request)?;
            needs(request, &["variants"])?;
            pp.products
                .iter()
                .find(|p| p.0 == *ucode)
                .ok_or_else(not_found)?;
            answer("ucode", ucode)
        }
        ("POST", "v1", ["webhook"]) => {
            needs(request, &["partner", "event", "url"])?;
            let id = format!("pp-webhook-{}", fresh(&mut pp.next));
            pp.webhooks.push(id.clone());
            answer("id", &id)
        }
        ("PUT", "v1", ["webhook", id]) => {
            needs(request, &["partner", "event", "url"])?;
            known(&pp.webhooks, id)?;
            answer("id", id)
        }
        ("DELETE", "v1", ["webhook", id]) => {
            partner(request)?;
            remove(&mut pp.webhooks, id)?;
            Ok(Answer::raw(200, "{}"))
        }
        ("POST", "v1", ["shipments", kind @ ("status" | "tracking")]) => {
            let body = needs(request, &["partner", "transaction"])?;
            let transaction = text(&body, "transaction").unwrap_or_default();
            Ok(Answer::json(
                200,
                &object! { "transaction": transaction, "type": *kind },
            ))
        }
        _ => Err(not_found()),
    }
}

fn fresh(next: &mut u64) -> u64 {
    let n = *next;
    *next = next.saturating_add(1);
    n
}

/// A JSON object body with these members.
fn needs(request: &RecordedRequest, members: &[&str]) -> Result<Value, Answer> {
    let body = object_body(request)?;
    match members.iter().find(|m| member(&body, m).is_none()) {
        Some(missing) => Err(bad(&format!("{missing} is required"))),
        None => Ok(body),
    }
}

/// The `partner_identifier` query parameter Hotmart's samples send on deletes and variants.
fn partner(request: &RecordedRequest) -> Result<(), Answer> {
    match request.query_value("partner_identifier") {
        Some(p) if !p.is_empty() => Ok(()),
        _ => Err(bad("partner_identifier is required")),
    }
}

fn known(ids: &[String], id: &str) -> Result<(), Answer> {
    ids.iter()
        .any(|i| i == id)
        .then_some(())
        .ok_or_else(not_found)
}

fn remove(ids: &mut Vec<String>, id: &str) -> Result<(), Answer> {
    known(ids, id)?;
    ids.retain(|i| i != id);
    Ok(())
}
