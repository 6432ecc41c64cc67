//! `GET /payments/api/v1/subscriptions/transactions`: every charge of every subscription, in
//! the shape of Hotmart's published example (`tests/fixtures/answers/subscriptions-transactions`).

use super::data::{DAY, Store, subscriber_email};
use super::{Query, Reply, paginate};
use crate::RecordedRequest;
use crate::json::{Value, object};

/// Hotmart's default window is the last 30 days.
pub(super) fn transactions(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let start = query
        .number::<i64>("transaction_date")?
        .unwrap_or(store.now - 30 * DAY);
    let end = query
        .number::<i64>("end_transaction_date")?
        .unwrap_or(store.now);
    let mut items = Vec::new();
    for s in &store.subscriptions {
        let p = &store.products[s.product];
        if !(query.allows("subscriber_code", &s.code)
            && query.allows("subscription_status", &s.status)
            && query.allows("subscriber_email", &subscriber_email(s))
            && query.allows("billing_type", "SUBSCRIPTION")
            && product_id.is_none_or(|id| id == p.id))
        {
            continue;
        }
        for (number, date, transaction) in store.charges(s) {
            if date < start || date > end || !query.allows("transaction", &transaction) {
                continue;
            }
            items.push((s, number, date, transaction));
        }
    }
    paginate(request, &items, |(s, number, date, transaction)| {
        let p = &store.products[s.product];
        let i = s.index;
        let offer = format!("off{:03}", s.product);
        let purchase = object! {
            "transaction": transaction,
            "status": "APPROVED",
            "order_date": *date,
            "approved_date": *date + 60_000,
            // Hotmart's third money key: `currency` beside `value`.
            "price": object! { "value": s.price, "total_value": s.price, "currency": s.currency },
            "installment": object! { "installment_number": 1u64, "installment_type": "MONTHLY" },
            "payment": object! { "payment_type": "CREDIT_CARD", "credit_card_flag": "VISA" },
        };
        let item: Value = object! {
            "subscription_id": s.id,
            "subscriber_code": &s.code,
            "status": &s.status,
            "billing_type": "SUBSCRIPTION",
            "adoption_date": s.accession_date,
            "last_update": *date,
            "date_next_charge": s.date_next_charge,
            "max_cycles": 12u64,
            "last_recurrency_number": *number,
            "last_recurrency_start_date": *date,
            "has_unpaid_recurrency": s.status == "DELAYED",
            "is_paid_anticipation": false,
            "is_paid_negotiation": false,
            "has_credit_card_change": false,
            "product": object! { "id": p.id, "name": p.name },
            "producer": object! { "name": "Mock Producer" },
            "subscriber": object! {
                "id": 800_000 + i,
                "name": format!("Assinante {i}"),
                "email": subscriber_email(s),
            },
            "plan": object! {
                "name": "Plano Mensal",
                "recurrency_period": 30u64,
                "recurrency_type": "MONTHLY",
                "offer": object! { "code": &offer, "key": &offer },
            },
            "recurrency": object! {
                "number": *number,
                "status": "PAID",
                "transaction_type": "RECURRING",
                "transaction_sequence": *number,
                "start_datetime": *date,
                "payment_delays_days": 0u64,
                "is_current_purchase": true,
                "has_retry": false,
            },
            "trial_info": object! { "trial": s.trial },
            "purchase": purchase,
        };
        item
    })
}
