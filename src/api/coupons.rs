//! `/payments/api/v1/coupon…` and `/payments/api/v1/product/{id}/coupon`.

use super::{paged_request, setters};
use crate::models::Coupon;
use crate::{Client, Error};

/// The discount coupon endpoints; made by [`Client::coupons`].
#[derive(Clone, Copy, Debug)]
pub struct Coupons<'c> {
    client: &'c Client,
}

impl<'c> Coupons<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Coupons { client }
    }

    /// `POST /payments/api/v1/product/{product_id}/coupon`: creates a coupon `code` giving
    /// `discount` off (a fraction above 0 and below 0.99: `0.2` is 20 %). Hotmart answers
    /// with no body.
    ///
    /// Not retried after a 5xx: if the first attempt went through, a second would fail on
    /// the code already taken, hiding the success.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.coupons().create(1_234_567, "SUMMER20", 0.2)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn create(&self, product_id: u64, code: &str, discount: f64) -> Result<(), Error> {
        #[derive(miniserde::Serialize)]
        struct Body<'a> {
            code: &'a str,
            discount: f64,
        }
        let path = format!("/payments/api/v1/product/{product_id}/coupon");
        self.client
            .post(&path)
            .json(&Body { code, discount })
            .send()
            .map(drop)
    }

    /// `GET /payments/api/v1/coupon/product/{product_id}`: a product's coupons, paginated.
    /// Hotmart answers 200 with an empty body when there are none: that is an empty list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for coupon in client.coupons().list(1_234_567).items() {
    ///     let coupon = coupon?;
    ///     println!("{:?} {:?}", coupon.code, coupon.discount);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn list(&self, product_id: u64) -> CouponListRequest<'c> {
        let path = format!("/payments/api/v1/coupon/product/{product_id}");
        CouponListRequest::new(self.client.get(&path))
    }

    /// `DELETE /payments/api/v1/coupon/{coupon_id}`: deletes a coupon. Hotmart answers with
    /// no body.
    ///
    /// Retried after a 5xx like a GET: deleting what is gone leaves the same state.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// client.coupons().delete(42)?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn delete(&self, coupon_id: u64) -> Result<(), Error> {
        let path = format!("/payments/api/v1/coupon/{coupon_id}");
        self.client.delete(&path).retry_safe().send().map(drop)
    }
}

paged_request! {
    /// `GET /payments/api/v1/coupon/product/{product_id}`; made by [`Coupons::list`]. An
    /// empty body is an empty list.
    CouponListRequest => Coupon, empty_ok = true, call = "client.coupons().list(1_234_567)"
}

setters! {
    CouponListRequest = "client.coupons().list(1_234_567)" {
        /// Only the coupon with this code.
        code(&str = "\"example\"") => "code";
    }
}
