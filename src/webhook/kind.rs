//! Which event it is: [`EventKind`], every event Hotmart documents.

use std::fmt;
use std::str::FromStr;

macro_rules! kinds {
    ($($name:ident = $text:literal $doc:literal,)*) => {
        /// What an event is about: every event Hotmart documents, or [`Other`](Self::Other).
        ///
        /// ```
        /// use hotmart::webhook::EventKind;
        ///
        /// let kind: EventKind = "PURCHASE_APPROVED".parse().unwrap();
        /// assert_eq!(kind, EventKind::PurchaseApproved);
        /// assert_eq!(kind.as_str(), "PURCHASE_APPROVED");
        /// assert_eq!("NEW".parse::<EventKind>().unwrap(), EventKind::Other("NEW".into()));
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventKind {
            $(#[doc = $doc] $name,)*
            /// A name Hotmart does not document (yet), as sent.
            Other(String),
        }

        impl EventKind {
            /// Every documented kind.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$name),*];

            /// The event's name as Hotmart sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventKind::$name => $text,)*
                    EventKind::Other(name) => name,
                }
            }
        }

        impl FromStr for EventKind {
            type Err = std::convert::Infallible;
            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Ok(match name {
                    $($text => EventKind::$name,)*
                    other => EventKind::Other(other.to_owned()),
                })
            }
        }
    };
}

kinds! {
    PurchaseApproved = "PURCHASE_APPROVED" "A purchase was approved.",
    PurchaseComplete = "PURCHASE_COMPLETE" "A purchase's warranty ended: the sale is complete.",
    PurchaseCanceled = "PURCHASE_CANCELED" "A purchase was cancelled (a card refused…).",
    PurchaseRefunded = "PURCHASE_REFUNDED" "A purchase was refunded.",
    PurchaseChargeback = "PURCHASE_CHARGEBACK" "A purchase was charged back.",
    PurchaseBilletPrinted = "PURCHASE_BILLET_PRINTED" "A billet or PIX code was issued, unpaid.",
    PurchaseProtest = "PURCHASE_PROTEST" "The buyer asked for a refund (a dispute).",
    PurchaseExpired = "PURCHASE_EXPIRED" "An unpaid billet or PIX code expired.",
    PurchaseDelayed = "PURCHASE_DELAYED" "A payment is late.",
    PurchaseOutOfShoppingCart = "PURCHASE_OUT_OF_SHOPPING_CART" "A checkout was abandoned.",
    SubscriptionCancellation = "SUBSCRIPTION_CANCELLATION" "A subscription was cancelled.",
    SwitchPlan = "SWITCH_PLAN" "A subscriber switched plans.",
    UpdateSubscriptionChargeDate = "UPDATE_SUBSCRIPTION_CHARGE_DATE" "A charge day changed.",
    ClubFirstAccess = "CLUB_FIRST_ACCESS" "A member entered the Club for the first time.",
    ClubModuleCompleted = "CLUB_MODULE_COMPLETED" "A member completed a Club module.",
    OrderFulfillment = "ORDER_FULFILLMENT" "A physical product's order is ready to ship.",
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
