//! The mock's token endpoint: checks the request as Hotmart's server does, issues tokens.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::object;
use crate::lock::lock;
use crate::state::State;

pub(crate) fn respond(state: &State, request: &RecordedRequest) -> Answer {
    match check(state, request) {
        Ok(()) => issue(state),
        Err(answer) => answer,
    }
}

/// The checks of a Spring Security OAuth2 token endpoint, in its order: method, client
/// authentication (Basic), then the grant.
fn check(state: &State, request: &RecordedRequest) -> Result<(), Answer> {
    if request.method != "POST" {
        return Err(Answer::error(
            405,
            "method_not_allowed",
            "Request method not supported",
        ));
    }
    let unauthorized = || {
        Answer::error(
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        )
    };
    let basic = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Basic "))
        .ok_or_else(unauthorized)?;
    let decoded = STANDARD
        .decode(basic.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(unauthorized)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(unauthorized)?;
    if id != state.client_id || secret != state.client_secret {
        return Err(Answer::error(401, "unauthorized", "Bad credentials"));
    }

    // Parameters come from the query or, in a form body, from the body.
    let content_type = request.header("content-type").unwrap_or("");
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let mut params = request.query.clone();
    if form {
        let body = String::from_utf8_lossy(&request.body);
        params.extend(crate::query::parse(&body));
    } else if !request.body.is_empty() {
        return Err(Answer::error(
            400,
            "invalid_request",
            "The token request takes no body",
        ));
    }
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    if param("client_id").is_some_and(|given| *given != state.client_id) {
        return Err(Answer::error(
            401,
            "invalid_client",
            "Given client ID does not match authenticated client",
        ));
    }
    if param("client_secret").is_some_and(|given| *given != state.client_secret) {
        return Err(Answer::error(401, "unauthorized", "Bad credentials"));
    }
    match param("grant_type").map(String::as_str) {
        None => Err(Answer::error(400, "invalid_request", "Missing grant type")),
        Some("client_credentials") => Ok(()),
        Some(_) => Err(Answer::error(
            400,
            "unsupported_grant_type",
            "Unsupported grant type",
        )),
    }
}

/// The most live tokens kept; each API call looks its token up among them.
const MAX_TOKENS: usize = 10_000;

fn issue(state: &State) -> Answer {
    let n = state.next_token.fetch_add(1, Ordering::SeqCst);
    let noise = state.seed.rotate_left(n as u32 % 64) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let token = format!("mock-at.{n}.{noise:016x}");
    let lifetime = state.token_lifetime_secs.load(Ordering::SeqCst);
    // Beyond ten years the exact expiry does not matter, and the clock may not reach it.
    let expires_at = Instant::now()
        .checked_add(Duration::from_secs(lifetime.min(10 * 365 * 86_400)))
        .unwrap_or_else(Instant::now);
    let mut tokens = lock(&state.tokens);
    // Expired tokens answer 401 anyway, and a server that runs for days (`hotmart mock`)
    // issues one a run to a cron job that does not cache them: only live ones are kept, and
    // at most MAX_TOKENS of those (an older one then answers 401, and is fetched again).
    let now = Instant::now();
    tokens.retain(|(_, expires)| now < *expires);
    if tokens.len() >= MAX_TOKENS {
        tokens.remove(0);
    }
    tokens.push((token.clone(), expires_at));
    drop(tokens);
    let jti = format!("{:08x}-mock-{n}", noise as u32);
    let value = object! {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": lifetime,
        "scope": "read write",
        "jti": jti,
    };
    Answer::json(200, &value)
}
