//! `/events/api/v1/{event_id}/…`: an event and its tickets, from Hotmart's published examples.

use super::{Party, ProductRef};

model! {
    /// An event (`GET /events/api/v1/{event_id}/info`).
    pub struct Event {
        product: ProductRef = "The event's product.",
        start_event_date: i64 => starts_at = "When it starts (epoch ms).",
        end_event_date: i64 => ends_at = "When it ends (epoch ms).",
        lots: Vec<Lot> = "The batches (lots) its tickets are sold in.",
    }

    /// A batch (lot) of tickets.
    pub struct Lot {
        id: u64 = "Its numeric id.",
        name: String = "Its name.",
    }

    /// One ticket with who bought and holds it (`GET /events/api/v1/{event_id}/participants`).
    pub struct Ticket {
        eticket: TicketInfo = "The ticket itself.",
        buyer: Party = "Who bought it.",
        participant: Party = "Who holds it (its members may all be null until named).",
        lot: Lot = "The batch it was sold in.",
        product: ProductRef = "The event's product.",
    }

    /// The ticket part of a [`Ticket`].
    pub struct TicketInfo {
        id: u64 = "Its numeric id.",
        ticket_status: String = "E.g. `SOLD`, `REFUNDED`.",
        ticket_type: String = "E.g. `PAID`.",
        checkin_status: String = "E.g. `PENDING`, `CONCLUDED`.",
        checkin_url: String = "The check-in link.",
        current_update: i64 => updated_at = "When it last changed (epoch ms).",
        is_blocked: bool = "Whether it is blocked.",
        ticket_qr_code: String = "The QR code's content.",
        category: String = "Its category.",
    }
}
