//! Typed answers of Hotmart's endpoints (feature `json`).
//!
//! Every field is an `Option` named as Hotmart's JSON member, as Hotmart omits members freely;
//! the members a model does not name are kept in its `extra` ([`Extra`]), so a model written
//! back still has them (the cost: each such member is read into a tree instead of skipped;
//! see [`Extra`]). A numeric field also reads a string holding a number (`"97.00"`), an id or
//! count field an integer or a string of digits. Dates are kept as Hotmart sends them, epoch
//! milliseconds unless a field says otherwise, each with a [`SystemTime`] accessor beside it
//! (`approved_at()` for `approved_date`). Money is a [`Price`], whose `currency_code` is read
//! from `currency_code`, `currency_value` (commissions, webhooks) or `currency`
//! (subscription transactions).
//!
//! Every model serializes with miniserde (absent fields left out, `extra` after the named
//! ones; [`named_json`] leaves `extra` out), and with serde under the `serde` feature. The
//! values of Hotmart's enumerated filters ([`TransactionStatus`], …) live here too.
//!
//! ```
//! use hotmart::models::Sale;
//!
//! let json = r#"{"purchase":{"transaction":"HP123","status":"APPROVED",
//!                "price":{"value":"97.00","currency_code":"BRL"},"order_date":1700000000000},
//!                "buyer":{"name":"Ana","email":"ana@example.com"},"unknown":[1]}"#;
//! let sale: Sale = hotmart::miniserde::json::from_str(json)?;
//! let purchase = sale.purchase.as_ref().unwrap();
//! assert_eq!(purchase.transaction.as_deref(), Some("HP123"));
//! let price = purchase.price.as_ref().unwrap();
//! assert_eq!((price.value, price.currency_code.as_deref()), (Some(97.0), Some("BRL")));
//! assert!(hotmart::miniserde::json::to_string(&sale).contains(r#""currency_code":"BRL""#));
//! # Ok::<(), hotmart::miniserde::Error>(())
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

// The place type miniserde's own derive uses; its one `unsafe` cast lives in miniserde's
// macro (a `repr(C)` wrapper of `Option<T>`), not in this crate's code.
miniserde::make_place!(Place);

#[macro_use]
pub(crate) mod wire;

pub(crate) mod account;
mod bodies;
mod club;
mod common;
mod coupons;
mod events;
pub(crate) mod extra;
pub(crate) mod filters;
pub(crate) mod finite;
mod negotiation;
mod products;
mod sales;
mod subscriptions;

pub use account::{Account, AccountDocument, AccountPartner};
pub use bodies::{
    Attribute, BillingConfiguration, CheckoutConfiguration, Dimensions, Image, LinkConfiguration,
    LinkOffer, LinkPlan, LinkSubscription, OfferBillet, PaymentLink, PhysicalProduct,
    ProductAddress, ShipmentTracking, ThanksPages, TrackingEvent, Trial, Variant, VariantAttribute,
    Variants,
};
pub use club::{
    ClubClass, ClubLesson, ClubModule, ClubPage, ClubProgress, ClubStudent, Dripping, DrippingRule,
    PageRate,
};
pub use common::{Party, Price, ProductRef};
pub use coupons::{Coupon, TimeZone};
pub use events::{Event, Lot, Ticket, TicketInfo};
pub use extra::{Extra, named_json};
pub use filters::{
    BillingType, CommissionAs, PaymentType, ProductStatus, SubscriptionStatus, TransactionStatus,
};
pub use negotiation::{Negotiation, NegotiationPayment};
pub use products::{Product, ProductOffer, ProductPlan};
pub use sales::{
    Address, Commission, CouponRef, Document, HotmartFee, Offer, Participant, Payment, Purchase,
    Sale, SaleCommissions, SaleParticipant, SaleParticipants, SalePriceDetails, SalesSummary,
    Tracking,
};
pub use subscriptions::{
    Installment, LastRecurrency, Plan, Recurrency, Shopper, Subscription, SubscriptionChange,
    SubscriptionChanges, SubscriptionPurchase, SubscriptionSummary, SubscriptionTransaction,
    TransactionCommission, TransactionPayment, TransactionPurchase, TrialInfo, UnpaidRecurrency,
};

/// An epoch-milliseconds date as Hotmart sends most of them (`order_date`, `created_at`, …).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(hotmart::models::time_from_ms(1_500), UNIX_EPOCH + Duration::from_millis(1_500));
/// ```
pub fn time_from_ms(ms: i64) -> SystemTime {
    let magnitude = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// An epoch-seconds date, for the few places where Hotmart's own examples use seconds (the
/// Club's `last_access_date`, `first_access_date` and `purchase_date`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(hotmart::models::time_from_secs(2), UNIX_EPOCH + Duration::from_secs(2));
/// ```
pub fn time_from_secs(secs: i64) -> SystemTime {
    time_from_ms(secs.saturating_mul(1000))
}
