//! Shapes shared by several endpoints.

use miniserde::Deserialize;

/// An amount of money.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Price {
    /// The amount.
    pub value: Option<f64>,
    /// The ISO 4217 currency code, e.g. `BRL`.
    pub currency_value: Option<String>,
}

/// A product as other resources refer to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ProductRef {
    /// The product's numeric id.
    pub id: Option<u64>,
    /// The product's name.
    pub name: Option<String>,
    /// The product's unique code.
    pub ucode: Option<String>,
}

/// A person or account: a buyer, producer or subscriber.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Party {
    /// The name.
    pub name: Option<String>,
    /// The e-mail address (buyers and subscribers).
    pub email: Option<String>,
    /// The account's unique code.
    pub ucode: Option<String>,
}
