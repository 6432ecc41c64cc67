//! `/events/api/v1/…`: an event and its tickets.
//!
//! Hotmart publishes no example answers for these endpoints; the members are inferred from
//! its event pages and public clients, and all are optional like everywhere else.

model! {
    /// An event (`GET /events/api/v1/{id}/info`).
    pub struct Event {
        /// The event's id (the id of its product).
        id: u64,
        /// Its name.
        name: String,
        /// When it starts (epoch ms).
        start_date: i64,
        /// When it ends (epoch ms).
        end_date: i64,
        /// Where it takes place.
        location: String,
        /// E.g. `ONLINE` or `PRESENTIAL`.
        format: String,
        /// E.g. `ACTIVE`.
        status: String,
    }
}

model! {
    /// One ticket and its participant (`GET /events/api/v1/{id}/participants`, paginated).
    pub struct Ticket {
        /// The ticket's id.
        ticket_id: u64 ["ticket_id", "id"],
        /// The ticket's QR or bar code.
        ticket_code: String,
        /// The batch (lot) it was sold in.
        batch_name: String,
        /// The transaction that bought it.
        transaction: String,
        /// The participant's name.
        name: String,
        /// The participant's e-mail address.
        email: String,
        /// E.g. `CONFIRMED`, `COMPLIMENTARY`.
        status: String,
        /// Whether the participant has checked in.
        checkin: bool,
        /// When the participant checked in (epoch ms).
        checkin_date: i64,
    }
}
