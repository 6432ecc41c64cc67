//! `hotmart webhook serve`: the receiver on the local Hotmart's HTTP server. Each POST is
//! verified, then kept by its sink; the status says what became of it, and a 2xx is only
//! ever sent for an event that is kept.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use hotmart::webhook::{Dedup, HOTTOK_HEADER, MAX_BODY, Verifier};
use hotmart_mock::http::{self, Limits, Request, Response};

use super::Accepted;
use super::exec::{Exec, Ran};
use super::gate::Gate;
use super::spool::{Spool, Stored};
use crate::exit::Failure;

/// The head of a request may hold this much: Hotmart's are well under a KiB.
pub const MAX_HEAD: usize = 32 * 1024;
/// Deliveries handled at once; more wait in the listen backlog. Generous, since a client that
/// sends slowly holds its place until `REQUEST_TIME`.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a request may take to arrive, from its first byte: a delivery is at most 1 MiB,
/// which Hotmart sends in well under this; a slower client is cut off.
pub const REQUEST_TIME: Duration = Duration::from_secs(10);
/// How long a connection may stay silent, and a kept-alive one wait for its next request.
pub const IDLE_TIME: Duration = Duration::from_secs(5);
/// Deliveries verified at once: parsing a body can take a hundred times its size (see
/// [`Gate`]), so 256 at once could take gigabytes; four keep both cores busy.
pub const MAX_PARSING: usize = 4;
/// How long a delivery waits for its turn to be verified before it is answered 503 (Hotmart
/// sends it again): as long as a request may take to arrive.
pub const PARSE_WAIT: Duration = REQUEST_TIME;

/// Where an accepted event goes.
pub enum Keeper {
    File(Spool),
    Exec(Exec),
}

struct Receiver {
    verifier: Verifier,
    dedup: Dedup,
    keeper: Keeper,
    parsing: Gate,
}

/// The server's bounds: body, head, connections, time per request.
pub fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_body = MAX_BODY as u64;
    limits.max_head = MAX_HEAD;
    limits.max_connections = MAX_CONNECTIONS;
    limits.request_timeout = REQUEST_TIME;
    limits.idle_timeout = IDLE_TIME;
    limits
}

/// Serves until the process is stopped.
pub fn run(
    listener: TcpListener,
    verifier: Verifier,
    dedup: Dedup,
    keeper: Keeper,
) -> Result<(), Failure> {
    let receiver = Arc::new(Receiver {
        verifier,
        dedup,
        keeper,
        parsing: Gate::new(MAX_PARSING),
    });
    let checker = Arc::clone(&receiver);
    let server = http::serve_checked(
        listener,
        limits(),
        move |head| checker.refuse(head),
        move |request| Some(receiver.answer(request)),
    )
    .map_err(|e| Failure::Io("cannot start the receiver", e))?;
    let url = format!("http://{}/", server.addr());
    {
        // The address, for a script that asked for port 0.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{url}");
        let _ = out.flush();
    }
    crate::logger::say(format_args!(
        "receiving webhooks on {url}; stop with Ctrl-C (or any signal: no event is lost)"
    ));
    loop {
        std::thread::park();
    }
}

fn text(status: u16, text: impl Into<String>) -> Response {
    let mut body = text.into();
    body.push('\n');
    Response::new(status)
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(body)
}

impl Receiver {
    /// The refusal a delivery's head settles, before its body is asked for or read: a sender
    /// without the hottok costs a head, not up to a mebibyte of body, and keeps no connection
    /// (the server closes it after the answer).
    fn refuse(&self, head: &Request) -> Option<Response> {
        if head.method() != "POST" {
            return Some(text(405, "POST an event here").header("Allow", "POST"));
        }
        // Two hottok headers (a proxy that appends its own, say) are ambiguous: refused, not
        // decided by whichever comes first.
        let hottoks = head
            .headers()
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(HOTTOK_HEADER))
            .count();
        if hottoks > 1 {
            log::warn!("refused a delivery: more than one {HOTTOK_HEADER} header");
            return Some(text(400, format!("more than one {HOTTOK_HEADER} header")));
        }
        let refused = self
            .verifier
            .check_hottok(head.header(HOTTOK_HEADER))
            .err()?;
        // The core's words: never the header.
        log::warn!("refused a delivery: {refused}");
        Some(text(refused.http_status(), refused.to_string()))
    }

    fn answer(&self, request: &Request) -> Response {
        let event = {
            let Some(_pass) = self.parsing.enter(PARSE_WAIT) else {
                log::warn!(
                    "a delivery waited {}s for one of the {MAX_PARSING} places to be verified \
                     in (answered 503)",
                    PARSE_WAIT.as_secs()
                );
                return text(503, "busy; send it again");
            };
            match self
                .verifier
                .verify(request.header(HOTTOK_HEADER), request.body())
            {
                // The tree goes with the pass: the event may wait long to be kept.
                Ok(event) => Accepted::new(&event),
                Err(refused) => {
                    // The core's words: never the header nor the body.
                    log::warn!("refused a delivery: {refused}");
                    return text(refused.http_status(), refused.to_string());
                }
            }
        };
        let kind = super::kind_name(event.kind());
        match &self.keeper {
            Keeper::File(spool) => match spool.store(&event, &self.dedup) {
                Ok(Stored::New) => {
                    log::debug!("kept a {kind} event");
                    text(200, "kept")
                }
                Ok(Stored::Redelivery) => {
                    log::debug!("a {kind} event kept before: not kept again");
                    text(200, "kept before")
                }
                Err(err) => {
                    log::error!("a {kind} event was not kept (answered 503): {err}");
                    text(503, "not kept; send it again")
                }
            },
            Keeper::Exec(exec) => match exec.take(&event, &self.dedup) {
                Ok(Ran::Done) => {
                    log::debug!("ran the command for a {kind} event");
                    text(200, "done")
                }
                Ok(Ran::Redelivery) => {
                    log::debug!("a {kind} event done before: not run again");
                    text(200, "done before")
                }
                Err(err) => {
                    log::error!("a {kind} event was not taken (answered 500): {err}");
                    text(500, "not taken; send it again")
                }
            },
        }
    }
}
