//! `/products/api/v1/product/{product_id}/coupon`, `/products/api/v1/coupon/product/{product_id}`
//! and `/products/api/v1/coupon/{coupon_id}`, Hotmart's own paths (a client library's
//! `/payments/api/v1/coupon…` ones are not Hotmart's).

use super::{Coupons, paged_request, setters};
use crate::Error;
use crate::models::Coupon;

impl<'c> Coupons<'c> {
    /// `POST /products/api/v1/product/{product_id}/coupon`: creates a coupon `code` giving
    /// `discount` off (a fraction: `0.2` is 20 %; Hotmart's page asks for more than 0 and
    /// less than 0.99, and a value from 0.99 up to 1 is left for Hotmart to judge). Hotmart
    /// answers `{}`.
    /// A discount that cannot be a fraction (`20.0`, `0`, `1`, NaN) or an empty code is
    /// [`Error::InvalidArgument`], and nothing is sent.
    ///
    /// Not retried after a 5xx: if the first attempt went through, a second would fail on
    /// the code already taken, hiding the success.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.coupons().create(1_234_567, "SUMMER20", 0.2)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn create(&self, product_id: u64, code: &str, discount: f64) -> Result<(), Error> {
        let mut request = self
            .client
            .post(&format!("/products/api/v1/product/{product_id}/coupon"));
        super::require_text(&mut request, "code", code);
        // `20.0` meant as 20 % would be sent as it is: refuse what cannot be a fraction.
        if !(discount > 0.0 && discount < 1.0) {
            request.refuse_argument("discount", "not a fraction between 0 and 1 (0.2 is 20 %)");
        }
        super::send(request, &[("code", &code), ("discount", &discount)])
    }

    /// `GET /products/api/v1/coupon/product/{product_id}`: a product's coupons, paginated.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for coupon in client.coupons().list(1_234_567).items() {
    ///     let coupon = coupon?;
    ///     println!("{:?} {:?}", coupon.coupon_code, coupon.discount);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn list(&self, product_id: u64) -> CouponListRequest<'c> {
        let path = format!("/products/api/v1/coupon/product/{product_id}");
        CouponListRequest::new(self.client.get(&path))
    }

    /// `DELETE /products/api/v1/coupon/{coupon_id}`: deletes a coupon (its `id` in the list).
    ///
    /// Retried after a 5xx like a GET: deleting what is gone leaves the same state.
    #[inline]
    pub fn delete(&self, coupon_id: u64) -> Result<(), Error> {
        let path = format!("/products/api/v1/coupon/{coupon_id}");
        super::send(self.client.delete(&path).retry_safe(), &[])
    }
}

paged_request! {
    /// `GET /products/api/v1/coupon/product/{product_id}`; made by [`Coupons::list`].
    CouponListRequest => Coupon, empty_ok = false, call = "client.coupons().list(1_234_567)";
}

setters! {
    CouponListRequest = "client.coupons().list(1_234_567)" {
        code(&str) = "Only the coupon with this code.";
    }
}
