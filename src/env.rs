//! Reading configuration from environment variables, with errors that name the variable.

use crate::Error;

/// The variable's value; unset, empty or not Unicode is an error naming it.
pub(crate) fn required(variable: &'static str) -> Result<String, Error> {
    optional(variable)?.ok_or(Error::MissingEnv { variable })
}

/// The variable's value, `None` when unset or empty.
pub(crate) fn optional(variable: &'static str) -> Result<Option<String>, Error> {
    match std::env::var(variable) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidEnv {
            variable,
            expected: "valid Unicode",
        }),
    }
}
