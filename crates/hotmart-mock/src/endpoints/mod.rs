//! The local Hotmart's API endpoints: each path, filter and default as Hotmart documents it,
//! over the fictional shop of [`data`].

mod catalog;
pub(super) mod data;
mod payments;

use std::str::FromStr;

use super::{Answer, RecordedRequest, State, lock};

/// An answer either way: handlers return `Err` for an error answer, so `?` reads well.
type Reply = Result<Answer, Answer>;

pub(super) fn route(state: &State, request: &RecordedRequest) -> Answer {
    let segments: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    let method = request.method.as_str();
    let mut store = lock(&state.store);
    let store = &mut *store;
    let reply = match (method, segments.as_slice()) {
        ("GET", ["user", "api", "v1", "me"]) => Ok(Answer::json(
            200,
            r#"{"id":4242,"name":"Mock Producer","email":"producer@example.com","ucode":"mock-producer"}"#,
        )),
        (_, ["payments", "api", "v1", rest @ ..]) => payments::route(store, method, rest, request),
        (_, ["products", "api", "v1", rest @ ..]) => {
            catalog::products(store, method, rest, request)
        }
        (_, ["club", "api", "v1", rest @ ..]) => catalog::club(store, method, rest, request),
        (_, ["events", "api", "v1", rest @ ..]) => catalog::events(store, method, rest, request),
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

impl Query<'_> {
    fn text(&self, name: &str) -> Option<&str> {
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

/// A page of `items` as Hotmart's cursor pagination serves it: `max_results` from 1 to 500
/// (default 10, larger is a 400 as on Hotmart), `page_token` an opaque offset.
fn paginate(request: &RecordedRequest, items: &[String]) -> Reply {
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
    let end = (start + per_page).min(total);
    let mut page_info = format!(r#""total_results":{total},"results_per_page":{per_page}"#);
    if end < total {
        page_info.push_str(&format!(r#","next_page_token":"mock-page-{end}""#));
    }
    if start > 0 {
        let prev = start.saturating_sub(per_page);
        page_info.push_str(&format!(r#","prev_page_token":"mock-page-{prev}""#));
    }
    Ok(Answer::json(
        200,
        format!(
            r#"{{"items":[{}],"page_info":{{{page_info}}}}}"#,
            items[start..end].join(",")
        ),
    ))
}

/// A request body as JSON; anything else is Hotmart's 400.
fn body(request: &RecordedRequest) -> Result<miniserde::json::Value, Answer> {
    std::str::from_utf8(&request.body)
        .ok()
        .and_then(|text| miniserde::json::from_str(text).ok())
        .ok_or_else(|| bad("the request body must be JSON"))
}

/// A member of a JSON object body.
fn member<'v>(value: &'v miniserde::json::Value, name: &str) -> Option<&'v miniserde::json::Value> {
    match value {
        miniserde::json::Value::Object(object) => object.get(name),
        _ => None,
    }
}
