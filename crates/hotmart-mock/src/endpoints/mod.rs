//! The local Hotmart's API endpoints: each path, filter and default as Hotmart documents it,
//! over the fictional shop of [`data`]. One file per group of endpoints.

mod club;
mod coupons;
pub(crate) mod data;
mod events;
mod products;
mod sales;
mod subscriptions;

use std::str::FromStr;

use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{Value, array, object};
use data::Store;

/// An answer either way: handlers return `Err` for an error answer, so `?` reads well.
type Reply = Result<Answer, Answer>;

/// The answer of the API endpoint `request` names, over `store`.
pub(crate) fn route(store: &mut Store, request: &RecordedRequest) -> Answer {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let method = request.method.as_str();
    let reply = match (method, segments.as_slice()) {
        ("GET", ["user", "api", "v1", "me"]) => Ok(me()),
        (_, ["payments", "api", "v1", "sales", rest @ ..]) => {
            sales::route(store, method, rest, request)
        }
        (_, ["payments", "api", "v1", "subscriptions", rest @ ..]) => {
            subscriptions::route(store, method, rest, request)
        }
        ("POST", ["payments", "api", "v1", "negotiation"]) => {
            subscriptions::negotiation(store, request)
        }
        (_, ["payments", "api", "v1", rest @ ..]) => coupons::route(store, method, rest, request),
        (_, ["products", "api", "v1", rest @ ..]) => products::route(store, method, rest, request),
        (_, ["club", "api", "v1", rest @ ..]) => club::route(method, rest, request),
        (_, ["events", "api", "v1", rest @ ..]) => events::route(store, method, rest, request),
        _ => Err(not_found()),
    };
    reply.unwrap_or_else(|answer| answer)
}

/// `GET /user/api/v1/me`: the producer the credentials belong to.
fn me() -> Answer {
    let value = object! {
        "id": 4242u64,
        "name": "Mock Producer",
        "email": "producer@example.com",
        "ucode": "mock-producer",
    };
    Answer::json(200, &value)
}

fn not_found() -> Answer {
    Answer::error(404, "not_found", "No such resource")
}

fn bad(description: &str) -> Answer {
    Answer::error(400, "invalid_parameter", description)
}

/// The request's query, read as Hotmart reads it.
struct Query<'a>(&'a RecordedRequest);

impl<'a> Query<'a> {
    fn text(&self, name: &str) -> Option<&'a str> {
        self.0.query_value(name)
    }

    /// A number parameter; one that is not a number is Hotmart's 400.
    fn number<T: FromStr>(&self, name: &str) -> Result<Option<T>, Answer> {
        match self.text(name) {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| bad(&format!("{name} must be a number"))),
        }
    }

    /// Whether an optional text filter lets `value` through.
    fn allows(&self, name: &str, value: &str) -> bool {
        self.text(name).is_none_or(|wanted| wanted == value)
    }
}

/// Whether an optional filter, read once, lets `value` through.
fn allows(wanted: Option<&str>, value: &str) -> bool {
    wanted.is_none_or(|wanted| wanted == value)
}

/// A page of `items` as Hotmart's cursor pagination serves it: `max_results` from 1 to 500
/// (default 10, larger is a 400 as on Hotmart), `page_token` an opaque offset. Only the
/// page's items are turned into JSON, by `json`.
fn paginate<T>(request: &RecordedRequest, items: &[T], json: impl Fn(&T) -> Value) -> Reply {
    let query = Query(request);
    let per_page = match query.number::<usize>("max_results")? {
        None => 10,
        Some(n @ 1..=500) => n,
        Some(_) => return Err(bad("max_results must be between 1 and 500")),
    };
    let total = items.len();
    let start = match query.text("page_token") {
        None => 0,
        Some(token) => match token.strip_prefix("mock-page-").map(str::parse::<usize>) {
            Some(Ok(offset)) if offset < total => offset,
            _ => return Err(Answer::error(400, "invalid_token", "Invalid page token")),
        },
    };
    let end = start.saturating_add(per_page).min(total);
    let next = (end < total).then(|| format!("mock-page-{end}"));
    let prev = (start > 0).then(|| format!("mock-page-{}", start.saturating_sub(per_page)));
    let page = object! {
        "items": array(items[start..end].iter().map(json)),
        "page_info": object! {
            "total_results": total,
            "results_per_page": per_page,
            "next_page_token": next,
            "prev_page_token": prev,
        },
    };
    Ok(Answer::json(200, &page))
}

/// A bare array, as Hotmart answers some lists.
fn list(items: impl IntoIterator<Item = Value>) -> Answer {
    Answer::json(200, &array(items))
}

/// A request body as JSON; anything else is Hotmart's 400.
fn body(request: &RecordedRequest) -> Result<Value, Answer> {
    std::str::from_utf8(&request.body)
        .ok()
        .and_then(|text| miniserde::json::from_str(text).ok())
        .ok_or_else(|| bad("the request body must be JSON"))
}

/// A member of a JSON object body.
fn member<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    match value {
        Value::Object(object) => object.get(name),
        _ => None,
    }
}

/// `{"value":…,"currency_code":…}`, as Hotmart writes an amount.
fn money(value: f64, currency: &str) -> Value {
    object! { "value": value, "currency_code": currency }
}
