//! `/payments/api/v1/subscriptions…`: the list, its summary, a subscription's purchases, the
//! transactions, and the answers of cancel and reactivate.

use super::{Offer, Party, Price, ProductRef};

model! {
    /// One subscription.
    ///
    /// Dates are epoch ms on Hotmart's live answers; the example in Hotmart's documentation
    /// shows seconds (`1577847600`) for this endpoint, so check the magnitude if in doubt.
    pub struct Subscription {
        subscriber_code: String = "The subscriber's code for this subscription.",
        subscription_id: u64 = "The subscription's numeric id.",
        /// `ACTIVE`, `INACTIVE`, `DELAYED`, `CANCELLED_BY_CUSTOMER`, `CANCELLED_BY_SELLER`,
        status: String = "`CANCELLED_BY_ADMIN`, `STARTED` or `OVERDUE`.",
        accession_date: i64 => accession_at = "When it started.",
        end_accession_date: i64 => end_accession_at = "When it ended.",
        request_date: i64 => requested_at = "When it was requested.",
        date_next_charge: i64 => next_charge_at = "The next charge.",
        trial: bool = "Whether it is in a trial.",
        transaction: String = "The transaction that started it.",
        plan: Plan = "The plan subscribed to.",
        product: ProductRef = "The product.",
        price: Price = "The price of each charge.",
        subscriber: Party = "Who subscribed.",
    }

    /// A subscription plan.
    pub struct Plan {
        name: String = "The plan's name.",
        id: u64 = "The plan's numeric id.",
        recurrency_period: u64 = "Days between charges.",
        max_charge_cycles: u64 = "The most charges, if limited.",
        recurrency_type: String = "E.g. `MONTHLY`, `ANNUAL`.",
        coupon_code: String = "The coupon applied.",
        offer: Offer = "The offer subscribed to.",
    }

    /// One item of `/subscriptions/summary` (Hotmart's data lags up to 24 h here).
    pub struct SubscriptionSummary {
        subscriber_code: String = "The subscriber's code.",
        subscription_id: u64 = "The subscription's numeric id.",
        status: String = "The subscription's status.",
        lifetime: u64 = "How many charges it has lived.",
        accession_date: i64 => accession_at = "When it started (epoch ms).",
        end_accession_date: i64 => end_accession_at = "When it ended (epoch ms).",
        date_next_charge: i64 => next_charge_at = "The next charge (epoch ms).",
        trial: bool = "Whether it is in a trial.",
        plan: Plan = "The plan.",
        product: ProductRef = "The product.",
        offer: Offer = "The offer.",
        last_recurrency: LastRecurrency = "The last charge.",
        unpaid_recurrencies: Vec<UnpaidRecurrency> = "Charges not paid.",
        subscriber: Party = "Who subscribed.",
    }

    /// The last charge of a subscription.
    pub struct LastRecurrency {
        number: u64 = "Which charge.",
        request_date: i64 => requested_at = "When it was requested (epoch ms).",
        status: String = "E.g. `PAID`, `NOT_PAID`.",
        transaction_number: u64 = "The transaction's sequence number.",
        billing_type: String = "`SUBSCRIPTION`, `SMART_INSTALLMENT` or `SMART_RECOVERY`.",
    }

    /// A charge not paid.
    pub struct UnpaidRecurrency {
        number: u64 = "Which charge.",
        charge_date: i64 => charge_at = "When it was due (epoch ms).",
    }

    /// One purchase (charge) of a subscription: an item of `/subscriptions/{code}/purchases`.
    pub struct SubscriptionPurchase {
        transaction: String = "The transaction code.",
        approved_date: i64 => approved_at = "When it was approved (epoch ms).",
        payment_engine: String = "E.g. `HotPay`.",
        status: String = "The purchase status, e.g. `APPROVED`.",
        price: Price = "The price charged.",
        payment_type: String = "E.g. `CREDIT_CARD`.",
        payment_method: String = "E.g. `VISA_CREDIT_CARD`.",
        recurrency_number: u64 = "Which charge.",
        under_warranty: bool = "Whether it is under warranty.",
        purchase_subscription: bool = "Whether it is a subscription purchase.",
    }

    /// One item of `/subscriptions/transactions`: a subscription with one of its charges.
    pub struct SubscriptionTransaction {
        subscriber_code: String = "The subscriber's code.",
        subscription_id: u64 = "The subscription's numeric id.",
        status: String = "The subscription's status.",
        adoption_date: i64 => adopted_at = "When the subscriber joined (epoch ms).",
        last_update: i64 => updated_at = "When it was last changed (epoch ms).",
        date_next_charge: i64 => next_charge_at = "The next charge (epoch ms).",
        cancellation_date: i64 => cancelled_at = "When it was cancelled (epoch ms).",
        last_recurrency_start_date: i64 => last_recurrency_started_at = "When the last charge period started (epoch ms).",
        last_recurrency_number: u64 = "The last charge's number.",
        has_unpaid_recurrency: bool = "Whether a charge is unpaid.",
        is_paid_anticipation: bool = "Whether an anticipation was paid.",
        is_paid_negotiation: bool = "Whether a negotiation was paid.",
        has_credit_card_change: bool = "Whether the card was changed.",
        max_cycles: u64 = "The most charges.",
        billing_type: String = "`SUBSCRIPTION`, `SMART_INSTALLMENT` or `SMART_RECOVERY`.",
        product: ProductRef = "The product.",
        producer: Party = "The producer.",
        subscriber: Party = "Who subscribed.",
        plan: Plan = "The plan, with its offer.",
        recurrency: Recurrency = "This charge.",
        trial_info: TrialInfo = "The trial.",
        purchase: TransactionPurchase = "The purchase of this charge.",
    }

    /// One charge of a subscription transaction.
    pub struct Recurrency {
        number: u64 = "Which charge.",
        status: String = "`PAID`, `NOT_PAID`, `CLAIMED`, `REFUNDED` or `CHARGEBACK`.",
        start_datetime: i64 => started_at = "When it started (epoch ms).",
        scheduled_retry: i64 => retry_at = "The next retry (epoch ms).",
        number_list: String = "The charges concerned, as text (`\"3, 4\"`).",
        transaction_sequence: u64 = "The transaction's sequence number.",
        payment_delays_days: u64 = "Days late.",
        transaction_type: String = "E.g. `RECURRING`.",
        is_current_purchase: bool = "Whether it is the current purchase.",
        has_retry: bool = "Whether a retry is scheduled.",
    }

    /// The trial of a subscription.
    pub struct TrialInfo {
        trial: bool = "Whether there is one.",
        trial_period: u64 = "Its length in days.",
        trial_end: i64 => trial_ends_at = "When it ends (epoch ms).",
    }

    /// The purchase of a subscription transaction.
    pub struct TransactionPurchase {
        transaction: String = "The transaction code.",
        status: String = "The purchase's status.",
        order_date: i64 => ordered_at = "When it was ordered (epoch ms).",
        approved_date: i64 => approved_at = "When it was approved (epoch ms).",
        price: Price = "The price (Hotmart's currency key is `currency` here).",
        installment: Installment = "The installment.",
        payment: TransactionPayment = "How it was paid.",
        commission: TransactionCommission = "The producer's commission.",
    }

    /// The installment of a subscription purchase.
    pub struct Installment {
        installment_number: u64 = "Which installment.",
        installment_type: String = "E.g. `MONTHLY`.",
    }

    /// How a subscription purchase was paid.
    pub struct TransactionPayment {
        payment_type: String = "E.g. `CREDIT_CARD`.",
        credit_card_flag: String = "E.g. `VISA`.",
        refusal_message: String = "Why it was refused.",
        refund_chargeback_date: i64 => refunded_at = "When it was refunded or charged back (epoch ms).",
        billet_expiration_date: i64 => billet_expires_at = "When the bank slip expires (epoch ms).",
        billet_recovery_type: String = "E.g. `MANUAL`.",
        billet_reprint_code: String = "The link to print the bank slip again.",
        pix_expiration_date: i64 => pix_expires_at = "When the Pix code expires (epoch ms).",
    }

    /// The producer's commission on a subscription purchase.
    pub struct TransactionCommission {
        currency: String = "The ISO 4217 currency code.",
        original_value: f64 = "The original value.",
        original_paid_value: f64 = "The original value paid.",
        producer_value: f64 = "The producer's value.",
        producer_paid_value: f64 = "The producer's value paid.",
        conversion_rate: f64 = "The conversion rate.",
    }

    /// The answer of a cancel or reactivate call over a list of subscriptions.
    pub struct SubscriptionChanges {
        success_subscriptions: Vec<SubscriptionChange> = "The subscriptions changed.",
        fail_subscriptions: Vec<SubscriptionChange> = "The subscriptions not changed, each with its `error`.",
    }

    /// One subscription as a cancel or reactivate call reports it.
    ///
    /// Dates here are text as Hotmart sends them (`"2020-07-20 17:57:42"`), not epoch ms.
    pub struct SubscriptionChange {
        status: String = "The status after the call.",
        error: String = "Why it was not changed, e.g. `SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE`.",
        subscriber_code: String = "The subscriber's code.",
        creation_date: String = "When it was created (text).",
        current_recurrence: u64 = "The current charge.",
        date_last_recurrence: String = "When the last charge was (text).",
        date_next_charge: String = "When the next charge is (text).",
        due_day: u64 = "The day of the month charges fall on.",
        trial_period: u64 = "The trial in days.",
        interval_type_between_charges: String = "E.g. `MONTH`.",
        interval_between_charges: u64 = "How many of those between charges.",
        max_charge_cycles: u64 = "The most charges.",
        activation_date: String = "When it was activated (text).",
        shopper: Shopper = "The subscriber's contact.",
    }

    /// A subscriber's contact as cancel and reactivate report it.
    pub struct Shopper {
        email: String = "The e-mail address.",
        phone: String = "The phone.",
    }
}

impl Subscription {
    /// [`status`](Self::status) as a [`SubscriptionStatus`](crate::models::SubscriptionStatus)
    /// (`Other` for a value this crate does not know yet), e.g. to count subscriptions by
    /// status.
    ///
    /// ```
    /// use hotmart::models::SubscriptionStatus;
    /// let sub: hotmart::models::Subscription =
    ///     hotmart::miniserde::json::from_str(r#"{"status":"DELAYED"}"#)?;
    /// assert_eq!(sub.subscription_status(), Some(SubscriptionStatus::Delayed));
    /// # Ok::<(), hotmart::miniserde::Error>(())
    /// ```
    pub fn subscription_status(&self) -> Option<crate::models::SubscriptionStatus> {
        self.status.as_deref().map(Into::into)
    }
}
