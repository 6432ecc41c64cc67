//! The mock's API: bearer checks and the rate limit before the endpoints.

use std::time::Instant;

use crate::RecordedRequest;
use crate::answer::Answer;
use crate::endpoints;
use crate::lock::lock;
use crate::state::State;
use crate::webhook::payload;

pub(crate) fn respond(state: &State, request: &RecordedRequest) -> Answer {
    if let Err(answer) = authorize(state, request) {
        return answer;
    }
    let (allowed, headers) = lock(&state.rate).take();
    let mut answer = if allowed {
        route(state, request)
    } else {
        Answer::error(429, "too_many_requests", "Rate limit exceeded")
    };
    answer.headers.extend(headers);
    answer
}

/// The bearer token must be one the mock issued, not expired and not revoked.
fn authorize(state: &State, request: &RecordedRequest) -> Result<(), Answer> {
    let Some(value) = request.header("authorization") else {
        return Err(Answer::error(
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        ));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let now = Instant::now();
    let valid = token.is_some_and(|token| {
        lock(&state.tokens)
            .iter()
            .any(|(issued, expires_at)| issued == token && now < *expires_at)
    });
    if valid {
        Ok(())
    } else {
        Err(Answer::error(
            401,
            "invalid_token",
            "Invalid or expired access token",
        ))
    }
}

/// The endpoint's answer; the changes it made to the shop are queued as webhooks (the
/// sending thread posts them, so the answer never waits for a receiver).
fn route(state: &State, request: &RecordedRequest) -> Answer {
    let mut store = lock(&state.store);
    let answer = endpoints::route(&mut store, request);
    let changes = std::mem::take(&mut store.changes);
    if let Some(hooks) = &state.webhooks {
        for change in &changes {
            let (kind, subject) = payload::from_change(&store, change);
            hooks.send(kind, subject);
        }
    }
    answer
}
