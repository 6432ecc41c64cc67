//! The commands by name: what `hotmart help COMMAND` and `COMMAND --help` ask for, and the
//! list the usage messages give.

/// A command with a help text of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    Token,
    Get,
    Export,
    Webhook,
    #[cfg(feature = "mock")]
    Mock,
    Help,
}

impl Topic {
    /// The command named `name`, if this build has it.
    pub fn named(name: &str) -> Option<Topic> {
        Some(match name {
            "token" => Topic::Token,
            "get" => Topic::Get,
            "export" => Topic::Export,
            "webhook" => Topic::Webhook,
            #[cfg(feature = "mock")]
            "mock" => Topic::Mock,
            "help" => Topic::Help,
            _ => return None,
        })
    }
}

/// The commands this build has, for messages.
pub const COMMANDS: &str = if cfg!(feature = "mock") {
    "token, get, export, webhook, mock or help"
} else {
    "token, get, export, webhook or help"
};
