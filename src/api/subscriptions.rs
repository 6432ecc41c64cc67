//! `/payments/api/v1/subscriptions…`.

use std::time::SystemTime;

use miniserde::json::Value;

use super::{Subscriptions, paged_request, plain_request, setters};
use crate::Error;
use crate::models::wire::Field;
use crate::models::{BillingType, SubscriptionStatus, TransactionStatus};
use crate::models::{
    Subscription, SubscriptionChange, SubscriptionChanges, SubscriptionPurchase,
    SubscriptionSummary, SubscriptionTransaction,
};

impl<'c> Subscriptions<'c> {
    /// `GET /payments/api/v1/subscriptions`: every subscription, paginated.
    ///
    /// Hotmart's defaults: all statuses; `accession_date` and `cancelation_date` windows
    /// start 30 days ago when a filter on them is given without its start; pages of 10, at
    /// most 500.
    ///
    /// Dates go as epoch milliseconds, as in Hotmart's request samples. Its subscription
    /// tutorials show seconds for the cancellation and next-charge windows
    /// (`cancelation_date=1656633600`); no recorded answer settles which the server reads, so
    /// check a window on those two against the dashboard before relying on it.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::SubscriptionStatus;
    /// let delayed = client.subscriptions().list().status(SubscriptionStatus::Delayed).items();
    /// for subscription in delayed {
    ///     println!("{:?}", subscription?.subscriber_code);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn list(&self) -> SubscriptionListRequest<'c> {
        SubscriptionListRequest::new(self.client.get("/payments/api/v1/subscriptions"))
    }

    /// `GET /payments/api/v1/subscriptions/summary`: each subscription's state, with Smart
    /// Installments and Smart Recovery charges (Hotmart's data lags up to 24 h).
    #[inline]
    pub fn summary(&self) -> SubscriptionSummaryRequest<'c> {
        SubscriptionSummaryRequest::new(self.client.get("/payments/api/v1/subscriptions/summary"))
    }

    /// `GET /payments/api/v1/subscriptions/{code}/purchases`: every charge of one
    /// subscription. Hotmart answers a bare array, so this gives a `Vec`, not pages.
    #[inline]
    pub fn purchases(&self, subscriber_code: &str) -> SubscriptionPurchasesRequest<'c> {
        let path = "/payments/api/v1/subscriptions/{}/purchases";
        SubscriptionPurchasesRequest::new(one(self.client.get(path), subscriber_code))
    }

    /// `GET /payments/api/v1/subscriptions/transactions`: the charges of every subscription,
    /// paginated. Hotmart's defaults: the last 30 days; data lags up to 24 h.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let page = client.subscriptions().transactions().subscriber_code("9W2LNSG2").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn transactions(&self) -> SubscriptionTransactionsRequest<'c> {
        let path = "/payments/api/v1/subscriptions/transactions";
        SubscriptionTransactionsRequest::new(self.client.get(path))
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
    #[inline]
    pub fn cancel(&self, subscriber_codes: &[&str]) -> CancelRequest<'c> {
        let request = self.client.post("/payments/api/v1/subscriptions/cancel");
        CancelRequest::new(request, Some(subscriber_codes), true)
    }

    /// `POST /payments/api/v1/subscriptions/{code}/cancel`: cancels one subscription.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let now = client.subscriptions().cancel_one("9W2LNSG2").send_mail(false).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn cancel_one(&self, subscriber_code: &str) -> CancelOneRequest<'c> {
        let path = "/payments/api/v1/subscriptions/{}/cancel";
        CancelOneRequest::new(one(self.client.post(path), subscriber_code), None, true)
    }

    /// `POST /payments/api/v1/subscriptions/reactivate`: reactivates these inactive
    /// subscriptions; each subscriber gets an e-mail with a link valid for 3 days.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let changes = client.subscriptions().reactivate(&["9W2LNSG2"]).charge(true).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn reactivate(&self, subscriber_codes: &[&str]) -> ReactivateRequest<'c> {
        let request = self
            .client
            .post("/payments/api/v1/subscriptions/reactivate");
        ReactivateRequest::new(request, Some(subscriber_codes), false)
    }

    /// `POST /payments/api/v1/subscriptions/{code}/reactivate`: reactivates one subscription.
    #[inline]
    pub fn reactivate_one(&self, subscriber_code: &str) -> ReactivateOneRequest<'c> {
        let path = "/payments/api/v1/subscriptions/{}/reactivate";
        ReactivateOneRequest::new(one(self.client.post(path), subscriber_code), None, false)
    }

    /// `GET /payments/api/v1/subscriptions/switch-plan/plans`: the plans these subscribers may
    /// switch to. Hotmart publishes no example answer: it is returned as it came.
    #[inline]
    pub fn switch_plan_options(&self, subscriber_codes: &[&str]) -> SwitchPlanOptionsRequest<'c> {
        let request = self
            .client
            .get("/payments/api/v1/subscriptions/switch-plan/plans");
        let mut request = request.query("subscriber_codes", subscriber_codes.join(","));
        super::require_codes(&mut request, "subscriber_codes", subscriber_codes);
        // The codes travel joined by commas: one with a comma in it would be two.
        if subscriber_codes.iter().any(|code| code.contains(',')) {
            request.refuse_argument(
                "subscriber_codes",
                "a code holds a comma, which separates codes",
            );
        }
        SwitchPlanOptionsRequest::new(request)
    }

    /// `POST /payments/api/v1/subscriptions/switch-plan`: moves a subscriber to the plan of
    /// this offer. Hotmart's answer, if any, is returned as it came.
    ///
    /// Not retried after a 5xx: a switch may charge the difference between the plans.
    #[inline]
    pub fn switch_plan(&self, subscriber_code: &str, offer_code: &str) -> Result<Value, Error> {
        let mut request = self
            .client
            .post("/payments/api/v1/subscriptions/switch-plan");
        super::require_text(&mut request, "subscriber_code", subscriber_code);
        super::require_text(&mut request, "offer_code", offer_code);
        let members = [
            ("subscriber_code", &subscriber_code as _),
            ("offer_code", &offer_code as _),
        ];
        super::send(request, &members)
    }

    /// `PATCH /payments/api/v1/subscriptions/{code}`: moves the subscription's charges to
    /// this day of the month (1 to 31; another is [`Error::InvalidArgument`], and nothing is
    /// sent). Hotmart answers with no body.
    ///
    /// Retried after a 5xx like a GET: it sets a value, so sending it twice leaves the same
    /// state as sending it once.
    #[inline]
    pub fn change_due_day(&self, subscriber_code: &str, due_day: u8) -> Result<(), Error> {
        let mut request = one(
            self.client.patch("/payments/api/v1/subscriptions/{}"),
            subscriber_code,
        );
        if !(1..=31).contains(&due_day) {
            request.refuse_argument("due_day", "not a day of the month (1 to 31)");
        }
        super::send(request.retry_safe(), &[("due_day", &due_day)])
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions`; made by [`Subscriptions::list`].
    SubscriptionListRequest => Subscription, empty_ok = false, call = "client.subscriptions().list()";
}

setters! {
    SubscriptionListRequest = "client.subscriptions().list()" {
        product_id(u64) = "Only this product (its numeric id).";
        plan(&str) = "Only this plan (its name).";
        plan_id(u64) = "Only this plan (its numeric id).";
        accession_date(SystemTime ms) = "Only subscriptions started from this moment on (Hotmart's default when other accession filters are given: 30 days ago).";
        end_accession_date(SystemTime ms) = "Only subscriptions started up to this moment.";
        status(SubscriptionStatus add) = "Only this status; call it again to add another (Hotmart takes `status` more than once).";
        subscriber_code(&str) = "Only this subscription.";
        subscriber_email(&str) = "Only this subscriber's e-mail address.";
        transaction(&str) = "Only the subscription this transaction started.";
        trial(bool) = "Only subscriptions in (or out of) a trial.";
        cancelation_date(SystemTime ms) = "Only cancellations from this moment on (Hotmart's default: 30 days ago).";
        end_cancelation_date(SystemTime ms) = "Only cancellations up to this moment (Hotmart's default: now).";
        date_next_charge(SystemTime ms) = "Only next charges from this moment on.";
        end_date_next_charge(SystemTime ms) = "Only next charges up to this moment.";
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions/summary`; made by [`Subscriptions::summary`].
    SubscriptionSummaryRequest => SubscriptionSummary, empty_ok = false, call = "client.subscriptions().summary()";
}

setters! {
    SubscriptionSummaryRequest = "client.subscriptions().summary()" {
        product_id(u64) = "Only this product (its numeric id).";
        subscriber_code(&str) = "Only this subscription.";
        accession_date(SystemTime ms) = "Only subscriptions started from this moment on.";
        end_accession_date(SystemTime ms) = "Only subscriptions started up to this moment.";
        date_next_charge(SystemTime ms) = "Only next charges from this moment on.";
    }
}

paged_request! {
    /// `GET /payments/api/v1/subscriptions/transactions`; made by
    /// [`Subscriptions::transactions`]. Hotmart's default window: the last 30 days.
    SubscriptionTransactionsRequest => SubscriptionTransaction, empty_ok = false, call = "client.subscriptions().transactions()";
}

setters! {
    SubscriptionTransactionsRequest = "client.subscriptions().transactions()" {
        product_id(u64) = "Only this product (its numeric id).";
        transaction(&str) = "Only this transaction.";
        subscriber_code(&str) = "Only this subscription.";
        subscriber_email(&str) = "Only this subscriber's e-mail address.";
        billing_type(BillingType into) = "Only this billing type.";
        subscription_status(SubscriptionStatus into) = "Only subscriptions in this status.";
        purchase_status(TransactionStatus into) = "Only purchases in this status.";
        transaction_date(SystemTime ms) = "Only transactions from this moment on (Hotmart's default: 30 days ago).";
        end_transaction_date(SystemTime ms) = "Only transactions up to this moment.";
    }
}

plain_request! {
    /// `GET /payments/api/v1/subscriptions/{code}/purchases`; made by
    /// [`Subscriptions::purchases`]. Hotmart answers every charge at once, as a bare array.
    SubscriptionPurchasesRequest => Vec<SubscriptionPurchase>,
    decode = |body, url| crate::page::decode_list(body, url, SubscriptionPurchase::check, false),
    call = "client.subscriptions().purchases(\"9W2LNSG2\")";

    /// `GET /payments/api/v1/subscriptions/switch-plan/plans`; made by
    /// [`Subscriptions::switch_plan_options`].
    SwitchPlanOptionsRequest => Value,
    decode = crate::page::decode,
    call = "client.subscriptions().switch_plan_options(&[\"9W2LNSG2\"])";
}

/// A request on one subscription: its code fills the path's `{}`.
fn one<'c>(request: crate::RequestBuilder<'c>, subscriber_code: &str) -> crate::RequestBuilder<'c> {
    request.segments(&[("subscriber_code", subscriber_code)])
}

/// Defines cancel and reactivate calls: each builder, the setter of its one flag, and
/// `send`, which posts `{"subscriber_code": [...], flag}` (a list call) or `{flag}` (one
/// subscription).
macro_rules! change_request {
    ($(
        $(#[$meta:meta])*
        $name:ident => $out:ty, flag = $flag:ident, retry = $retry:literal,
        $(#[$fmeta:meta])* call = $call:literal;
    )*) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until .send() is called"]
        pub struct $name<'c> {
            request: crate::RequestBuilder<'c>,
            // `None` for a call on one subscription, whose code is in the path.
            codes: Option<Vec<String>>,
            $flag: bool,
        }

        impl<'c> $name<'c> {
            fn new(mut request: crate::RequestBuilder<'c>, codes: Option<&[&str]>, $flag: bool) -> Self {
                if let Some(codes) = codes {
                    super::require_codes(&mut request, "subscriber_codes", codes);
                }
                let request = if $retry { request.retry_safe() } else { request };
                let codes = codes.map(|codes| codes.iter().map(|c| (*c).to_owned()).collect());
                $name { request, codes, $flag }
            }

            $(#[$fmeta])*
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let answer = ", $call, ".", stringify!($flag), "(false).send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            pub fn $flag(mut self, $flag: bool) -> Self {
                self.$flag = $flag;
                self
            }

            /// Sends the call and reads Hotmart's answer.
            ///
            /// ```no_run
            /// # let client: hotmart::Client = unimplemented!();
            #[doc = concat!("let answer = ", $call, ".send()?;")]
            /// # Ok::<(), hotmart::Error>(())
            /// ```
            pub fn send(self) -> Result<$out, Error> {
                let flag = (stringify!($flag), &self.$flag as &dyn miniserde::Serialize);
                match &self.codes {
                    Some(codes) => super::send(self.request, &[("subscriber_code", codes), flag]),
                    None => super::send(self.request, &[flag]),
                }
            }
        }
    )*};
}

change_request! {
    /// A cancel call over a list; made by [`Subscriptions::cancel`].
    ///
    /// Retried after a 5xx like a GET: cancelling sets a state, and Hotmart answers a second
    /// cancel of the same subscription with a `fail_subscriptions` entry, never a second
    /// cancellation or e-mail.
    CancelRequest => SubscriptionChanges, flag = send_mail, retry = true,
    /// Whether Hotmart e-mails the subscribers about it (Hotmart's default: yes).
    call = "client.subscriptions().cancel(&[\"9W2LNSG2\"])";

    /// A cancel call of one subscription; made by [`Subscriptions::cancel_one`]. Its answer
    /// is the subscription as it is now.
    ///
    /// Retried after a 5xx, as [`CancelRequest`] is, for the same reason.
    CancelOneRequest => SubscriptionChange, flag = send_mail, retry = true,
    /// Whether Hotmart e-mails the subscriber about it (Hotmart's default: yes).
    call = "client.subscriptions().cancel_one(\"9W2LNSG2\")";

    /// A reactivate call over a list; made by [`Subscriptions::reactivate`].
    ///
    /// Not retried after a 5xx: with [`charge(true)`](Self::charge) a second attempt could
    /// charge the subscribers again, and each attempt e-mails a new link.
    ReactivateRequest => SubscriptionChanges, flag = charge, retry = false,
    /// Whether Hotmart charges the subscribers right away (Hotmart's default: no; the next
    /// charge keeps its date).
    call = "client.subscriptions().reactivate(&[\"9W2LNSG2\"])";

    /// A reactivate call of one subscription; made by [`Subscriptions::reactivate_one`].
    ///
    /// Not retried after a 5xx, as [`ReactivateRequest`] is not, for the same reasons.
    ReactivateOneRequest => SubscriptionChange, flag = charge, retry = false,
    /// Whether Hotmart charges the subscriber right away (Hotmart's default: no).
    call = "client.subscriptions().reactivate_one(\"9W2LNSG2\")";
}
