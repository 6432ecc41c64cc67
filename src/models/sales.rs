//! `GET /payments/api/v1/sales/history` and `…/sales/summary`.

use miniserde::Deserialize;

use super::{Party, Price, ProductRef};

/// One item of the sales history.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Sale {
    /// The product sold.
    pub product: Option<ProductRef>,
    /// Who bought.
    pub buyer: Option<Party>,
    /// Who produces the product.
    pub producer: Option<Party>,
    /// The purchase itself.
    pub purchase: Option<Purchase>,
}

/// The purchase part of a [`Sale`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Purchase {
    /// The transaction code, e.g. `HP17715690036014`.
    pub transaction: Option<String>,
    /// When it was ordered (epoch ms).
    pub order_date: Option<i64>,
    /// When it was approved (epoch ms).
    pub approved_date: Option<i64>,
    /// `APPROVED`, `COMPLETE`, `CANCELED`, `REFUNDED`, `CHARGEBACK`, …
    pub status: Option<String>,
    /// Which charge of a subscription this is.
    pub recurrency_number: Option<u64>,
    /// Whether it is a subscription charge.
    pub is_subscription: Option<bool>,
    /// The role the account earned as (`PRODUCER`, `AFFILIATE`, …).
    pub commission_as: Option<String>,
    /// The price paid.
    pub price: Option<Price>,
    /// How it was paid.
    pub payment: Option<Payment>,
    /// Tracking codes.
    pub tracking: Option<Tracking>,
    /// The offer bought.
    pub offer: Option<Offer>,
    /// Hotmart's fee.
    pub hotmart_fee: Option<HotmartFee>,
    /// When the warranty ends (epoch ms).
    pub warranty_expire_date: Option<i64>,
}

/// How a purchase was paid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Payment {
    /// The method, e.g. `CREDIT_CARD`.
    pub method: Option<String>,
    /// In how many installments.
    pub installments_number: Option<u64>,
    /// The payment type, e.g. `CREDIT_CARD` or `PIX`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Tracking codes of a purchase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Tracking {
    /// The `src` code.
    pub source: Option<String>,
    /// The `sck` code.
    pub source_sck: Option<String>,
    /// An external reference.
    pub external_code: Option<String>,
}

/// The offer of a purchase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Offer {
    /// The offer's code.
    pub code: Option<String>,
    /// The payment mode, e.g. `INVOICE` or `SUBSCRIPTION`.
    pub payment_mode: Option<String>,
}

/// Hotmart's fee on a purchase.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct HotmartFee {
    /// The whole fee.
    pub total: Option<f64>,
    /// Its fixed part.
    pub fixed: Option<f64>,
    /// The base it was computed on.
    pub base: Option<f64>,
    /// Its percentage part.
    pub percentage: Option<f64>,
    /// The ISO 4217 currency code.
    pub currency_code: Option<String>,
}

/// One item of the sales summary.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SalesSummary {
    /// How many sales.
    pub total_items: Option<u64>,
    /// Their total value.
    pub total_value: Option<Price>,
}
