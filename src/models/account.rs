//! `POST /accounts/api/v1/info`: an account as Hotmart's GraphQL query names it (camelCase
//! members, read into snake_case fields).

model! {
    /// An account (`accountByFilterToExternalApplication`).
    pub struct Account {
        ucode: String = "The account's unique code.",
        name: String = "The name.",
        legal_name: String ["legalName"] = "The legal name.",
        email: String = "The e-mail address.",
        entity_type: String ["entityType"] = "E.g. a person or a company.",
        doc_type: String ["docType"] = "The main document's type.",
        doc_value: String ["docValue"] = "The main document's number.",
        documents: Vec<AccountDocument> = "Every document.",
        birth_date: String ["birthDate"] = "The birth date, as Hotmart sends it.",
        mother_name: String ["motherName"] = "The mother's name.",
        country: String = "The country.",
        address_city: String ["addressCity"] = "The city.",
        address_state: String ["addressState"] = "The state.",
        address_street: String ["addressStreet"] = "The street.",
        address_number: String ["addressNumber"] = "The number.",
        address_complement: String ["addressComplement"] = "The complement.",
        partners: Vec<AccountPartner> = "The company's partners.",
    }

    /// An identity document of an account.
    pub struct AccountDocument {
        kind: String ["type"] = "E.g. `CPF` (JSON member `type`).",
        value: String = "The number.",
    }

    /// A partner of a company account.
    pub struct AccountPartner {
        name: String = "The name.",
        participation_percentage: f64 ["participationPercentage"] = "The share, in percent.",
    }

    /// Hotmart's GraphQL answer.
    pub open struct Answer {
        data: AnswerData = "The result.",
    }

    /// The result of the query.
    pub open struct AnswerData {
        account: Account ["accountByFilterToExternalApplication"] = "The account.",
    }
}
