//! One connection to Redis, shared by the token stores and budgets made from one
//! [`Redis`](crate::Redis), with every failure contained.
//!
//! The connection is the redis crate's own, with its connect, read and write timeouts. It
//! lives on a thread of its own, and each caller waits for its answer no longer than the
//! command timeout and its own deadline: the crate's timeouts bound each read, not a whole
//! reply, so a server that trickles an endless answer, or floods one, would otherwise hold the
//! caller (and every caller behind it) for as long as it likes. Such a connection is left to
//! its thread, at most one at a time, and Redis is done without until it lets go.
//!
//! While Redis cannot be reached, callers get `None` at once and fall back to what they do
//! without Redis; Redis is tried again a second after the last failure, and a warning goes to
//! the log at most once a minute, with the URL's credentials scrubbed.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use redis::{Connection, ErrorKind, FromRedisValue, RedisError, RedisResult, Value};

use crate::url::RedisUrl;

/// The most time connecting to Redis (with its handshake) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// The most time one command may wait for its answer, and for its bytes to be sent.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, how long callers fall back without trying Redis again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// At most one warning about Redis in this time.
const WARN_EVERY: Duration = Duration::from_secs(60);
/// Connection threads alive at once: the one in use, and one left stuck with a hostile server.
const MAX_THREADS: usize = 2;

/// A command, run on the connection's thread.
type Job = Box<dyn FnOnce(&mut Connection) -> RedisResult<Value> + Send>;

/// A lazily made connection to one Redis server.
pub(crate) struct Link {
    url: RedisUrl,
    client: redis::Client,
    state: Mutex<State>,
    /// Connection threads still running, stuck ones included.
    threads: Arc<AtomicUsize>,
}

#[derive(Default)]
struct State {
    worker: Option<Worker>,
    /// Until then, Redis is not tried again.
    down_until: Option<Instant>,
    last_warning: Option<Instant>,
}

/// The connection's thread, as its callers see it.
struct Worker {
    jobs: Sender<(u64, Job)>,
    replies: Receiver<(u64, RedisResult<Value>)>,
    next: u64,
    connected: bool,
}

impl Link {
    /// A link to `url` through `client` (made from it). Does no I/O.
    pub(crate) fn new(url: RedisUrl, client: redis::Client) -> Link {
        Link {
            url,
            client,
            state: Mutex::new(State::default()),
            threads: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a channel pair and instants: nothing a panic can leave half-set.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `cmd`; `None` if Redis cannot be reached, the command fails, or `deadline` comes
    /// first. `what` names the command in the warning.
    pub(crate) fn command<T: FromRedisValue>(
        &self,
        what: &str,
        deadline: Option<Instant>,
        cmd: redis::Cmd,
    ) -> Option<T> {
        self.run(what, deadline, Box::new(move |c| cmd.query(c)))
    }

    /// Runs `script` with `keys` and `args` (cached on the server: `EVALSHA`, loaded on a
    /// miss).
    pub(crate) fn script<T: FromRedisValue>(
        &self,
        what: &str,
        deadline: Option<Instant>,
        script: &Arc<redis::Script>,
        key: &str,
        args: Vec<String>,
    ) -> Option<T> {
        let (script, key) = (Arc::clone(script), key.to_owned());
        self.run(
            what,
            deadline,
            Box::new(move |c| {
                let mut invocation = script.key(key);
                for arg in args {
                    invocation.arg(arg);
                }
                invocation.invoke(c)
            }),
        )
    }

    /// The link serializes this process's commands: each waits for its answer no longer than
    /// the command timeout (plus the connect timeout when it connects), so no caller waits
    /// long, and none past its own `deadline`.
    fn run<T: FromRedisValue>(&self, what: &str, deadline: Option<Instant>, job: Job) -> Option<T> {
        let mut state = self.state();
        let now = Instant::now();
        if state.down_until.is_some_and(|until| now < until) {
            return None;
        }
        let connected = state.worker.as_ref().is_some_and(|w| w.connected);
        let limit = if connected {
            COMMAND_TIMEOUT
        } else {
            CONNECT_TIMEOUT.saturating_add(COMMAND_TIMEOUT)
        };
        let timeout_at = now.checked_add(limit).unwrap_or(now);
        let until = deadline.map_or(timeout_at, |d| d.min(timeout_at));
        if until <= now {
            return None;
        }
        if state.worker.is_none() {
            match self.spawn() {
                Ok(worker) => state.worker = Some(worker),
                Err(err) => {
                    self.failed(&mut state, what, &err);
                    return None;
                }
            }
        }
        let worker = state.worker.as_mut()?;
        let seq = worker.next;
        worker.next = worker.next.wrapping_add(1);
        if worker.jobs.send((seq, job)).is_err() {
            let err = gone();
            self.failed(&mut state, what, &err);
            return None;
        }
        let outcome = loop {
            let left = until.saturating_duration_since(Instant::now());
            match worker.replies.recv_timeout(left) {
                // The answer to a command whose caller's deadline came first.
                Ok((s, _)) if s != seq => continue,
                Ok((_, Ok(value))) => {
                    worker.connected = true;
                    break redis::from_redis_value::<T>(value).map_err(RedisError::from);
                }
                Ok((_, Err(err))) => {
                    worker.connected = false;
                    break Err(err);
                }
                // The caller's deadline, not Redis: the answer is skipped when it comes.
                Err(RecvTimeoutError::Timeout) if until < timeout_at => return None,
                Err(RecvTimeoutError::Timeout) => {
                    // Left to its thread, which ends when the server lets go.
                    state.worker = None;
                    break Err(RedisError::from((
                        ErrorKind::Io,
                        "no complete answer within the command timeout",
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    state.worker = None;
                    break Err(gone());
                }
            }
        };
        match outcome {
            Ok(value) => {
                if state.down_until.take().is_some() {
                    log::info!(
                        target: "hotmart::redis",
                        "Redis at {} is reachable again",
                        self.url.shown()
                    );
                }
                Some(value)
            }
            Err(err) => {
                self.failed(&mut state, what, &err);
                None
            }
        }
    }

    /// Starts a connection thread, unless a stuck one is still running beside the last.
    fn spawn(&self) -> RedisResult<Worker> {
        if self.threads.load(Ordering::Acquire) >= MAX_THREADS {
            return Err(RedisError::from((
                ErrorKind::Io,
                "an earlier connection is still held by a server that does not finish its answer",
            )));
        }
        let (jobs, job_rx) = mpsc::channel::<(u64, Job)>();
        let (reply_tx, replies) = mpsc::channel();
        let client = self.client.clone();
        let threads = Arc::clone(&self.threads);
        threads.fetch_add(1, Ordering::AcqRel);
        let spawned = thread::Builder::new()
            .name("hotmart-redis".into())
            .spawn(move || {
                let _alive = Alive(threads);
                serve(&client, &job_rx, &reply_tx);
            });
        if let Err(err) = spawned {
            // The closure, and its guard, never ran.
            self.threads.fetch_sub(1, Ordering::AcqRel);
            return Err(err.into());
        }
        Ok(Worker {
            jobs,
            replies,
            next: 0,
            connected: false,
        })
    }

    /// Keeps Redis untried for a second, and warns unless it did so in the last minute.
    fn failed(&self, state: &mut State, what: &str, err: &RedisError) {
        let now = Instant::now();
        state.down_until = Some(now.checked_add(RETRY_AFTER).unwrap_or(now));
        if state
            .last_warning
            .is_some_and(|at| now.saturating_duration_since(at) < WARN_EVERY)
        {
            return;
        }
        state.last_warning = Some(now);
        let cause: String = self.url.scrub(&err.to_string()).chars().take(200).collect();
        log::warn!(
            target: "hotmart::redis",
            "Redis at {} failed ({what}: {cause}); doing without it (in-process rate budget, \
             token from this process or its fallback store, webhook events taken as new) \
             until it answers again; this warning is repeated at most once a minute",
            self.url.shown()
        );
    }
}

/// Counts a connection thread while it runs.
struct Alive(Arc<AtomicUsize>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn gone() -> RedisError {
    RedisError::from((ErrorKind::Io, "the connection's thread is gone"))
}

/// The connection thread: runs each job, connecting first when needed, until its link lets
/// it go. A failed command drops the connection; the next one makes a new one.
fn serve(
    client: &redis::Client,
    jobs: &Receiver<(u64, Job)>,
    replies: &Sender<(u64, RedisResult<Value>)>,
) {
    let mut connection: Option<Connection> = None;
    for (seq, job) in jobs {
        // rustls panics when it cannot tell which crypto provider to use: a failure, not a
        // dead thread.
        let result = catch_unwind(AssertUnwindSafe(|| {
            let c = match &mut connection {
                Some(c) => c,
                None => connection.insert(connect(client)?),
            };
            job(c)
        }))
        .unwrap_or_else(|_| {
            Err(RedisError::from((
                ErrorKind::InvalidClientConfig,
                "the connection panicked (TLS without a rustls crypto provider?)",
            )))
        });
        if result.is_err() {
            connection = None;
        }
        if replies.send((seq, result)).is_err() {
            return;
        }
    }
}

fn connect(client: &redis::Client) -> RedisResult<Connection> {
    let connection = client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
    connection.set_read_timeout(Some(COMMAND_TIMEOUT))?;
    connection.set_write_timeout(Some(COMMAND_TIMEOUT))?;
    Ok(connection)
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> Link {
        let url = RedisUrl::parse(url).unwrap();
        let client = redis::Client::open(url.expose()).unwrap();
        Link::new(url, client)
    }

    fn ping(link: &Link) -> Option<String> {
        link.command("PING", None, redis::cmd("PING"))
    }

    #[test]
    fn a_link_to_nothing_falls_back_at_once_and_does_not_retry_for_a_while() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let link = link(&format!("redis://u:pw@{addr}/"));
        let started = Instant::now();
        assert_eq!(ping(&link), None);
        let first = started.elapsed();
        // Within the next second, no connection is tried at all.
        let started = Instant::now();
        for _ in 0..1000 {
            assert_eq!(ping(&link), None);
        }
        let then = started.elapsed();
        eprintln!("refused: {first:?}; 1000 calls while down: {then:?}");
        assert!(first < CONNECT_TIMEOUT + COMMAND_TIMEOUT);
        assert!(then < Duration::from_millis(500));
    }

    #[test]
    fn a_deadline_already_past_sends_nothing() {
        let link = link("redis://127.0.0.1:1/");
        assert_eq!(
            link.command::<String>("PING", Some(Instant::now()), redis::cmd("PING")),
            None
        );
        assert!(link.state().worker.is_none() && link.state().down_until.is_none());
    }
}
