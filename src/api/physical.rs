//! The fifteen `/physicalproducts/api/…` endpoints of Hotmart's physical products partner API.
//!
//! Every body carries `partner.identifier` and every delete and the variants call the
//! `partner_identifier` query, from [`Client::physical_products`]. Hotmart publishes no example
//! answer: each call returns the JSON as it came. Creates are not retried after a 5xx (a
//! second attempt may create a second one); updates, status changes and deletes are, as
//! sending them twice leaves the same state.

use miniserde::Serialize;
use miniserde::json::Value;

use super::Body;
use crate::models::{PhysicalProduct, ShipmentTracking, Variants};
use crate::{Client, Error, RequestBuilder};

/// The physical products partner endpoints; made by [`Client::physical_products`].
#[derive(Clone, Debug)]
pub struct PhysicalProducts<'c> {
    client: &'c Client,
    partner: String,
}

/// The members of a write as `&[(name, value)]`, for [`PhysicalProducts::send`].
type Members<'a> = &'a [(&'a str, &'a dyn Serialize)];

impl<'c> PhysicalProducts<'c> {
    pub(crate) fn new(client: &'c Client, partner: &str) -> Self {
        let partner = partner.to_owned();
        PhysicalProducts { client, partner }
    }

    /// A write: `partner` first, then `members`, sent as JSON.
    #[inline]
    fn send(&self, request: RequestBuilder<'_>, members: Members<'_>) -> Result<Value, Error> {
        let request = self.partnered(request);
        let partner = Body(&[("identifier", &self.partner)]);
        let mut all: Vec<(&str, &dyn Serialize)> = vec![("partner", &partner)];
        all.extend_from_slice(members);
        super::send(request, &all)
    }

    /// A `PUT` to this path, retried after a 5xx (it sets what it sends).
    fn put(&self, template: &str, segment: (&'static str, &str)) -> RequestBuilder<'c> {
        self.client.put(template).segments(&[segment]).retry_safe()
    }

    /// A `DELETE` of this path with the `partner_identifier` query, retried after a 5xx.
    fn delete(&self, template: &str, segment: (&'static str, &str)) -> Result<Value, Error> {
        let request = self.client.delete(template).segments(&[segment]);
        let request = self.partnered(request.query("partner_identifier", &self.partner));
        super::send(request.retry_safe(), &[])
    }

    /// The request, refused if the partner identifier is empty: every call names it.
    fn partnered<'r>(&self, mut request: RequestBuilder<'r>) -> RequestBuilder<'r> {
        super::require_text(&mut request, "partner_identifier", &self.partner);
        request
    }

    fn credential(
        &self,
        mut request: RequestBuilder<'_>,
        user: &str,
        id: &str,
    ) -> Result<Value, Error> {
        super::require_text(&mut request, "user_identifier", user);
        super::require_text(&mut request, "client_id", id);
        let user = Body(&[("identifier", &user)]);
        let credential = Body(&[("client_id", &id)]);
        self.send(request, &[("user", &user), ("credential", &credential)])
    }

    /// `POST /physicalproducts/api/v1/credentials`: gives a user of the partner a credential.
    #[inline]
    pub fn create_credential(
        &self,
        user_identifier: &str,
        client_id: &str,
    ) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v1/credentials");
        self.credential(request, user_identifier, client_id)
    }

    /// `PUT /physicalproducts/api/v1/credentials/{client_id}`: moves a credential to a user.
    #[inline]
    pub fn update_credential(
        &self,
        client_id: &str,
        user_identifier: &str,
    ) -> Result<Value, Error> {
        let request = self.put(
            "/physicalproducts/api/v1/credentials/{}",
            ("client_id", client_id),
        );
        self.credential(request, user_identifier, client_id)
    }

    /// `DELETE /physicalproducts/api/v1/credentials/{client_id}?partner_identifier=`.
    #[inline]
    pub fn delete_credential(&self, client_id: &str) -> Result<Value, Error> {
        self.delete(
            "/physicalproducts/api/v1/credentials/{}",
            ("client_id", client_id),
        )
    }

    /// `POST /physicalproducts/api/v2/product`: creates a product with its attributes and
    /// variants.
    #[inline]
    pub fn create_product(&self, product: &PhysicalProduct) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v2/product");
        self.send(request, &[("product", product)])
    }

    /// `POST /physicalproducts/api/v1/product`: creates a product, the first version's way.
    #[inline]
    pub fn create_product_v1(&self, product: &PhysicalProduct) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v1/product");
        self.send(request, &[("product", product)])
    }

    /// `PUT /physicalproducts/api/v1/product/{product_ucode}`: changes a product.
    #[inline]
    pub fn update_product(&self, ucode: &str, product: &PhysicalProduct) -> Result<Value, Error> {
        let request = self.put("/physicalproducts/api/v1/product/{}", ("ucode", ucode));
        self.send(request, &[("product", product)])
    }

    /// `PUT /physicalproducts/api/v1/product/{product_ucode}/status`: e.g. `ACTIVE`.
    #[inline]
    pub fn set_product_status(&self, ucode: &str, status: &str) -> Result<Value, Error> {
        let mut request = self.put(
            "/physicalproducts/api/v1/product/{}/status",
            ("ucode", ucode),
        );
        super::require_text(&mut request, "status", status);
        self.send(request, &[("status", &status)])
    }

    /// `PATCH /physicalproducts/api/v1/product/{product_ucode}/variants?partner_identifier=`:
    /// sets a product's attributes and variants.
    #[inline]
    pub fn update_variants(&self, ucode: &str, variants: &Variants) -> Result<Value, Error> {
        let request = self
            .client
            .patch("/physicalproducts/api/v1/product/{}/variants");
        let request = request.segments(&[("ucode", ucode)]);
        let request = self.partnered(request.query("partner_identifier", &self.partner));
        super::send(request.retry_safe().json(variants), &[])
    }

    /// `POST /physicalproducts/api/v1/webhook`: calls `url` on these events (e.g.
    /// `PURCHASE_APPROVED`) of a product.
    #[inline]
    pub fn create_webhook(
        &self,
        events: &[&str],
        product_ucode: &str,
        url: &str,
    ) -> Result<Value, Error> {
        let mut request = self.client.post("/physicalproducts/api/v1/webhook");
        super::require_codes(&mut request, "events", events);
        super::require_text(&mut request, "product_ucode", product_ucode);
        super::require_text(&mut request, "url", url);
        self.send(
            request,
            &[
                ("event", &events),
                ("product_ucode", &product_ucode),
                ("url", &url),
            ],
        )
    }

    /// `PUT /physicalproducts/api/v1/webhook/{webhook_id}`: changes a webhook's events and URL.
    #[inline]
    pub fn update_webhook(
        &self,
        webhook_id: &str,
        events: &[&str],
        url: &str,
    ) -> Result<Value, Error> {
        let request = self.put(
            "/physicalproducts/api/v1/webhook/{}",
            ("webhook_id", webhook_id),
        );
        let mut request = request;
        super::require_codes(&mut request, "events", events);
        super::require_text(&mut request, "url", url);
        self.send(request, &[("event", &events), ("url", &url)])
    }

    /// `DELETE /physicalproducts/api/v1/webhook/{webhook_id}?partner_identifier=`.
    #[inline]
    pub fn delete_webhook(&self, webhook_id: &str) -> Result<Value, Error> {
        self.delete(
            "/physicalproducts/api/v1/webhook/{}",
            ("webhook_id", webhook_id),
        )
    }

    /// `POST /physicalproducts/api/v1/shipments/status`: a sale's shipment status (e.g.
    /// `sent`) since `date` (ISO 8601, e.g. `2025-02-26T12:26:06Z`).
    ///
    /// Retried after a 5xx like a GET: it sets a status.
    #[inline]
    pub fn shipment_status(
        &self,
        transaction: &str,
        status: &str,
        date: &str,
    ) -> Result<Value, Error> {
        let mut request = self
            .client
            .post("/physicalproducts/api/v1/shipments/status");
        super::require_text(&mut request, "transaction", transaction);
        super::require_text(&mut request, "status", status);
        super::require_text(&mut request, "date", date);
        let members = [
            ("transaction", &transaction as _),
            ("status", &status as _),
            ("date", &date as _),
        ];
        self.send(request.retry_safe(), &members)
    }

    /// `POST /physicalproducts/api/v1/shipments/tracking`: a sale's tracking code and events.
    /// Not retried after a 5xx: a second attempt may add the events twice.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let tracking = hotmart::api::ShipmentTracking {
    ///     transaction: Some("HP9900000010".into()),
    ///     code: Some("AB0000001BR".into()),
    ///     ..Default::default()
    /// };
    /// client.physical_products("PARTNER-ID").shipment_tracking(&tracking)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn shipment_tracking(&self, tracking: &ShipmentTracking) -> Result<Value, Error> {
        let mut body = tracking.clone();
        // The partner is not the caller's to set: it rides in `extra`, after the members.
        let mut partner = miniserde::json::Object::new();
        partner.insert("identifier".to_owned(), Value::String(self.partner.clone()));
        body.extra
            .insert("partner".to_owned(), Value::Object(partner));
        let request = self
            .client
            .post("/physicalproducts/api/v1/shipments/tracking");
        super::send(self.partnered(request).json(&body), &[])
    }
}
