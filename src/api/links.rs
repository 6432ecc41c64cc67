//! `/payments/api/v1/installments/negotiate` and the six `/payments/api/v1/link…` endpoints.
//!
//! Hotmart publishes no example answer of the payment link calls: they return the JSON as it
//! came. None is retried after a 5xx: each creates a link, an offer or a plan, or charges.

use miniserde::json::Value;

use super::{Body, Negotiations, PaymentLinks, plain_request};
use crate::models::{LinkOffer, LinkPlan, Negotiation, PaymentLink, PaymentType};
use crate::{Client, Error};

impl<'c> Negotiations<'c> {
    /// `POST /payments/api/v1/installments/negotiate`: offers to pay these overdue charges
    /// (`recurrences`) of a subscription at once, by this payment type; add a discount with
    /// [`discount`](NegotiationRequest::discount).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let deal = client.negotiation().create(123_456, &[3], "PIX").discount("CUSTOM", 100.11).send()?;
    /// println!("{:?}", deal.payment.and_then(|p| p.pix_code));
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn create(
        &self,
        subscription_id: u64,
        recurrences: &[u64],
        payment_type: impl Into<PaymentType>,
    ) -> NegotiationRequest<'c> {
        NegotiationRequest {
            client: self.client,
            subscription_id,
            recurrences: recurrences.to_vec(),
            payment_type: payment_type.into(),
            discount: None,
        }
    }
}

/// A negotiation; made by [`Negotiations::create`].
///
/// Not retried after a 5xx: each call may create a charge.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct NegotiationRequest<'c> {
    client: &'c Client,
    subscription_id: u64,
    recurrences: Vec<u64>,
    payment_type: PaymentType,
    discount: Option<(String, f64)>,
}

impl NegotiationRequest<'_> {
    /// A discount of this kind (Hotmart's example: `CUSTOM`) and value.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let deal = client.negotiation().create(123_456, &[3], "PIX").discount("CUSTOM", 10.0).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn discount(mut self, kind: &str, value: f64) -> Self {
        self.discount = Some((kind.to_owned(), value));
        self
    }

    /// Sends it: the charge created, and how to pay it.
    #[inline]
    pub fn send(self) -> Result<Negotiation, Error> {
        let payment_type = self.payment_type.as_str();
        let discount = self
            .discount
            .as_ref()
            .map(|(kind, value)| [("type", kind as _), ("value", value as _)]);
        let discount = discount.as_ref().map(|members| Body(members));
        let mut members: Vec<(&str, &dyn miniserde::Serialize)> = vec![
            ("subscription_id", &self.subscription_id),
            ("recurrences", &self.recurrences),
            ("payment_type", &payment_type),
        ];
        members.extend(discount.as_ref().map(|d| ("discount", d as _)));
        let mut request = self.client.post("/payments/api/v1/installments/negotiate");
        if self.recurrences.is_empty() {
            request.refuse_argument("recurrences", "an empty list: the call would name none");
        }
        super::require_text(&mut request, "payment_type", payment_type);
        if let Some((kind, value)) = &self.discount {
            super::require_text(&mut request, "discount", kind);
            super::require_amount(&mut request, "discount", *value);
        }
        super::send(request, &members)
    }
}

impl<'c> PaymentLinks<'c> {
    /// `GET /payments/api/v1/link`: the account's payment links.
    #[inline]
    pub fn list(&self) -> LinkListRequest<'c> {
        LinkListRequest::new(self.client.get("/payments/api/v1/link"))
    }

    /// `POST /payments/api/v1/link`: creates a payment link.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::api::PaymentLink;
    /// let link = PaymentLink {
    ///     name: Some("Single Payment Link".into()),
    ///     value: Some(499.99),
    ///     currency: Some("USD".into()),
    ///     ..Default::default()
    /// };
    /// let created = client.payment_links().create(&link)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn create(&self, link: &PaymentLink) -> Result<Value, Error> {
        super::send(self.client.post("/payments/api/v1/link").json(link), &[])
    }

    /// `POST /payments/api/v1/link/{payment_link_ucode}/offer`: adds an offer to a link.
    #[inline]
    pub fn add_offer(&self, ucode: &str, offer: &LinkOffer) -> Result<Value, Error> {
        let request = self.client.post("/payments/api/v1/link/{}/offer");
        super::send(request.segments(&[("ucode", ucode)]).json(offer), &[])
    }

    /// `POST /payments/api/v1/link/{payment_link_ucode}/plan`: adds a subscription plan to a
    /// link.
    #[inline]
    pub fn add_plan(&self, ucode: &str, plan: &LinkPlan) -> Result<Value, Error> {
        let request = self.client.post("/payments/api/v1/link/{}/plan");
        super::send(request.segments(&[("ucode", ucode)]).json(plan), &[])
    }

    /// `POST /payments/api/v1/link/token/charge/offer`: charges the buyer this `token` names
    /// for an offer.
    #[inline]
    pub fn charge_offer(&self, token: &str, sck: &str, offer_code: &str) -> Result<Value, Error> {
        let mut request = self.client.post("/payments/api/v1/link/token/charge/offer");
        super::require_text(&mut request, "token", token);
        super::require_text(&mut request, "offer_code", offer_code);
        super::send(
            request,
            &[
                ("token", &token),
                ("sck", &sck),
                ("offer_code", &offer_code),
            ],
        )
    }

    /// `POST /payments/api/v1/link/token/charge/value`: charges the buyer this `token` names
    /// this value.
    #[inline]
    pub fn charge_value(&self, token: &str, sck: &str, value: f64) -> Result<Value, Error> {
        let mut request = self.client.post("/payments/api/v1/link/token/charge/value");
        super::require_text(&mut request, "token", token);
        super::require_amount(&mut request, "value", value);
        super::send(
            request,
            &[("token", &token), ("sck", &sck), ("value", &value)],
        )
    }
}

plain_request! {
    /// `GET /payments/api/v1/link`; made by [`PaymentLinks::list`].
    LinkListRequest => Value, decode = crate::page::decode, call = "client.payment_links().list()";
}
