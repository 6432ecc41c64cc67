//! Hotmart's webhooks (postback 2.0.0): checked, typed and deduplicated, with no HTTP server of
//! its own, so it fits any server, a CGI script or a spool read by a cron job (feature `json`).
//!
//! Hotmart POSTs one JSON event per request, authenticated by the account's hottok in the
//! `X-HOTMART-HOTTOK` header (no signature, no timestamp). [`Verifier::verify`] fails closed: a
//! missing, empty or wrong header is refused (compared in constant time), and so is a body over
//! [`MAX_BODY`], one that is not JSON, or JSON that is not an event. Every refusal is an
//! [`Error`] that says what to do and never quotes the header or the body.
//!
//! Hotmart delivers at least once and keeps 60 days of history it can resend, so the same event
//! can arrive twice; [`Dedup`] recognises an `id` it has accepted before. Never acknowledge an
//! event that was not kept: answer 2xx only once it is stored, and [`Dedup::forget`] it when
//! storing fails, so that Hotmart's redelivery is taken.
//!
//! A receiver, for whatever server hands over the header and the body:
//!
//! ```no_run
//! use hotmart::webhook::{Dedup, Event, Verifier};
//! # fn keep(_: &Event) -> std::io::Result<()> { Ok(()) }
//!
//! let verifier = Verifier::from_env()?; // HOTMART_HOTTOK
//! let dedup = Dedup::in_dir("/var/lib/shop/hotmart-events");
//! let answer = |hottok: Option<&str>, body: &[u8]| -> u16 {
//!     let event = match verifier.verify(hottok, body) {
//!         Ok(event) => event,
//!         Err(refused) => return refused.http_status(), // 401, 400 or 413; safe to log
//!     };
//!     match dedup.first_time(event.id()) {
//!         Ok(false) => 200, // a redelivery, already kept
//!         Ok(true) if keep(&event).is_ok() => 200,
//!         Ok(true) => { let _ = dedup.forget(event.id()); 500 } // Hotmart sends it again
//!         Err(_) => 503,
//!     }
//! };
//! let status = answer(Some("the header's value"), br#"{"id":"1","event":"PURCHASE_APPROVED"}"#);
//! # Ok::<(), hotmart::webhook::Error>(())
//! ```

mod data;
mod dedup;
mod event;
mod json;
mod kind;

pub use data::{
    AbandonedCart, ChargeDateUpdate, ClubActivity, Data, LineItem, OrderFulfillment, Person,
    PlanRef, PlanSwitch, Product, Purchase, SubscriptionCancellation,
};
pub use dedup::{DEFAULT_RETENTION, Dedup, DedupStore, DirStore, MEMORY_CAP, MemoryStore};
pub use event::Event;
pub use kind::EventKind;

/// Money in an event; its `currency_code` is read from `currency_value` (what Hotmart sends),
/// `currency_code` or `currency`.
pub use crate::models::Price;

use std::fmt;

use crate::secret::Secret;

/// The header that carries the hottok.
pub const HOTTOK_HEADER: &str = "X-HOTMART-HOTTOK";
/// The largest body accepted (1 MiB); Hotmart's events are a few KiB.
pub const MAX_BODY: usize = 1 << 20;
/// The longest hottok accepted, in bytes; Hotmart's are under a hundred.
pub const MAX_HOTTOK: usize = 256;
/// How deep a body's objects and arrays may nest; Hotmart's events nest four or five levels.
pub const MAX_DEPTH: usize = crate::token::ParseError::MAX_DEPTH;

/// Checks a delivery's hottok and reads its event. Its `Debug` shows a fingerprint of the
/// hottok, never the hottok.
#[derive(Clone, Debug)]
pub struct Verifier {
    hottok: Secret,
}

impl Verifier {
    /// A verifier of the account's hottok (spaces and tabs around it ignored). An empty one,
    /// one with a control character (the `\r` of a file written on Windows, say), or one over
    /// [`MAX_HOTTOK`] bytes could never match a delivery's header: [`Error::BadHottok`].
    ///
    /// ```
    /// use hotmart::webhook::{Error, Verifier};
    /// assert!(Verifier::new(" the-account-hottok\t").is_ok());
    /// assert_eq!(Verifier::new("the-account-hottok\r").err(), Some(Error::BadHottok));
    /// ```
    pub fn new(hottok: impl AsRef<str>) -> Result<Self, Error> {
        let hottok = trim(hottok.as_ref());
        if hottok.is_empty() || hottok.len() > MAX_HOTTOK || hottok.chars().any(char::is_control) {
            return Err(Error::BadHottok);
        }
        Ok(Verifier {
            hottok: Secret::new(hottok),
        })
    }

    /// A verifier of the hottok in `HOTMART_HOTTOK`; unset or empty is [`Error::HottokUnset`].
    pub fn from_env() -> Result<Self, Error> {
        let variable = "HOTMART_HOTTOK";
        match std::env::var_os(variable).map(|value| value.into_string()) {
            None => Err(Error::HottokUnset { variable }),
            Some(Ok(value)) if trim(&value).is_empty() => Err(Error::HottokUnset { variable }),
            Some(Ok(value)) => Verifier::new(value),
            Some(Err(_)) => Err(Error::BadHottok),
        }
    }

    /// The event of a delivery whose `X-HOTMART-HOTTOK` header is `header`: the header is
    /// checked first, in constant time, then the body is read with [`Event::parse`]. A refusal
    /// is logged at `debug` level with its reason, never with the header or the body.
    pub fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<Event, Error> {
        let checked = self.check_hottok(header).and_then(|()| Event::parse(body));
        if let Err(err) = &checked {
            log::debug!(target: "hotmart::webhook", "delivery refused: {err}");
        }
        checked
    }

    /// The hottok check of [`verify`](Self::verify) alone, in constant time: for a server that
    /// refuses a delivery by its head, before it reads (or asks for) the body.
    ///
    /// ```
    /// use hotmart::webhook::{Error, Verifier};
    /// let verifier = Verifier::new("the-account-hottok")?;
    /// assert_eq!(verifier.check_hottok(Some("the-account-hottok")), Ok(()));
    /// assert_eq!(verifier.check_hottok(Some("wrong")), Err(Error::WrongHottok));
    /// assert_eq!(verifier.check_hottok(None), Err(Error::MissingHottok));
    /// # Ok::<(), hotmart::webhook::Error>(())
    /// ```
    pub fn check_hottok(&self, header: Option<&str>) -> Result<(), Error> {
        match header.map(trim) {
            None => Err(Error::MissingHottok),
            Some("") => Err(Error::EmptyHottok),
            Some(given) if same(self.hottok.expose().as_bytes(), given.as_bytes()) => Ok(()),
            Some(_) => Err(Error::WrongHottok),
        }
    }
}

/// HTTP's optional whitespace around a field value is not part of it.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// Equality in a time that depends on neither the value nor the length of `expected` (at most
/// [`MAX_HOTTOK`] bytes): always `MAX_HOTTOK` rounds, each reading a byte of both sides (zero
/// past the end) without a data-dependent branch. A longer `given` differs by its length.
fn same(expected: &[u8], given: &[u8]) -> bool {
    fn byte(bytes: &[u8], i: usize) -> u8 {
        let inside = u8::from(i < bytes.len()).wrapping_neg();
        let clamped = i.min(bytes.len().saturating_sub(1));
        bytes.get(clamped).map_or(0, |b| b & inside)
    }
    let mut diff = expected.len() ^ given.len();
    for i in 0..MAX_HOTTOK {
        diff |= usize::from(byte(expected, i) ^ byte(given, i));
    }
    std::hint::black_box(diff) == 0
}

/// Why a delivery, or a hottok setting, was refused. Never holds the header or the body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The request has no `X-HOTMART-HOTTOK` header.
    MissingHottok,
    /// The `X-HOTMART-HOTTOK` header is empty.
    EmptyHottok,
    /// The `X-HOTMART-HOTTOK` header is not the configured hottok.
    WrongHottok,
    /// The body is longer than [`MAX_BODY`].
    BodyTooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The body is not JSON (or not UTF-8).
    NotJson,
    /// The body's objects and arrays nest deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The body is JSON but not an event.
    NotAnEvent {
        /// The member missing, empty, or neither text nor an integer: `id` or `event`.
        member: &'static str,
    },
    /// The configured hottok is empty, not Unicode, holds a control character, or is over
    /// [`MAX_HOTTOK`] bytes.
    BadHottok,
    /// The hottok's environment variable is unset or empty.
    HottokUnset {
        /// `HOTMART_HOTTOK`.
        variable: &'static str,
    },
}

impl Error {
    /// The HTTP status to answer: 401 for a refused hottok (Hotmart's documented "check that
    /// it validates hottok"), 413 for a body too large, 400 for another bad body, 500 for a
    /// receiver without a usable hottok.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::MissingHottok | Error::EmptyHottok | Error::WrongHottok => 401,
            Error::BodyTooLarge { .. } => 413,
            Error::NotJson | Error::TooDeep | Error::NotAnEvent { .. } => 400,
            Error::BadHottok | Error::HottokUnset { .. } => 500,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hottok = "answer 401 (if Hotmart sent it, set HOTMART_HOTTOK to the account's hottok)";
        match self {
            Error::MissingHottok => write!(f, "no {HOTTOK_HEADER} header: {hottok}"),
            Error::EmptyHottok => write!(f, "an empty {HOTTOK_HEADER} header: {hottok}"),
            Error::WrongHottok => write!(f, "a wrong {HOTTOK_HEADER} header: {hottok}"),
            Error::BodyTooLarge { len } => {
                write!(f, "a body of {len} bytes, over {MAX_BODY}: answer 413")
            }
            Error::NotJson => f.write_str("a body that is not JSON: answer 400"),
            Error::TooDeep => write!(
                f,
                "a body nested deeper than {MAX_DEPTH} levels: answer 400"
            ),
            Error::NotAnEvent { member } => {
                write!(
                    f,
                    "JSON that is not an event (no text `{member}`): answer 400"
                )
            }
            Error::BadHottok => write!(
                f,
                "the hottok set is empty, not Unicode, holds a control character or is over \
                 {MAX_HOTTOK} bytes: set the account's hottok"
            ),
            Error::HottokUnset { variable } => {
                write!(
                    f,
                    "{variable} is unset or empty: set it to the account's hottok"
                )
            }
        }
    }
}

impl std::error::Error for Error {}
