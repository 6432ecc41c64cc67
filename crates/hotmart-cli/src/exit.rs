//! Exit codes, and the failure of a run that carries one.

use std::fmt;
use std::io;

use hotmart::Error;
use hotmart::webhook;

/// Any other failure: an unusable answer, an output error.
pub const OTHER: u8 = 1;
/// The command line is wrong.
pub const USAGE: u8 = 2;
/// The configuration is missing or wrong (environment variables, base URLs, credentials' form).
pub const CONFIG: u8 = 3;
/// Hotmart refused the credentials.
pub const REJECTED: u8 = 4;
/// No answer: DNS, connection, TLS or timeout.
pub const NETWORK: u8 = 5;
/// Hotmart answered with an HTTP error status.
pub const HTTP: u8 = 6;
/// `webhook verify`: the delivery's hottok is missing, empty or wrong (a CGI answers 401).
pub const HOTTOK_REFUSED: u8 = 7;
/// `webhook verify`: the body is not an event (a CGI answers 400).
pub const BAD_EVENT: u8 = 8;
/// `webhook verify`: the body is over the cap (a CGI answers 413).
pub const TOO_LARGE: u8 = 9;

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// From the library; its message never holds a secret.
    Hotmart(Error),
    /// Writing the output, or starting the local Hotmart.
    Io(&'static str, io::Error),
    /// An export wrote every item but these, which did not fit their model (each reported).
    Skipped(usize),
    /// A webhook setting or delivery refused; never holds the hottok or the body.
    Webhook(webhook::Error),
    /// A message of our own, with its exit code.
    Other(u8, String),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Hotmart(err) => code_of(err),
            Failure::Io(..) | Failure::Skipped(_) => OTHER,
            Failure::Webhook(err) => match err.http_status() {
                401 => HOTTOK_REFUSED,
                413 => TOO_LARGE,
                400 => BAD_EVENT,
                // The hottok setting itself (unset, empty, too long).
                _ => CONFIG,
            },
            Failure::Other(code, _) => *code,
        }
    }
}

fn code_of(err: &Error) -> u8 {
    match err {
        Error::MissingEnv { .. }
        | Error::MissingEnvs { .. }
        | Error::InvalidEnv { .. }
        | Error::InvalidUrl { .. }
        | Error::InvalidCredentials { .. }
        | Error::InvalidConfig { .. }
        | Error::InvalidRootCertificate { .. } => CONFIG,
        Error::InvalidFilter { .. } | Error::InvalidArgument { .. } => USAGE,
        Error::TokenRejected { .. } => REJECTED,
        Error::Transport(_) => NETWORK,
        Error::Api(_) | Error::UnexpectedStatus { .. } | Error::TokenRateLimited { .. } => HTTP,
        _ => OTHER,
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The library's messages already name their cause and what to do.
            Failure::Hotmart(err) => write!(f, "{err}"),
            Failure::Io(what, err) => write!(f, "{what}: {err}"),
            Failure::Skipped(n) => write!(
                f,
                "{n} item(s) did not fit their model and were skipped (each is named above)"
            ),
            Failure::Webhook(err) => write!(f, "{err}"),
            Failure::Other(_, message) => f.write_str(message),
        }
    }
}

impl From<webhook::Error> for Failure {
    fn from(err: webhook::Error) -> Self {
        Failure::Webhook(err)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Hotmart(err)
    }
}
