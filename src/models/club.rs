//! `/club/api/v1/…`: the Members Area's modules, pages, students and a student's lessons.

model! {
    /// One module of a Members Area (`/club/api/v1/modules` answers a bare array of them).
    pub struct ClubModule {
        /// The module's id (text, e.g. `2z7ramxejw`).
        module_id: String,
        /// Its name.
        name: String,
        /// Its place in the order.
        sequence: u64,
        /// Whether it is an extra module.
        is_extra: bool,
        /// Whether the extra module is paid.
        is_extra_paid: bool,
        /// Whether it is free to everyone.
        is_public: bool,
        /// The classes that see it.
        classes: Vec<String>,
        /// How many pages it has.
        total_pages: u64,
    }
}

model! {
    /// One page of a module (`/club/api/v1/modules/{id}/pages` answers a bare array).
    pub struct ClubPage {
        /// The page's id.
        page_id: String,
        /// Its name.
        name: String,
        /// Its place in the module.
        page_order: u64,
        /// `CONTENT`, `ADVERTISEMENT`, … (JSON member `type`).
        kind: String ["type"],
        /// Whether it has media.
        has_media: bool,
        /// Whether it has a duration.
        has_duration: bool,
        /// How many comments it has.
        total_comments: u64,
        /// `BY_DAYS` or `BY_DATE` (drip content).
        liberation_type: String,
        /// Released this many days after the purchase.
        liberation_days: u64,
        /// Released on this date (epoch ms).
        liberation_date: i64,
        /// How many days it stays available.
        days_of_duration: u64,
        /// Its ratings.
        rates: Vec<PageRate>,
    }
}

model! {
    /// How many students gave a page a rating.
    pub struct PageRate {
        /// The rating.
        rate: u64,
        /// How many gave it.
        total: u64,
    }
}

model! {
    /// One student of a Members Area (`/club/api/v1/users`, paginated).
    ///
    /// `last_access_date`, `first_access_date` and `purchase_date` are epoch **seconds** in
    /// Hotmart's published example: use [`time_from_secs`](super::time_from_secs) for them.
    pub struct ClubStudent {
        /// The student's id in the Club (text).
        user_id: String,
        /// `NONE`, `LOW`, `MEDIUM`, `HIGH`, …
        engagement: String,
        /// The name.
        name: String,
        /// The e-mail address.
        email: String,
        /// The last access (epoch seconds in Hotmart's example).
        last_access_date: i64,
        /// E.g. `STUDENT`, `FREE_STUDENT`.
        role: String,
        /// The first access (epoch seconds in Hotmart's example).
        first_access_date: i64,
        /// The locale, e.g. `pt_BR`.
        locale: String,
        /// E.g. `WITHOUT_PLUS_ACCESS`.
        plus_access: String,
        /// Progress through the content.
        progress: ClubProgress,
        /// E.g. `ACTIVE`, `BLOCKED`.
        status: String,
        /// When the student bought (epoch seconds in Hotmart's example).
        purchase_date: i64,
        /// How many accesses.
        access_count: u64,
        /// Whether the student may be deleted.
        is_deletable: bool,
        /// The class the student is in.
        class_id: String,
        /// `BUYER`, `FREE`, `IMPORTED`, … (JSON member `type`).
        kind: String ["type"],
    }
}

model! {
    /// A student's progress.
    pub struct ClubProgress {
        /// Percent of pages completed.
        completed_percentage: f64,
        /// How many pages in all.
        total: u64,
        /// How many completed.
        completed: u64,
    }
}

model! {
    /// One lesson (page) as a student's progress lists it (`/club/api/v1/users/{id}/lessons`
    /// answers `{"lessons": [...]}`).
    pub struct ClubLesson {
        /// The page's id.
        page_id: String,
        /// The page's name.
        page_name: String,
        /// The module's name.
        module_name: String,
        /// Whether the module is an extra.
        is_module_extra: bool,
        /// Whether the student completed it.
        is_completed: bool,
        /// When (epoch ms).
        completed_date: i64,
    }
}
