//! The event envelope and the accessors every receiver needs.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
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
    /// Where in `raw` the values of top-level `hottok` members are.
    hottoks: Vec<Range<usize>>,
}

/// What [`Event::raw_without_hottok`] puts where a `hottok` member's value was.
const HOTTOK_STANDIN: &[u8] = b"\"<redacted>\"";

impl Event {
    /// Reads an event from a body, without any hottok check (for a spool already checked, or
    /// tests). The same limits as [`Verifier::verify`](super::Verifier::verify): at most
    /// [`MAX_BODY`] bytes, JSON nested at most [`MAX_DEPTH`](super::MAX_DEPTH) levels, an
    /// object with a non-empty `id` and `event`.
    pub fn parse(body: &[u8]) -> Result<Event, Error> {
        if body.len() > MAX_BODY {
            return Err(Error::BodyTooLarge { len: body.len() });
        }
        // The crate's own scanner first: it has no recursion, so it bounds the nesting before
        // the tree is built (whose `Clone` and `Debug` recurse), and it finds the hottok.
        let hottoks = hottok_values(body)?;
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
            hottoks,
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

    /// The body exactly as received (it may hold a `hottok` member: keep it private, or pass
    /// on [`raw_without_hottok`](Self::raw_without_hottok) instead).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The body as received but for the value of each top-level `hottok` member, which is
    /// `"<redacted>"`: what a receiver can hand to other programs, print or store. Some of
    /// Hotmart's payloads carry the account's hottok there, and whoever holds it can forge
    /// deliveries. (A hottok copied elsewhere in the body is not looked for.)
    ///
    /// ```
    /// let event = hotmart::webhook::Event::parse(
    ///     br#"{"id":"e1","event":"PURCHASE_APPROVED","hottok":"s3cr3t","data":{}}"#,
    /// )?;
    /// assert_eq!(
    ///     &*event.raw_without_hottok(),
    ///     br#"{"id":"e1","event":"PURCHASE_APPROVED","hottok":"<redacted>","data":{}}"#,
    /// );
    /// # Ok::<(), hotmart::webhook::Error>(())
    /// ```
    pub fn raw_without_hottok(&self) -> Cow<'_, [u8]> {
        if self.hottoks.is_empty() {
            return Cow::Borrowed(&self.raw);
        }
        let mut out = Vec::with_capacity(self.raw.len() + HOTTOK_STANDIN.len());
        let mut from = 0;
        for value in &self.hottoks {
            out.extend_from_slice(&self.raw[from..value.start]);
            out.extend_from_slice(HOTTOK_STANDIN);
            from = value.end;
        }
        out.extend_from_slice(&self.raw[from..]);
        Cow::Owned(out)
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

/// The spans of the values of the body's top-level `hottok` members (however their names are
/// escaped), and the body checked to be one JSON object nested within bounds.
fn hottok_values(body: &[u8]) -> Result<Vec<Range<usize>>, Error> {
    use crate::token::ParseErrorKind;
    let mut hottoks = Vec::new();
    crate::token::object(body, |name, scan| {
        let start = scan.pos();
        scan.skip_value(1)?;
        if name == b"hottok" {
            hottoks.push(start..scan.pos());
        }
        Ok(())
    })
    .map_or_else(
        |err| match err.kind() {
            // Not an object, so no hottok: what it is (JSON or not) is told by the full parse.
            ParseErrorKind::ExpectedObject => Ok(Vec::new()),
            ParseErrorKind::TooDeep => Err(Error::TooDeep),
            _ => Err(Error::NotJson),
        },
        |_| Ok(hottoks),
    )
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
