//! `/club/api/v1/…`: the Members Area. Every call carries the Club's `subdomain`.
//!
//! Paths follow Hotmart's documentation (`/club/api/v1/users` for students,
//! `/club/api/v1/modules/{id}/pages`, `/club/api/v1/users/{id}/lessons`); a summary published
//! with hotmart-python lists `/students` and `/pages?module_id=` instead, which match neither
//! Hotmart's own pages nor the recorded answers of hotmart-php-sdk.

use super::{paged_request, setters};
use crate::models::wire::Field;
use crate::models::{ClubLesson, ClubModule, ClubPage, ClubStudent};
use crate::{Client, Error, RequestBuilder};

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
        self.client.get(path).query("subdomain", &self.subdomain)
    }

    /// `GET /club/api/v1/modules`: the Club's modules. Hotmart answers a bare array (or an
    /// empty body for a Club without modules), so this gives a `Vec`.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let extras = client.club("mymembers").modules().is_extra(true).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn modules(&self) -> ClubModulesRequest<'c> {
        ClubModulesRequest {
            request: self.get("/club/api/v1/modules"),
        }
    }

    /// `GET /club/api/v1/modules/{module_id}/pages`: a module's pages, as a bare array.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let pages = client.club("mymembers").pages("2z7ramxejw").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn pages(&self, module_id: &str) -> ClubPagesRequest<'c> {
        let path = super::path("/club/api/v1/modules/", module_id, "/pages");
        ClubPagesRequest {
            request: self.get(&path),
        }
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
    pub fn lessons(&self, user_id: &str) -> ClubLessonsRequest<'c> {
        let path = super::path("/club/api/v1/users/", user_id, "/lessons");
        ClubLessonsRequest {
            request: self.get(&path),
        }
    }
}

/// `GET /club/api/v1/modules`; made by [`Club::modules`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct ClubModulesRequest<'c> {
    request: RequestBuilder<'c>,
}

impl ClubModulesRequest<'_> {
    /// Only extra modules (`true`) or only main ones (`false`, Hotmart's default).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let extras = client.club("mymembers").modules().is_extra(true).send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn is_extra(mut self, is_extra: bool) -> Self {
        self.request
            .set_query("is_extra", if is_extra { "true" } else { "false" });
        self
    }

    /// The modules; an empty body is an empty list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// for module in client.club("mymembers").modules().send()? {
    ///     println!("{:?}", module.name);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<Vec<ClubModule>, Error> {
        let resp = self.request.send()?;
        crate::page::decode_list(resp.body(), resp.url(), ClubModule::check, true)
    }
}

/// `GET /club/api/v1/modules/{module_id}/pages`; made by [`Club::pages`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct ClubPagesRequest<'c> {
    request: RequestBuilder<'c>,
}

impl ClubPagesRequest<'_> {
    /// The pages; an empty body is an empty list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let pages = client.club("mymembers").pages("2z7ramxejw").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<Vec<ClubPage>, Error> {
        let resp = self.request.send()?;
        crate::page::decode_list(resp.body(), resp.url(), ClubPage::check, true)
    }
}

/// `GET /club/api/v1/users/{user_id}/lessons`; made by [`Club::lessons`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() is called"]
pub struct ClubLessonsRequest<'c> {
    request: RequestBuilder<'c>,
}

impl ClubLessonsRequest<'_> {
    /// The lessons (the `lessons` member of Hotmart's answer); an empty body is an empty list.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let lessons = client.club("mymembers").lessons("n2OM623n46").send()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn send(self) -> Result<Vec<ClubLesson>, Error> {
        let resp = self.request.send()?;
        crate::page::decode_member_list(resp.body(), resp.url(), "lessons", ClubLesson::check, true)
    }
}

paged_request! {
    /// `GET /club/api/v1/users`; made by [`Club::students`]. An empty body is an empty list.
    ClubStudentsRequest => ClubStudent, empty_ok = true, call = "client.club(\"mymembers\").students()"
}

setters! {
    ClubStudentsRequest = "client.club(\"mymembers\").students()" {
        /// Only the student with this e-mail address.
        email(&str = "\"example\"") => "email";
    }
}
