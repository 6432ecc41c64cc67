//! The event envelope, its kind, and the lenient readers of Hotmart's JSON values.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use miniserde::json::{Number, Value};

use super::data::Data;
use super::{Error, MAX_BODY, Price};

/// One delivery's event: its envelope, typed data, and the body as received.
///
/// Its `Debug` leaves out the body (some payloads carry the hottok in a `hottok` member).
#[derive(Clone)]
pub struct Event {
    id: String,
    kind: EventKind,
    version: Option<String>,
    created_at: Option<SystemTime>,
    data: Data,
    json: Value,
    raw: Vec<u8>,
}

impl Event {
    /// Reads an event from a body, without any hottok check (for a spool already checked, or
    /// tests). The same limits as [`Verifier::verify`](super::Verifier::verify): at most
    /// [`MAX_BODY`] bytes, JSON, an object with a non-empty `id` and `event`.
    pub fn parse(body: &[u8]) -> Result<Event, Error> {
        if body.len() > MAX_BODY {
            return Err(Error::BodyTooLarge { len: body.len() });
        }
        let text = std::str::from_utf8(body).map_err(|_| Error::NotJson)?;
        let json: Value = miniserde::json::from_str(text).map_err(|_| Error::NotJson)?;
        let member = |member: &'static str| {
            text_at(&json, &[member])
                .filter(|value| !value.is_empty())
                .ok_or(Error::NotAnEvent { member })
        };
        let id = member("id")?;
        let kind: EventKind = member("event")?
            .parse()
            .unwrap_or_else(|never| match never {});
        let created_at =
            time(get(&json, &["creation_date"])).or_else(|| time(get(&json, &["creationDate"])));
        let data = Data::read(&kind, get(&json, &["data"]).unwrap_or(&Value::Null));
        Ok(Event {
            id,
            version: text_at(&json, &["version"]),
            kind,
            created_at,
            data,
            json,
            raw: body.to_vec(),
        })
    }

    /// The event's id: unique per event, the key for deduplication (one purchase's
    /// transaction appears in several events).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What happened.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// When Hotmart made the event (`creation_date`, or `creationDate` as Club events send it).
    pub fn created_at(&self) -> Option<SystemTime> {
        self.created_at
    }

    /// The payload's version, `2.0.0` today.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The typed data of the event's family.
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The whole body as JSON, for members the typed data leaves out.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// The body exactly as received (it may hold a `hottok` member: keep it private).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The purchase's transaction code (`HP…`), in purchase and order fulfilment events.
    pub fn transaction(&self) -> Option<&str> {
        match &self.data {
            Data::Purchase(p) => p.transaction.as_deref(),
            Data::OrderFulfillment(o) => o.transaction.as_deref(),
            _ => None,
        }
    }

    /// The e-mail of the person the event is about: buyer, subscriber, Club user or shopper.
    pub fn buyer_email(&self) -> Option<&str> {
        self.data.person()?.email.as_deref()
    }

    /// The product's id (Hotmart sends some as strings); an order's first line item's.
    pub fn product_id(&self) -> Option<u64> {
        self.data.product()?.id
    }

    /// The subscriber code, in purchase and subscription events.
    pub fn subscriber_code(&self) -> Option<&str> {
        match &self.data {
            Data::Purchase(p) => p.subscriber_code.as_deref(),
            Data::SubscriptionCancellation(c) => c.subscriber_code.as_deref(),
            Data::PlanSwitch(s) => s.subscriber_code.as_deref(),
            Data::ChargeDateUpdate(u) => u.subscriber_code.as_deref(),
            _ => None,
        }
    }

    /// What the buyer paid (`data.purchase.price`); its currency may be absent, as in
    /// Hotmart's 2022 test payloads.
    pub fn price(&self) -> Option<Price> {
        match &self.data {
            Data::Purchase(p) => p.price.clone(),
            Data::OrderFulfillment(o) => o.price.clone(),
            _ => None,
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("version", &self.version)
            .field("created_at", &self.created_at)
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}

macro_rules! kinds {
    ($($name:ident = $text:literal $doc:literal,)*) => {
        /// What an event is about: every event Hotmart documents, or [`Other`](Self::Other).
        ///
        /// ```
        /// use hotmart::webhook::EventKind;
        ///
        /// let kind: EventKind = "PURCHASE_APPROVED".parse().unwrap();
        /// assert_eq!(kind, EventKind::PurchaseApproved);
        /// assert_eq!(kind.as_str(), "PURCHASE_APPROVED");
        /// assert_eq!("NEW".parse::<EventKind>().unwrap(), EventKind::Other("NEW".into()));
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $(#[doc = $doc] $name,)*
            /// A name Hotmart does not document (yet), as sent.
            Other(String),
        }

        impl EventKind {
            /// Every documented kind.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$name),*];

            /// The event's name as Hotmart sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventKind::$name => $text,)*
                    EventKind::Other(name) => name,
                }
            }
        }

        impl FromStr for EventKind {
            type Err = std::convert::Infallible;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Ok(match name {
                    $($text => EventKind::$name,)*
                    other => EventKind::Other(other.to_owned()),
                })
            }
        }
    };
}

kinds! {
    PurchaseApproved = "PURCHASE_APPROVED" "A purchase was approved.",
    PurchaseComplete = "PURCHASE_COMPLETE" "A purchase's warranty ended: the sale is complete.",
    PurchaseCanceled = "PURCHASE_CANCELED" "A purchase was cancelled (a card refused…).",
    PurchaseRefunded = "PURCHASE_REFUNDED" "A purchase was refunded.",
    PurchaseChargeback = "PURCHASE_CHARGEBACK" "A purchase was charged back.",
    PurchaseBilletPrinted = "PURCHASE_BILLET_PRINTED" "A billet or PIX code was issued, unpaid.",
    PurchaseProtest = "PURCHASE_PROTEST" "The buyer asked for a refund (a dispute).",
    PurchaseExpired = "PURCHASE_EXPIRED" "An unpaid billet or PIX code expired.",
    PurchaseDelayed = "PURCHASE_DELAYED" "A payment is late.",
    PurchaseOutOfShoppingCart = "PURCHASE_OUT_OF_SHOPPING_CART" "A checkout was abandoned.",
    SubscriptionCancellation = "SUBSCRIPTION_CANCELLATION" "A subscription was cancelled.",
    SwitchPlan = "SWITCH_PLAN" "A subscriber switched plans.",
    UpdateSubscriptionChargeDate = "UPDATE_SUBSCRIPTION_CHARGE_DATE" "A charge day changed.",
    ClubFirstAccess = "CLUB_FIRST_ACCESS" "A member entered the Club for the first time.",
    ClubModuleCompleted = "CLUB_MODULE_COMPLETED" "A member completed a Club module.",
    OrderFulfillment = "ORDER_FULFILLMENT" "A physical product's order is ready to ship.",
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value at `path` of nested objects.
pub(super) fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| match value {
        Value::Object(object) => object.get(*key),
        _ => None,
    })
}

/// Text, or a number as its digits (Hotmart sends some codes and ids either way).
pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// [`text`] at `path`.
pub(super) fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    text(get(value, path))
}

/// A non-negative integer, or a string of one (`"00000"`).
pub(super) fn uint(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(Number::U64(n)) => Some(*n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite number, or a string of one (`"97.00"`).
pub(super) fn float(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(Number::U64(n)) => *n as f64,
        Value::Number(Number::I64(n)) => *n as f64,
        Value::Number(Number::F64(n)) => *n,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// A boolean.
pub(super) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// An epoch-milliseconds date, a number or a string of digits; `None` past what the
/// platform's clock can hold.
pub(super) fn time(value: Option<&Value>) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(uint(value)?))
}

/// An amount of money: `value` with `currency_value`, `currency_code` or `currency`.
pub(super) fn price(value: Option<&Value>) -> Option<Price> {
    let value = value?;
    Some(Price {
        value: Some(float(get(value, &["value"]))?),
        currency_code: ["currency_value", "currency_code", "currency"]
            .iter()
            .find_map(|key| text_at(value, &[key]).filter(|code| !code.is_empty())),
        ..Price::default()
    })
}
