//! `GET /products/api/v1/products`, `…/products/{ucode}/offers` and `…/products/{ucode}/plans`.

use super::Price;

model! {
    /// One product.
    pub struct Product {
        /// The numeric id.
        id: u64,
        /// The name.
        name: String,
        /// The unique code.
        ucode: String,
        /// E.g. `ACTIVE` or `DRAFT`.
        status: String,
        /// When it was created (epoch ms).
        created_at: i64,
        /// E.g. `EBOOK`, `ONLINE_COURSE`.
        format: String,
        /// Whether it is sold by subscription.
        is_subscription: bool,
        /// The warranty in days.
        warranty_period: u64,
    }
}

model! {
    /// One offer of a product.
    pub struct ProductOffer {
        /// The offer's code, as in checkout links.
        code: String,
        /// The offer's name (often empty).
        name: String,
        /// Its description (often empty).
        description: String,
        /// Its price.
        price: Price,
        /// E.g. `PAY_IN_FULL`, `SUBSCRIPTION`.
        payment_mode: String,
        /// Whether the buyer may pay in another currency.
        is_currency_conversion_enabled: bool,
        /// Whether it is the product's main offer.
        is_main_offer: bool,
        /// Whether Smart Recovery is on.
        is_smart_recovery_enabled: bool,
    }
}

model! {
    /// One subscription plan of a product.
    pub struct ProductPlan {
        /// The plan's code.
        code: String,
        /// Its name.
        name: String,
        /// Its description.
        description: String,
        /// The price of each charge.
        price: Price,
        /// E.g. `ASSINATURA`.
        payment_mode: String,
        /// `MONTHLY`, `BIMONTHLY`, `QUARTERLY`, `BIANNUAL` or `ANNUAL`.
        periodicity: String,
        /// The most installments.
        max_installments: u64,
        /// The trial in days (Hotmart sends it as a string in places: `"7"`).
        trial_period: u64,
        /// Whether subscription recovery is on.
        is_subscription_recovery_enabled: bool,
        /// Whether subscribers may switch to this plan.
        is_switch_plan_enabled: bool,
    }
}
