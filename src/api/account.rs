//! `GET /user/api/v1/me` and `POST /accounts/api/v1/info` (a GraphQL query).

use miniserde::json::Value;

use super::{Accounts, Body, User, plain_request};
use crate::Error;
use crate::models::Account;

impl<'c> User<'c> {
    /// `GET /user/api/v1/me`: the profile of the account the credentials belong to. Hotmart
    /// publishes no example answer: it is returned as it came.
    #[inline]
    pub fn me(&self) -> UserRequest<'c> {
        UserRequest::new(self.client.get("/user/api/v1/me"))
    }
}

plain_request! {
    /// `GET /user/api/v1/me`; made by [`User::me`].
    UserRequest => Value, decode = crate::page::decode, call = "client.user().me()";
}

/// The members Hotmart's documented query asks for.
const ACCOUNT_MEMBERS: &str = "addressCity, addressComplement, addressNumber, addressState, \
    addressStreet, birthDate, country, docType, docValue, documents { type, value }, email, \
    entityType, legalName, motherName, name, ucode, partners { name, participationPercentage }";

impl Accounts<'_> {
    /// `POST /accounts/api/v1/info`: the account with this `ucode`, through Hotmart's
    /// documented GraphQL query (`accountByFilterToExternalApplication`). An answer without
    /// the account (GraphQL reports its errors with a 200) is [`Error::InvalidResponse`].
    ///
    /// Retried after a 5xx like a GET: the query only reads.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// let account = client.accounts().info("f2b3be1f-313f-4a2d-b5b7-1c39d67dd3ee")?;
    /// println!("{:?}", account.legal_name);
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    #[inline]
    pub fn info(&self, ucode: &str) -> Result<Account, Error> {
        // GraphQL strings escape as JSON's do; the ucode cannot end the string early.
        let quoted = miniserde::json::to_string(ucode);
        let query = format!(
            "{{ accountByFilterToExternalApplication(accountInput: {{ucode: {quoted}}}) {{ {ACCOUNT_MEMBERS} }} }}"
        );
        let variables = Body(&[]);
        let body = Body(&[("query", &query), ("variables", &variables)]);
        let mut request = self
            .client
            .post("/accounts/api/v1/info")
            .json(&body)
            .retry_safe();
        super::require_text(&mut request, "ucode", ucode);
        let resp = request.send()?;
        let answer: crate::models::account::Answer = super::Answer::read(&resp)?;
        answer
            .data
            .and_then(|d| d.account)
            .ok_or_else(|| Error::InvalidResponse {
                url: resp.url().to_owned(),
                reason:
                    "the answer has no data.accountByFilterToExternalApplication (GraphQL errors?)"
                        .to_owned(),
            })
    }
}
