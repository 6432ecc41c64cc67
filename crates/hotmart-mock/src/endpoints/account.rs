//! `GET /user/api/v1/me` and `POST /accounts/api/v1/info` (Hotmart's GraphQL query). Hotmart
//! publishes no answer to either: these are minimal ones, the account in the members the
//! documented query asks for.

use super::{Reply, bad, object_body, text};
use crate::RecordedRequest;
use crate::answer::Answer;
use crate::json::{array, object};

/// The producer the credentials belong to.
pub(super) fn me() -> Answer {
    let value = object! {
        "id": 4242u64,
        "name": "Mock Producer",
        "email": "producer@example.com",
        "ucode": "mock-producer",
    };
    Answer::json(200, &value)
}

/// The account with the ucode the query names; GraphQL reports a query it cannot answer with
/// a 200 and `errors`, as GraphQL servers do.
pub(super) fn info(request: &RecordedRequest) -> Reply {
    let body = object_body(request)?;
    let Some(query) = text(&body, "query") else {
        return Err(bad("query is required"));
    };
    let ucode = query
        .contains("accountByFilterToExternalApplication")
        .then(|| query.split_once("ucode:"))
        .flatten()
        .and_then(|(_, rest)| rest.trim_start().strip_prefix('"'))
        .and_then(|rest| rest.split_once('"'))
        .map(|(ucode, _)| ucode);
    let Some(ucode) = ucode else {
        let errors = vec![object! { "message": "Unknown query" }];
        return Ok(Answer::json(200, &object! { "errors": errors }));
    };
    let account = object! {
        "ucode": ucode,
        "name": "Mock Producer",
        "legalName": "Mock Producer Ltda",
        "email": "producer@example.com",
        "entityType": "COMPANY",
        "docType": "CNPJ",
        "docValue": "00000000000191",
        "documents": vec![object! { "type": "CNPJ", "value": "00000000000191" }],
        "country": "BR",
        "addressCity": "Belo Horizonte",
        "addressState": "MG",
        "addressStreet": "Rua da Bahia",
        "addressNumber": "1",
        "addressComplement": "",
        "partners": array(Vec::new()),
    };
    let value = object! { "data": object! { "accountByFilterToExternalApplication": account } };
    Ok(Answer::json(200, &value))
}
