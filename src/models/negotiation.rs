//! `POST /payments/api/v1/negotiation`: an installment negotiation for overdue charges.

model! {
    /// A negotiation offer made for a subscriber's overdue charges.
    ///
    /// Hotmart documents the request (`subscriber_code`) but publishes no example answer; the
    /// members are inferred.
    pub struct Negotiation {
        /// The negotiation's id.
        negotiation_id: String ["negotiation_id", "id"],
        /// The subscriber's code.
        subscriber_code: String,
        /// The link the subscriber pays through.
        url: String,
        /// When the offer expires (epoch ms).
        expiration_date: i64,
        /// E.g. `CREATED`.
        status: String,
    }
}
