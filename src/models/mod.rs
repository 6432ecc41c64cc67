//! Typed responses of the endpoints a cron job reads most (feature `json`).
//!
//! Every field is optional, as Hotmart omits fields freely, and unknown members are ignored.
//! Dates are epoch milliseconds; [`Price`] carries an ISO 4217 currency code.
//!
//! ```
//! use hotmart::models::Sale;
//!
//! let json = r#"{"purchase":{"transaction":"HP123","status":"APPROVED",
//!                "price":{"value":97.0,"currency_value":"BRL"},"order_date":1700000000000},
//!                "buyer":{"name":"Ana","email":"ana@example.com"},"unknown":[1]}"#;
//! let sale: Sale = miniserde::json::from_str(json)?;
//! let purchase = sale.purchase.unwrap();
//! assert_eq!(purchase.transaction.as_deref(), Some("HP123"));
//! assert_eq!(purchase.price.unwrap().value, Some(97.0));
//! # Ok::<(), miniserde::Error>(())
//! ```

mod common;
mod products;
mod sales;
mod subscriptions;

pub use common::{Party, Price, ProductRef};
pub use products::Product;
pub use sales::{HotmartFee, Offer, Payment, Purchase, Sale, SalesSummary, Tracking};
pub use subscriptions::{Plan, Subscription};
