//! `/club/api/v1/…` and `/club/api/v2/…`: the Members Area's modules, pages, students and a
//! student's lessons.

model! {
    /// One module of a Members Area (`/club/api/v1/modules` answers a bare array of them).
    pub struct ClubModule {
        module_id: String = "The module's id (text, e.g. `2z7ramxejw`).",
        name: String = "Its name.",
        sequence: u64 = "Its place in the order.",
        is_extra: bool = "Whether it is an extra module.",
        is_extra_paid: bool = "Whether the extra module is paid.",
        is_public: bool = "Whether it is free to everyone.",
        classes: Vec<String> = "The classes that see it.",
        total_pages: u64 = "How many pages it has.",
    }

    /// One page of a module (`/club/api/v1/modules/{id}/pages` and its v2 answer a bare
    /// array; v2 adds `dripping_configs`).
    pub struct ClubPage {
        page_id: String = "The page's id.",
        name: String = "Its name.",
        page_order: u64 = "Its place in the module.",
        kind: String ["type"] = "`CONTENT`, `ADVERTISEMENT`, … (JSON member `type`).",
        has_media: bool = "Whether it has media.",
        has_duration: bool = "Whether it has a duration.",
        total_comments: u64 = "How many comments it has.",
        liberation_type: String = "`BY_DAYS` or `BY_DATE` (drip content).",
        liberation_days: u64 = "Released this many days after the purchase.",
        liberation_date: i64 => liberated_at = "Released on this date (epoch ms).",
        days_of_duration: u64 = "How many days it stays available.",
        rates: Vec<PageRate> = "Its ratings.",
        rates_average: f64 = "The average rating.",
        published: bool = "Whether it is published.",
        dripping_configs: Vec<Dripping> = "When it is released and for how long, per class (v2).",
    }

    /// A drip rule of a page (v2): when it is released, when it expires, and for which
    /// classes (all when empty).
    pub struct Dripping {
        liberation: DrippingRule = "When it is released.",
        expiration: DrippingRule = "When it expires.",
        classes: Vec<ClubClass> = "The classes the rule is for.",
    }

    /// A release or expiry rule.
    pub struct DrippingRule {
        kind: String ["type"] = "`BY_DAYS`, `BY_DATE` or `BY_QUIZ` (JSON member `type`).",
        liberation_days: u64 = "Released this many days after the purchase.",
        liberation_date: String = "Released on this date (ISO 8601 text here).",
        duration_days: u64 = "Expires this many days after release.",
        page_id: String = "Released once this quiz page is done.",
    }

    /// A class of students in a Club.
    pub struct ClubClass {
        id: String = "The class's id.",
        name: String = "Its name.",
        default_class: bool = "Whether it is the default class.",
    }

    /// How many students gave a page a rating.
    pub struct PageRate {
        rate: u64 = "The rating.",
        total: u64 = "How many gave it.",
    }

    /// One student of a Members Area (`/club/api/v1/users`, paginated).
    ///
    /// `last_access_date`, `first_access_date` and `purchase_date` are epoch **seconds** in
    /// Hotmart's published example: use [`time_from_secs`](super::time_from_secs) for them.
    pub struct ClubStudent {
        user_id: String = "The student's id in the Club (text).",
        engagement: String = "`NONE`, `LOW`, `MEDIUM`, `HIGH`, …",
        name: String = "The name.",
        email: String = "The e-mail address.",
        last_access_date: i64 = "The last access (epoch seconds in Hotmart's example).",
        role: String = "E.g. `STUDENT`, `FREE_STUDENT`.",
        first_access_date: i64 = "The first access (epoch seconds in Hotmart's example).",
        locale: String = "The locale, e.g. `pt_BR`.",
        plus_access: String = "E.g. `WITHOUT_PLUS_ACCESS`.",
        progress: ClubProgress = "Progress through the content.",
        status: String = "E.g. `ACTIVE`, `BLOCKED`.",
        purchase_date: i64 = "When the student bought (epoch seconds in Hotmart's example).",
        access_count: u64 = "How many accesses.",
        is_deletable: bool = "Whether the student may be deleted.",
        class_id: String = "The class the student is in.",
        kind: String ["type"] = "`BUYER`, `FREE`, `IMPORTED`, … (JSON member `type`).",
    }

    /// A student's progress.
    pub struct ClubProgress {
        completed_percentage: f64 = "Percent of pages completed.",
        total: u64 = "How many pages in all.",
        completed: u64 = "How many completed.",
    }

    /// One lesson (page) as a student's progress lists it (`/club/api/v1/users/{id}/lessons`
    /// answers `{"lessons": [...]}`).
    pub struct ClubLesson {
        page_id: String = "The page's id.",
        page_name: String = "The page's name.",
        module_name: String = "The module's name.",
        is_module_extra: bool = "Whether the module is an extra.",
        is_completed: bool = "Whether the student completed it.",
        completed_date: i64 => completed_at = "When (epoch ms).",
    }
}
