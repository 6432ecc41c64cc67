//! Shapes shared by several endpoints.

model! {
    /// An amount of money.
    ///
    /// Hotmart names the currency `currency_code` on sales history, sales summary,
    /// subscriptions and price details, and `currency_value` inside `/sales/commissions` and in
    /// webhook payloads; both are read into [`currency_code`](Self::currency_code), which is
    /// what serialization writes.
    pub struct Price {
        /// The amount.
        value: f64,
        /// The ISO 4217 currency code, e.g. `BRL`.
        currency_code: String ["currency_code", "currency_value"],
    }
}

model! {
    /// A product as other resources refer to it.
    pub struct ProductRef {
        /// The product's numeric id.
        id: u64,
        /// The product's name.
        name: String,
        /// The product's unique code.
        ucode: String,
    }
}

model! {
    /// A person or account: a buyer, producer, subscriber or commission receiver.
    pub struct Party {
        /// The numeric id (subscription summaries).
        id: u64,
        /// The name.
        name: String,
        /// The e-mail address (buyers and subscribers).
        email: String,
        /// The account's unique code.
        ucode: String,
    }
}
