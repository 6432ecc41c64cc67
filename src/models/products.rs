//! `GET /products/api/v1/products`, `…/products/{ucode}/offers` and `…/products/{ucode}/plans`.

use super::Price;

model! {
    /// One product.
    pub struct Product {
        id: u64 = "The numeric id.",
        name: String = "The name.",
        ucode: String = "The unique code.",
        status: String = "E.g. `ACTIVE` or `DRAFT`.",
        created_at: i64 => created_time = "When it was created (epoch ms).",
        format: String = "E.g. `EBOOK`, `ONLINE_COURSE`.",
        is_subscription: bool = "Whether it is sold by subscription.",
        warranty_period: u64 = "The warranty in days.",
    }

    /// One offer of a product.
    pub struct ProductOffer {
        code: String = "The offer's code, as in checkout links.",
        name: String = "The offer's name (often empty).",
        description: String = "Its description (often empty).",
        price: Price = "Its price.",
        payment_mode: String = "E.g. `PAY_IN_FULL`, `SUBSCRIPTION`.",
        is_currency_conversion_enabled: bool = "Whether the buyer may pay in another currency.",
        is_main_offer: bool = "Whether it is the product's main offer.",
        is_smart_recovery_enabled: bool = "Whether Smart Recovery is on.",
    }

    /// One subscription plan of a product.
    pub struct ProductPlan {
        code: String = "The plan's code.",
        name: String = "Its name.",
        description: String = "Its description.",
        price: Price = "The price of each charge.",
        payment_mode: String = "E.g. `ASSINATURA`.",
        periodicity: String = "`MONTHLY`, `BIMONTHLY`, `QUARTERLY`, `BIANNUAL` or `ANNUAL`.",
        max_installments: u64 = "The most installments.",
        trial_period: u64 = "The trial in days (Hotmart sends it as a string in places: `\"7\"`).",
        is_subscription_recovery_enabled: bool = "Whether subscription recovery is on.",
        is_switch_plan_enabled: bool = "Whether subscribers may switch to this plan.",
    }
}
