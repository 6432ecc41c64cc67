//! Reading configuration from environment variables, with errors that name the variable.

use crate::Error;

/// The process environment as a lookup; a value that is not Unicode is read lossily, and then
/// fails the checks of whatever it configures.
pub(crate) fn process(variable: &str) -> Option<String> {
    std::env::var_os(variable).map(|v| v.to_string_lossy().into_owned())
}

/// The variable's value; unset or empty is an error naming it.
pub(crate) fn required(
    lookup: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<String, Error> {
    optional(lookup, variable).ok_or(Error::MissingEnv { variable })
}

/// The variable's value, `None` when unset or empty.
pub(crate) fn optional(
    lookup: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Option<String> {
    lookup(variable).filter(|value| !value.trim().is_empty())
}
