//! Typed calls for every endpoint group Hotmart documents (feature `json`).
//!
//! Each call is a thin builder over [`RequestBuilder`]: it names the path, the filters and the
//! item type, and leaves the bearer token, rate limits, retries and paging to it. Read calls
//! give `.items()` (every item of every page), `.pages()` and `.send()` (one page); endpoints
//! that answer a bare list give `.send()` → `Vec<T>`. Writes send at once, or end in `.send()`
//! when they have optional members; each says whether it is retried after a 5xx, and why.
//! Answers Hotmart publishes no example of are a [`Value`].
//!
//! ```
//! # {
//! use std::time::{Duration, SystemTime};
//! use hotmart::models::TransactionStatus;
//! # let server = hotmart_mock::MockServer::start()?;
//! # let client = hotmart::Client::new(server.environment(), server.credentials())?;
//!
//! let since = SystemTime::now() - Duration::from_secs(30 * 86_400);
//! for sale in client
//!     .sales()
//!     .history()
//!     .start_date(since)
//!     .transaction_status(TransactionStatus::Refunded)
//!     .items()
//! {
//!     let sale = sale?;
//!     println!("{:?}", sale.purchase.and_then(|p| p.transaction));
//! }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Client::get`] and friends stay the escape hatch for anything not covered here.

mod account;
mod club;
mod coupons;
mod events;
mod links;
mod physical;
mod products;
mod sales;
mod subscriptions;

use std::time::{SystemTime, UNIX_EPOCH};

use miniserde::json::Value;
use miniserde::{Deserialize, Serialize};

use crate::models::filters::unpadded;
use crate::models::wire::Field;
use crate::{Client, Error, RequestBuilder, Response};

/// The request bodies of many members, also in [`crate::models`].
pub use crate::models::{
    Attribute, BillingConfiguration, CheckoutConfiguration, Dimensions, Image, LinkConfiguration,
    LinkOffer, LinkPlan, LinkSubscription, OfferBillet, PaymentLink, PhysicalProduct,
    ProductAddress, ShipmentTracking, ThanksPages, TrackingEvent, Trial, Variant, VariantAttribute,
    Variants,
};
/// The filter enums, also at their home in [`crate::models`].
pub use crate::models::{
    BillingType, CommissionAs, PaymentType, ProductStatus, SubscriptionStatus, TransactionStatus,
};
pub use account::UserRequest;
pub use club::{
    Club, ClubByProduct, ClubLessonsRequest, ClubModulesRequest, ClubPagesRequest,
    ClubPagesV2Request, ClubStudentsRequest,
};
pub use coupons::CouponListRequest;
pub use events::TicketsRequest;
pub use links::{LinkListRequest, NegotiationRequest};
pub use physical::PhysicalProducts;
pub use products::{ProductListRequest, ProductOffersRequest, ProductPlansRequest};
pub use sales::{
    SaleCommissionsRequest, SaleParticipantsRequest, SalePriceDetailsRequest, SalesHistoryRequest,
    SalesSummaryRequest,
};
pub use subscriptions::{
    CancelOneRequest, CancelRequest, ReactivateOneRequest, ReactivateRequest,
    SubscriptionListRequest, SubscriptionPurchasesRequest, SubscriptionSummaryRequest,
    SubscriptionTransactionsRequest, SwitchPlanOptionsRequest,
};

/// The latest date a filter takes: the end of year 9999, far inside what Hotmart's epoch
/// milliseconds (a Java `long`) hold.
const LATEST_MS: u128 = 253_402_300_799_999;

/// Why a window is refused.
const REVERSED: &str = "the date window ends before it starts";

/// Sets the date filter `name` as Hotmart takes it, whole epoch milliseconds (a finer time
/// is cut to its millisecond); refuses a date before 1970, which they cannot say (it was sent
/// as 0, another date than asked), or after 9999, and a window whose end comes before its
/// start (the pairs are `start_date`/`end_date` and `X`/`end_X`), which Hotmart answers with
/// nothing. Setting a date again decides anew: the last value of each counts.
pub(crate) fn set_date(request: &mut RequestBuilder<'_>, name: &'static str, time: SystemTime) {
    let end_of_start;
    let (start, end) = match name.strip_prefix("end_") {
        Some("date") => ("start_date", name),
        Some(start) => (start, name),
        None if name == "start_date" => (name, "end_date"),
        None => {
            end_of_start = format!("end_{name}");
            (name, end_of_start.as_str())
        }
    };
    request.unrefuse(|filter, reason| {
        filter == name || (reason == REVERSED && (filter == start || filter == end))
    });
    let ms = match time.duration_since(UNIX_EPOCH) {
        Ok(since) if since.as_millis() <= LATEST_MS => since.as_millis(),
        Ok(_) => {
            request.remove_query(name);
            return request.refuse(
                name,
                "a date after 9999, which Hotmart's filters cannot hold",
            );
        }
        Err(_) => {
            request.remove_query(name);
            return request.refuse(
                name,
                "a date before 1970, which Hotmart's filters cannot hold",
            );
        }
    };
    request.set_query(name, &ms.to_string());
    let at = |query| request.query_value(query)?.parse::<u64>().ok();
    // Named by the setter called last: the window is whole only then.
    if let (Some(from), Some(to)) = (at(start), at(end))
        && to < from
    {
        request.refuse(name, REVERSED);
    }
}

/// Why an empty filter or argument is refused.
pub(crate) const EMPTY: &str = "empty (or only spaces): it names nothing to match";

/// Sets the text filter `name`, replacing an earlier value; refuses an empty one, which
/// Hotmart would read as no filter or as one that matches nothing (`transaction=` also
/// lifts the sales' default status filter). Spaces around the value are dropped: no code,
/// e-mail or status has them, and a value read from a file with its newline matched nothing.
pub(crate) fn set_text(request: &mut RequestBuilder<'_>, name: &'static str, value: &str) {
    request.unrefuse(|filter, reason| filter == name && reason == EMPTY);
    let value = unpadded(value);
    if value.is_empty() {
        request.remove_query(name);
        request.refuse(name, EMPTY);
    } else {
        request.set_query(name, value);
    }
}

/// Refuses an empty (or blank) text argument: Hotmart would read it as none.
pub(crate) fn require_text(request: &mut RequestBuilder<'_>, argument: &'static str, value: &str) {
    if unpadded(value).is_empty() {
        request.refuse_argument(argument, EMPTY);
    }
}

/// Refuses an amount that is NaN, infinite or below zero (`-0.0` is zero).
pub(crate) fn require_amount(request: &mut RequestBuilder<'_>, argument: &'static str, value: f64) {
    if !value.is_finite() {
        request.refuse_argument(argument, "NaN or infinite: JSON cannot hold it");
    } else if value < 0.0 {
        request.refuse_argument(argument, "below zero");
    }
}

/// Refuses an empty list of codes, or one with a code that is empty, blank or has spaces
/// around it.
pub(crate) fn require_codes(
    request: &mut RequestBuilder<'_>,
    argument: &'static str,
    codes: &[&str],
) {
    if codes.is_empty() {
        request.refuse_argument(argument, "an empty list: the call would name no one");
    } else if codes.iter().any(|code| unpadded(code).is_empty()) {
        request.refuse_argument(argument, "a code in the list is empty (or only spaces)");
    } else if codes.iter().any(|code| unpadded(code) != *code) {
        request.refuse_argument(
            argument,
            "a code in the list has spaces around it (a newline read with it?): no code does",
        );
    }
}

/// A JSON object of these members, in this order, for the bodies of few members.
pub(crate) struct Body<'a>(pub(crate) &'a [(&'a str, &'a dyn Serialize)]);

impl Serialize for Body<'_> {
    fn begin(&self) -> miniserde::ser::Fragment<'_> {
        crate::models::wire::object(self.0.iter().copied())
    }
}

/// How a call's answer is read: `()` leaves it, a [`Value`] is the JSON as it came (an empty
/// body is `null`: for the answers Hotmart publishes no example of), a model is decoded naming
/// the member at fault if it does not fit.
pub(crate) trait Answer: Sized {
    fn read(resp: &Response) -> Result<Self, Error>;
}

impl Answer for () {
    fn read(_: &Response) -> Result<(), Error> {
        Ok(())
    }
}

impl Answer for Value {
    fn read(resp: &Response) -> Result<Value, Error> {
        if resp.body().iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        crate::page::decode(resp.body(), resp.url())
    }
}

impl<T: Field + Deserialize> Answer for T {
    fn read(resp: &Response) -> Result<T, Error> {
        crate::page::decode_checked(resp.body(), resp.url(), T::check)
    }
}

/// Sends a call, with these members as its JSON body if there are any, and reads its answer.
pub(crate) fn send<T: Answer>(
    request: RequestBuilder<'_>,
    members: &[(&str, &dyn Serialize)],
) -> Result<T, Error> {
    let request = match members {
        [] => request,
        members => request.json(&Body(members)),
    };
    T::read(&request.send()?)
}

/// Defines endpoint groups: each a handle on the client, and the [`Client`] method that makes
/// it (`method => Group = "what it is";`, the method's doc above it).
macro_rules! groups {
    ($($(#[$meta:meta])* $method:ident => $name:ident = $what:literal;)*) => {
        $(
            #[doc = concat!($what, "; made by [`Client::", stringify!($method), "`].")]
            #[derive(Clone, Copy, Debug)]
            pub struct $name<'c> {
                pub(crate) client: &'c Client,
            }
        )*

        impl Client {
            $(
                $(#[$meta])*
                pub fn $method(&self) -> $name<'_> {
                    $name { client: self }
                }
            )*
        }
    };
}

groups! {
    /// The sales endpoints (`/payments/api/v1/sales/…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let first_page = client.sales().history().max_results(50).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    sales => Sales = "The sales endpoints";

    /// The subscription endpoints (`/payments/api/v1/subscriptions…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::SubscriptionStatus;
    /// let active = client.subscriptions().list().status(SubscriptionStatus::Active).items();
    /// let active = active.collect::<Result<Vec<_>, _>>()?.len();
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    subscriptions => Subscriptions = "The subscription endpoints";

    /// The product endpoints (`/products/api/v1/…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for product in client.products().list().items() {
    ///     println!("{:?}", product?.name);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    products => Products = "The product endpoints";

    /// The discount coupon endpoints (`/products/api/v1/…coupon…`).
    coupons => Coupons = "The discount coupon endpoints";

    /// The event endpoints (`/events/api/v1/…`).
    events => Events = "The event endpoints";

    /// The installment negotiation endpoint.
    negotiation => Negotiations = "The installment negotiation endpoint";

    /// The payment link endpoints (`/payments/api/v1/link…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let links = client.payment_links().list().send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    payment_links => PaymentLinks = "The payment link endpoints";

    /// The user profile endpoint (`/user/api/v1/me`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let me = client.user().me().send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    user => User = "The user profile endpoint";

    /// The account endpoint (`/accounts/api/v1/info`).
    accounts => Accounts = "The account endpoint";
}

impl Client {
    /// The Members Area (Club) endpoints of the Club at `subdomain` (the first part of its
    /// address: `mymembers` for `mymembers.club.hotmart.com`). An empty one, a whole address,
    /// or one with anything but letters, digits and `-` (a space, a newline, a port), or
    /// that starts or ends with `-` or is longer than 63 bytes, as no host name's label is,
    /// is refused by each call with [`Error::InvalidArgument`].
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let modules = client.club("mymembers").modules().send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn club(&self, subdomain: &str) -> Club<'_> {
        Club::new(self, subdomain)
    }

    /// The Members Area endpoints that name the Club by its product (`/club/api/v2/…`).
    pub fn club_by_product(&self, product_id: u64) -> ClubByProduct<'_> {
        ClubByProduct {
            client: self,
            product_id,
        }
    }

    /// The physical products partner endpoints (`/physicalproducts/api/…`), as the partner
    /// `partner_identifier`: every body carries `partner.identifier`, every delete the
    /// `partner_identifier` query.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").delete_webhook("42")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn physical_products(&self, partner_identifier: &str) -> PhysicalProducts<'_> {
        PhysicalProducts::new(self, partner_identifier)
    }
}

/// Defines paginated read calls: each builder type, `max_results`, `page_token`, `items`,
/// `pages` and `send`.
macro_rules! paged_request {
    ($($(#[$meta:meta])* $name:ident => $item:ty, empty_ok = $empty:expr, call = $call:literal;)*) => {$(
        $(#[$meta])*
        ///
        /// ```no_run
        /// # let client: hotmart::Client = unimplemented!();
        #[doc = concat!("for item in ", $call, ".max_results(100).items() {")]
        ///     let item = item?;
        /// }
        /// # Ok::<(), hotmart::Error>(())
        /// ```
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until .items(), .pages() or .send() is called"]
        pub struct $name<'c> {
            request: $crate::RequestBuilder<'c>,
        }

        impl<'c> $name<'c> {
            pub(crate) fn new(request: $crate::RequestBuilder<'c>) -> Self {
                $name { request }
            }

            /// How many items a page holds. Hotmart takes 1 to 500 (its default is 10 on
            /// most endpoints); larger values are sent as 500, 0 as 1.
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let page = ", $call, ".max_results(500).send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            pub fn max_results(mut self, count: u32) -> Self {
                self.request.set_query("max_results", &count.clamp(1, 500).to_string());
                self
            }

            /// Starts at the page this token names (a `next_page_token` or
            /// `prev_page_token` of an earlier page).
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let first = ", $call, ".send()?;")]
            /// if let Some(next) = &first.page_info().next_page_token {
            #[doc = concat!("    let second = ", $call, ".page_token(next).send()?;")]
            /// }
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            ///
            /// An empty token names no page: the request is refused with
            /// [`Error::InvalidFilter`]($crate::Error::InvalidFilter) rather than sent.
            pub fn page_token(mut self, token: &str) -> Self {
                self.request.unrefuse(|filter, _| filter == "page_token");
                if token.is_empty() {
                    self.request.remove_query("page_token");
                    self.request.refuse("page_token", "empty: it names no page");
                } else {
                    self.request.set_query("page_token", token);
                }
                self
            }

            /// Every item of every page, one page in memory at a time.
            ///
            /// An item that does not fit its model is an `Err` naming the URL, the item's
            /// index on its page and the member at fault, and the iteration goes on with the
            /// next item (see [`Items`]($crate::Items)).
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("for item in ", $call, ".items() {")]
            ///     match item {
            ///         Ok(item) => { /* use it */ }
            ///         Err(err @ hotmart::Error::InvalidItem { .. }) => eprintln!("skipped: {err}"),
            ///         Err(other) => return Err(other),
            ///     }
            /// }
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            #[inline]
            pub fn items(self) -> $crate::Items<'c, $item> {
                self.request
                    .items_checked(<$item as $crate::models::wire::Field>::check, $empty)
            }

            /// Every page, with its `page_info` (see [`Pages`]($crate::Pages)).
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("for page in ", $call, ".pages() {")]
            ///     let page = page?;
            ///     println!("{} items, {:?} in all", page.items().len(), page.page_info().total_results);
            /// }
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            #[inline]
            pub fn pages(self) -> $crate::Pages<'c, $item> {
                self.request
                    .pages_checked(<$item as $crate::models::wire::Field>::check, $empty)
            }

            /// The first page only (or the one [`page_token`](Self::page_token) names), read
            /// whole: one item that does not fit its model fails it with
            /// [`Error::InvalidItem`](crate::Error::InvalidItem), as in `pages()`; `items()`
            /// gives the page's other items.
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let page = ", $call, ".send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            #[inline]
            pub fn send(self) -> Result<$crate::Page<$item>, $crate::Error> {
                self.pages()
                    .next()
                    .unwrap_or_else(|| Ok($crate::Page::empty()))
            }
        }
    )*};
}

/// Defines filter setters on a request type, one a line: `name(type) = "doc";`, the query
/// member named as the setter. The type is `&str`, `u64` or `bool`, `SystemTime ms` for a date
/// sent as epoch milliseconds, `Enum into` for a filter enum (the setter takes
/// `impl Into<Enum>`, so `"ACTIVE"` works too) or `Enum add` for one Hotmart takes more than
/// once. Each setter's doc gets an example.
macro_rules! setters {
    ($name:ident = $call:literal { $($method:ident($($t:tt)+) = $doc:literal;)* }) => {
        impl $name<'_> {
            $(
                #[doc = $doc]
                #[doc = $crate::api::setters!(@again $($t)+)]
                ///
                /// ```no_run
                /// # let client: hotmart::Client = unimplemented!();
                #[doc = concat!("let page = ", $call, ".", stringify!($method), "(", $crate::api::setters!(@sample $($t)+), ").send()?;")]
                /// # Ok::<(), hotmart::Error>(())
                /// ```
                pub fn $method(mut self, value: $crate::api::setters!(@ty $($t)+)) -> Self {
                    $crate::api::setters!(@set self, stringify!($method), value, $($t)+);
                    self
                }
            )*
        }
    };
    (@again $ty:ident add) => { "" };
    (@again $($t:tt)+) => { "\n\nCalled again, the last value is the one sent." };
    (@ty &str) => { &str };
    (@ty $ty:ident) => { $ty };
    (@ty $ty:ident ms) => { $ty };
    (@ty $ty:ident $how:ident) => { impl Into<$ty> };
    (@sample &str) => { "\"example\"" };
    (@sample u64) => { "1_234_567" };
    (@sample bool) => { "true" };
    (@sample $ty:ident ms) => { "std::time::SystemTime::now()" };
    (@sample $ty:ident $how:ident) => { concat!("hotmart::models::", stringify!($ty), "::KNOWN[0].clone()") };
    (@set $self:ident, $key:expr, $value:ident, $ty:ident ms) => {
        $crate::api::set_date(&mut $self.request, $key, $value)
    };
    (@set $self:ident, $key:expr, $value:ident, $ty:ident into) => {
        $crate::api::set_text(&mut $self.request, $key, Into::<$ty>::into($value).as_str())
    };
    (@set $self:ident, $key:expr, $value:ident, $ty:ident add) => {{
        let value = Into::<$ty>::into($value);
        let value = $crate::models::filters::unpadded(value.as_str());
        if value.is_empty() {
            $self.request.refuse($key, $crate::api::EMPTY);
        } else if !$self.request.query_value_is($key, value) {
            // A value already asked for is not sent twice: it would say nothing more.
            $self.request = $self.request.query($key, value);
        }
    }};
    (@set $self:ident, $key:expr, $value:ident, &str) => {
        $crate::api::set_text(&mut $self.request, $key, $value)
    };
    (@set $self:ident, $key:expr, $value:ident, $($t:tt)+) => {
        $self.request.set_query($key, &$value.to_string())
    };
}

/// Defines read calls that Hotmart does not page: each builder type and `send`, which reads
/// the answer with `decode` (a `fn(&[u8], &str) -> Result<$out, Error>`).
macro_rules! plain_request {
    ($($(#[$meta:meta])* $name:ident => $out:ty, decode = $decode:expr, call = $call:literal;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until .send() is called"]
        pub struct $name<'c> {
            request: $crate::RequestBuilder<'c>,
        }

        impl<'c> $name<'c> {
            pub(crate) fn new(request: $crate::RequestBuilder<'c>) -> Self {
                $name { request }
            }

            /// Sends the request and reads the answer.
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let answer = ", $call, ".send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            #[inline]
            pub fn send(self) -> Result<$out, $crate::Error> {
                let resp = self.request.send()?;
                let decode: fn(&[u8], &str) -> Result<$out, $crate::Error> = $decode;
                decode(resp.body(), resp.url())
            }
        }
    )*};
}

pub(crate) use {paged_request, plain_request, setters};
