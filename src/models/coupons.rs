//! `/payments/api/v1/coupon…`: a product's discount coupons.

model! {
    /// One discount coupon of a product.
    ///
    /// Hotmart documents the coupon's request (`code`, `discount` as a fraction) but publishes
    /// no example answer of the list; the other members are inferred.
    pub struct Coupon {
        /// The coupon's numeric id, for deleting it.
        coupon_id: u64 ["coupon_id", "id"],
        /// The code buyers type.
        code: String,
        /// The discount as a fraction: `0.2` is 20 % off.
        discount: f64,
        /// When it starts to apply (epoch ms).
        start_date: i64,
        /// When it stops (epoch ms).
        end_date: i64,
        /// E.g. `ACTIVE`.
        status: String,
        /// The product's numeric id.
        product_id: u64,
    }
}
