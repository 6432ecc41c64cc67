//! An answer of the local Hotmart before it is written.

use crate::http::Response;
use crate::json::{Value, object};

/// An answer before it is written.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// A JSON answer of these bytes, as given (an empty body included, as Hotmart sends some).
    pub(crate) fn raw(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Answer {
            status,
            content_type: "application/json;charset=UTF-8".to_owned(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON answer of `value`, serialized once.
    pub(crate) fn json(status: u16, value: &Value) -> Self {
        Answer::raw(status, miniserde::json::to_string(value))
    }

    /// A 200 with an empty body, as Hotmart answers some writes and empty lists.
    pub(crate) fn empty() -> Self {
        Answer::raw(200, Vec::new())
    }

    /// Hotmart's error envelope.
    pub(crate) fn error(status: u16, error: &str, description: &str) -> Self {
        let value = object! {
            "error": error,
            "error_description": description,
            "error_uri": "https://developers.hotmart.com/docs/en/start/http-response-codes/",
        };
        Answer::json(status, &value)
    }

    pub(crate) fn into_response(self) -> Response {
        let response = Response::new(self.status).header("Content-Type", self.content_type);
        self.headers
            .into_iter()
            .fold(response, |response, (name, value)| {
                response.header(name, value)
            })
            .body(self.body)
    }
}
