//! The values of Hotmart's enumerated filters, each with an escape for values this crate does
//! not know yet.

use std::fmt;

/// Defines a filter enum: known values, `Other(String)` for the rest, `as_str`, `Display` and
/// `From<&str>`.
macro_rules! filter_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know yet, sent as given.
            Other(String),
        }

        impl $name {
            /// Every value this crate knows, in Hotmart's documented order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The value as Hotmart spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(other) => other,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }
        }
    };
}

filter_enum! {
    /// A purchase's status (`transaction_status`). Sales endpoints return only `APPROVED` and
    /// `COMPLETE` sales unless a status (or a transaction) is asked for.
    ///
    /// ```
    /// use hotmart::models::TransactionStatus;
    /// assert_eq!(TransactionStatus::Refunded.as_str(), "REFUNDED");
    /// assert_eq!(TransactionStatus::from("NEW_ONE"), TransactionStatus::Other("NEW_ONE".into()));
    /// ```
    pub enum TransactionStatus {
        /// Payment approved.
        Approved => "APPROVED",
        /// Blocked, under review.
        Blocked => "BLOCKED",
        /// Cancelled.
        Cancelled => "CANCELLED",
        /// A chargeback.
        Chargeback => "CHARGEBACK",
        /// Complete: the warranty period is over.
        Complete => "COMPLETE",
        /// Expired.
        Expired => "EXPIRED",
        /// Insufficient funds.
        NoFunds => "NO_FUNDS",
        /// Overdue.
        Overdue => "OVERDUE",
        /// Partly refunded.
        PartiallyRefunded => "PARTIALLY_REFUNDED",
        /// A pre-order.
        PreOrder => "PRE_ORDER",
        /// A bank slip printed, awaiting payment.
        PrintedBillet => "PRINTED_BILLET",
        /// Being processed.
        ProcessingTransaction => "PROCESSING_TRANSACTION",
        /// Protested.
        Protested => "PROTESTED",
        /// Refunded.
        Refunded => "REFUNDED",
        /// Started.
        Started => "STARTED",
        /// Under analysis (Hotmart's spelling: `UNDER_ANALISYS`).
        UnderAnalysis => "UNDER_ANALISYS",
        /// Waiting for payment.
        WaitingPayment => "WAITING_PAYMENT",
    }
}

filter_enum! {
    /// How a purchase was paid (`payment_type`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::PaymentType::Pix.to_string(), "PIX");
    /// ```
    pub enum PaymentType {
        /// A bank slip (boleto).
        Billet => "BILLET",
        /// Cash.
        CashPayment => "CASH_PAYMENT",
        /// A credit card.
        CreditCard => "CREDIT_CARD",
        /// A direct bank transfer.
        DirectBankTransfer => "DIRECT_BANK_TRANSFER",
        /// A direct debit.
        DirectDebit => "DIRECT_DEBIT",
        /// A financed bank slip.
        FinancedBillet => "FINANCED_BILLET",
        /// A financed installment.
        FinancedInstallment => "FINANCED_INSTALLMENT",
        /// Google Pay.
        GooglePay => "GOOGLE_PAY",
        /// Hotmart's card.
        Hotcard => "HOTCARD",
        /// A hybrid payment.
        Hybrid => "HYBRID",
        /// A manual transfer.
        ManualTransfer => "MANUAL_TRANSFER",
        /// PayPal.
        Paypal => "PAYPAL",
        /// PayPal international.
        PaypalInternational => "PAYPAL_INTERNACIONAL",
        /// PicPay.
        Picpay => "PICPAY",
        /// Pix.
        Pix => "PIX",
        /// Samsung Pay.
        SamsungPay => "SAMSUNG_PAY",
        /// A digital wallet.
        Wallet => "WALLET",
    }
}

filter_enum! {
    /// A subscription's status (`status` on `/subscriptions`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::SubscriptionStatus::Active.as_str(), "ACTIVE");
    /// ```
    pub enum SubscriptionStatus {
        /// Active.
        Active => "ACTIVE",
        /// Inactive.
        Inactive => "INACTIVE",
        /// A payment is late.
        Delayed => "DELAYED",
        /// Cancelled by the subscriber.
        CancelledByCustomer => "CANCELLED_BY_CUSTOMER",
        /// Cancelled by the seller.
        CancelledBySeller => "CANCELLED_BY_SELLER",
        /// Cancelled by Hotmart.
        CancelledByAdmin => "CANCELLED_BY_ADMIN",
        /// Just started.
        Started => "STARTED",
        /// Overdue.
        Overdue => "OVERDUE",
    }
}

filter_enum! {
    /// The role the account earned a commission as (`commission_as`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::CommissionAs::Affiliate.as_str(), "AFFILIATE");
    /// ```
    pub enum CommissionAs {
        /// The producer.
        Producer => "PRODUCER",
        /// A co-producer.
        Coproducer => "COPRODUCER",
        /// An affiliate.
        Affiliate => "AFFILIATE",
    }
}

filter_enum! {
    /// A product's status (`status` on `/products`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::ProductStatus::Draft.as_str(), "DRAFT");
    /// ```
    pub enum ProductStatus {
        /// Not yet published.
        Draft => "DRAFT",
        /// Published.
        Active => "ACTIVE",
        /// Paused.
        Paused => "PAUSED",
        /// Rejected in review.
        NotApproved => "NOT_APPROVED",
        /// In review.
        InReview => "IN_REVIEW",
        /// Deleted.
        Deleted => "DELETED",
        /// Changes waiting for approval.
        ChangesPendingOnProduct => "CHANGES_PENDING_ON_PRODUCT",
    }
}

filter_enum! {
    /// How a subscription charge was billed (`billing_type`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::BillingType::SmartRecovery.as_str(), "SMART_RECOVERY");
    /// ```
    pub enum BillingType {
        /// A regular subscription charge.
        Subscription => "SUBSCRIPTION",
        /// Smart Installments.
        SmartInstallment => "SMART_INSTALLMENT",
        /// Smart Recovery.
        SmartRecovery => "SMART_RECOVERY",
    }
}
