//! `/products/api/v1/products…`.

use super::{ProductStatus, paged_request, setters};
use crate::Client;
use crate::models::{Product, ProductOffer, ProductPlan};

/// The product endpoints; made by [`Client::products`].
#[derive(Clone, Copy, Debug)]
pub struct Products<'c> {
    client: &'c Client,
}

impl<'c> Products<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Products { client }
    }

    /// `GET /products/api/v1/products`: the account's products, paginated (Hotmart's default
    /// page: 50).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::api::ProductStatus;
    /// let page = client.products().list().status(ProductStatus::Active).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn list(&self) -> ProductListRequest<'c> {
        ProductListRequest::new(self.client.get("/products/api/v1/products"))
    }

    /// `GET /products/api/v1/products/{ucode}/offers`: a product's offers, paginated. The
    /// product is named by its `ucode`, not its numeric id.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let offers = client.products().offers("f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn offers(&self, ucode: &str) -> ProductOffersRequest<'c> {
        let path = super::path("/products/api/v1/products/", ucode, "/offers");
        ProductOffersRequest::new(self.client.get(&path))
    }

    /// `GET /products/api/v1/products/{ucode}/plans`: a product's subscription plans,
    /// paginated.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let plans = client.products().plans("f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn plans(&self, ucode: &str) -> ProductPlansRequest<'c> {
        let path = super::path("/products/api/v1/products/", ucode, "/plans");
        ProductPlansRequest::new(self.client.get(&path))
    }
}

paged_request! {
    /// `GET /products/api/v1/products`; made by [`Products::list`].
    ProductListRequest => Product, empty_ok = false, call = "client.products().list()"
}

setters! {
    ProductListRequest = "client.products().list()" {
        /// Only this product (its numeric id).
        id(u64 = "1_234_567") => "id";
        /// Only products in this status.
        status(ProductStatus = "hotmart::api::ProductStatus::Active") => "status";
        /// Only this format, e.g. `EBOOK` or `ONLINE_COURSE`.
        format(&str = "\"example\"") => "format";
    }
}

paged_request! {
    /// `GET /products/api/v1/products/{ucode}/offers`; made by [`Products::offers`].
    ProductOffersRequest => ProductOffer, empty_ok = false, call = "client.products().offers(\"f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee\")"
}

paged_request! {
    /// `GET /products/api/v1/products/{ucode}/plans`; made by [`Products::plans`].
    ProductPlansRequest => ProductPlan, empty_ok = false, call = "client.products().plans(\"f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee\")"
}
