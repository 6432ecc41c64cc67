//! `/club/api/v1/…` (by the Club's `subdomain`) and `/club/api/v2/…` (by its product): the
//! Members Area.
//!
//! Paths follow Hotmart's documentation (`/club/api/v1/users` for students,
//! `/club/api/v1/modules/{id}/pages`, `/club/api/v1/users/{id}/lessons`); a summary published
//! with hotmart-python lists `/students` and `/pages?module_id=` instead, which match neither
//! Hotmart's own pages nor the recorded answers of hotmart-php-sdk.

use super::{paged_request, plain_request, setters};
use crate::models::wire::Field;
use crate::models::{ClubLesson, ClubModule, ClubPage, ClubStudent};
use crate::{Client, RequestBuilder};

/// The Members Area of one Club; made by [`Client::club`].
#[derive(Clone, Debug)]
pub struct Club<'c> {
    client: &'c Client,
    subdomain: String,
}

impl<'c> Club<'c> {
    pub(crate) fn new(client: &'c Client, subdomain: &str) -> Self {
        Club {
            client,
            subdomain: subdomain.to_owned(),
        }
    }

    fn get(&self, path: &str) -> RequestBuilder<'c> {
        let mut request = self.client.get(path).query("subdomain", &self.subdomain);
        super::require_text(&mut request, "subdomain", &self.subdomain);
        // `mymembers.club.hotmart.com` (or a URL) names no Club: Hotmart wants `mymembers`.
        if self.subdomain.contains(['.', '/']) {
            request.refuse_argument(
                "subdomain",
                "a whole address: give only its first part (`mymembers` of mymembers.club.hotmart.com)",
            );
        } else if !self
            .subdomain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || self.subdomain.starts_with('-')
            || self.subdomain.ends_with('-')
            || self.subdomain.len() > 63
        {
            // A subdomain is a host name's label; anything else (a newline read with it from a
            // file, a port, a space) names no Club, and Hotmart would answer an empty one.
            request.refuse_argument(
                "subdomain",
                "not a subdomain: up to 63 letters, digits and `-` inside (look for spaces or a newline)",
            );
        }
        request
    }

    /// `GET /club/api/v1/modules`: the Club's modules. Hotmart answers a bare array (or an
    /// empty body for a Club without modules), so this gives a `Vec`.
    #[inline]
    pub fn modules(&self) -> ClubModulesRequest<'c> {
        ClubModulesRequest::new(self.get("/club/api/v1/modules"))
    }

    /// `GET /club/api/v1/modules/{module_id}/pages`: a module's pages, as a bare array.
    #[inline]
    pub fn pages(&self, module_id: &str) -> ClubPagesRequest<'c> {
        let request = self.get("/club/api/v1/modules/{}/pages");
        ClubPagesRequest::new(request.segments(&[("module_id", module_id)]))
    }

    /// `GET /club/api/v1/users`: the Club's students, paginated. An empty body is an empty
    /// list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for student in client.club("mymembers").students().items() {
    ///     println!("{:?}", student?.email);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn students(&self) -> ClubStudentsRequest<'c> {
        ClubStudentsRequest::new(self.get("/club/api/v1/users"))
    }

    /// `GET /club/api/v1/users/{user_id}/lessons`: one student's progress, lesson by lesson.
    /// Hotmart answers `{"lessons": [...]}`; this gives the list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let lessons = client.club("mymembers").lessons("n2OM623n46").send()?;
    /// let done = lessons.iter().filter(|l| l.is_completed == Some(true)).count();
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn lessons(&self, user_id: &str) -> ClubLessonsRequest<'c> {
        let request = self.get("/club/api/v1/users/{}/lessons");
        ClubLessonsRequest::new(request.segments(&[("user_id", user_id)]))
    }
}

plain_request! {
    /// `GET /club/api/v1/modules`; made by [`Club::modules`]. An empty body is an empty list.
    ClubModulesRequest => Vec<ClubModule>,
    decode = |body, url| crate::page::decode_list(body, url, ClubModule::check, true),
    call = "client.club(\"mymembers\").modules()";
    /// `GET /club/api/v1/modules/{module_id}/pages`; made by [`Club::pages`]. An empty body
    /// is an empty list.
    ClubPagesRequest => Vec<ClubPage>,
    decode = |body, url| crate::page::decode_list(body, url, ClubPage::check, true),
    call = "client.club(\"mymembers\").pages(\"2z7ramxejw\")";
    /// `GET /club/api/v2/modules/{module_id}/pages`; made by [`ClubByProduct::pages`].
    ClubPagesV2Request => Vec<ClubPage>,
    decode = |body, url| crate::page::decode_list(body, url, ClubPage::check, true),
    call = "client.club_by_product(1_234_567).pages(\"2z7ramxejw\")";
    /// `GET /club/api/v1/users/{user_id}/lessons`; made by [`Club::lessons`]: the `lessons`
    /// member of Hotmart's answer. An empty body is an empty list.
    ClubLessonsRequest => Vec<ClubLesson>,
    decode = |body, url| crate::page::decode_member_list(body, url, "lessons", ClubLesson::check, true),
    call = "client.club(\"mymembers\").lessons(\"n2OM623n46\")";
}

setters! {
    ClubModulesRequest = "client.club(\"mymembers\").modules()" {
        is_extra(bool) = "Only extra modules (`true`) or only main ones (`false`, Hotmart's default).";
    }
}

/// The Members Area endpoints that name the Club by its product; made by
/// [`Client::club_by_product`].
#[derive(Clone, Copy, Debug)]
pub struct ClubByProduct<'c> {
    pub(crate) client: &'c Client,
    pub(crate) product_id: u64,
}

impl<'c> ClubByProduct<'c> {
    /// `GET /club/api/v2/modules/{module_id}/pages?product_id=`: a module's pages with their
    /// drip rules per class, as a bare array.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for page in client.club_by_product(1_234_567).pages("2z7ramxejw").send()? {
    ///     println!("{:?}: {} drip rules", page.name, page.dripping_configs.map_or(0, |d| d.len()));
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn pages(&self, module_id: &str) -> ClubPagesV2Request<'c> {
        let request = self.client.get("/club/api/v2/modules/{}/pages");
        let request = request.segments(&[("module_id", module_id)]);
        ClubPagesV2Request::new(request.query("product_id", self.product_id))
    }
}

paged_request! {
    /// `GET /club/api/v1/users`; made by [`Club::students`]. An empty body is an empty list.
    ClubStudentsRequest => ClubStudent, empty_ok = true, call = "client.club(\"mymembers\").students()";
}

setters! {
    ClubStudentsRequest = "client.club(\"mymembers\").students()" {
        email(&str) = "Only the student with this e-mail address.";
    }
}
