//! `/products/api/v1/products…` and `/products/api/v1/product/configuration/{id}`.

use super::{Products, paged_request, setters};
use crate::Error;
use crate::models::{Product, ProductOffer, ProductPlan, ProductStatus};

impl<'c> Products<'c> {
    /// `GET /products/api/v1/products`: the account's products, paginated (Hotmart's default
    /// page: 50).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::ProductStatus;
    /// let page = client.products().list().status(ProductStatus::Active).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn list(&self) -> ProductListRequest<'c> {
        ProductListRequest::new(self.client.get("/products/api/v1/products"))
    }

    /// `GET /products/api/v1/products/{ucode}/offers`: a product's offers, paginated. The
    /// product is named by its `ucode`, not its numeric id.
    #[inline]
    pub fn offers(&self, ucode: &str) -> ProductOffersRequest<'c> {
        let request = self.client.get("/products/api/v1/products/{}/offers");
        ProductOffersRequest::new(request.segments(&[("ucode", ucode)]))
    }

    /// `GET /products/api/v1/products/{ucode}/plans`: a product's subscription plans,
    /// paginated.
    #[inline]
    pub fn plans(&self, ucode: &str) -> ProductPlansRequest<'c> {
        let request = self.client.get("/products/api/v1/products/{}/plans");
        ProductPlansRequest::new(request.segments(&[("ucode", ucode)]))
    }

    /// `PUT /products/api/v1/product/configuration/{product_id}`: whether the producer may
    /// e-mail the product's buyers (`is_allowed_to_email_the_buyer`).
    ///
    /// Retried after a 5xx like a GET: it sets a value, so twice is the same as once.
    #[inline]
    pub fn set_buyer_emails(&self, product_id: u64, allowed: bool) -> Result<(), Error> {
        let path = format!("/products/api/v1/product/configuration/{product_id}");
        let request = self.client.put(&path).retry_safe();
        super::send(request, &[("is_allowed_to_email_the_buyer", &allowed)])
    }
}

paged_request! {
    /// `GET /products/api/v1/products`; made by [`Products::list`].
    ProductListRequest => Product, empty_ok = false, call = "client.products().list()";
    /// `GET /products/api/v1/products/{ucode}/offers`; made by [`Products::offers`].
    ProductOffersRequest => ProductOffer, empty_ok = false, call = "client.products().offers(\"f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee\")";
    /// `GET /products/api/v1/products/{ucode}/plans`; made by [`Products::plans`].
    ProductPlansRequest => ProductPlan, empty_ok = false, call = "client.products().plans(\"f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee\")";
}

setters! {
    ProductListRequest = "client.products().list()" {
        id(u64) = "Only this product (its numeric id).";
        status(ProductStatus into) = "Only products in this status.";
        format(&str) = "Only this format, e.g. `EBOOK` or `ONLINE_COURSE`.";
    }
}
