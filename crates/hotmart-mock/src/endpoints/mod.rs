//! The local Hotmart's API endpoints: each path, filter and default as Hotmart documents it,
//! over the fictional shop of [`data`]. One file per group of endpoints.

mod account;
mod club;
mod coupons;
pub(crate) mod data;
mod events;
mod links;
mod negotiate;
mod physical;
mod products;
mod sales;
mod subscriptions;
pub(crate) mod switch;
mod transactions;

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
    // Hotmart's own paths only: the ones a client library invented (coupons and negotiation
    // under `/payments`) are 404 here, as on Hotmart.
    let reply = match (method, segments.as_slice()) {
        ("GET", ["user", "api", "v1", "me"]) => Ok(account::me()),
        ("POST", ["accounts", "api", "v1", "info"]) => account::info(request),
        (_, ["payments", "api", "v1", "sales", rest @ ..]) => {
            sales::route(store, method, rest, request)
        }
        (
            _,
            [
                "payments",
                "api",
                "v1",
                "subscriptions",
                "switch-plan",
                rest @ ..,
            ],
        ) => switch::route(store, method, rest, request),
        ("GET", ["payments", "api", "v1", "subscriptions", "transactions"]) => {
            transactions::transactions(store, request)
        }
        (_, ["payments", "api", "v1", "subscriptions", rest @ ..]) => {
            subscriptions::route(store, method, rest, request)
        }
        ("POST", ["payments", "api", "v1", "installments", "negotiate"]) => {
            negotiate::negotiate(store, request)
        }
        (_, ["payments", "api", "v1", "link", rest @ ..]) => {
            links::route(store, method, rest, request)
        }
        (_, ["products", "api", "v1", rest @ ..]) => products::route(store, method, rest, request),
        (_, ["club", "api", "v1", rest @ ..]) => club::route(method, rest, request),
        ("GET", ["club", "api", "v2", "modules", module_id, "pages"]) => {
            club::pages_v2(module_id, request)
        }
        (_, ["events", "api", "v1", rest @ ..]) => events::route(store, method, rest, request),
        (_, ["physicalproducts", "api", version, rest @ ..]) => {
            physical::route(store, method, version, rest, request)
        }
        _ => Err(not_found()),
    };
    reply.unwrap_or_else(|answer| answer)
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

    /// Whether an optional text filter lets `value` through. A parameter given more than once
    /// (`status=ACTIVE&status=DELAYED`) lets any of its values through, as Hotmart reads it.
    fn allows(&self, name: &str, value: &str) -> bool {
        let mut wanted = self.0.query.iter().filter(|(n, _)| n == name).peekable();
        wanted.peek().is_none() || wanted.any(|(_, v)| v == value)
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
    if total == 0 {
        // Hotmart's answer to a list with nothing in it: no items, no cursor.
        return Ok(Answer::json(
            200,
            &object! { "items": array(Vec::new()), "page_info": Value::Object(crate::json::Object::new()) },
        ));
    }
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

/// A member of a JSON object body as text.
fn text<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    match member(value, name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// A member of a JSON object body as a number, whichever way it was written.
fn number(value: &Value, name: &str) -> Option<f64> {
    match member(value, name) {
        Some(Value::Number(miniserde::json::Number::U64(n))) => Some(*n as f64),
        Some(Value::Number(miniserde::json::Number::I64(n))) => Some(*n as f64),
        Some(Value::Number(miniserde::json::Number::F64(n))) => Some(*n),
        _ => None,
    }
}

/// A body that must be a JSON object (any members): Hotmart's 400 otherwise.
fn object_body(request: &RecordedRequest) -> Result<Value, Answer> {
    match body(request)? {
        value @ Value::Object(_) => Ok(value),
        _ => Err(bad("the request body must be a JSON object")),
    }
}

/// `{"value":…,"currency_code":…}`, as Hotmart writes an amount.
fn money(value: f64, currency: &str) -> Value {
    object! { "value": value, "currency_code": currency }
}
