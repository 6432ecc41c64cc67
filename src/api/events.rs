//! `/events/api/v1/{event_id}/info` and `…/participants`, Hotmart's own paths.

use super::{Events, paged_request, setters};
use crate::Error;
use crate::models::wire::Field;
use crate::models::{Event, Ticket};

impl<'c> Events<'c> {
    /// `GET /events/api/v1/{event_id}/info`: one event, its dates and lots. Hotmart's example
    /// answers one object; a one-item array (as a recording shows) is read too.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let event = client.events().get(3_456_789)?;
    /// println!("{:?}", event.starts_at());
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn get(&self, event_id: u64) -> Result<Event, Error> {
        let resp = self
            .client
            .get(&format!("/events/api/v1/{event_id}/info"))
            .send()?;
        let (body, url) = (resp.body(), resp.url());
        if body.trim_ascii_start().first() != Some(&b'[') {
            return crate::page::decode_checked(body, url, Event::check);
        }
        let events: Vec<Event> = crate::page::decode_list(body, url, Event::check, false)?;
        events
            .into_iter()
            .next()
            .ok_or_else(|| Error::InvalidResponse {
                url: url.to_owned(),
                reason: "the body is an empty array, so there is no event in it".to_owned(),
            })
    }

    /// `GET /events/api/v1/{event_id}/participants`: the tickets of an event and who holds
    /// them, paginated.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for ticket in client.events().tickets(3_456_789).items() {
    ///     println!("{:?}", ticket?.buyer.and_then(|b| b.email));
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn tickets(&self, event_id: u64) -> TicketsRequest<'c> {
        let path = format!("/events/api/v1/{event_id}/participants");
        TicketsRequest::new(self.client.get(&path))
    }
}

paged_request! {
    /// `GET /events/api/v1/{event_id}/participants`; made by [`Events::tickets`].
    TicketsRequest => Ticket, empty_ok = false, call = "client.events().tickets(3_456_789)";
}

setters! {
    TicketsRequest = "client.events().tickets(3_456_789)" {
        buyer_email(&str) = "Only this buyer's e-mail address.";
        batch_name(&str) = "Only tickets of this batch (lot).";
    }
}
