//! `/payments/api/v1/subscriptions…`.

use std::time::SystemTime;

use super::{BillingType, SubscriptionStatus, TransactionStatus, paged_request, setters};
use crate::models::wire::Field;
use crate::models::{
    Subscription, SubscriptionChange, SubscriptionChanges, SubscriptionPurchase,
    SubscriptionSummary, SubscriptionTransaction,
};
use crate::{Client, Error, RequestBuilder};

/// The subscription endpoints; made by [`Client::subscriptions`].
#[derive(Clone, Copy, Debug)]
pub struct Subscriptions<'c> {
    client: &'c Client,
}

impl<'c> Subscriptions<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Subscriptions { client }
    }

    /// `GET /payments/api/v1/subscriptions`: every subscription, paginated.
    ///
    /// Hotmart's defaults: all statuses; `accession_date` and `cancelation_date` windows
    /// start 30 days ago when a filter on them is given without its start; pages of 10, at
    /// most 500.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::api::SubscriptionStatus;
    /// let delayed = client.subscriptions().list().status(SubscriptionStatus::Delayed).items();
    /// for subscription in delayed {
    ///     println!("{:?}", subscription?.subscriber_code);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn list(&self) -> SubscriptionListRequest<'c> {
        SubscriptionListRequest::new(self.client.get("/payments/api/v1/subscriptions"))
    }

    /// `GET /payments/api/v1/subscriptions/summary`: each subscription's state, with Smart
    /// Installments and Smart Recovery charges (Hotmart's data lags up to 24 h).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let page = client.subscriptions().summary().send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn summary(&self) -> SubscriptionSummaryRequest<'c> {
        SubscriptionSummaryRequest::new(self.client.get("/payments/api/v1/subscriptions/summary"))
    }

    /// `GET /payments/api/v1/subscriptions/{code}/purchases`: every charge of one
    /// subscription. Hotmart answers a bare array, so this gives a `Vec`, not pages.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let charges = client.subscriptions().purchases("9W2LNSG2").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn purchases(&self, subscriber_code: &str) -> SubscriptionPurchasesRequest<'c> {
        let path = super::path(
            "/payments/api/v1/subscriptions/",
            subscriber_code,
            "/purchases",
        );
        SubscriptionPurchasesRequest {
            request: self.client.get(&path),
        }
    }

    /// `GET /payments/api/v1/subscriptions/transactions`: the charges of every subscription,
    /// paginated. Hotmart's defaults: the last 30 days; data lags up to 24 h.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let page = client.subscriptions().transactions().subscriber_code("9W2LNSG2").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn transactions(&self) -> SubscriptionTransactionsRequest<'c> {
        SubscriptionTransactionsRequest::new(
            self.client
                .get("/payments/api/v1/subscriptions/transactions"),
        )
    }

    /// `POST /payments/api/v1/subscriptions/cancel`: cancels these subscriptions. Hotmart
    /// e-mails each subscriber unless [`send_mail(false)`](CancelRequest::send_mail).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let changes = client.subscriptions().cancel(&["9W2LNSG2", "RGT90XMB"]).send()?;
    /// for failed in changes.fail_subscriptions.unwrap_or_default() {
    ///     println!("{:?}: {:?}", failed.subscriber_code, failed.error);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn cancel(&self, subscriber_codes: &[&str]) -> CancelRequest<'c> {
        CancelRequest {
            request: self.client.post("/payments/api/v1/subscriptions/cancel"),
            codes: Some(subscriber_codes.iter().map(|c| (*c).to_owned()).collect()),
            send_mail: true,
        }
    }

    /// `POST /payments/api/v1/subscriptions/{code}/cancel`: cancels one subscription.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let change = client.subscriptions().cancel_one("9W2LNSG2").send_mail(false).send_one()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn cancel_one(&self, subscriber_code: &str) -> CancelRequest<'c> {
        let path = super::path(
            "/payments/api/v1/subscriptions/",
            subscriber_code,
            "/cancel",
        );
        CancelRequest {
            request: self.client.post(&path),
            codes: None,
            send_mail: true,
        }
    }

    /// `POST /payments/api/v1/subscriptions/reactivate`: reactivates these inactive
    /// subscriptions; each subscriber gets an e-mail with a link valid for 3 days.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let changes = client.subscriptions().reactivate(&["9W2LNSG2"]).charge(true).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn reactivate(&self, subscriber_codes: &[&str]) -> ReactivateRequest<'c> {
        ReactivateRequest {
            request: self
                .client
                .post("/payments/api/v1/subscriptions/reactivate"),
            codes: Some(subscriber_codes.iter().map(|c| (*c).to_owned()).collect()),
            charge: false,
        }
    }

    /// `POST /payments/api/v1/subscriptions/{code}/reactivate`: reactivates one subscription.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let change = client.subscriptions().reactivate_one("9W2LNSG2").send_one()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn reactivate_one(&self, subscriber_code: &str) -> ReactivateRequest<'c> {
        let path = super::path(
            "/payments/api/v1/subscriptions/",
            subscriber_code,
            "/reactivate",
        );
        ReactivateRequest {
            request: self.client.post(&path),
            codes: None,
            charge: false,
        }
    }

    /// `PATCH /payments/api/v1/subscriptions/{code}`: moves the subscription's charges to
    /// this day of the month (1 to 31). Hotmart answers with no body.
    ///
    /// Retried after a 5xx like a GET: it sets a value, so sending it twice leaves the same
    /// state as sending it once.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.subscriptions().change_due_day("9W2LNSG2", 15)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn change_due_day(&self, subscriber_code: &str, due_day: u8) -> Result<(), Error> {
        #[derive(miniserde::Serialize)]
        struct Body {
            due_day: u8,
        }
        let path = super::path("/payments/api/v1/subscriptions/", subscriber_code, "");
        self.client
            .patch(&path)
            .json(&Body { due_day })
            .retry_safe()
            .send()
            .map(drop)
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions`; made by [`Subscriptions::list`].
    SubscriptionListRequest => Subscription, empty_ok = false, call = "client.subscriptions().list()"
}

setters! {
    SubscriptionListRequest = "client.subscriptions().list()" {
        /// Only this product (its numeric id).
        product_id(u64 = "1_234_567") => "product_id";
        /// Only this plan (its name).
        plan(&str = "\"example\"") => "plan";
        /// Only this plan (its numeric id).
        plan_id(u64 = "1_234_567") => "plan_id";
        /// Only subscriptions started from this moment on (Hotmart's default when other
        /// accession filters are given: 30 days ago).
        accession_date(SystemTime = "std::time::SystemTime::now()") => "accession_date" ms;
        /// Only subscriptions started up to this moment.
        end_accession_date(SystemTime = "std::time::SystemTime::now()") => "end_accession_date" ms;
        /// Only this status.
        status(SubscriptionStatus = "hotmart::api::SubscriptionStatus::Active") => "status";
        /// Only this subscription.
        subscriber_code(&str = "\"example\"") => "subscriber_code";
        /// Only this subscriber's e-mail address.
        subscriber_email(&str = "\"example\"") => "subscriber_email";
        /// Only the subscription this transaction started.
        transaction(&str = "\"example\"") => "transaction";
        /// Only subscriptions in (or out of) a trial.
        trial(bool = "true") => "trial";
        /// Only cancellations from this moment on (Hotmart's default: 30 days ago).
        cancelation_date(SystemTime = "std::time::SystemTime::now()") => "cancelation_date" ms;
        /// Only cancellations up to this moment (Hotmart's default: now).
        end_cancelation_date(SystemTime = "std::time::SystemTime::now()") => "end_cancelation_date" ms;
        /// Only next charges from this moment on.
        date_next_charge(SystemTime = "std::time::SystemTime::now()") => "date_next_charge" ms;
        /// Only next charges up to this moment.
        end_date_next_charge(SystemTime = "std::time::SystemTime::now()") => "end_date_next_charge" ms;
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions/summary`; made by [`Subscriptions::summary`].
    SubscriptionSummaryRequest => SubscriptionSummary, empty_ok = false, call = "client.subscriptions().summary()"
}

setters! {
    SubscriptionSummaryRequest = "client.subscriptions().summary()" {
        /// Only this product (its numeric id).
        product_id(u64 = "1_234_567") => "product_id";
        /// Only this subscription.
        subscriber_code(&str = "\"example\"") => "subscriber_code";
        /// Only subscriptions started from this moment on.
        accession_date(SystemTime = "std::time::SystemTime::now()") => "accession_date" ms;
        /// Only subscriptions started up to this moment.
        end_accession_date(SystemTime = "std::time::SystemTime::now()") => "end_accession_date" ms;
        /// Only next charges from this moment on.
        date_next_charge(SystemTime = "std::time::SystemTime::now()") => "date_next_charge" ms;
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions/transactions`; made by
    /// [`Subscriptions::transactions`]. Hotmart's default window: the last 30 days.
    SubscriptionTransactionsRequest => SubscriptionTransaction, empty_ok = false, call = "client.subscriptions().transactions()"
}

setters! {
    SubscriptionTransactionsRequest = "client.subscriptions().transactions()" {
        /// Only this product (its numeric id).
        product_id(u64 = "1_234_567") => "product_id";
        /// Only this transaction.
        transaction(&str = "\"example\"") => "transaction";
        /// Only this subscription.
        subscriber_code(&str = "\"example\"") => "subscriber_code";
        /// Only this subscriber's e-mail address.
        subscriber_email(&str = "\"example\"") => "subscriber_email";
        /// Only this billing type.
        billing_type(BillingType = "hotmart::api::BillingType::SmartRecovery") => "billing_type";
        /// Only subscriptions in this status.
        subscription_status(SubscriptionStatus = "hotmart::api::SubscriptionStatus::Active") => "subscription_status";
        /// Only purchases in this status.
        purchase_status(TransactionStatus = "hotmart::api::TransactionStatus::Refunded") => "purchase_status";
        /// Only transactions from this moment on (Hotmart's default: 30 days ago).
        transaction_date(SystemTime = "std::time::SystemTime::now()") => "transaction_date" ms;
        /// Only transactions up to this moment.
        end_transaction_date(SystemTime = "std::time::SystemTime::now()") => "end_transaction_date" ms;
    }
}

/// `GET /payments/api/v1/subscriptions/{code}/purchases`; made by
/// [`Subscriptions::purchases`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct SubscriptionPurchasesRequest<'c> {
    request: RequestBuilder<'c>,
}

impl SubscriptionPurchasesRequest<'_> {
    /// Every charge of the subscription (Hotmart answers them all at once, as a bare array).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let charges = client.subscriptions().purchases("9W2LNSG2").send()?;
    /// println!("{} charges", charges.len());
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<Vec<SubscriptionPurchase>, Error> {
        let resp = self.request.send()?;
        crate::page::decode_list(resp.body(), resp.url(), SubscriptionPurchase::check, false)
    }
}

/// A cancel call; made by [`Subscriptions::cancel`] and [`Subscriptions::cancel_one`].
///
/// Retried after a 5xx like a GET: cancelling sets a state, and Hotmart answers a second
/// cancel of the same subscription with a `fail_subscriptions` entry, never a second
/// cancellation or e-mail.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct CancelRequest<'c> {
    request: RequestBuilder<'c>,
    /// The codes of a list call; `None` for a one-subscription call.
    codes: Option<Vec<String>>,
    send_mail: bool,
}

impl CancelRequest<'_> {
    /// Whether Hotmart e-mails the subscribers about it (Hotmart's default: yes).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.subscriptions().cancel(&["9W2LNSG2"]).send_mail(false).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send_mail(mut self, send_mail: bool) -> Self {
        self.send_mail = send_mail;
        self
    }

    fn request(&self) -> RequestBuilder<'_> {
        #[derive(miniserde::Serialize)]
        struct Body<'a> {
            subscriber_code: &'a [String],
            send_mail: bool,
        }
        #[derive(miniserde::Serialize)]
        struct OneBody {
            send_mail: bool,
        }
        let send_mail = self.send_mail;
        let request = self.request.clone().retry_safe();
        match &self.codes {
            Some(codes) => request.json(&Body {
                subscriber_code: codes,
                send_mail,
            }),
            None => request.json(&OneBody { send_mail }),
        }
    }

    /// Sends a list call ([`Subscriptions::cancel`]): which subscriptions were cancelled and
    /// which were not, with why.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let changes = client.subscriptions().cancel(&["9W2LNSG2", "RGT90XMB"]).send()?;
    /// let cancelled = changes.success_subscriptions.unwrap_or_default().len();
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<SubscriptionChanges, Error> {
        decode_answer(self.request(), SubscriptionChanges::check)
    }

    /// Sends a one-subscription call ([`Subscriptions::cancel_one`]): the subscription as it
    /// is now.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let now = client.subscriptions().cancel_one("9W2LNSG2").send_one()?;
    /// println!("{:?}", now.status);
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send_one(self) -> Result<SubscriptionChange, Error> {
        decode_answer(self.request(), SubscriptionChange::check)
    }
}

/// A reactivate call; made by [`Subscriptions::reactivate`] and
/// [`Subscriptions::reactivate_one`].
///
/// Not retried after a 5xx: with [`charge(true)`](Self::charge) a second attempt could charge
/// the subscriber again, and each attempt e-mails a new link.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct ReactivateRequest<'c> {
    request: RequestBuilder<'c>,
    codes: Option<Vec<String>>,
    charge: bool,
}

impl ReactivateRequest<'_> {
    /// Whether Hotmart charges the subscriber right away (Hotmart's default: no; the next
    /// charge keeps its date).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.subscriptions().reactivate_one("9W2LNSG2").charge(true).send_one()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn charge(mut self, charge: bool) -> Self {
        self.charge = charge;
        self
    }

    fn request(&self) -> RequestBuilder<'_> {
        #[derive(miniserde::Serialize)]
        struct Body<'a> {
            subscriber_code: &'a [String],
            charge: bool,
        }
        #[derive(miniserde::Serialize)]
        struct OneBody {
            charge: bool,
        }
        let charge = self.charge;
        let request = self.request.clone();
        match &self.codes {
            Some(codes) => request.json(&Body {
                subscriber_code: codes,
                charge,
            }),
            None => request.json(&OneBody { charge }),
        }
    }

    /// Sends a list call ([`Subscriptions::reactivate`]).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let changes = client.subscriptions().reactivate(&["9W2LNSG2"]).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<SubscriptionChanges, Error> {
        decode_answer(self.request(), SubscriptionChanges::check)
    }

    /// Sends a one-subscription call ([`Subscriptions::reactivate_one`]).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let now = client.subscriptions().reactivate_one("9W2LNSG2").send_one()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send_one(self) -> Result<SubscriptionChange, Error> {
        decode_answer(self.request(), SubscriptionChange::check)
    }
}

/// Sends a cancel or reactivate call and reads its answer as `T`.
fn decode_answer<T: miniserde::Deserialize>(
    request: RequestBuilder<'_>,
    check: crate::page::Check,
) -> Result<T, Error> {
    let resp = request.send()?;
    crate::page::decode_checked(resp.body(), resp.url(), check)
}
