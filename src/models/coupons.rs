//! `GET /products/api/v1/coupon/product/{product_id}`: a product's discount coupons.

model! {
    /// One discount coupon of a product.
    pub struct Coupon {
        id: u64 = "The coupon's numeric id, for deleting it.",
        coupon_code: String = "The code buyers type.",
        discount: f64 = "The discount as a fraction: `0.2` is 20 % off.",
        active: bool = "Whether it is active.",
        status: String = "E.g. `valid`.",
        start_date: i64 => starts_at = "When it starts to apply (epoch ms).",
        end_date: i64 => ends_at = "When it stops (epoch ms).",
        time_zone: TimeZone = "The time zone of its dates.",
    }

    /// A time zone as Hotmart describes it.
    pub struct TimeZone {
        id: String = "E.g. `America/Sao_Paulo`.",
        name: String = "E.g. `AMERICA_SAO_PAULO`.",
        offset: String = "E.g. `-03:00`.",
        description: String = "Its description.",
    }
}
