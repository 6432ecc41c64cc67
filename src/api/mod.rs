//! Typed calls for every endpoint group Hotmart documents (feature `json`).
//!
//! Each call is a thin builder over [`RequestBuilder`](crate::RequestBuilder): it names the path, the filters and the
//! item type, and leaves the bearer token, rate limits, retries and paging to it. Read calls
//! give `.items()` (every item of every page), `.pages()` and `.send()` (one page); endpoints
//! that answer a bare list give `.send()` → `Vec<T>`.
//!
//! ```
//! # {
//! use std::time::{Duration, SystemTime};
//! use hotmart::api::TransactionStatus;
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

mod club;
mod coupons;
mod events;
mod filters;
mod products;
mod sales;
mod subscriptions;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::Client;

pub use club::{
    Club, ClubLessonsRequest, ClubModulesRequest, ClubPagesRequest, ClubStudentsRequest,
};
pub use coupons::{CouponListRequest, Coupons};
pub use events::{Events, TicketsRequest};
pub use filters::{
    BillingType, CommissionAs, PaymentType, ProductStatus, SubscriptionStatus, TransactionStatus,
};
pub use products::{ProductListRequest, ProductOffersRequest, ProductPlansRequest, Products};
pub use sales::{
    SaleCommissionsRequest, SaleParticipantsRequest, SalePriceDetailsRequest, Sales,
    SalesHistoryRequest, SalesSummaryRequest,
};
pub use subscriptions::{
    CancelRequest, ReactivateRequest, SubscriptionListRequest, SubscriptionPurchasesRequest,
    SubscriptionSummaryRequest, SubscriptionTransactionsRequest, Subscriptions,
};

/// A date as Hotmart's filters take it: epoch milliseconds (0 for a date before 1970).
pub(crate) fn epoch_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A path with one caller-given segment, percent-encoded so a code cannot change the path.
pub(crate) fn path(prefix: &str, segment: &str, suffix: &str) -> String {
    let mut path = prefix.to_owned();
    crate::percent::encode_into(&mut path, segment);
    path.push_str(suffix);
    path
}

impl Client {
    /// The sales endpoints (`/payments/api/v1/sales/…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let first_page = client.sales().history().max_results(50).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn sales(&self) -> Sales<'_> {
        Sales::new(self)
    }

    /// The subscription endpoints (`/payments/api/v1/subscriptions…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::api::SubscriptionStatus;
    /// let active = client.subscriptions().list().status(SubscriptionStatus::Active).items().count();
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions::new(self)
    }

    /// The product endpoints (`/products/api/v1/products…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for product in client.products().list().items() {
    ///     println!("{:?}", product?.name);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn products(&self) -> Products<'_> {
        Products::new(self)
    }

    /// The discount coupon endpoints.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.coupons().create(1_234_567, "SUMMER20", 0.2)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn coupons(&self) -> Coupons<'_> {
        Coupons::new(self)
    }

    /// The Members Area (Club) endpoints of the Club at `subdomain` (the first part of its
    /// address: `mymembers` for `mymembers.club.hotmart.com`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let modules = client.club("mymembers").modules().send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn club(&self, subdomain: &str) -> Club<'_> {
        Club::new(self, subdomain)
    }

    /// The event endpoints (`/events/api/v1/…`).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let event = client.events().get(3_456_789)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn events(&self) -> Events<'_> {
        Events::new(self)
    }

    /// The installment negotiation endpoint.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let offer = client.negotiation().create("9W2LNSG2")?;
    /// println!("{:?}", offer.url);
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn negotiation(&self) -> Negotiations<'_> {
        Negotiations { client: self }
    }
}

/// The installment negotiation endpoint; made by [`Client::negotiation`].
#[derive(Clone, Copy, Debug)]
pub struct Negotiations<'c> {
    client: &'c Client,
}

impl Negotiations<'_> {
    /// `POST /payments/api/v1/negotiation`: offers a subscriber with overdue charges to pay
    /// them in installments. Not retried after a 5xx: each call may create an offer.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let offer = client.negotiation().create("9W2LNSG2")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create(
        &self,
        subscriber_code: &str,
    ) -> Result<crate::models::Negotiation, crate::Error> {
        #[derive(miniserde::Serialize)]
        struct Body<'a> {
            subscriber_code: &'a str,
        }
        let resp = self
            .client
            .post("/payments/api/v1/negotiation")
            .json(&Body { subscriber_code })
            .send()?;
        crate::page::decode_checked(
            resp.body(),
            resp.url(),
            <crate::models::Negotiation as crate::models::wire::Field>::check,
        )
    }
}

/// Defines a paginated read call: the builder type, `max_results`, `page_token`, `items`,
/// `pages` and `send`.
macro_rules! paged_request {
    (
        $(#[$meta:meta])*
        $name:ident => $item:ty, empty_ok = $empty:expr, call = $call:literal
    ) => {
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

            fn set(mut self, name: &str, value: impl ::std::fmt::Display) -> Self {
                self.request.set_query(name, &value.to_string());
                self
            }

            /// How many items a page holds. Hotmart takes 1 to 500 (its default is 10 on
            /// most endpoints); larger values are sent as 500, 0 as 1.
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let page = ", $call, ".max_results(500).send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            pub fn max_results(self, count: u32) -> Self {
                self.set("max_results", count.clamp(1, 500))
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
            pub fn page_token(self, token: &str) -> Self {
                self.set("page_token", token)
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
            pub fn pages(self) -> $crate::Pages<'c, $item> {
                self.request
                    .pages_checked(<$item as $crate::models::wire::Field>::check, $empty)
            }

            /// The first page only (or the one [`page_token`](Self::page_token) names).
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let page = ", $call, ".send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            pub fn send(self) -> Result<$crate::Page<$item>, $crate::Error> {
                self.pages()
                    .next()
                    .unwrap_or_else(|| Ok($crate::Page::empty()))
            }
        }
    };
}

/// Defines filter setters on a request type: `name(type = "sample for the doc example") =>
/// "query_name"`, with `ms` for dates sent as epoch milliseconds.
macro_rules! setters {
    (
        $name:ident = $call:literal {
            $(
                $(#[$meta:meta])*
                $method:ident($ty:ty = $sample:literal) => $key:literal $($ms:ident)?;
            )*
        }
    ) => {
        impl $name<'_> {
            $(
                $(#[$meta])*
                ///
                /// ```no_run
                /// # let client: hotmart::Client = unimplemented!();
                #[doc = concat!("let page = ", $call, ".", stringify!($method), "(", $sample, ").send()?;")]
                /// # Ok::<(), hotmart::Error>(())
                /// ```
                pub fn $method(self, value: $ty) -> Self {
                    $(let value = $crate::api::setters!(@$ms value);)?
                    self.set($key, value)
                }
            )*
        }
    };
    (@ms $value:ident) => {
        $crate::api::epoch_ms($value)
    };
}

pub(crate) use {paged_request, setters};
