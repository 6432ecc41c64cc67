//! The values of Hotmart's enumerated filters, each with an escape for values this crate does
//! not know yet.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// `text` without what surrounds it by accident: white space (a newline read with a line)
/// and the byte-order mark that some editors put at the start of a file.
pub(crate) fn unpadded(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Defines a filter enum from one table (`Variant => "TEXT" = "doc"`): the known values,
/// `Other(String)` for the rest, `KNOWN`, `as_str`, `Display`, `From<&str>`, `From<&Self>` (so
/// that `for status in TransactionStatus::KNOWN` feeds a setter as it is) and `FromStr`
/// (which never fails: a known value in any case, spaces around it aside, is itself, since
/// Hotmart's filters take upper case only and `approved` found nothing; an unknown value is
/// `Other`, without the spaces around it).
macro_rules! filter_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($variant:ident => $text:literal = $doc:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = $doc] $variant,)*
            /// A value this crate does not know yet, sent as given (spaces around it dropped).
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
                    other => $name::KNOWN
                        .iter()
                        .find(|known| known.as_str().eq_ignore_ascii_case(unpadded(other)))
                        .cloned()
                        .unwrap_or_else(|| $name::Other(unpadded(other).to_owned())),
                }
            }
        }

        impl From<&$name> for $name {
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(text: &str) -> Result<Self, Infallible> {
                Ok(text.into())
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
    /// assert_eq!("REFUNDED".parse(), Ok(TransactionStatus::Refunded));
    /// assert_eq!(TransactionStatus::from("refunded"), TransactionStatus::Refunded);
    ///
    /// // Every known status, one pass each (Hotmart's samples send one a request):
    /// # let client = hotmart::Client::new(hotmart::Environment::Sandbox, hotmart::Credentials::new("id", "secret")).unwrap();
    /// for status in TransactionStatus::KNOWN {
    ///     let pass = client.sales().history().transaction_status(status);
    ///     # drop(pass);
    /// }
    /// ```
    pub enum TransactionStatus {
        Approved => "APPROVED" = "Payment approved.",
        Blocked => "BLOCKED" = "Blocked, under review.",
        Cancelled => "CANCELLED" = "Cancelled.",
        Chargeback => "CHARGEBACK" = "A chargeback.",
        Complete => "COMPLETE" = "Complete: the warranty period is over.",
        Expired => "EXPIRED" = "Expired.",
        NoFunds => "NO_FUNDS" = "Insufficient funds.",
        Overdue => "OVERDUE" = "Overdue.",
        PartiallyRefunded => "PARTIALLY_REFUNDED" = "Partly refunded.",
        PreOrder => "PRE_ORDER" = "A pre-order.",
        PrintedBillet => "PRINTED_BILLET" = "A bank slip printed, awaiting payment.",
        ProcessingTransaction => "PROCESSING_TRANSACTION" = "Being processed.",
        Protested => "PROTESTED" = "Protested.",
        Refunded => "REFUNDED" = "Refunded.",
        Started => "STARTED" = "Started.",
        UnderAnalysis => "UNDER_ANALISYS" = "Under analysis (Hotmart's spelling: `UNDER_ANALISYS`).",
        WaitingPayment => "WAITING_PAYMENT" = "Waiting for payment.",
    }
}

filter_enum! {
    /// How a purchase was paid (`payment_type`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::PaymentType::Pix.to_string(), "PIX");
    /// ```
    pub enum PaymentType {
        Billet => "BILLET" = "A bank slip (boleto).",
        CashPayment => "CASH_PAYMENT" = "Cash.",
        CreditCard => "CREDIT_CARD" = "A credit card.",
        DirectBankTransfer => "DIRECT_BANK_TRANSFER" = "A direct bank transfer.",
        DirectDebit => "DIRECT_DEBIT" = "A direct debit.",
        FinancedBillet => "FINANCED_BILLET" = "A financed bank slip.",
        FinancedInstallment => "FINANCED_INSTALLMENT" = "A financed installment.",
        GooglePay => "GOOGLE_PAY" = "Google Pay.",
        Hotcard => "HOTCARD" = "Hotmart's card.",
        Hybrid => "HYBRID" = "A hybrid payment.",
        ManualTransfer => "MANUAL_TRANSFER" = "A manual transfer.",
        Paypal => "PAYPAL" = "PayPal.",
        PaypalInternational => "PAYPAL_INTERNACIONAL" = "PayPal international.",
        Picpay => "PICPAY" = "PicPay.",
        Pix => "PIX" = "Pix.",
        SamsungPay => "SAMSUNG_PAY" = "Samsung Pay.",
        Wallet => "WALLET" = "A digital wallet.",
    }
}

filter_enum! {
    /// A subscription's status (`status` on `/subscriptions`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::SubscriptionStatus::Active.as_str(), "ACTIVE");
    /// ```
    pub enum SubscriptionStatus {
        Active => "ACTIVE" = "Active.",
        Inactive => "INACTIVE" = "Inactive.",
        Delayed => "DELAYED" = "A payment is late.",
        CancelledByCustomer => "CANCELLED_BY_CUSTOMER" = "Cancelled by the subscriber.",
        CancelledBySeller => "CANCELLED_BY_SELLER" = "Cancelled by the seller.",
        CancelledByAdmin => "CANCELLED_BY_ADMIN" = "Cancelled by Hotmart.",
        Started => "STARTED" = "Just started.",
        Overdue => "OVERDUE" = "Overdue.",
    }
}

filter_enum! {
    /// The role the account earned a commission as (`commission_as`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::CommissionAs::Affiliate.as_str(), "AFFILIATE");
    /// ```
    pub enum CommissionAs {
        Producer => "PRODUCER" = "The producer.",
        Coproducer => "COPRODUCER" = "A co-producer.",
        Affiliate => "AFFILIATE" = "An affiliate.",
    }
}

filter_enum! {
    /// A product's status (`status` on `/products`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::ProductStatus::Draft.as_str(), "DRAFT");
    /// ```
    pub enum ProductStatus {
        Draft => "DRAFT" = "Not yet published.",
        Active => "ACTIVE" = "Published.",
        Paused => "PAUSED" = "Paused.",
        NotApproved => "NOT_APPROVED" = "Rejected in review.",
        InReview => "IN_REVIEW" = "In review.",
        Deleted => "DELETED" = "Deleted.",
        ChangesPendingOnProduct => "CHANGES_PENDING_ON_PRODUCT" = "Changes waiting for approval.",
    }
}

filter_enum! {
    /// How a subscription charge was billed (`billing_type`).
    ///
    /// ```
    /// assert_eq!(hotmart::models::BillingType::SmartRecovery.as_str(), "SMART_RECOVERY");
    /// ```
    pub enum BillingType {
        Subscription => "SUBSCRIPTION" = "A regular subscription charge.",
        SmartInstallment => "SMART_INSTALLMENT" = "Smart Installments.",
        SmartRecovery => "SMART_RECOVERY" = "Smart Recovery.",
    }
}
