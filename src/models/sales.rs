//! `GET /payments/api/v1/sales/history|summary|users|commissions|price/details`.

use super::{Party, Price, ProductRef};

model! {
    /// One item of the sales history.
    pub struct Sale {
        product: ProductRef = "The product sold.",
        buyer: Party = "Who bought.",
        producer: Party = "Who produces the product.",
        purchase: Purchase = "The purchase itself.",
    }

    /// The purchase part of a [`Sale`].
    pub struct Purchase {
        transaction: String = "The transaction code, e.g. `HP17715690036014`.",
        order_date: i64 => ordered_at = "When it was ordered (epoch ms).",
        approved_date: i64 => approved_at = "When it was approved (epoch ms).",
        /// `APPROVED`, `COMPLETE`, `CANCELLED`, `REFUNDED`, `CHARGEBACK`, … (see
        status: String = "[`TransactionStatus`](crate::models::TransactionStatus)).",
        recurrency_number: u64 = "Which charge of a subscription this is.",
        is_subscription: bool = "Whether it is a subscription charge.",
        commission_as: String = "The role the account earned as (`PRODUCER`, `COPRODUCER`, `AFFILIATE`).",
        price: Price = "The price paid.",
        payment: Payment = "How it was paid.",
        tracking: Tracking = "Tracking codes.",
        offer: Offer = "The offer bought.",
        hotmart_fee: HotmartFee = "Hotmart's fee.",
        warranty_expire_date: i64 => warranty_expires_at = "When the warranty ends (epoch ms).",
    }

    /// How a purchase was paid.
    pub struct Payment {
        method: String = "The method, e.g. `CREDIT_CARD`.",
        installments_number: u64 = "In how many installments.",
        kind: String ["type"] = "The payment type, e.g. `CREDIT_CARD` or `PIX` (JSON member `type`).",
    }

    /// Tracking codes of a purchase.
    pub struct Tracking {
        source: String = "The `src` code.",
        source_sck: String = "The `sck` code.",
        external_code: String = "An external reference.",
    }

    /// The offer of a purchase or subscription.
    pub struct Offer {
        code: String = "The offer's code.",
        payment_mode: String = "The payment mode, e.g. `INVOICE` or `SUBSCRIPTION`.",
        description: String = "The offer's description.",
        key: String = "The offer's key (subscription transactions).",
    }

    /// Hotmart's fee on a purchase.
    pub struct HotmartFee {
        total: f64 = "The whole fee.",
        fixed: f64 = "Its fixed part.",
        base: f64 = "The base it was computed on.",
        percentage: f64 = "Its percentage part.",
        currency_code: String = "The ISO 4217 currency code.",
    }

    /// One item of the sales summary: the total of one currency.
    pub struct SalesSummary {
        total_items: u64 = "How many sales.",
        total_value: Price = "Their total value.",
    }

    /// One item of `/sales/users`: a sale and everyone who took part in it.
    pub struct SaleParticipants {
        transaction: String = "The transaction code.",
        product: ProductRef = "The product sold.",
        users: Vec<SaleParticipant> = "The participants.",
    }

    /// A participant of a sale and its role.
    pub struct SaleParticipant {
        role: String = "`BUYER`, `PRODUCER`, `AFFILIATE`, `COPRODUCER`, …",
        user: Participant = "Who.",
    }

    /// The contact details of a participant.
    pub struct Participant {
        ucode: String = "The account's unique code.",
        locale: String = "The locale, e.g. `pt_BR`.",
        name: String = "The name.",
        trade_name: String = "The trade name.",
        cellphone: String = "The mobile phone.",
        phone: String = "The phone.",
        email: String = "The e-mail address.",
        documents: Vec<Document> = "Identity documents.",
        address: Address = "The postal address.",
    }

    /// An identity document.
    pub struct Document {
        value: String = "The number.",
        kind: String ["type"] = "E.g. `CPF`, `CNPJ` (JSON member `type`).",
    }

    /// A postal address.
    pub struct Address {
        city: String = "The city.",
        state: String = "The state.",
        country: String = "The country.",
        zip_code: String = "The postal code.",
        address: String = "The street.",
        complement: String = "The complement.",
        neighborhood: String = "The neighborhood.",
        number: String = "The number (a string: it may hold letters).",
    }

    /// One item of `/sales/commissions`: the commissions of one sale.
    pub struct SaleCommissions {
        transaction: String = "The transaction code.",
        product: ProductRef = "The product sold.",
        exchange_rate_currency_payout: f64 = "The exchange rate to the payout currency.",
        commissions: Vec<Commission> = "One commission per receiver.",
    }

    /// One commission of a sale.
    pub struct Commission {
        commission: Price = "The amount (Hotmart's key for the currency is `currency_value` here).",
        user: Party = "Who receives it.",
        source: String = "`PRODUCER`, `COPRODUCER`, `AFFILIATE` or `ADDON`.",
    }

    /// One item of `/sales/price/details`: how a purchase's value breaks down.
    pub struct SalePriceDetails {
        transaction: String = "The transaction code.",
        product: ProductRef = "The product sold.",
        base: Price = "The base price.",
        total: Price = "The total paid.",
        vat: Price = "The VAT.",
        fee: Price = "Hotmart's fee.",
        coupon: CouponRef = "The coupon used, if any.",
        real_conversion_rate: f64 = "The conversion rate applied.",
    }

    /// A coupon as a price breakdown refers to it.
    pub struct CouponRef {
        code: String = "The coupon's code.",
        value: f64 = "The discount it gave.",
    }
}

impl Purchase {
    /// [`status`](Self::status) as a [`TransactionStatus`](crate::models::TransactionStatus)
    /// (`Other` for a value this crate does not know yet).
    ///
    /// ```
    /// use hotmart::models::TransactionStatus;
    /// let purchase: hotmart::models::Purchase =
    ///     hotmart::miniserde::json::from_str(r#"{"status":"REFUNDED"}"#)?;
    /// assert_eq!(purchase.transaction_status(), Some(TransactionStatus::Refunded));
    /// # Ok::<(), hotmart::miniserde::Error>(())
    /// ```
    pub fn transaction_status(&self) -> Option<crate::api::TransactionStatus> {
        self.status.as_deref().map(Into::into)
    }
}
