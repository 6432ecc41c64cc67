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

/// A write: `members` with `partner` first, sent as JSON.
fn send(
    request: RequestBuilder<'_>,
    partner: &str,
    members: &[(&str, &dyn Serialize)],
) -> Result<Value, Error> {
    let partner = Body(&[("identifier", &partner)]);
    let mut all: Vec<(&str, &dyn Serialize)> = vec![("partner", &partner)];
    all.extend_from_slice(members);
    super::send_value(request.json(&Body(&all)))
}

impl<'c> PhysicalProducts<'c> {
    pub(crate) fn new(client: &'c Client, partner: &str) -> Self {
        PhysicalProducts {
            client,
            partner: partner.to_owned(),
        }
    }

    fn credential(
        &self,
        request: RequestBuilder<'_>,
        user: &str,
        client_id: &str,
    ) -> Result<Value, Error> {
        let user = Body(&[("identifier", &user)]);
        let credential = Body(&[("client_id", &client_id)]);
        send(
            request,
            &self.partner,
            &[("user", &user), ("credential", &credential)],
        )
    }

    /// `POST /physicalproducts/api/v1/credentials`: gives a user of the partner a credential.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").create_credential("user-test-1", "000001")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create_credential(
        &self,
        user_identifier: &str,
        client_id: &str,
    ) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v1/credentials");
        self.credential(request, user_identifier, client_id)
    }

    /// `PUT /physicalproducts/api/v1/credentials/{client_id}`: moves a credential to a user.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").update_credential("000001", "user-test-2")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn update_credential(
        &self,
        client_id: &str,
        user_identifier: &str,
    ) -> Result<Value, Error> {
        let path = super::path("/physicalproducts/api/v1/credentials/", client_id, "");
        self.credential(
            self.client.put(&path).retry_safe(),
            user_identifier,
            client_id,
        )
    }

    fn delete(&self, prefix: &str, id: &str) -> Result<Value, Error> {
        let request = self.client.delete(&super::path(prefix, id, ""));
        super::send_value(
            request
                .query("partner_identifier", &self.partner)
                .retry_safe(),
        )
    }

    /// `DELETE /physicalproducts/api/v1/credentials/{client_id}?partner_identifier=`.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").delete_credential("000001")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn delete_credential(&self, client_id: &str) -> Result<Value, Error> {
        self.delete("/physicalproducts/api/v1/credentials/", client_id)
    }

    /// `POST /physicalproducts/api/v2/product`: creates a product with its attributes and
    /// variants.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let product = hotmart::api::PhysicalProduct { name: Some("Mug".into()), ..Default::default() };
    /// client.physical_products("PARTNER-ID").create_product(&product)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create_product(&self, product: &PhysicalProduct) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v2/product");
        send(request, &self.partner, &[("product", product)])
    }

    /// `POST /physicalproducts/api/v1/product`: creates a product, the first version's way.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let product = hotmart::api::PhysicalProduct { sku: Some("PRD12345".into()), ..Default::default() };
    /// client.physical_products("PARTNER-ID").create_product_v1(&product)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create_product_v1(&self, product: &PhysicalProduct) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v1/product");
        send(request, &self.partner, &[("product", product)])
    }

    /// `PUT /physicalproducts/api/v1/product/{product_ucode}`: changes a product.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let product = hotmart::api::PhysicalProduct { cost: Some(10.5), ..Default::default() };
    /// client.physical_products("PARTNER-ID").update_product("a1b2c3", &product)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn update_product(&self, ucode: &str, product: &PhysicalProduct) -> Result<Value, Error> {
        let path = super::path("/physicalproducts/api/v1/product/", ucode, "");
        send(
            self.client.put(&path).retry_safe(),
            &self.partner,
            &[("product", product)],
        )
    }

    /// `PUT /physicalproducts/api/v1/product/{product_ucode}/status`: e.g. `ACTIVE`.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").set_product_status("a1b2c3", "ACTIVE")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn set_product_status(&self, ucode: &str, status: &str) -> Result<Value, Error> {
        let path = super::path("/physicalproducts/api/v1/product/", ucode, "/status");
        send(
            self.client.put(&path).retry_safe(),
            &self.partner,
            &[("status", &status)],
        )
    }

    /// `PATCH /physicalproducts/api/v1/product/{product_ucode}/variants?partner_identifier=`:
    /// sets a product's attributes and variants.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let variants = hotmart::api::Variants::default();
    /// client.physical_products("PARTNER-ID").update_variants("a1b2c3", &variants)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn update_variants(&self, ucode: &str, variants: &Variants) -> Result<Value, Error> {
        let path = super::path("/physicalproducts/api/v1/product/", ucode, "/variants");
        let request = self
            .client
            .patch(&path)
            .query("partner_identifier", &self.partner);
        super::send_value(request.retry_safe().json(variants))
    }

    /// `POST /physicalproducts/api/v1/webhook`: calls `url` on these events (e.g.
    /// `PURCHASE_APPROVED`) of a product.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let events = ["PURCHASE_APPROVED", "PURCHASE_REFUNDED"];
    /// client.physical_products("PARTNER-ID").create_webhook(&events, "a1b2c3", "https://example.com/hook")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create_webhook(
        &self,
        events: &[&str],
        product_ucode: &str,
        url: &str,
    ) -> Result<Value, Error> {
        let request = self.client.post("/physicalproducts/api/v1/webhook");
        let members: [(&str, &dyn Serialize); 3] = [
            ("event", &events),
            ("product_ucode", &product_ucode),
            ("url", &url),
        ];
        send(request, &self.partner, &members)
    }

    /// `PUT /physicalproducts/api/v1/webhook/{webhook_id}`: changes a webhook's events and URL.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").update_webhook("42", &["PURCHASE_APPROVED"], "https://example.com/hook")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn update_webhook(
        &self,
        webhook_id: &str,
        events: &[&str],
        url: &str,
    ) -> Result<Value, Error> {
        let path = super::path("/physicalproducts/api/v1/webhook/", webhook_id, "");
        send(
            self.client.put(&path).retry_safe(),
            &self.partner,
            &[("event", &events), ("url", &url)],
        )
    }

    /// `DELETE /physicalproducts/api/v1/webhook/{webhook_id}?partner_identifier=`.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").delete_webhook("42")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn delete_webhook(&self, webhook_id: &str) -> Result<Value, Error> {
        self.delete("/physicalproducts/api/v1/webhook/", webhook_id)
    }

    /// `POST /physicalproducts/api/v1/shipments/status`: a sale's shipment status (e.g.
    /// `sent`) since `date` (ISO 8601, e.g. `2025-02-26T12:26:06Z`).
    ///
    /// Retried after a 5xx like a GET: it sets a status.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.physical_products("PARTNER-ID").shipment_status("HP123456789", "sent", "2025-02-26T12:26:06Z")?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn shipment_status(
        &self,
        transaction: &str,
        status: &str,
        date: &str,
    ) -> Result<Value, Error> {
        let request = self
            .client
            .post("/physicalproducts/api/v1/shipments/status")
            .retry_safe();
        let members: [(&str, &dyn Serialize); 3] = [
            ("transaction", &transaction),
            ("status", &status),
            ("date", &date),
        ];
        send(request, &self.partner, &members)
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
    pub fn shipment_tracking(&self, tracking: &ShipmentTracking) -> Result<Value, Error> {
        let request = self
            .client
            .post("/physicalproducts/api/v1/shipments/tracking");
        let mut body = tracking.clone();
        // The partner is not the caller's to set: it rides in `extra`, after the members.
        body.extra.insert("partner".to_owned(), {
            let mut partner = miniserde::json::Object::new();
            partner.insert("identifier".to_owned(), Value::String(self.partner.clone()));
            Value::Object(partner)
        });
        super::send_value(request.json(&body))
    }
}
