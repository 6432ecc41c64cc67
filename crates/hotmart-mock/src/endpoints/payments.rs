//! `/payments/api/v1/…`: sales, subscriptions, coupons and negotiations.

use std::collections::BTreeMap;

use miniserde::json::{Number, Value};

use super::data::{DAY, SaleRec, Store, SubscriptionRec, quote};
use super::{Answer, Query, RecordedRequest, Reply, bad, body, member, not_found, paginate};

pub(super) fn route(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    match (method, path) {
        ("GET", ["sales", "history"]) => sales(store, request, sale_json),
        ("GET", ["sales", "users"]) => sales(store, request, participants_json),
        ("GET", ["sales", "commissions"]) => sales(store, request, commissions_json),
        ("GET", ["sales", "price", "details"]) => sales(store, request, price_details_json),
        ("GET", ["sales", "summary"]) => sales_summary(store, request),
        ("PUT", ["sales", transaction, "refund"]) => refund(store, transaction),
        ("GET", ["subscriptions"]) => subscriptions(store, request),
        ("GET", ["subscriptions", "summary"]) => subscription_summary(store, request),
        ("GET", ["subscriptions", "transactions"]) => subscription_transactions(store, request),
        ("GET", ["subscriptions", code, "purchases"]) => purchases(store, code),
        ("POST", ["subscriptions", "cancel"]) => change_many(store, request, Change::Cancel),
        ("POST", ["subscriptions", "reactivate"]) => {
            change_many(store, request, Change::Reactivate)
        }
        ("POST", ["subscriptions", code, "cancel"]) => change_one(store, code, Change::Cancel),
        ("POST", ["subscriptions", code, "reactivate"]) => {
            change_one(store, code, Change::Reactivate)
        }
        ("PATCH", ["subscriptions", code]) => due_day(store, code, request),
        ("POST", ["product", product_id, "coupon"]) => create_coupon(store, product_id, request),
        ("GET", ["coupon", "product", product_id]) => coupons(store, product_id, request),
        ("DELETE", ["coupon", id]) => delete_coupon(store, id),
        ("POST", ["negotiation"]) => negotiation(store, request),
        _ => Err(not_found()),
    }
}

/// The sales a sales read asks for: its filters, and Hotmart's default of `APPROVED` and
/// `COMPLETE` only unless `transaction_status` or `transaction` is given.
fn filtered<'s>(store: &'s Store, request: &RecordedRequest) -> Result<Vec<&'s SaleRec>, Answer> {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let start = query.number::<i64>("start_date")?;
    let end = query.number::<i64>("end_date")?;
    let default_statuses =
        query.text("transaction_status").is_none() && query.text("transaction").is_none();
    Ok(store
        .sales
        .iter()
        .filter(|s| {
            let product = &store.products[s.product];
            (!default_statuses || s.status == "APPROVED" || s.status == "COMPLETE")
                && query.allows("transaction_status", &s.status)
                && query.allows("transaction", &s.transaction)
                && product_id.is_none_or(|id| id == product.id)
                && start.is_none_or(|start| s.order_date >= start)
                && end.is_none_or(|end| s.order_date <= end)
                && query.allows("buyer_email", &buyer_email(s.index))
                && query.allows("buyer_name", &buyer_name(s.index))
                && query.allows("payment_type", s.payment_type)
                && query.allows("offer_code", &s.offer_code)
                && query.allows("sales_source", s.source)
                && query.allows("commission_as", s.commission_as)
        })
        .collect())
}

fn buyer_email(i: usize) -> String {
    format!("comprador{i}@example.com")
}

fn buyer_name(i: usize) -> String {
    format!("Comprador {i}")
}

fn sales(store: &Store, request: &RecordedRequest, json: fn(&Store, &SaleRec) -> String) -> Reply {
    let items: Vec<String> = filtered(store, request)?
        .into_iter()
        .map(|s| json(store, s))
        .collect();
    paginate(request, &items)
}

fn product_ref(store: &Store, s: &SaleRec) -> String {
    let p = &store.products[s.product];
    format!(r#"{{"name":{},"id":{}}}"#, quote(p.name), p.id)
}

fn sale_json(store: &Store, s: &SaleRec) -> String {
    let i = s.index;
    let fee = (s.price * 0.099 * 100.0).round() / 100.0 + 1.0;
    format!(
        r#"{{"product":{product},"buyer":{{"name":{buyer},"ucode":"buyer-{i}","email":{email}}},"producer":{{"name":"Mock Producer","ucode":"mock-producer"}},"purchase":{{"transaction":"{tx}","order_date":{ordered},"approved_date":{approved},"status":"{status}","recurrency_number":1,"is_subscription":false,"commission_as":"{role}","price":{{"value":{price},"currency_code":"{cur}"}},"payment":{{"method":"{pay}","installments_number":{inst},"type":"{pay}"}},"tracking":{{"source_sck":"HOTMART_PRODUCT_PAGE","source":"{src}","external_code":"ext-{i}"}},"warranty_expire_date":{warranty},"offer":{{"payment_mode":"INVOICE","code":"{offer}"}},"hotmart_fee":{{"total":{fee},"fixed":1,"currency_code":"{cur}","base":{price},"percentage":9.9}}}}}}"#,
        product = product_ref(store, s),
        buyer = quote(&buyer_name(i)),
        email = quote(&buyer_email(i)),
        tx = s.transaction,
        ordered = s.order_date,
        approved = s.order_date + 60_000,
        status = s.status,
        role = s.commission_as,
        price = s.price,
        cur = s.currency,
        pay = s.payment_type,
        inst = s.installments,
        src = s.source,
        warranty = s.order_date + 7 * DAY,
        offer = s.offer_code,
    )
}

fn participants_json(store: &Store, s: &SaleRec) -> String {
    let i = s.index;
    format!(
        r#"{{"transaction":"{tx}","product":{product},"users":[{{"role":"BUYER","user":{{"ucode":"buyer-{i}","locale":"pt_BR","name":{name},"email":{email},"cellphone":"119{i:08}","documents":[{{"value":"{doc:011}","type":"CPF"}}],"address":{{"city":"Belo Horizonte","state":"MG","country":"Brasil","zip_code":"30130{z:03}","address":"Rua da Bahia","neighborhood":"Centro","number":"{i}"}}}}}},{{"role":"PRODUCER","user":{{"ucode":"mock-producer","locale":"pt_BR","name":"Mock Producer","trade_name":"Mock Shop","email":"producer@example.com"}}}}]}}"#,
        tx = s.transaction,
        product = product_ref(store, s),
        name = quote(&buyer_name(i)),
        email = quote(&buyer_email(i)),
        doc = 10_000_000_000u64 + i as u64,
        z = i % 1000,
    )
}

fn commissions_json(store: &Store, s: &SaleRec) -> String {
    // Hotmart's key for the currency here is `currency_value`, unlike everywhere else.
    let producer = (s.price * 0.85 * 100.0).round() / 100.0;
    let affiliate = (s.price * 0.05 * 100.0).round() / 100.0;
    format!(
        r#"{{"transaction":"{tx}","product":{product},"exchange_rate_currency_payout":1.0,"commissions":[{{"commission":{{"currency_value":"{cur}","value":{producer}}},"user":{{"ucode":"mock-producer","name":"Mock Producer"}},"source":"PRODUCER"}},{{"commission":{{"currency_value":"{cur}","value":{affiliate}}},"user":{{"ucode":"mock-affiliate","name":"Mock Affiliate"}},"source":"AFFILIATE"}}]}}"#,
        tx = s.transaction,
        product = product_ref(store, s),
        cur = s.currency,
    )
}

fn price_details_json(store: &Store, s: &SaleRec) -> String {
    let vat = (s.price * 0.1 * 100.0).round() / 100.0;
    let fee = (s.price * 0.099 * 100.0).round() / 100.0 + 1.0;
    let coupon = if s.index.is_multiple_of(4) {
        r#","coupon":{"code":"WELCOME10","value":10}"#
    } else {
        ""
    };
    format!(
        r#"{{"transaction":"{tx}","product":{product},"base":{{"value":{base},"currency_code":"{cur}"}},"total":{{"value":{price},"currency_code":"{cur}"}},"vat":{{"value":{vat},"currency_code":"{cur}"}},"fee":{{"value":{fee},"currency_code":"{cur}"}}{coupon},"real_conversion_rate":1.0}}"#,
        tx = s.transaction,
        product = product_ref(store, s),
        base = s.price - vat,
        price = s.price,
        cur = s.currency,
    )
}

/// One item per currency, as Hotmart's summary totals.
fn sales_summary(store: &Store, request: &RecordedRequest) -> Reply {
    let mut totals: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for s in filtered(store, request)? {
        let entry = totals.entry(s.currency).or_default();
        entry.0 += 1;
        entry.1 += s.price;
    }
    let items: Vec<String> = totals
        .iter()
        .map(|(cur, (count, total))| {
            format!(
                r#"{{"total_items":{count},"total_value":{{"value":{total},"currency_code":"{cur}"}}}}"#
            )
        })
        .collect();
    paginate(request, &items)
}

fn refund(store: &mut Store, transaction: &str) -> Reply {
    let Some(sale) = store
        .sales
        .iter_mut()
        .find(|s| s.transaction == transaction)
    else {
        return Err(not_found());
    };
    if sale.status != "APPROVED" && sale.status != "COMPLETE" {
        return Err(Answer::error(
            400,
            "invalid_value_parameter",
            "Only approved or complete sales can be refunded",
        ));
    }
    sale.status = "REFUNDED".to_owned();
    Ok(Answer::json(200, ""))
}

fn subscription_json(store: &Store, s: &SubscriptionRec) -> String {
    let p = &store.products[s.product];
    let i = s.index;
    let end = if s.status.starts_with("CANCELLED") {
        format!(r#""end_accession_date":{},"#, store.now - DAY)
    } else {
        String::new()
    };
    format!(
        r#"{{"subscriber_code":"{code}","subscription_id":{id},"status":"{status}","accession_date":{acc},{end}"request_date":{acc},"date_next_charge":{next},"trial":{trial},"transaction":"{tx}","plan":{{"name":"Plano Mensal","id":{plan},"recurrency_period":30,"max_charge_cycles":12}},"product":{{"id":{pid},"name":{pname},"ucode":"{ucode}"}},"price":{{"value":{price},"currency_code":"{cur}"}},"subscriber":{{"name":"Assinante {i}","email":"assinante{i}@example.com","ucode":"subscriber-{i}"}}}}"#,
        code = s.code,
        id = s.id,
        status = s.status,
        acc = s.accession_date,
        next = s.date_next_charge,
        trial = s.trial,
        tx = store
            .charges(s)
            .first()
            .map_or(String::new(), |c| c.2.clone()),
        plan = s.plan_id,
        pid = p.id,
        pname = quote(p.name),
        ucode = p.ucode,
        price = s.price,
        cur = s.currency,
    )
}

fn subscriptions(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let plan_id = query.number::<u64>("plan_id")?;
    let start = query.number::<i64>("accession_date")?;
    let end = query.number::<i64>("end_accession_date")?;
    let trial = query.text("trial").map(|t| t == "true");
    let items: Vec<String> = store
        .subscriptions
        .iter()
        .filter(|s| {
            query.allows("status", &s.status)
                && query.allows("subscriber_code", &s.code)
                && query.allows(
                    "subscriber_email",
                    &format!("assinante{}@example.com", s.index),
                )
                && product_id.is_none_or(|id| id == store.products[s.product].id)
                && plan_id.is_none_or(|id| id == s.plan_id)
                && trial.is_none_or(|t| t == s.trial)
                && start.is_none_or(|start| s.accession_date >= start)
                && end.is_none_or(|end| s.accession_date <= end)
        })
        .map(|s| subscription_json(store, s))
        .collect();
    paginate(request, &items)
}

fn subscription_summary(store: &Store, request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let product_id = query.number::<u64>("product_id")?;
    let items: Vec<String> = store
        .subscriptions
        .iter()
        .filter(|s| {
            query.allows("subscriber_code", &s.code)
                && product_id.is_none_or(|id| id == store.products[s.product].id)
        })
        .map(|s| {
            let p = &store.products[s.product];
            let charges = store.charges(s);
            let (number, date, _) = charges.last().cloned().unwrap_or((0, s.accession_date, String::new()));
            let paid = s.status != "DELAYED";
            let unpaid = if paid {
                String::new()
            } else {
                format!(r#"{{"number":{number},"charge_date":{date}}}"#)
            };
            format!(
                r#"{{"subscriber_code":"{code}","subscription_id":{id},"status":"{status}","lifetime":{life},"accession_date":{acc},"trial":{trial},"plan":{{"name":"Plano Mensal","recurrency_period":30}},"product":{{"name":{pname},"id":{pid}}},"offer":{{"code":"off{po:03}"}},"last_recurrency":{{"number":{number},"request_date":{date},"status":"{rs}","transaction_number":{number},"billing_type":"SUBSCRIPTION"}},"unpaid_recurrencies":[{unpaid}],"subscriber":{{"name":"Assinante {i}","id":{sid},"email":"assinante{i}@example.com"}}}}"#,
                code = s.code,
                id = s.id,
                status = s.status,
                life = charges.len(),
                acc = s.accession_date,
                trial = s.trial,
                pname = quote(p.name),
                pid = p.id,
                po = s.product,
                rs = if paid { "PAID" } else { "NOT_PAID" },
                i = s.index,
                sid = 800_000 + s.index,
            )
        })
        .collect();
    paginate(request, &items)
}

/// Every charge of every subscription; Hotmart's default window is the last 30 days.
fn subscription_transactions(store: &Store, request: &RecordedRequest) -> Reply {
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
            && query.allows(
                "subscriber_email",
                &format!("assinante{}@example.com", s.index),
            )
            && query.allows("billing_type", "SUBSCRIPTION")
            && product_id.is_none_or(|id| id == p.id))
        {
            continue;
        }
        for (number, date, transaction) in store.charges(s) {
            if date < start || date > end || !query.allows("transaction", &transaction) {
                continue;
            }
            items.push(format!(
                r#"{{"transaction":"{transaction}","subscriber_code":"{code}","subscription_id":{id},"product":{{"id":{pid},"name":{pname}}},"subscriber":{{"name":"Assinante {i}","email":"assinante{i}@example.com"}},"recurrency_number":{number},"billing_type":"SUBSCRIPTION","subscription_status":"{status}","recurrency_status":"PAID","purchase_status":"APPROVED","transaction_date":{date},"payment_type":"CREDIT_CARD","price":{{"value":{price},"currency_code":"{cur}"}},"offer":{{"code":"off{po:03}"}}}}"#,
                code = s.code,
                id = s.id,
                pid = p.id,
                pname = quote(p.name),
                i = s.index,
                status = s.status,
                price = s.price,
                cur = s.currency,
                po = s.product,
            ));
        }
    }
    paginate(request, &items)
}

/// A bare array, as Hotmart answers this one.
fn purchases(store: &Store, code: &str) -> Reply {
    let Some(s) = store.subscriptions.iter().find(|s| s.code == code) else {
        return Err(not_found());
    };
    let items: Vec<String> = store
        .charges(s)
        .into_iter()
        .map(|(number, date, transaction)| {
            format!(
                r#"{{"transaction":"{transaction}","approved_date":{date},"payment_engine":"HotPay","status":"APPROVED","price":{{"value":{price},"currency_code":"{cur}"}},"payment_type":"CREDIT_CARD","payment_method":"VISA_CREDIT_CARD","recurrency_number":{number},"under_warranty":{warranty},"purchase_subscription":true}}"#,
                price = s.price,
                cur = s.currency,
                warranty = store.now - date < 7 * DAY,
            )
        })
        .collect();
    Ok(Answer::json(200, format!("[{}]", items.join(","))))
}

#[derive(Clone, Copy)]
enum Change {
    Cancel,
    Reactivate,
}

/// Applies a cancel or reactivate to one subscription: `Ok(entry)` changed, `Err(entry)` not.
fn apply(store: &mut Store, code: &str, change: Change) -> Result<String, String> {
    let Some(s) = store.subscriptions.iter_mut().find(|s| s.code == code) else {
        return Err(format!(
            r#"{{"subscriber_code":{},"error":"SUBSCRIPTION_NOT_FOUND"}}"#,
            quote(code)
        ));
    };
    let (ok, error) = match change {
        Change::Cancel => (
            s.status == "ACTIVE" || s.status == "DELAYED" || s.status == "STARTED",
            "SUBSCRIPTION_ALREADY_CANCELED_OR_OVERDUE",
        ),
        Change::Reactivate => (
            s.status.starts_with("CANCELLED") || s.status == "INACTIVE",
            "SUBSCRIPTION_ALREADY_ACTIVE",
        ),
    };
    if ok {
        s.status = match change {
            Change::Cancel => "CANCELLED_BY_SELLER",
            // The mock skips the subscriber's confirmation link that Hotmart e-mails.
            Change::Reactivate => "ACTIVE",
        }
        .to_owned();
    }
    let entry = format!(
        r#"{{"status":"{status}",{error}"subscriber_code":"{code}","creation_date":"2023-11-14 12:00:00","current_recurrence":1,"date_next_charge":"2030-01-{day:02} 12:00:00","due_day":{day},"interval_type_between_charges":"MONTH","interval_between_charges":1,"max_charge_cycles":12,"shopper":{{"email":"assinante{i}@example.com","phone":"(31) 98888{i:04}"}}}}"#,
        status = s.status,
        error = if ok {
            String::new()
        } else {
            format!(r#""error":"{error}","#)
        },
        code = s.code,
        day = s.due_day,
        i = s.index,
    );
    if ok { Ok(entry) } else { Err(entry) }
}

fn change_many(store: &mut Store, request: &RecordedRequest, change: Change) -> Reply {
    if request.body.is_empty() {
        // Nothing asked, nothing changed. Hotmart's answer to a body-less call is not
        // documented; an empty 200 keeps the mock's earlier behaviour, which tests of
        // empty bodies rely on.
        return Ok(Answer::json(200, ""));
    }
    let body = body(request)?;
    let Some(Value::Array(codes)) = member(&body, "subscriber_code") else {
        return Err(bad("subscriber_code must be a list of codes"));
    };
    let (mut success, mut fail) = (Vec::new(), Vec::new());
    for code in codes {
        let Value::String(code) = code else {
            return Err(bad("subscriber_code must be a list of codes"));
        };
        match apply(store, code, change) {
            Ok(entry) => success.push(entry),
            Err(entry) => fail.push(entry),
        }
    }
    Ok(Answer::json(
        200,
        format!(
            r#"{{"success_subscriptions":[{}],"fail_subscriptions":[{}]}}"#,
            success.join(","),
            fail.join(",")
        ),
    ))
}

fn change_one(store: &mut Store, code: &str, change: Change) -> Reply {
    if !store.subscriptions.iter().any(|s| s.code == code) {
        return Err(not_found());
    }
    match apply(store, code, change) {
        Ok(entry) => Ok(Answer::json(200, entry)),
        Err(_) => Err(Answer::error(
            400,
            "invalid_value_parameter",
            "The subscription is not in a state that allows this",
        )),
    }
}

fn due_day(store: &mut Store, code: &str, request: &RecordedRequest) -> Reply {
    let body = body(request)?;
    let day = match member(&body, "due_day") {
        Some(Value::Number(Number::U64(day @ 1..=31))) => *day,
        _ => return Err(bad("due_day must be a day of the month, 1 to 31")),
    };
    let Some(s) = store.subscriptions.iter_mut().find(|s| s.code == code) else {
        return Err(not_found());
    };
    s.due_day = day;
    Ok(Answer::json(200, ""))
}

fn create_coupon(store: &mut Store, product_id: &str, request: &RecordedRequest) -> Reply {
    let Some(product_id) = product_id
        .parse::<u64>()
        .ok()
        .filter(|id| store.products.iter().any(|p| p.id == *id))
    else {
        return Err(not_found());
    };
    let body = body(request)?;
    let (Some(Value::String(code)), Some(Value::Number(discount))) =
        (member(&body, "code"), member(&body, "discount"))
    else {
        return Err(bad("code and discount are required"));
    };
    let discount = match *discount {
        Number::F64(d) => d,
        Number::U64(d) => d as f64,
        Number::I64(d) => d as f64,
    };
    if !(discount > 0.0 && discount < 0.99) {
        return Err(bad("discount must be above 0 and below 0.99"));
    }
    if store
        .coupons
        .iter()
        .any(|c| c.product_id == product_id && c.code == *code)
    {
        return Err(Answer::error(
            409,
            "conflict",
            "A coupon with this code exists",
        ));
    }
    let id = store.next_coupon_id;
    store.next_coupon_id += 1;
    store.coupons.push(super::data::CouponRec {
        id,
        product_id,
        code: code.clone(),
        discount,
    });
    Ok(Answer::json(200, ""))
}

/// A product's coupons; an empty body when it has none, as Hotmart answers.
fn coupons(store: &Store, product_id: &str, request: &RecordedRequest) -> Reply {
    let Ok(product_id) = product_id.parse::<u64>() else {
        return Err(not_found());
    };
    let query = Query(request);
    let items: Vec<String> = store
        .coupons
        .iter()
        .filter(|c| c.product_id == product_id && query.allows("code", &c.code))
        .map(|c| {
            format!(
                r#"{{"coupon_id":{id},"code":{code},"discount":{discount},"status":"ACTIVE","product_id":{pid},"start_date":{start}}}"#,
                id = c.id,
                code = quote(&c.code),
                discount = c.discount,
                pid = c.product_id,
                start = store.now - DAY,
            )
        })
        .collect();
    if items.is_empty() {
        return Ok(Answer::json(200, ""));
    }
    paginate(request, &items)
}

fn delete_coupon(store: &mut Store, id: &str) -> Reply {
    let before = store.coupons.len();
    let id = id.parse::<u64>().map_err(|_| not_found())?;
    store.coupons.retain(|c| c.id != id);
    if store.coupons.len() == before {
        return Err(not_found());
    }
    Ok(Answer::json(200, ""))
}

fn negotiation(store: &mut Store, request: &RecordedRequest) -> Reply {
    let body = body(request)?;
    let Some(Value::String(code)) = member(&body, "subscriber_code") else {
        return Err(bad("subscriber_code is required"));
    };
    if !store.subscriptions.iter().any(|s| s.code == *code) {
        return Err(not_found());
    }
    store.negotiations += 1;
    Ok(Answer::json(
        200,
        format!(
            r#"{{"negotiation_id":"NEG{n:05}","subscriber_code":{code},"url":"https://pay.hotmart.com/negotiation/NEG{n:05}","expiration_date":{exp},"status":"CREATED"}}"#,
            n = store.negotiations,
            code = quote(code),
            exp = store.now + 3 * DAY,
        ),
    ))
}
