//! What the local Hotmart's connections share: credentials, issued tokens, the record of
//! requests, queued faults, the rate window and the fictional shop.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::endpoints::data::Store;
use crate::lock::lock;
use crate::rate::RateWindow;
use crate::record::Record;
use crate::webhook::Hooks;
use crate::{Endpoint, Fault};

/// What the server threads share.
pub(crate) struct State {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) token_lifetime_secs: AtomicU64,
    /// Makes token values unpredictable across servers.
    pub(crate) seed: u64,
    pub(crate) next_token: AtomicU64,
    /// Tokens issued and not revoked, with their expiry.
    pub(crate) tokens: Mutex<Vec<(String, Instant)>>,
    pub(crate) requests: Mutex<Record>,
    pub(crate) faults: Mutex<VecDeque<(Endpoint, Fault)>>,
    pub(crate) rate: Mutex<RateWindow>,
    /// The fictional shop, changed by the API's writes.
    pub(crate) store: Mutex<Store>,
    /// Where the shop's changes are sent as webhooks, when a receiver is configured.
    pub(crate) webhooks: Option<Arc<Hooks>>,
}

impl State {
    pub(crate) fn take_fault(&self, endpoint: Endpoint) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let at = faults.iter().position(|(e, _)| *e == endpoint)?;
        faults.remove(at).map(|(_, fault)| fault)
    }
}
