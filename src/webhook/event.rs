//! The event envelope and the accessors every receiver needs.

use std::fmt;
use std::time::SystemTime;

use miniserde::json::{Number, Value};

use super::data::Data;
use super::json::{get, text_at, time};
use super::kind::EventKind;
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
            match get(&json, &[member]) {
                // A number past the integers (`1.5`, `18446744073709551616`) reads back
                // rounded: two events could share one id, and the second be dropped.
                Some(Value::Number(Number::F64(_))) => None,
                value => super::json::text(value),
            }
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
