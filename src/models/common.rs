//! Shapes shared by several endpoints.

model! {
    /// An amount of money.
    ///
    /// Hotmart names the currency `currency_code` on sales, subscriptions and price details,
    /// `currency_value` inside `/sales/commissions` and webhooks, and `currency` in
    /// subscription transactions; all three are read into
    /// [`currency_code`](Self::currency_code), which is what serialization writes.
    pub struct Price {
        value: f64 = "The amount.",
        currency_code: String ["currency_code", "currency_value", "currency"] = "The ISO 4217 currency code, e.g. `BRL`.",
        total_value: f64 = "The total with fees (subscription transactions).",
    }

    /// A product as other resources refer to it.
    pub struct ProductRef {
        id: u64 = "The product's numeric id.",
        name: String = "The product's name.",
        ucode: String = "The product's unique code.",
    }

    /// A person or account: a buyer, producer, subscriber, ticket holder or commission receiver.
    pub struct Party {
        id: u64 = "The numeric id (subscription summaries).",
        name: String = "The name.",
        email: String = "The e-mail address (buyers and subscribers).",
        ucode: String = "The account's unique code.",
        phone: String = "The phone (a number in some answers, kept as its digits).",
        phone_ddd: String = "The phone's area code.",
        document: String = "An identity document's number (event tickets).",
    }
}
