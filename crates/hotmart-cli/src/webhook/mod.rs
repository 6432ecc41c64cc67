//! `hotmart webhook`: `serve` (an HTTP receiver that verifies, deduplicates and keeps each
//! event) and `verify` (one delivery, CGI style).

mod cgi;
mod exec;
mod gate;
mod serve;
mod spool;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hotmart::webhook::{Dedup, DirStore, Event, EventKind, Verifier};

use crate::args::{Cache, DEFAULT_EXEC_TIMEOUT, DEFAULT_LISTEN, Global, Serve, Sink, Webhook};
use crate::exit::{CONFIG, Failure};

pub fn run(global: &Global, webhook: Webhook) -> Result<(), Failure> {
    match webhook {
        Webhook::Verify => cgi::verify(),
        Webhook::Serve(serve) => run_serve(global, serve),
    }
}

fn run_serve(global: &Global, serve: Serve) -> Result<(), Failure> {
    // Before anything else: without the hottok, nothing could ever be accepted.
    let verifier = Verifier::from_env()?;
    let dir = dedup_dir(global, &serve)?;
    let dedup = dedup(global, &dir)?;
    let config = |message: String| Failure::Other(CONFIG, message);
    let keeper = match serve.sink {
        Sink::File(path) => serve::Keeper::File(spool::Spool::open(&path, &dedup).map_err(config)?),
        Sink::Exec(argv) => {
            let pending = sibling(&dir, ".pending");
            serve::Keeper::Exec(
                exec::Exec::open(argv, serve.exec_timeout, pending, &dedup).map_err(config)?,
            )
        }
    };
    let listener = TcpListener::bind(serve.listen)
        .map_err(|e| Failure::Io("cannot listen on the --listen address", e))?;
    serve::run(listener, verifier, dedup, keeper)
}

/// `--dedup-dir`, else `webhook-ids` in the cache directory.
fn dedup_dir(global: &Global, serve: &Serve) -> Result<PathBuf, Failure> {
    if let Some(dir) = &serve.dedup_dir {
        return Ok(dir.clone());
    }
    let base = match &global.cache {
        Cache::Dir(dir) => Some(dir.clone()),
        Cache::Default => hotmart::default_token_cache_dir(),
        Cache::Off => None,
    };
    base.map(|dir| dir.join("webhook-ids")).ok_or_else(|| {
        Failure::Other(
            CONFIG,
            "webhook serve keeps the ids of accepted events on disk: give --dedup-dir DIR \
             (no cache directory: --no-cache, or neither XDG_CACHE_HOME nor HOME set)"
                .into(),
        )
    })
}

/// `dir` with `suffix` added to its name.
fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Redis with `--redis` or `HOTMART_REDIS_URL` (feature `redis`), else the private
/// directory `dir`, made now so that a wrong one stops the start, not the first event.
fn dedup(global: &Global, dir: &Path) -> Result<Dedup, Failure> {
    #[cfg(feature = "redis")]
    {
        let redis = match &global.redis {
            Some(url) => Some(hotmart_redis::Redis::new(&url.0)?),
            None => hotmart_redis::Redis::from_env()?,
        };
        if let Some(redis) = redis {
            crate::logger::say(format_args!("event ids are kept in Redis"));
            return Ok(Dedup::new(redis.dedup_store()));
        }
    }
    #[cfg(not(feature = "redis"))]
    let _ = global;
    let store = DirStore::new(dir);
    store
        .prepare()
        .map_err(|err| Failure::Other(CONFIG, err.to_string()))?;
    Ok(Dedup::new(store))
}

/// The body as one NDJSON line: its bytes as received, line breaks turned into spaces (in
/// JSON they can only be whitespace between tokens, never inside a string), and a `\n`.
pub fn one_line(body: &[u8]) -> Vec<u8> {
    let mut line: Vec<u8> = body
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .collect();
    line.push(b'\n');
    line
}

/// What a sink keeps of an accepted event: its id, its kind and its line, with the hottok a
/// body may carry redacted. Not the event itself: its parsed tree can take a hundred times
/// the body, and a delivery may then wait long on the spool's lock or its command, so the
/// tree is dropped as soon as this is made (see [`gate`]).
pub struct Accepted {
    id: String,
    kind: EventKind,
    line: Arc<[u8]>,
}

impl Accepted {
    /// The parts of `event` the sinks need.
    pub fn new(event: &Event) -> Accepted {
        Accepted {
            id: event.id().to_owned(),
            kind: event.kind().clone(),
            line: one_line(&event.raw_without_hottok()).into(),
        }
    }

    /// The event's `id`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The event's `event`.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The body as one NDJSON line (see [`one_line`]), the hottok member's value
    /// `"<redacted>"`: whoever reads it could otherwise forge deliveries.
    pub fn line(&self) -> &Arc<[u8]> {
        &self.line
    }
}

/// An event's kind for a log line: a documented name, never text of the body.
fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Other(_) => "undocumented",
        kind => EventKind::ALL
            .iter()
            .find(|k| *k == kind)
            .map_or("undocumented", |k| k.as_str()),
    }
}

/// `hotmart help webhook`.
pub fn help() -> String {
    let redis = if cfg!(feature = "redis") {
        "\n  --redis URL          (global) keep the ids in Redis instead, shared by receivers on\n                       \
         every host (default: HOTMART_REDIS_URL); while Redis is down every delivery\n                       \
         counts as new: a possible duplicate, never a loss"
    } else {
        ""
    };
    format!(
        "\
hotmart webhook: receive Hotmart's webhooks (postback 2.0.0)

Usage: hotmart webhook serve [--listen ADDR] [--dedup-dir DIR] --out FILE
       hotmart webhook serve [--listen ADDR] [--dedup-dir DIR] [--exec-timeout D] --exec CMD [ARGS...]
       hotmart webhook verify

serve: an HTTP receiver. Each POST must carry the account's hottok (HOTMART_HOTTOK, required:
without it serve does not start, exit 3) in X-HOTMART-HOTTOK, compared in constant time;
then its event is kept once, and the answer says so:
  200  kept now, or kept before (a redelivery: not kept again)
  401  the hottok is missing, empty or wrong        400  the body is not an event
  413  the body is over 1 MiB                       405  not a POST
  500  --exec: the command failed or ran too long   503  --out: FILE or the dedup store failed
  503  busy: no place to be verified in within {wait} s (see Bounds)
Hotmart sends again what was not answered 2xx, so no event is acknowledged that was not kept.

  --listen ADDR        the address to listen on (default: {DEFAULT_LISTEN}; loopback, for a
                       reverse proxy in front that terminates TLS); port 0 picks one. The
                       URL is printed on stdout
  --out FILE           append each event to FILE as one line (NDJSON): the body's bytes as
                       received, line breaks made spaces, and the value of a top-level
                       \"hottok\" member (some of Hotmart's bodies carry the account's)
                       made \"<redacted>\"; written and fsynced before the 200.
                       FILE.committed beside it records how far FILE is settled. Both
                       are made 0600; their directory must be private, and they regular
                       files of this user's, not symlinks
  --exec CMD [ARGS...] run CMD with the event (that line) on stdin, HOTMART_EVENT and
                       HOTMART_EVENT_ID in its environment (never HOTMART_HOTTOK); 200 only
                       if it exits 0. Everything after CMD is its arguments: put it last
  --exec-timeout D     how long CMD may run before it is killed, with all it started
                       (it runs in a process group of its own; default: {exec}s, at
                       most 1d)
  --dedup-dir DIR      keep the ids of accepted events in DIR, private (default:
                       webhook-ids in the cache directory, see --cache), for 60 days{redis}

Never lose one, keep none twice. With --out the event is stored first, then its id marked:
marking first would lose the event if hotmart were killed between the two (the id marked,
the line never written, the redelivery answered \"kept before\"). Storing first can only leave
a line whose id is not marked; the next start finds it past FILE.committed and settles it
(kept, or cut off if it was a redelivery already in FILE). So each event answered 200 is in
FILE exactly once, killed or not. With --exec, a command cannot be undone: the id is claimed
before CMD runs and forgotten if it fails; a kill while CMD runs makes the next start forget
it too, so CMD may run twice for one event, never not at all: make CMD idempotent.
The price: one fsync per event, and one process at a time per FILE (a lock serializes them).

Bounds: 1 MiB a body, 32 KiB a head, 256 connections at once (more wait), 10 s for a
request to arrive, 5 s of silence, --exec-timeout for CMD. Two hottok headers: refused (400).
At most {parsing} deliveries are verified at once (parsing a body can take a hundred times its
size); the others wait up to {wait} s for a place, then are answered 503.

verify: one delivery, CGI style: the hottok from HTTP_X_HOTMART_HOTTOK (how CGI passes the
X-HOTMART-HOTTOK header), the body on stdin (CONTENT_LENGTH bytes when set; 1 MiB at most,
within 30 s), the event on stdout as one line, as --out writes it (the body's hottok
member redacted). It does not deduplicate. The exit code says what to answer: 0 the event is
good (200 once you kept it), 3 HOTMART_HOTTOK unset or unusable (500), 7 hottok missing,
empty or wrong (401), 8 not an event (400), 9 over 1 MiB (413), 1 stdout not writable
(500). Nothing printed quotes the hottok; nothing but the event quotes the body.
",
        exec = DEFAULT_EXEC_TIMEOUT.as_secs(),
        parsing = serve::MAX_PARSING,
        wait = serve::PARSE_WAIT.as_secs(),
    )
}
