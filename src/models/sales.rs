//! `GET /payments/api/v1/sales/history|summary|users|commissions|price/details`.

use super::{Party, Price, ProductRef};

model! {
    /// One item of the sales history.
    pub struct Sale {
        /// The product sold.
        product: ProductRef,
        /// Who bought.
        buyer: Party,
        /// Who produces the product.
        producer: Party,
        /// The purchase itself.
        purchase: Purchase,
    }
}

model! {
    /// The purchase part of a [`Sale`].
    pub struct Purchase {
        /// The transaction code, e.g. `HP17715690036014`.
        transaction: String,
        /// When it was ordered (epoch ms).
        order_date: i64,
        /// When it was approved (epoch ms).
        approved_date: i64,
        /// `APPROVED`, `COMPLETE`, `CANCELLED`, `REFUNDED`, `CHARGEBACK`, … (see
        /// [`TransactionStatus`](crate::api::TransactionStatus)).
        status: String,
        /// Which charge of a subscription this is.
        recurrency_number: u64,
        /// Whether it is a subscription charge.
        is_subscription: bool,
        /// The role the account earned as (`PRODUCER`, `COPRODUCER`, `AFFILIATE`).
        commission_as: String,
        /// The price paid.
        price: Price,
        /// How it was paid.
        payment: Payment,
        /// Tracking codes.
        tracking: Tracking,
        /// The offer bought.
        offer: Offer,
        /// Hotmart's fee.
        hotmart_fee: HotmartFee,
        /// When the warranty ends (epoch ms).
        warranty_expire_date: i64,
    }
}

model! {
    /// How a purchase was paid.
    pub struct Payment {
        /// The method, e.g. `CREDIT_CARD`.
        method: String,
        /// In how many installments.
        installments_number: u64,
        /// The payment type, e.g. `CREDIT_CARD` or `PIX` (JSON member `type`).
        kind: String ["type"],
    }
}

model! {
    /// Tracking codes of a purchase.
    pub struct Tracking {
        /// The `src` code.
        source: String,
        /// The `sck` code.
        source_sck: String,
        /// An external reference.
        external_code: String,
    }
}

model! {
    /// The offer of a purchase or subscription.
    pub struct Offer {
        /// The offer's code.
        code: String,
        /// The payment mode, e.g. `INVOICE` or `SUBSCRIPTION`.
        payment_mode: String,
    }
}

model! {
    /// Hotmart's fee on a purchase.
    pub struct HotmartFee {
        /// The whole fee.
        total: f64,
        /// Its fixed part.
        fixed: f64,
        /// The base it was computed on.
        base: f64,
        /// Its percentage part.
        percentage: f64,
        /// The ISO 4217 currency code.
        currency_code: String,
    }
}

model! {
    /// One item of the sales summary: the total of one currency.
    pub struct SalesSummary {
        /// How many sales.
        total_items: u64,
        /// Their total value.
        total_value: Price,
    }
}

model! {
    /// One item of `/sales/users`: a sale and everyone who took part in it.
    pub struct SaleParticipants {
        /// The transaction code.
        transaction: String,
        /// The product sold.
        product: ProductRef,
        /// The participants.
        users: Vec<SaleParticipant>,
    }
}

model! {
    /// A participant of a sale and its role.
    pub struct SaleParticipant {
        /// `BUYER`, `PRODUCER`, `AFFILIATE`, `COPRODUCER`, …
        role: String,
        /// Who.
        user: Participant,
    }
}

model! {
    /// The contact details of a participant.
    pub struct Participant {
        /// The account's unique code.
        ucode: String,
        /// The locale, e.g. `pt_BR`.
        locale: String,
        /// The name.
        name: String,
        /// The trade name.
        trade_name: String,
        /// The mobile phone.
        cellphone: String,
        /// The phone.
        phone: String,
        /// The e-mail address.
        email: String,
        /// Identity documents.
        documents: Vec<Document>,
        /// The postal address.
        address: Address,
    }
}

model! {
    /// An identity document.
    pub struct Document {
        /// The number.
        value: String,
        /// E.g. `CPF`, `CNPJ` (JSON member `type`).
        kind: String ["type"],
    }
}

model! {
    /// A postal address.
    pub struct Address {
        /// The city.
        city: String,
        /// The state.
        state: String,
        /// The country.
        country: String,
        /// The postal code.
        zip_code: String,
        /// The street.
        address: String,
        /// The complement.
        complement: String,
        /// The neighborhood.
        neighborhood: String,
        /// The number (a string: it may hold letters).
        number: String,
    }
}

model! {
    /// One item of `/sales/commissions`: the commissions of one sale.
    pub struct SaleCommissions {
        /// The transaction code.
        transaction: String,
        /// The product sold.
        product: ProductRef,
        /// The exchange rate to the payout currency.
        exchange_rate_currency_payout: f64,
        /// One commission per receiver.
        commissions: Vec<Commission>,
    }
}

model! {
    /// One commission of a sale.
    pub struct Commission {
        /// The amount (Hotmart's key for the currency is `currency_value` here).
        commission: Price,
        /// Who receives it.
        user: Party,
        /// `PRODUCER`, `COPRODUCER`, `AFFILIATE` or `ADDON`.
        source: String,
    }
}

model! {
    /// One item of `/sales/price/details`: how a purchase's value breaks down.
    pub struct SalePriceDetails {
        /// The transaction code.
        transaction: String,
        /// The product sold.
        product: ProductRef,
        /// The base price.
        base: Price,
        /// The total paid.
        total: Price,
        /// The VAT.
        vat: Price,
        /// Hotmart's fee.
        fee: Price,
        /// The coupon used, if any.
        coupon: CouponRef,
        /// The conversion rate applied.
        real_conversion_rate: f64,
    }
}

model! {
    /// A coupon as a price breakdown refers to it.
    pub struct CouponRef {
        /// The coupon's code.
        code: String,
        /// The discount it gave.
        value: f64,
    }
}

impl Purchase {
    /// [`status`](Self::status) as a [`TransactionStatus`](crate::api::TransactionStatus)
    /// (`Other` for a value this crate does not know yet).
    ///
    /// ```
    /// use hotmart::api::TransactionStatus;
    /// let purchase: hotmart::models::Purchase =
    ///     hotmart::miniserde::json::from_str(r#"{"status":"REFUNDED"}"#)?;
    /// assert_eq!(purchase.transaction_status(), Some(TransactionStatus::Refunded));
    /// # Ok::<(), hotmart::miniserde::Error>(())
    /// ```
    pub fn transaction_status(&self) -> Option<crate::api::TransactionStatus> {
        self.status.as_deref().map(Into::into)
    }
}
