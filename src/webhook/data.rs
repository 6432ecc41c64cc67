//! The typed data of each family of events. Every member is optional: Hotmart omits members
//! freely, and one of an unexpected type (anonymized captures have strings where objects
//! belong) reads as absent rather than refusing the event.

use std::time::SystemTime;

use miniserde::json::Value;

use super::Price;
use super::json::{boolean, float, get, price, text, time, uint};
use super::kind::EventKind;

/// Structs read from a JSON object, one line per member: its type, the reader of the value at
/// its path, and its doc.
macro_rules! family {
    ($(
        $(#[$meta:meta])*
        $name:ident { $($field:ident: $ty:ty = $read:path [$($key:literal),*] $doc:literal,)* }
    )*) => {$(
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name { $(#[doc = $doc] pub $field: $ty,)* }

        impl $name {
            fn read(value: Option<&Value>) -> Self {
                $name { $($field: $read(value.and_then(|v| get(v, &[$($key),*]))),)* }
            }
        }
    )*};
}

family! {
    /// A person an event is about: buyer, subscriber, Club member or shopper.
    Person {
        name: Option<String> = text["name"] "The name.",
        email: Option<String> = text["email"] "The e-mail address.",
        phone: Option<String> = phone[] "A phone number (a subscriber's `dddCell` + `cell`).",
    }
    /// A product as an event names it.
    Product {
        id: Option<u64> = uint["id"] "The numeric id (sent as a number or a string).",
        name: Option<String> = text["name"] "The name.",
        ucode: Option<String> = text["ucode"] "The unique code.",
    }
    /// A subscription plan as an event names it.
    PlanRef {
        id: Option<u64> = uint["id"] "The plan's id.",
        name: Option<String> = text["name"] "The plan's name.",
        offer: Option<String> = offer["offer"] "Its offer's code (`code`, or `key` on a switch).",
    }
    /// A purchase's state changed: approved, complete, cancelled, refunded…
    Purchase {
        transaction: Option<String> = text["purchase", "transaction"] "The transaction (`HP…`).",
        status: Option<String> = text["purchase", "status"] "Its status as sent (spellings vary).",
        buyer: Person = Person::read["buyer"] "The buyer.",
        product: Product = Product::read["product"] "The product.",
        price: Option<Price> = price["purchase", "price"] "What the buyer paid.",
        full_price: Option<Price> = price["purchase", "full_price"] "With interest and fees.",
        original_offer_price: Option<Price> = price["purchase", "original_offer_price"]
            "The offer's price before coupons.",
        payment_type: Option<String> = text["purchase", "payment", "type"] "`PIX`, `BILLET`…",
        installments: Option<u64> = uint["purchase", "payment", "installments_number"]
            "The number of installments.",
        order_date: Option<SystemTime> = time["purchase", "order_date"] "When it was ordered.",
        approved_date: Option<SystemTime> = time["purchase", "approved_date"] "When approved.",
        offer_code: Option<String> = text["purchase", "offer", "code"] "The offer's code.",
        subscriber_code: Option<String> = text["subscription", "subscriber", "code"]
            "The subscriber code, for a subscription's purchase.",
        plan: PlanRef = PlanRef::read["subscription", "plan"] "The subscription's plan.",
    }
    /// A checkout was abandoned (no purchase was made).
    AbandonedCart {
        buyer: Person = Person::read["buyer"] "Who started the checkout.",
        product: Product = Product::read["product"] "The product.",
        offer_code: Option<String> = text["offer", "code"] "The offer's code.",
        affiliate: Option<bool> = boolean["affiliate"] "Whether it came through an affiliate.",
        checkout_country: Option<String> = text["checkout_country", "iso"] "The ISO country.",
    }
    /// A subscription was cancelled.
    SubscriptionCancellation {
        subscriber_code: Option<String> = text["subscriber", "code"] "The subscriber code.",
        subscriber: Person = Person::read["subscriber"] "The subscriber.",
        product: Product = Product::read["product"] "The product.",
        subscription_id: Option<u64> = uint["subscription", "id"] "The subscription's id.",
        plan: PlanRef = PlanRef::read["subscription", "plan"] "The plan.",
        cancellation_date: Option<SystemTime> = time["cancellation_date"] "When cancelled.",
        date_next_charge: Option<SystemTime> = time["date_next_charge"] "The charge not made.",
        actual_recurrence_value: Option<f64> = float["actual_recurrence_value"]
            "The recurrence's amount (no currency is sent).",
    }
    /// A subscriber switched plans.
    PlanSwitch {
        subscriber_code: Option<String> = text["subscription", "subscriber_code"]
            "The subscriber code.",
        user: Person = Person::read["subscription", "user"] "The subscriber.",
        product: Product = Product::read["subscription", "product"] "The product.",
        plan: PlanRef = current_plan["plans"] "The plan now in force (`current: true`).",
        previous_plan: PlanRef = previous_plan["plans"] "The plan left (`current: false`).",
        switch_plan_date: Option<SystemTime> = time["switch_plan_date"] "When it switched.",
        date_next_charge: Option<SystemTime> = time["date_next_charge"] "The next charge.",
        status: Option<String> = text["subscription", "status"] "The subscription's status.",
    }
    /// A subscription's charge day changed.
    ChargeDateUpdate {
        subscriber_code: Option<String> = text["subscriber", "code"] "The subscriber code.",
        subscriber: Person = Person::read["subscriber"] "The subscriber.",
        product: Product = Product::read["subscription", "product"] "The product.",
        plan: PlanRef = PlanRef::read["plan"] "The plan.",
        old_charge_day: Option<u64> = uint["subscription", "old_charge_day"] "The day before.",
        new_charge_day: Option<u64> = uint["subscription", "new_charge_day"] "The day now.",
        date_next_charge: Option<String> = text["subscription", "date_next_charge"]
            "The next charge as sent (ISO 8601 text in Hotmart's samples).",
        status: Option<String> = text["subscription", "status"] "The subscription's status.",
    }
    /// A Club member's first access, or a module completed.
    ClubActivity {
        user: Person = Person::read["user"] "The member.",
        product: Product = Product::read["product"] "The product (its id may be a string).",
        module_id: Option<String> = text["module", "id"] "The module completed (a text code).",
        module_name: Option<String> = text["module", "name"] "The module's name.",
    }
    /// A physical product's order to ship.
    OrderFulfillment {
        transaction: Option<String> = text["purchase", "transaction"] "The transaction.",
        status: Option<String> = text["purchase", "status"] "The purchase's status.",
        shopper: Person = Person::read["purchase", "shopper"] "The buyer.",
        price: Option<Price> = price["purchase", "price"] "What the buyer paid.",
        full_price: Option<Price> = price["purchase", "full_price"] "With fees.",
        items: Vec<LineItem> = line_items["line_items"] "What to ship.",
        delivery_method: Option<String> = text["delivery", "method_type"] "`SHIPPING`…",
    }
    /// One product of an order.
    LineItem {
        product: Product = Product::read["product"] "The product.",
        quantity: Option<u64> = uint["quantity"] "How many.",
        sku: Option<String> = text["variant", "sku"] "The variant's stock-keeping unit.",
        price: Option<Price> = price["offer", "price"] "The offer's price.",
    }
}

/// An event's data, by family.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Data {
    /// `PURCHASE_*` but the abandoned cart, and any unknown kind that has a `purchase`.
    Purchase(Box<Purchase>),
    /// `PURCHASE_OUT_OF_SHOPPING_CART`.
    AbandonedCart(AbandonedCart),
    /// `SUBSCRIPTION_CANCELLATION`.
    SubscriptionCancellation(SubscriptionCancellation),
    /// `SWITCH_PLAN`.
    PlanSwitch(PlanSwitch),
    /// `UPDATE_SUBSCRIPTION_CHARGE_DATE`.
    ChargeDateUpdate(ChargeDateUpdate),
    /// `CLUB_FIRST_ACCESS` and `CLUB_MODULE_COMPLETED`.
    Club(ClubActivity),
    /// `ORDER_FULFILLMENT`.
    OrderFulfillment(OrderFulfillment),
    /// An unknown kind: read [`Event::json`](super::Event::json).
    Other,
}

impl Data {
    pub(super) fn read(kind: &EventKind, data: &Value) -> Data {
        let data = Some(data);
        match kind {
            EventKind::PurchaseOutOfShoppingCart => Data::AbandonedCart(AbandonedCart::read(data)),
            EventKind::SubscriptionCancellation => {
                Data::SubscriptionCancellation(SubscriptionCancellation::read(data))
            }
            EventKind::SwitchPlan => Data::PlanSwitch(PlanSwitch::read(data)),
            EventKind::UpdateSubscriptionChargeDate => {
                Data::ChargeDateUpdate(ChargeDateUpdate::read(data))
            }
            EventKind::ClubFirstAccess | EventKind::ClubModuleCompleted => {
                Data::Club(ClubActivity::read(data))
            }
            EventKind::OrderFulfillment => Data::OrderFulfillment(OrderFulfillment::read(data)),
            EventKind::Other(_)
                if !matches!(
                    data.and_then(|d| get(d, &["purchase"])),
                    Some(Value::Object(_))
                ) =>
            {
                Data::Other
            }
            _ => Data::Purchase(Box::new(Purchase::read(data))),
        }
    }

    /// The person the event is about.
    pub fn person(&self) -> Option<&Person> {
        Some(match self {
            Data::Purchase(p) => &p.buyer,
            Data::AbandonedCart(c) => &c.buyer,
            Data::SubscriptionCancellation(c) => &c.subscriber,
            Data::PlanSwitch(s) => &s.user,
            Data::ChargeDateUpdate(u) => &u.subscriber,
            Data::Club(c) => &c.user,
            Data::OrderFulfillment(o) => &o.shopper,
            Data::Other => return None,
        })
    }

    /// The product the event is about (an order's first line item's).
    pub fn product(&self) -> Option<&Product> {
        Some(match self {
            Data::Purchase(p) => &p.product,
            Data::AbandonedCart(c) => &c.product,
            Data::SubscriptionCancellation(c) => &c.product,
            Data::PlanSwitch(s) => &s.product,
            Data::ChargeDateUpdate(u) => &u.product,
            Data::Club(c) => &c.product,
            Data::OrderFulfillment(o) => &o.items.first()?.product,
            Data::Other => return None,
        })
    }
}

/// A buyer's `phone` or `checkout_phone`, or a subscriber's `phone` object of camelCase parts.
fn phone(person: Option<&Value>) -> Option<String> {
    let at = |path: &[&str]| text(get(person?, path)).filter(|t| !t.is_empty());
    let split =
        |ddd, number| Some(at(&["phone", ddd]).unwrap_or_default() + &at(&["phone", number])?);
    at(&["phone"])
        .or_else(|| at(&["checkout_phone"]))
        .or_else(|| split("dddCell", "cell"))
        .or_else(|| split("dddPhone", "phone"))
}

fn offer(offer: Option<&Value>) -> Option<String> {
    text(get(offer?, &["code"])).or_else(|| text(get(offer?, &["key"])))
}

fn items(array: Option<&Value>) -> &[Value] {
    match array {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn plan_marked(plans: Option<&Value>, current: bool) -> PlanRef {
    let marked = items(plans)
        .iter()
        .find(|p| boolean(get(p, &["current"])) == Some(current));
    PlanRef::read(marked)
}

fn current_plan(plans: Option<&Value>) -> PlanRef {
    plan_marked(plans, true)
}

fn previous_plan(plans: Option<&Value>) -> PlanRef {
    plan_marked(plans, false)
}

fn line_items(array: Option<&Value>) -> Vec<LineItem> {
    items(array)
        .iter()
        .map(|item| LineItem::read(Some(item)))
        .collect()
}
