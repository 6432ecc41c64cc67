//! `/events/api/v1/…`: the shop's one event and its participants.

use super::data::{DAY, HOUR, Store};
use super::{Query, Reply, not_found, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::object;

/// The shop's one event, a product of its own (an event's id is its product's id).
const EVENT_ID: u64 = 3_000_001;

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    let is_event = |id: &str| id == EVENT_ID.to_string();
    match (method, path) {
        ("GET", [id, "info"]) if is_event(id) => Ok(info(store)),
        ("GET", [id, "participants"]) if is_event(id) => participants(store, request),
        _ => Err(not_found()),
    }
}

/// The event's lots: six tickets in each.
const LOTS: [(u64, &str); 2] = [(234_900, "Lote 1"), (234_901, "Lote 2")];

/// One event, as Hotmart's published example has it.
fn info(store: &Store) -> Answer {
    let lots = LOTS.map(|(id, name)| object! { "id": id, "name": name });
    let value = object! {
        "product": object! { "id": EVENT_ID, "name": "Encontro Rust BH" },
        "start_event_date": store.now + 10 * DAY,
        "end_event_date": store.now + 10 * DAY + 8 * HOUR,
        "lots": lots.to_vec(),
    };
    Answer::json(200, &value)
}

/// The event's tickets, in the shape of Hotmart's published example.
fn participants(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let email = |i: u64| format!("participante{i}@example.com");
    let lot = |i: u64| LOTS[(i / 6) as usize];
    let items: Vec<u64> = (0..12)
        .filter(|i| query.allows("buyer_email", &email(*i)))
        .filter(|i| query.allows("batch_name", lot(*i).1))
        .collect();
    paginate(request, &items, |&i| {
        let checkin = i % 3 == 0;
        let (lot_id, lot_name) = lot(i);
        object! {
            "eticket": object! {
                "id": 6_892_768 + i,
                "ticket_status": "SOLD",
                "ticket_type": if i == 11 { "FREE" } else { "PAID" },
                "checkin_status": if checkin { "CONCLUDED" } else { "PENDING" },
                "checkin_url": format!("https://example.com/eticket/{EVENT_ID}-{i}"),
                "current_update": store.now - DAY,
                "is_blocked": false,
                "ticket_qr_code": format!("{}", 132_591_264_870_940_000u64 + i),
                "category": "GENERAL",
            },
            "buyer": object! {
                "ucode": format!("buyer-event-{i}"),
                "name": format!("Participante {i}"),
                "email": email(i),
                "document": format!("{:011}", 68_658_197_000u64 + i),
                "phone": format!("3199999{i:04}"),
            },
            "participant": object! {
                "id": 2_190 + i,
                "name": format!("Participante {i}"),
                "email": email(i),
                "document": format!("{:011}", 68_658_197_000u64 + i),
                "phone": 31_999_990_000u64 + i,
            },
            "lot": object! { "id": lot_id, "name": lot_name },
            "product": object! { "id": EVENT_ID, "name": "Encontro Rust BH" },
        }
    })
}
