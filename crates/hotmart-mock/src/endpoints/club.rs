//! `/club/api/v1/…`: the modules, pages, students and lessons of the shop's one Club.

use super::{Query, Reply, bad, list, not_found, paginate};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{array, object};

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

pub(super) fn route(method: &str, path: &[&str], request: &RecordedRequest) -> Reply {
    let query = Query(request);
    let Some(subdomain) = query.text("subdomain") else {
        return Err(bad("subdomain is required"));
    };
    if method != "GET" {
        return Err(not_found());
    }
    if subdomain != CLUB {
        return Ok(Answer::empty());
    }
    match path {
        ["modules"] => Ok(modules(&query)),
        ["modules", module_id, "pages"] => pages(module_id),
        ["users"] => users(&query, request),
        ["users", user_id, "lessons"] => lessons(user_id),
        _ => Err(not_found()),
    }
}

fn modules(query: &Query<'_>) -> Answer {
    let extra = query.text("is_extra") == Some("true");
    let items = MODULES
        .iter()
        .enumerate()
        .filter(|(_, m)| m.2 == extra)
        .map(|(i, (id, name, is_extra))| {
            object! {
                "module_id": *id,
                "name": *name,
                "sequence": i + 1,
                "is_extra": *is_extra,
                "is_extra_paid": false,
                "is_public": i == 0,
                "classes": vec!["class-main"],
                "total_pages": 3u64,
            }
        });
    list(items)
}

fn pages(module_id: &str) -> Reply {
    let m = module_index(module_id)?;
    let items = (1..=3usize).map(|order| {
        object! {
            "page_id": format!("pg-{m}-{order}"),
            "name": format!("Aula {order}"),
            "page_order": order,
            "type": "CONTENT",
            "has_media": true,
            "has_duration": false,
            "total_comments": (m + order) % 4,
        }
    });
    Ok(list(items))
}

fn users(query: &Query<'_>, request: &RecordedRequest) -> Reply {
    let email = |i: usize| format!("aluno{i}@example.com");
    let items: Vec<usize> = (0..STUDENTS)
        .filter(|i| query.allows("email", &email(*i)))
        .collect();
    if items.is_empty() {
        return Ok(Answer::empty());
    }
    paginate(request, &items, |&i| {
        let completed = i % 4;
        // Epoch seconds, as in Hotmart's published example of this endpoint.
        object! {
            "user_id": format!("user-{i}"),
            "engagement": ["NONE", "LOW", "MEDIUM", "HIGH"][i % 4],
            "name": format!("Aluno {i}"),
            "email": email(i),
            "last_access_date": 1_700_000_000 + i * 3_600,
            "role": "STUDENT",
            "first_access_date": 1_690_000_000 + i * 3_600,
            "locale": "pt_BR",
            "plus_access": "WITHOUT_PLUS_ACCESS",
            "progress": object! {
                "completed_percentage": completed * 100 / 9,
                "total": 9u64,
                "completed": completed,
            },
            "status": "ACTIVE",
            "access_count": i + 1,
            "is_deletable": true,
            "class_id": "class-main",
            "type": "BUYER",
        }
    })
}

fn lessons(user_id: &str) -> Reply {
    let i = user_id
        .strip_prefix("user-")
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < STUDENTS)
        .ok_or_else(not_found)?;
    let lessons: Vec<_> = MODULES
        .iter()
        .enumerate()
        .flat_map(|(m, module)| (1..=3).map(move |order| (m, module, order)))
        .enumerate()
        .map(|(n, (m, (_, name, extra), order))| {
            let done = n < i % 4;
            object! {
                "page_id": format!("pg-{m}-{order}"),
                "page_name": format!("Aula {order}"),
                "module_name": *name,
                "is_module_extra": *extra,
                "is_completed": done,
                "completed_date": done.then(|| 1_700_000_000_000u64 + n as u64 * 60_000),
            }
        })
        .collect();
    Ok(Answer::json(200, &object! { "lessons": lessons }))
}

/// `GET /club/api/v2/modules/{module_id}/pages?product_id=`: a module's pages with their drip
/// rules, a bare array in the shape of Hotmart's published example. The Club is the one of the
/// shop's first product; any other product has none (an empty array).
pub(super) fn pages_v2(module_id: &str, request: &RecordedRequest) -> Reply {
    let Some(product_id) = Query(request).number::<u64>("product_id")? else {
        return Err(bad("product_id is required"));
    };
    if product_id != super::data::FIRST_PRODUCT_ID {
        return Ok(list(Vec::new()));
    }
    let m = module_index(module_id)?;
    let items = (1..=3usize).map(|order| {
        object! {
            "page_id": format!("pg-{m}-{order}"),
            "name": format!("Aula {order}"),
            "type": "CONTENT",
            "page_order": order,
            "total_comments": (m + order) % 4,
            "rates": array(Vec::new()),
            "rates_average": 0.0,
            "published": true,
            "has_media": true,
            "dripping_configs": vec![object! {
                "liberation": object! { "type": "BY_DAYS", "liberation_days": order * 7 },
                "classes": vec![object! {
                    "id": "class-main",
                    "name": "DEFAULT_CLASS",
                    "default_class": true,
                }],
            }],
        }
    });
    Ok(list(items))
}

/// The index of the module `module_id` in the shop's Club, or the 404 Hotmart answers.
fn module_index(module_id: &str) -> Result<usize, Answer> {
    MODULES
        .iter()
        .position(|m| m.0 == module_id)
        .ok_or_else(not_found)
}
