//! `/products/api/v1/…`, `/club/api/v1/…` and `/events/api/v1/…`.

use super::data::{DAY, Store, quote};
use super::{Answer, Query, RecordedRequest, Reply, bad, not_found, paginate};

/// The one Club the mock has; any other subdomain answers as an empty Club does on Hotmart:
/// 200 with an empty body.
pub(crate) const CLUB: &str = "mock-club";

const MODULES: [(&str, &str, bool); 4] = [
    ("mod-intro-1", "Boas-vindas", false),
    ("mod-rust-22", "Rust sem medo", false),
    ("mod-cron-33", "Agendando tarefas", false),
    ("mod-bonus-4", "Bônus: OAuth na prática", true),
];

const STUDENTS: usize = 7;

pub(super) fn products(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    let query = Query(request);
    match (method, path) {
        ("GET", ["products"]) => {
            let id = query.number::<u64>("id")?;
            let items: Vec<String> = store
                .products
                .iter()
                .filter(|p| {
                    id.is_none_or(|id| id == p.id)
                        && query.allows("status", p.status)
                        && query.allows("format", p.format)
                })
                .map(|p| {
                    format!(
                        r#"{{"id":{id},"name":{name},"ucode":"{ucode}","status":"{status}","created_at":{created},"format":"{format}","is_subscription":{sub},"warranty_period":7}}"#,
                        id = p.id,
                        name = quote(p.name),
                        ucode = p.ucode,
                        status = p.status,
                        created = p.created_at,
                        format = p.format,
                        sub = p.is_subscription,
                    )
                })
                .collect();
            paginate(request, &items)
        }
        ("GET", ["products", ucode, "offers"]) => {
            let (at, p) = store
                .products
                .iter()
                .enumerate()
                .find(|(_, p)| p.ucode == *ucode)
                .ok_or_else(not_found)?;
            let items = [(format!("off{at:03}"), p.price, true), (format!("promo{at:03}"), (p.price * 0.8).round(), false)]
                .into_iter()
                .map(|(code, price, main)| {
                    format!(
                        r#"{{"code":"{code}","name":"","description":"","price":{{"value":{price},"currency_code":"{cur}"}},"payment_mode":"PAY_IN_FULL","is_currency_conversion_enabled":true,"is_main_offer":{main},"is_smart_recovery_enabled":false}}"#,
                        cur = p.currency,
                    )
                })
                .collect::<Vec<_>>();
            paginate(request, &items)
        }
        ("GET", ["products", ucode, "plans"]) => {
            let p = store
                .products
                .iter()
                .find(|p| p.ucode == *ucode)
                .ok_or_else(not_found)?;
            let items = [("MONTHLY", 1.0, None), ("ANNUAL", 10.0, Some(7))]
                .into_iter()
                .enumerate()
                .map(|(i, (periodicity, factor, trial))| {
                    let trial = trial.map_or(String::new(), |days| {
                        // Hotmart sends this one as a string in places.
                        format!(r#""trial_period":"{days}","#)
                    });
                    format!(
                        r#"{{"code":"plan{i}{id}","name":"Plano {periodicity}","description":"","price":{{"value":{price},"currency_code":"{cur}"}},"payment_mode":"ASSINATURA","periodicity":"{periodicity}","max_installments":{inst},{trial}"is_subscription_recovery_enabled":false,"is_switch_plan_enabled":true}}"#,
                        id = p.id,
                        price = p.price * factor,
                        cur = p.currency,
                        inst = if i == 0 { 1 } else { 12 },
                    )
                })
                .collect::<Vec<_>>();
            paginate(request, &items)
        }
        _ => Err(not_found()),
    }
}

pub(super) fn club(_: &mut Store, method: &str, path: &[&str], request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let Some(subdomain) = query.text("subdomain") else {
        return Err(bad("subdomain is required"));
    };
    if method != "GET" {
        return Err(not_found());
    }
    if subdomain != CLUB {
        return Ok(Answer::json(200, ""));
    }
    match path {
        ["modules"] => {
            let extra = query.text("is_extra") == Some("true");
            let items: Vec<String> = MODULES
                .iter()
                .enumerate()
                .filter(|(_, m)| m.2 == extra)
                .map(|(i, (id, name, is_extra))| {
                    format!(
                        r#"{{"module_id":"{id}","name":{name},"sequence":{seq},"is_extra":{is_extra},"is_extra_paid":false,"is_public":{public},"classes":["class-main"],"total_pages":3}}"#,
                        name = quote(name),
                        seq = i + 1,
                        public = i == 0,
                    )
                })
                .collect();
            Ok(Answer::json(200, format!("[{}]", items.join(","))))
        }
        ["modules", module_id, "pages"] => {
            let (m, _) = MODULES
                .iter()
                .enumerate()
                .find(|(_, m)| m.0 == *module_id)
                .ok_or_else(not_found)?;
            let items: Vec<String> = (1..=3)
                .map(|order| {
                    format!(
                        r#"{{"page_id":"pg-{m}-{order}","name":"Aula {order}","page_order":{order},"type":"CONTENT","has_media":true,"has_duration":false,"total_comments":{comments}}}"#,
                        comments = (m + order) % 4,
                    )
                })
                .collect();
            Ok(Answer::json(200, format!("[{}]", items.join(","))))
        }
        ["users"] => {
            let items: Vec<String> = (0..STUDENTS)
                .filter(|i| query.allows("email", &format!("aluno{i}@example.com")))
                .map(|i| {
                    let completed = i % 4;
                    // Epoch seconds, as in Hotmart's published example of this endpoint.
                    format!(
                        r#"{{"user_id":"user-{i}","engagement":"{eng}","name":"Aluno {i}","email":"aluno{i}@example.com","last_access_date":{last},"role":"STUDENT","first_access_date":{first},"locale":"pt_BR","plus_access":"WITHOUT_PLUS_ACCESS","progress":{{"completed_percentage":{pct},"total":9,"completed":{completed}}},"status":"ACTIVE","access_count":{access},"is_deletable":true,"class_id":"class-main","type":"BUYER"}}"#,
                        eng = ["NONE", "LOW", "MEDIUM", "HIGH"][i % 4],
                        last = 1_700_000_000 + i * 3_600,
                        first = 1_690_000_000 + i * 3_600,
                        pct = completed * 100 / 9,
                        access = i + 1,
                    )
                })
                .collect();
            if items.is_empty() {
                return Ok(Answer::json(200, ""));
            }
            paginate(request, &items)
        }
        ["users", user_id, "lessons"] => {
            let i = user_id
                .strip_prefix("user-")
                .and_then(|i| i.parse::<usize>().ok())
                .filter(|i| *i < STUDENTS)
                .ok_or_else(not_found)?;
            let lessons: Vec<String> = MODULES
                .iter()
                .enumerate()
                .flat_map(|(m, module)| (1..=3).map(move |order| (m, module, order)))
                .enumerate()
                .map(|(n, (m, (_, name, extra), order))| {
                    let done = n < i % 4;
                    let date = if done {
                        format!(r#","completed_date":{}"#, 1_700_000_000_000u64 + n as u64 * 60_000)
                    } else {
                        String::new()
                    };
                    format!(
                        r#"{{"page_id":"pg-{m}-{order}","page_name":"Aula {order}","module_name":{module},"is_module_extra":{extra},"is_completed":{done}{date}}}"#,
                        module = quote(name),
                    )
                })
                .collect();
            Ok(Answer::json(
                200,
                format!(r#"{{"lessons":[{}]}}"#, lessons.join(",")),
            ))
        }
        _ => Err(not_found()),
    }
}

/// The shop's one event, a product of its own (an event's id is its product's id).
const EVENT_ID: u64 = 3_000_001;

pub(super) fn events(
    store: &mut Store,
    method: &str,
    path: &[&str],
    request: &RecordedRequest,
) -> Reply {
    let is_event = |id: &str| id == EVENT_ID.to_string();
    match (method, path) {
        ("GET", [id, "info"]) if is_event(id) => Ok(Answer::json(
            200,
            format!(
                r#"{{"id":{EVENT_ID},"name":"Encontro Rust BH","start_date":{start},"end_date":{end},"location":"Belo Horizonte, MG","format":"PRESENTIAL","status":"ACTIVE"}}"#,
                start = store.now + 10 * DAY,
                end = store.now + 10 * DAY + 8 * 3_600_000,
            ),
        )),
        ("GET", [id, "participants"]) if is_event(id) => {
            let query = Query(request);
            let items: Vec<String> = (0..12)
                .filter(|i| query.allows("buyer_email", &format!("participante{i}@example.com")))
                .filter(|i| query.allows("batch_name", &format!("Lote {}", 1 + i / 6)))
                .map(|i| {
                    let checkin = if i % 3 == 0 {
                        format!(r#""checkin":true,"checkin_date":{},"#, store.now - DAY)
                    } else {
                        r#""checkin":false,"#.to_owned()
                    };
                    format!(
                        r#"{{"ticket_id":{tid},"ticket_code":"TK{EVENT_ID}{i:04}","batch_name":"Lote {lot}",{checkin}"transaction":"HP{tx:011}","name":"Participante {i}","email":"participante{i}@example.com","status":"{status}"}}"#,
                        tid = 60_000 + i,
                        lot = 1 + i / 6,
                        tx = 19_000_000_000u64 + i as u64,
                        status = if i == 11 { "COMPLIMENTARY" } else { "CONFIRMED" },
                    )
                })
                .collect();
            paginate(request, &items)
        }
        _ => Err(not_found()),
    }
}
