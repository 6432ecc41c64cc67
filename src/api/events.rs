//! `/events/api/v1/…`.
//!
//! The paths follow public clients of Hotmart's event API (`/events/api/v1/{id}/info` and
//! `…/{id}/participants`); some summaries list `/payments/api/v1/events/{id}` and
//! `/payments/api/v1/tickets?product_id=` instead. The `/events` prefix is the one Hotmart's
//! API gateway lists beside `/payments`, `/products` and `/club`, so it is the one used.

use super::{paged_request, setters};
use crate::models::wire::Field;
use crate::models::{Event, Ticket};
use crate::{Client, Error};

/// The event endpoints; made by [`Client::events`].
#[derive(Clone, Copy, Debug)]
pub struct Events<'c> {
    client: &'c Client,
}

impl<'c> Events<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Events { client }
    }

    /// `GET /events/api/v1/{id}/info`: one event (its id is its product's id).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let event = client.events().get(3_456_789)?;
    /// println!("{:?}", event.name);
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn get(&self, event_id: u64) -> Result<Event, Error> {
        let resp = self
            .client
            .get(&format!("/events/api/v1/{event_id}/info"))
            .send()?;
        crate::page::decode_checked(resp.body(), resp.url(), Event::check)
    }

    /// `GET /events/api/v1/{product_id}/participants`: the tickets of an event and who holds
    /// them, paginated. Hotmart lists only tickets paid for or given away.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for ticket in client.events().tickets(3_456_789).items() {
    ///     println!("{:?}", ticket?.email);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn tickets(&self, product_id: u64) -> TicketsRequest<'c> {
        let path = format!("/events/api/v1/{product_id}/participants");
        TicketsRequest::new(self.client.get(&path))
    }
}

paged_request! {
    /// `GET /events/api/v1/{product_id}/participants`; made by [`Events::tickets`].
    TicketsRequest => Ticket, empty_ok = false, call = "client.events().tickets(3_456_789)"
}

setters! {
    TicketsRequest = "client.events().tickets(3_456_789)" {
        /// Only this buyer's e-mail address.
        buyer_email(&str = "\"example\"") => "buyer_email";
        /// Only tickets of this batch (lot).
        batch_name(&str = "\"example\"") => "batch_name";
    }
}
