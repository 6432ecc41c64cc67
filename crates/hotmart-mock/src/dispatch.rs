//! From a request to the local Hotmart's answer: record it, apply a queued fault, route it to
//! the token endpoint or the API.

use std::thread;

use crate::answer::Answer;
use crate::http::{Request, Response};
use crate::lock::lock;
use crate::state::State;
use crate::{Endpoint, Fault, RecordedRequest, TOKEN_PATH, api, token};

/// The answer to `request`; `None` for none at all.
pub(crate) fn serve(state: &State, request: &Request) -> Option<Response> {
    let recorded = RecordedRequest::new(request);
    lock(&state.requests).push(recorded.clone());
    let endpoint = if recorded.path == TOKEN_PATH {
        Endpoint::Token
    } else {
        Endpoint::Api
    };
    let answer = match state.take_fault(endpoint) {
        None => Some(route(state, endpoint, &recorded)),
        Some(fault) => faulty(state, endpoint, &recorded, fault),
    };
    answer.map(Answer::into_response)
}

fn route(state: &State, endpoint: Endpoint, request: &RecordedRequest) -> Answer {
    match endpoint {
        Endpoint::Token => token::respond(state, request),
        Endpoint::Api => api::respond(state, request),
    }
}

/// The answer a fault calls for; `None` for no answer at all.
fn faulty(
    state: &State,
    endpoint: Endpoint,
    request: &RecordedRequest,
    fault: Fault,
) -> Option<Answer> {
    let answer = match fault {
        Fault::Status(status) => Answer::error(status, "injected", "Injected failure"),
        Fault::Response {
            status,
            content_type,
            body,
        } => Answer {
            status,
            content_type,
            headers: Vec::new(),
            body,
        },
        Fault::Delay(delay) => {
            thread::sleep(delay);
            route(state, endpoint, request)
        }
        Fault::NotJson => Answer {
            status: 200,
            content_type: "text/html".to_owned(),
            headers: Vec::new(),
            body: b"<html><body>Service temporarily unavailable</body></html>".to_vec(),
        },
        Fault::Truncated => {
            let mut answer = route(state, endpoint, request);
            answer.status = 200;
            answer.body.truncate(answer.body.len() / 2);
            answer
        }
        Fault::Oversized(len) => {
            let mut body = b"{\"padding\":\"".to_vec();
            body.resize(len.saturating_sub(2).max(body.len()), b'x');
            body.extend_from_slice(b"\"}");
            Answer::raw(200, body)
        }
        Fault::NoResponse => return None,
    };
    Some(answer)
}
