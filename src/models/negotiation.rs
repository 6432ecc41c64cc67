//! `POST /payments/api/v1/installments/negotiate`: an installment negotiation.

model! {
    /// The charge a negotiation created for a subscription's overdue charges.
    pub struct Negotiation {
        subscription_id: u64 = "The subscription's numeric id.",
        transaction: String = "The transaction created.",
        payment: NegotiationPayment = "How to pay it.",
    }

    /// How to pay a negotiation.
    pub struct NegotiationPayment {
        kind: String ["type"] = "E.g. `PIX` (JSON member `type`).",
        expiration_date: i64 => expires_at = "When it expires (epoch ms).",
        pix_code: String = "The Pix code to copy.",
        pix_qrcode: String = "The link to the Pix QR code.",
    }
}
