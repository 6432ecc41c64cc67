//! `/payments/api/v1/subscriptions…`: the list, its summary, a subscription's purchases, the
//! transactions, and the answers of cancel and reactivate.

use super::{Offer, Party, Price, ProductRef};

model! {
    /// One subscription.
    ///
    /// Dates are epoch ms on Hotmart's live answers; the example in Hotmart's documentation
    /// shows seconds (`1577847600`) for this endpoint, so check the magnitude if in doubt.
    pub struct Subscription {
        /// The subscriber's code for this subscription.
        subscriber_code: String,
        /// The subscription's numeric id.
        subscription_id: u64,
        /// `ACTIVE`, `INACTIVE`, `DELAYED`, `CANCELLED_BY_CUSTOMER`, `CANCELLED_BY_SELLER`,
        /// `CANCELLED_BY_ADMIN`, `STARTED` or `OVERDUE`.
        status: String,
        /// When it started.
        accession_date: i64,
        /// When it ended.
        end_accession_date: i64,
        /// When it was requested.
        request_date: i64,
        /// The next charge.
        date_next_charge: i64,
        /// Whether it is in a trial.
        trial: bool,
        /// The transaction that started it.
        transaction: String,
        /// The plan subscribed to.
        plan: Plan,
        /// The product.
        product: ProductRef,
        /// The price of each charge.
        price: Price,
        /// Who subscribed.
        subscriber: Party,
    }
}

model! {
    /// A subscription plan.
    pub struct Plan {
        /// The plan's name.
        name: String,
        /// The plan's numeric id.
        id: u64,
        /// Days between charges.
        recurrency_period: u64,
        /// The most charges, if limited.
        max_charge_cycles: u64,
    }
}

model! {
    /// One item of `/subscriptions/summary` (Hotmart's data lags up to 24 h here).
    pub struct SubscriptionSummary {
        /// The subscriber's code.
        subscriber_code: String,
        /// The subscription's numeric id.
        subscription_id: u64,
        /// The subscription's status.
        status: String,
        /// How many charges it has lived.
        lifetime: u64,
        /// When it started (epoch ms).
        accession_date: i64,
        /// When it ended (epoch ms).
        end_accession_date: i64,
        /// Whether it is in a trial.
        trial: bool,
        /// The plan.
        plan: Plan,
        /// The product.
        product: ProductRef,
        /// The offer.
        offer: Offer,
        /// The last charge.
        last_recurrency: LastRecurrency,
        /// Charges not paid.
        unpaid_recurrencies: Vec<UnpaidRecurrency>,
        /// Who subscribed.
        subscriber: Party,
    }
}

model! {
    /// The last charge of a subscription.
    pub struct LastRecurrency {
        /// Which charge.
        number: u64,
        /// When it was requested (epoch ms).
        request_date: i64,
        /// E.g. `PAID`, `NOT_PAID`.
        status: String,
        /// The transaction's sequence number.
        transaction_number: u64,
        /// `SUBSCRIPTION`, `SMART_INSTALLMENT` or `SMART_RECOVERY`.
        billing_type: String,
    }
}

model! {
    /// A charge not paid.
    pub struct UnpaidRecurrency {
        /// Which charge.
        number: u64,
        /// When it was due (epoch ms).
        charge_date: i64,
    }
}

model! {
    /// One purchase (charge) of a subscription: an item of `/subscriptions/{code}/purchases`.
    pub struct SubscriptionPurchase {
        /// The transaction code.
        transaction: String,
        /// When it was approved (epoch ms).
        approved_date: i64,
        /// E.g. `HotPay`.
        payment_engine: String,
        /// The purchase status, e.g. `APPROVED`.
        status: String,
        /// The price charged.
        price: Price,
        /// E.g. `CREDIT_CARD`.
        payment_type: String,
        /// E.g. `VISA_CREDIT_CARD`.
        payment_method: String,
        /// Which charge.
        recurrency_number: u64,
        /// Whether it is under warranty.
        under_warranty: bool,
        /// Whether it is a subscription purchase.
        purchase_subscription: bool,
    }
}

model! {
    /// One item of `/subscriptions/transactions`.
    ///
    /// Hotmart publishes no example answer for this endpoint; the members are those its
    /// filters name (`billing_type`, `subscription_status`, `recurrency_status`,
    /// `purchase_status`, `transaction_date`, …).
    pub struct SubscriptionTransaction {
        /// The transaction code.
        transaction: String,
        /// The subscriber's code.
        subscriber_code: String,
        /// The subscription's numeric id.
        subscription_id: u64,
        /// The product.
        product: ProductRef,
        /// Who subscribed.
        subscriber: Party,
        /// Which charge.
        recurrency_number: u64,
        /// `SUBSCRIPTION`, `SMART_INSTALLMENT` or `SMART_RECOVERY`.
        billing_type: String,
        /// The subscription's status.
        subscription_status: String,
        /// `PAID`, `NOT_PAID`, `CLAIMED`, `REFUNDED` or `CHARGEBACK`.
        recurrency_status: String,
        /// The purchase's status.
        purchase_status: String,
        /// When the transaction happened (epoch ms).
        transaction_date: i64,
        /// The payment type.
        payment_type: String,
        /// The price charged.
        price: Price,
        /// The offer.
        offer: Offer,
    }
}

model! {
    /// The answer of a cancel or reactivate call over a list of subscriptions.
    pub struct SubscriptionChanges {
        /// The subscriptions changed.
        success_subscriptions: Vec<SubscriptionChange>,
        /// The subscriptions not changed, each with its `error`.
        fail_subscriptions: Vec<SubscriptionChange>,
    }
}

model! {
    /// One subscription as a cancel or reactivate call reports it.
    ///
    /// Dates here are text as Hotmart sends them (`"2020-07-20 17:57:42"`), not epoch ms.
    pub struct SubscriptionChange {
        /// The status after the call.
        status: String,
        /// Why it was not changed, e.g. `SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE`.
        error: String,
        /// The subscriber's code.
        subscriber_code: String,
        /// When it was created (text).
        creation_date: String,
        /// The current charge.
        current_recurrence: u64,
        /// When the last charge was (text).
        date_last_recurrence: String,
        /// When the next charge is (text).
        date_next_charge: String,
        /// The day of the month charges fall on.
        due_day: u64,
        /// The trial in days.
        trial_period: u64,
        /// E.g. `MONTH`.
        interval_type_between_charges: String,
        /// How many of those between charges.
        interval_between_charges: u64,
        /// The most charges.
        max_charge_cycles: u64,
        /// When it was activated (text).
        activation_date: String,
        /// The subscriber's contact.
        shopper: Shopper,
    }
}

model! {
    /// A subscriber's contact as cancel and reactivate report it.
    pub struct Shopper {
        /// The e-mail address.
        email: String,
        /// The phone.
        phone: String,
    }
}

impl Subscription {
    /// [`status`](Self::status) as a [`SubscriptionStatus`](crate::api::SubscriptionStatus)
    /// (`Other` for a value this crate does not know yet), e.g. to count subscriptions by
    /// status.
    ///
    /// ```
    /// use hotmart::api::SubscriptionStatus;
    /// let sub: hotmart::models::Subscription =
    ///     hotmart::miniserde::json::from_str(r#"{"status":"DELAYED"}"#)?;
    /// assert_eq!(sub.subscription_status(), Some(SubscriptionStatus::Delayed));
    /// # Ok::<(), hotmart::miniserde::Error>(())
    /// ```
    pub fn subscription_status(&self) -> Option<crate::api::SubscriptionStatus> {
        self.status.as_deref().map(Into::into)
    }
}
