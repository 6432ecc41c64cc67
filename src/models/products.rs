//! `GET /products/api/v1/products`.

use miniserde::Deserialize;

/// One product.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Product {
    /// The numeric id.
    pub id: Option<u64>,
    /// The name.
    pub name: Option<String>,
    /// The unique code.
    pub ucode: Option<String>,
    /// E.g. `ACTIVE` or `DRAFT`.
    pub status: Option<String>,
    /// When it was created (epoch ms).
    pub created_at: Option<i64>,
    /// E.g. `EBOOK`, `ONLINE_COURSE`.
    pub format: Option<String>,
    /// Whether it is sold by subscription.
    pub is_subscription: Option<bool>,
    /// The warranty in days.
    pub warranty_period: Option<u64>,
}
