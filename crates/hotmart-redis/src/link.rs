//! One connection to Redis, shared by the token stores and budgets made from one
//! [`Redis`](crate::Redis), with every failure contained.
//!
//! The connection lives on a thread of its own and is used by one caller at a time. Each
//! caller waits for it and for its answer, together, no longer than the command timeout (plus
//! the connect timeout while it connects) and its own deadline: a slow server makes callers
//! do without it for that command (the same fallback as Redis down), instead of queueing
//! every API call of the process behind it. The connection is the redis crate's own, with its
//! connect, read and write timeouts, which bound each read, not a whole answer: one that a
//! server holds with an endless answer is left to its thread, at most one at a time, and
//! Redis is done without until it lets go.
//!
//! While Redis cannot be reached, callers get `None` at once and fall back to what they do
//! without Redis; Redis is tried again a second after the last failure, and a warning goes to
//! the log at most once a minute, with the URL's credentials scrubbed.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use redis::{Connection, ErrorKind, FromRedisValue, RedisError, RedisResult, Value};

use crate::url::RedisUrl;

/// The most time connecting to Redis (with its handshake) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// The most time one command may wait for the connection and its answer together, and for
/// its bytes to be sent.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// After a failure, how long callers fall back without trying Redis again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// At most one warning about Redis in this time.
const WARN_EVERY: Duration = Duration::from_secs(60);
/// Connection threads alive at once: the one in use, and one left stuck with a hostile server.
const MAX_THREADS: usize = 2;

/// A command, run on the connection's thread.
type Job = Box<dyn FnOnce(&mut Connection) -> RedisResult<Value> + Send>;
/// A command's number, when its caller stops waiting for it, and the command.
type Queued = (u64, Instant, Job);
/// A command's number and its answer; `None`: skipped, its caller had stopped waiting.
type Answer = (u64, Option<RedisResult<Value>>);

/// A lazily made connection to one Redis server.
pub(crate) struct Link {
    url: RedisUrl,
    client: redis::Client,
    state: Mutex<State>,
    /// Signalled when the connection is free again.
    free: Condvar,
    /// Connection threads still running, stuck ones included.
    threads: Arc<AtomicUsize>,
}

#[derive(Default)]
struct State {
    /// The connection's thread, unless there is none or a caller has it out (`busy`).
    worker: Option<Worker>,
    /// A caller is using the connection; the others wait, within their own bounds.
    busy: bool,
    /// Whether the last command found a connection made: commands may then take less time.
    connected: bool,
    /// Until then, Redis is not tried again.
    down_until: Option<Instant>,
    last_warning: Option<Instant>,
    last_slow_warning: Option<Instant>,
}

/// The connection's thread, as its callers see it.
struct Worker {
    jobs: Sender<Queued>,
    replies: Receiver<Answer>,
    next: u64,
    connected: bool,
    /// Since when the thread has been on a command not answered yet.
    working_since: Option<Instant>,
}

/// What became of one command.
enum Outcome {
    Answer(RedisResult<Value>),
    /// The caller's time ran out first; the connection is kept, the answer skipped.
    Late,
    /// The connection did not answer within the command timeout: given up on.
    Stuck,
    /// The thread ended.
    Gone,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Channel ends, flags and instants: nothing a panic can leave half-set.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by).unwrap_or(at)
}

impl Link {
    /// A link to `url` through `client` (made from it). Does no I/O.
    pub(crate) fn new(url: RedisUrl, client: redis::Client) -> Link {
        Link {
            url,
            client,
            state: Mutex::new(State::default()),
            free: Condvar::new(),
            threads: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Runs `cmd`; `None` if Redis cannot be reached, the command fails, or `deadline` comes
    /// first. `what` names the command in the warning.
    pub(crate) fn command<T: FromRedisValue>(
        &self,
        what: &str,
        deadline: Option<Instant>,
        cmd: redis::Cmd,
    ) -> Option<T> {
        self.run(what, deadline, false, Box::new(move |c| cmd.query(c)))
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
        self.run(what, deadline, false, invocation(script, key, args))
    }

    /// [`script`](Self::script), tried even while Redis is taken for down, within the command
    /// timeout: for a command whose loss costs others more than its attempt (releasing a lock
    /// they wait for).
    pub(crate) fn script_even_if_down<T: FromRedisValue>(
        &self,
        what: &str,
        script: &Arc<redis::Script>,
        key: &str,
        args: Vec<String>,
    ) -> Option<T> {
        self.run(what, None, true, invocation(script, key, args))
    }

    /// One caller at a time uses the connection; each waits for it and for its answer, from
    /// its call on, no longer than the command timeout (plus the connect timeout while it
    /// connects) nor past its own `deadline`. `even_if_down` tries Redis even within a second
    /// of a failure.
    fn run<T: FromRedisValue>(
        &self,
        what: &str,
        deadline: Option<Instant>,
        even_if_down: bool,
        job: Job,
    ) -> Option<T> {
        let called = Instant::now();
        let mut state = self.state();
        let mut waited = false;
        // Each turn waits until `until` at most, which never moves past `called` plus the
        // connect and command timeouts: the loop ends by then.
        let (limit, until) = loop {
            let now = Instant::now();
            if !even_if_down && state.down_until.is_some_and(|until| now < until) {
                return None;
            }
            // A command tried while Redis is taken for down gets the short bound only.
            let limit = if state.connected || even_if_down {
                COMMAND_TIMEOUT
            } else {
                CONNECT_TIMEOUT.saturating_add(COMMAND_TIMEOUT)
            };
            let until = deadline.map_or(later(called, limit), |d| d.min(later(called, limit)));
            if until <= now {
                if state.busy {
                    self.slow(&mut state);
                }
                return None;
            }
            if !state.busy {
                break (limit, until);
            }
            waited = true;
            state = self
                .free
                .wait_timeout(state, until.saturating_duration_since(now))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        };
        let mut worker = match state.worker.take() {
            Some(worker) => worker,
            None => match self.spawn() {
                Ok(worker) => worker,
                Err(err) => {
                    self.failed(&mut state, what, &err);
                    return None;
                }
            },
        };
        state.busy = true;
        drop(state);
        // A caller that waited for the connection may run out of time before a sound server
        // could answer: only the time since it sent counts against the connection.
        let started = if waited { Instant::now() } else { called };
        let outcome = exchange(&mut worker, job, started, limit, until);
        let mut state = self.state();
        state.busy = false;
        self.free.notify_all();
        let result = match outcome {
            Outcome::Answer(Ok(value)) => {
                worker.connected = true;
                redis::from_redis_value::<T>(value).map_err(RedisError::from)
            }
            Outcome::Answer(Err(err)) => {
                worker.connected = false;
                Err(err)
            }
            Outcome::Late => {
                state.connected = worker.connected;
                state.worker = Some(worker);
                if deadline.is_none_or(|d| until < d) {
                    self.slow(&mut state);
                }
                return None;
            }
            Outcome::Stuck => {
                // Left to its thread, which ends when the server lets go.
                drop(worker);
                state.connected = false;
                self.failed(
                    &mut state,
                    what,
                    &RedisError::from((
                        ErrorKind::Io,
                        "no complete answer within the command timeout",
                    )),
                );
                return None;
            }
            Outcome::Gone => {
                state.connected = false;
                self.failed(&mut state, what, &gone());
                return None;
            }
        };
        state.connected = worker.connected;
        state.worker = Some(worker);
        match result {
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
        let (jobs, job_rx) = mpsc::channel::<Queued>();
        let (reply_tx, replies) = mpsc::channel();
        let (client, threads) = (self.client.clone(), Arc::clone(&self.threads));
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
            working_since: None,
        })
    }

    /// Keeps Redis untried for a second, and warns unless it did so in the last minute.
    fn failed(&self, state: &mut State, what: &str, err: &RedisError) {
        let now = Instant::now();
        state.down_until = Some(later(now, RETRY_AFTER));
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

    /// A command did without Redis because the connection was busy or slow: Redis is not
    /// taken for down (it answers), and this is said at most once a minute.
    fn slow(&self, state: &mut State) {
        let now = Instant::now();
        if state
            .last_slow_warning
            .is_some_and(|at| now.saturating_duration_since(at) < WARN_EVERY)
        {
            return;
        }
        state.last_slow_warning = Some(now);
        log::warn!(
            target: "hotmart::redis",
            "Redis at {} is slow: commands that cannot have its connection and answer within \
             {COMMAND_TIMEOUT:?} do without it (in-process rate budget, token from this \
             process or its fallback store, webhook events taken as new); this warning is \
             repeated at most once a minute",
            self.url.shown()
        );
    }
}

fn invocation(script: &Arc<redis::Script>, key: &str, args: Vec<String>) -> Job {
    let (script, key) = (Arc::clone(script), key.to_owned());
    Box::new(move |c| {
        let mut invocation = script.key(key);
        for arg in args {
            invocation.arg(arg);
        }
        invocation.invoke(c)
    })
}

/// Sends `job` to `worker`'s thread and waits for its answer until `until`. The thread is
/// stuck when a command of its (this one, begun at `started`, or one left by an earlier
/// caller) has gone unanswered for `limit`.
fn exchange(
    worker: &mut Worker,
    job: Job,
    started: Instant,
    limit: Duration,
    until: Instant,
) -> Outcome {
    let seq = worker.next;
    worker.next = worker.next.wrapping_add(1);
    if worker.jobs.send((seq, until, job)).is_err() {
        return Outcome::Gone;
    }
    let working_since = *worker.working_since.get_or_insert(started);
    // Each turn takes an answer off the channel or ends: the thread sends one per command.
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match worker.replies.recv_timeout(left) {
            // An earlier caller's command: the thread has gone on to the next one.
            Ok((s, answer)) if s != seq => {
                worker.working_since = Some(Instant::now());
                if answer.is_some_and(|a| a.is_err()) {
                    worker.connected = false;
                }
            }
            Ok((_, answer)) => {
                worker.working_since = None;
                return answer.map_or(Outcome::Late, Outcome::Answer);
            }
            Err(RecvTimeoutError::Timeout) => {
                let unanswered = worker.working_since.unwrap_or(working_since);
                return if Instant::now().saturating_duration_since(unanswered) >= limit {
                    Outcome::Stuck
                } else {
                    Outcome::Late
                };
            }
            Err(RecvTimeoutError::Disconnected) => return Outcome::Gone,
        }
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
/// it go. A failed command drops the connection; the next one makes a new one. A job whose
/// caller stopped waiting before it began is skipped.
fn serve(client: &redis::Client, jobs: &Receiver<Queued>, replies: &Sender<Answer>) {
    let mut connection: Option<Connection> = None;
    for (seq, until, job) in jobs {
        if Instant::now() >= until {
            if replies.send((seq, None)).is_err() {
                return;
            }
            continue;
        }
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
        if replies.send((seq, Some(result))).is_err() {
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
