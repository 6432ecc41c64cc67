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

fn info(store: &Store) -> Answer {
    let value = object! {
        "id": EVENT_ID,
        "name": "Encontro Rust BH",
        "start_date": store.now + 10 * DAY,
        "end_date": store.now + 10 * DAY + 8 * HOUR,
        "location": "Belo Horizonte, MG",
        "format": "PRESENTIAL",
        "status": "ACTIVE",
    };
    Answer::json(200, &value)
}

fn participants(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let items: Vec<u64> = (0..12)
        .filter(|i| query.allows("buyer_email", &format!("participante{i}@example.com")))
        .filter(|i| query.allows("batch_name", &format!("Lote {}", 1 + i / 6)))
        .collect();
    paginate(request, &items, |&i| {
        let checkin = i % 3 == 0;
        object! {
            "ticket_id": 60_000 + i,
            "ticket_code": format!("TK{EVENT_ID}{i:04}"),
            "batch_name": format!("Lote {}", 1 + i / 6),
            "checkin": checkin,
            "checkin_date": checkin.then_some(store.now - DAY),
            "transaction": format!("HP{:011}", 19_000_000_000u64 + i),
            "name": format!("Participante {i}"),
            "email": format!("participante{i}@example.com"),
            "status": if i == 11 { "COMPLIMENTARY" } else { "CONFIRMED" },
        }
    })
}
