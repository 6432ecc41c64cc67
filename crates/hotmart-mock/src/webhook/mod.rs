//! Webhooks from the local Hotmart: events in Hotmart's shapes POSTed to a receiver on this
//! machine with the `X-HOTMART-HOTTOK` header, when the shop changes and on demand,
//! redelivered on failure on a bounded schedule, from a thread of their own so that no API
//! answer waits for a receiver.

mod handle;
pub(crate) mod payload;
mod post;

use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hotmart::webhook::EventKind;

use crate::lock::lock;
pub(crate) use post::Target;

/// The most deliveries remembered; older settled ones are forgotten first.
const MAX_RECORDS: usize = 4096;
/// The most attempts a schedule may ask for.
pub(crate) const MAX_ATTEMPTS: u32 = 20;
/// The longest first delay and per-attempt timeout a schedule may ask for.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(60);

/// Where a delivery stands; see [`Delivery`].
///
/// ```
/// let server = hotmart_mock::MockServer::builder()
///     .webhook("http://127.0.0.1:9/", "s3cret")
///     .start()?;
/// let pending = server.webhook_deliveries().iter().any(|d| {
///     d.status == hotmart_mock::DeliveryStatus::Pending
/// });
/// assert!(!pending);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Not sent yet, or waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed: a non-2xx answer or none.
    Failed,
}

/// One event sent to the receiver, as [`MockServer::webhook_deliveries`] reports it: the same
/// event sent again by [`MockServer::resend_webhook`] is a delivery of its own, with the same
/// id.
///
/// [`MockServer::webhook_deliveries`]: crate::MockServer::webhook_deliveries
/// [`MockServer::resend_webhook`]: crate::MockServer::resend_webhook
///
/// ```
/// use std::time::Duration;
/// use hotmart::webhook::EventKind;
/// use hotmart_mock::{DeliveryStatus, MockServer};
///
/// // A port nothing listens on: one attempt, refused, is a failure without an answer.
/// let free = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
/// let server = MockServer::builder()
///     .webhook(&format!("http://{free}/"), "s3cret")
///     .webhook_retries(1, Duration::ZERO)
///     .start()?;
/// let id = server.send_webhook(EventKind::SwitchPlan)?;
/// assert!(server.wait_for_webhooks(Duration::from_secs(30)));
/// let delivery = &server.webhook_deliveries()[0];
/// assert_eq!(delivery.id, id);
/// assert_eq!(delivery.kind, EventKind::SwitchPlan);
/// assert_eq!((delivery.attempts, delivery.status), (1, DeliveryStatus::Failed));
/// assert_eq!(delivery.last_answer, None);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The event's id (the envelope's `id`).
    pub id: String,
    /// The event's kind.
    pub kind: EventKind,
    /// How many attempts were made so far.
    pub attempts: u32,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// The receiver's answer to the last attempt; `None` for none (refused, timed out, not
    /// HTTP) or no attempt yet.
    pub last_answer: Option<u16>,
}

/// The receiver's shared secret, kept out of `Debug`.
#[derive(Clone)]
pub(crate) struct Hottok(pub(crate) String);

impl fmt::Debug for Hottok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hottok(<redacted>)")
    }
}

/// How deliveries are sent: where, with which hottok, how often, how patiently.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) target: Target,
    pub(crate) hottok: Hottok,
    pub(crate) attempts: u32,
    pub(crate) first_delay: Duration,
    pub(crate) timeout: Duration,
}

struct Record {
    seq: u64,
    delivery: Delivery,
    body: Arc<[u8]>,
}

struct Job {
    seq: u64,
    body: Arc<[u8]>,
    due: Instant,
}

#[derive(Default)]
struct Inner {
    records: VecDeque<Record>,
    jobs: Vec<Job>,
    stop: bool,
}

/// What the API threads, the handle and the sending thread share.
pub(crate) struct Hooks {
    config: Config,
    inner: Mutex<Inner>,
    /// A job was queued, or the sender must stop.
    wake: Condvar,
    /// A delivery settled.
    settled: Condvar,
    next: AtomicU64,
    ids: RandomState,
}

impl Hooks {
    /// Queues the event `kind` with `subject`; its id.
    pub(crate) fn send(&self, kind: EventKind, subject: payload::Subject) -> String {
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        let id = self.event_id(seq);
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let body: Arc<[u8]> = payload::build(&kind, &id, now_ms, subject).into();
        self.queue(seq, id.clone(), kind, body);
        id
    }

    /// Queues the event `id` again, byte for byte; false if no delivery of it is remembered.
    pub(crate) fn resend(&self, id: &str) -> bool {
        let found = lock(&self.inner)
            .records
            .iter()
            .rev()
            .find(|r| r.delivery.id == id)
            .map(|r| (r.delivery.kind.clone(), Arc::clone(&r.body)));
        let Some((kind, body)) = found else {
            return false;
        };
        let seq = self.next.fetch_add(1, Ordering::SeqCst);
        self.queue(seq, id.to_owned(), kind, body);
        true
    }

    fn queue(&self, seq: u64, id: String, kind: EventKind, body: Arc<[u8]>) {
        let mut inner = lock(&self.inner);
        if inner.records.len() >= MAX_RECORDS {
            let settled = inner
                .records
                .iter()
                .position(|r| r.delivery.status != DeliveryStatus::Pending);
            inner.records.remove(settled.unwrap_or(0));
        }
        let delivery = Delivery {
            id,
            kind,
            attempts: 0,
            status: DeliveryStatus::Pending,
            last_answer: None,
        };
        inner.records.push_back(Record {
            seq,
            delivery,
            body: Arc::clone(&body),
        });
        let due = Instant::now();
        inner.jobs.push(Job { seq, body, due });
        self.wake.notify_all();
    }

    /// A uuid-like id, unique for this server and unpredictable across servers.
    fn event_id(&self, seq: u64) -> String {
        let a = self.ids.hash_one((seq, 0u8));
        let b = self.ids.hash_one((seq, 1u8));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        let inner = lock(&self.inner);
        inner.records.iter().map(|r| r.delivery.clone()).collect()
    }

    /// Waits until no delivery is pending, or `timeout` passes; whether none is.
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut inner = lock(&self.inner);
        loop {
            let pending = inner
                .records
                .iter()
                .any(|r| r.delivery.status == DeliveryStatus::Pending);
            if !pending {
                return true;
            }
            let left = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return false,
                },
                None => MAX_WAIT,
            };
            inner = self
                .settled
                .wait_timeout(inner, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// The sending thread: the earliest job due, one at a time, until told to stop.
    fn run(&self) {
        loop {
            let Some(job) = self.next_due() else {
                return;
            };
            let answer = post::send(
                &self.config.target,
                &self.config.hottok.0,
                &job.body,
                self.config.timeout,
            );
            self.settle(job, answer);
        }
    }

    /// The next job due, waiting for it; `None` once told to stop.
    fn next_due(&self) -> Option<Job> {
        let mut inner = lock(&self.inner);
        loop {
            if inner.stop {
                return None;
            }
            let now = Instant::now();
            let earliest = (0..inner.jobs.len()).min_by_key(|&i| inner.jobs[i].due);
            let wait = match earliest {
                Some(i) if inner.jobs[i].due <= now => return Some(inner.jobs.swap_remove(i)),
                Some(i) => inner.jobs[i].due.saturating_duration_since(now),
                None => MAX_WAIT,
            };
            inner = self
                .wake
                .wait_timeout(inner, wait)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    fn settle(&self, job: Job, answer: Option<u16>) {
        let mut inner = lock(&self.inner);
        let Some(record) = inner.records.iter_mut().find(|r| r.seq == job.seq) else {
            return;
        };
        let d = &mut record.delivery;
        d.attempts = d.attempts.saturating_add(1);
        d.last_answer = answer;
        if answer.is_some_and(|s| (200..300).contains(&s)) {
            d.status = DeliveryStatus::Delivered;
        } else if d.attempts >= self.config.attempts {
            d.status = DeliveryStatus::Failed;
        } else {
            // 100 ms, 200 ms, 400 ms… by default: doubled after each failed attempt.
            let factor = 1u32.checked_shl(d.attempts - 1).unwrap_or(u32::MAX);
            let delay = self.config.first_delay.saturating_mul(factor);
            let due = Instant::now()
                .checked_add(delay)
                .unwrap_or_else(Instant::now);
            let seq = job.seq;
            inner.jobs.push(Job {
                seq,
                body: job.body,
                due,
            });
            return;
        }
        drop(inner);
        self.settled.notify_all();
    }
}

/// The sending thread's handle: stops and joins it when dropped.
pub(crate) struct Sender {
    pub(crate) hooks: Arc<Hooks>,
    thread: Option<JoinHandle<()>>,
}

impl Sender {
    pub(crate) fn start(config: Config) -> io::Result<Sender> {
        let hooks = Arc::new(Hooks {
            config,
            inner: Mutex::new(Inner::default()),
            wake: Condvar::new(),
            settled: Condvar::new(),
            next: AtomicU64::new(1),
            ids: RandomState::new(),
        });
        let thread = {
            let hooks = Arc::clone(&hooks);
            thread::Builder::new()
                .name("hotmart-mock-webhooks".into())
                .spawn(move || hooks.run())?
        };
        Ok(Sender {
            hooks,
            thread: Some(thread),
        })
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        lock(&self.hooks.inner).stop = true;
        self.hooks.wake.notify_all();
        // At most one attempt in flight, bounded by the timeout.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
