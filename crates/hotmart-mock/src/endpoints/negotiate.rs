//! `POST /payments/api/v1/installments/negotiate`: a PIX or billet for a subscriber's overdue
//! charges, in the shape of Hotmart's published example (`negotiate.hotmart-doc.json`).

use super::data::{DAY, Store};
use super::{Reply, bad, body, member, not_found, number, text};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, object};

pub(super) fn negotiate(store: &mut Store, request: &RecordedRequest) -> Reply {
    let body = body(request)?;
    let Some(Value::Number(miniserde::json::Number::U64(id))) = member(&body, "subscription_id")
    else {
        return Err(bad("subscription_id is required"));
    };
    let recurrences = match member(&body, "recurrences") {
        Some(Value::Array(list)) if !list.is_empty() => list.len(),
        _ => return Err(bad("recurrences must be a list of recurrence numbers")),
    };
    let payment_type = match text(&body, "payment_type") {
        Some(kind @ ("PIX" | "BILLET")) => kind.to_owned(),
        _ => return Err(bad("payment_type must be PIX or BILLET")),
    };
    if let Some(discount) = member(&body, "discount") {
        let kind = text(discount, "type");
        if !matches!(kind, Some("CUSTOM" | "PERCENTAGE")) || number(discount, "value").is_none() {
            return Err(bad("discount must be {type: CUSTOM or PERCENTAGE, value}"));
        }
    }
    let Some(s) = store.subscriptions.iter().find(|s| s.id == *id) else {
        return Err(not_found());
    };
    store.negotiations += 1;
    let n = store.negotiations;
    let transaction = format!("HP{:011}", 20_000_000_000u64 + n);
    let pix = payment_type == "PIX";
    let payment = object! {
        "type": &payment_type,
        "expiration_date": store.now + 3 * DAY,
        "pix_code": pix.then(|| format!("00020101021226780014br.gov.bcb.pix-mock-{}-{recurrences}", s.code)),
        "pix_qrcode": pix.then(|| format!("https://example.com/pix/checkout?hash=mock{n:05}")),
        "billet_url": (!pix).then(|| format!("https://example.com/billet/{transaction}")),
    };
    let value = object! {
        "subscription_id": *id,
        "transaction": &transaction,
        "payment": payment,
    };
    Ok(Answer::json(200, &value))
}
