//! `GET /payments/api/v1/subscriptions`.

use miniserde::Deserialize;

use super::{Party, Price, ProductRef};

/// One subscription.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscriber's code for this subscription.
    pub subscriber_code: Option<String>,
    /// The subscription's numeric id.
    pub subscription_id: Option<u64>,
    /// `ACTIVE`, `INACTIVE`, `DELAYED`, `CANCELLED_BY_CUSTOMER`, `CANCELLED_BY_SELLER`,
    /// `CANCELLED_BY_ADMIN`, `STARTED` or `OVERDUE`.
    pub status: Option<String>,
    /// When it started (epoch ms).
    pub accession_date: Option<i64>,
    /// When it ended (epoch ms).
    pub end_accession_date: Option<i64>,
    /// When it was requested (epoch ms).
    pub request_date: Option<i64>,
    /// The next charge (epoch ms).
    pub date_next_charge: Option<i64>,
    /// Whether it is in a trial.
    pub trial: Option<bool>,
    /// The transaction that started it.
    pub transaction: Option<String>,
    /// The plan subscribed to.
    pub plan: Option<Plan>,
    /// The product.
    pub product: Option<ProductRef>,
    /// The price of each charge.
    pub price: Option<Price>,
    /// Who subscribed.
    pub subscriber: Option<Party>,
}

/// A subscription plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// The plan's name.
    pub name: Option<String>,
    /// The plan's numeric id.
    pub id: Option<u64>,
    /// Days between charges.
    pub recurrency_period: Option<u64>,
    /// The most charges, if limited.
    pub max_charge_cycles: Option<u64>,
}
