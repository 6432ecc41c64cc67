//! The handle's webhook calls: send one now, send one again, what was delivered.

use std::io;
use std::time::Duration;

use hotmart::webhook::EventKind;

use super::{Delivery, Hooks, payload};
use crate::MockServer;
use crate::lock::lock;

impl MockServer {
    fn hooks(&self) -> io::Result<&Hooks> {
        self.webhooks.as_ref().map(|w| &*w.hooks).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "no webhook receiver is configured (MockBuilder::webhook)",
            )
        })
    }

    /// Sends an event of `kind` now, in the shape of Hotmart's published sample of it, about
    /// the shop's first sale (purchase events) or subscription (subscription events); its id.
    /// The POST happens on the sending thread: see [`webhook_deliveries`](Self::webhook_deliveries)
    /// and [`wait_for_webhooks`](Self::wait_for_webhooks). Fails with
    /// [`io::ErrorKind::NotConnected`] without [`MockBuilder::webhook`](crate::MockBuilder::webhook).
    ///
    /// ```
    /// use std::time::Duration;
    /// use hotmart::webhook::EventKind;
    /// use hotmart_mock::{DeliveryStatus, MockServer, http};
    ///
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let url = format!("http://{}/hook", listener.local_addr()?);
    /// let receiver = http::serve(listener, http::Limits::default(), |_| {
    ///     Some(http::Response::new(200))
    /// })?;
    /// let server = MockServer::builder().webhook(&url, "s3cret").start()?;
    /// let id = server.send_webhook(EventKind::PurchaseApproved)?;
    /// assert!(server.wait_for_webhooks(Duration::from_secs(30)));
    /// let delivery = &server.webhook_deliveries()[0];
    /// assert_eq!((delivery.id.as_str(), delivery.status), (id.as_str(), DeliveryStatus::Delivered));
    /// # drop(receiver);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_webhook(&self, kind: EventKind) -> io::Result<String> {
        let hooks = self.hooks()?;
        let subject = payload::on_demand(&lock(&self.state.store), &kind);
        Ok(hooks.send(kind, subject))
    }

    /// Sends the event `id` again, byte for byte (same id), as Hotmart redelivers: a receiver
    /// that deduplicates recognises it. Fails with [`io::ErrorKind::NotFound`] for an id never
    /// sent (or long forgotten: the last 4096 deliveries are remembered).
    ///
    /// ```
    /// use hotmart_mock::MockServer;
    ///
    /// let server = MockServer::builder().webhook("http://127.0.0.1:9/", "s3cret").start()?;
    /// assert_eq!(server.resend_webhook("nope").unwrap_err().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn resend_webhook(&self, id: &str) -> io::Result<()> {
        if self.hooks()?.resend(id) {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no such webhook event",
            ))
        }
    }

    /// Every delivery so far, oldest first: its event's id and kind, the attempts made, where
    /// it stands and the receiver's last answer. Empty without a receiver.
    ///
    /// ```
    /// let server = hotmart_mock::MockServer::start()?;
    /// assert!(server.webhook_deliveries().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.hooks().map(Hooks::deliveries).unwrap_or_default()
    }

    /// Waits until no delivery is pending (each delivered, or failed after its last attempt),
    /// at most `timeout`; whether none is. True at once without a receiver.
    ///
    /// ```
    /// let server = hotmart_mock::MockServer::start()?;
    /// assert!(server.wait_for_webhooks(std::time::Duration::ZERO));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn wait_for_webhooks(&self, timeout: Duration) -> bool {
        self.hooks().is_ok_and(|hooks| hooks.wait(timeout)) || self.webhooks.is_none()
    }
}
