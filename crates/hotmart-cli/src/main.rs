//! `hotmart`: the Hotmart API from the shell, for cron jobs and scripts (feature `cli`).
//!
//! `hotmart --help` lists the commands, options and exit codes. Data goes to stdout,
//! diagnostics to stderr; the persistent token cache is on unless `--no-cache` is given.

#![forbid(unsafe_code)]

#[path = "hotmart/args.rs"]
mod args;
#[path = "hotmart/commands.rs"]
mod commands;
#[path = "hotmart/exit.rs"]
mod exit;
#[path = "hotmart/export.rs"]
mod export;
#[path = "hotmart/logger.rs"]
mod logger;
#[path = "hotmart/time.rs"]
mod time;

use std::process::ExitCode;

fn main() -> ExitCode {
    let parsed = match args::parse(std::env::args_os().skip(1)) {
        Ok(parsed) => parsed,
        Err(usage) => {
            crate::logger::say(format_args!("{usage}"));
            {
                use std::io::Write;
                let _ = writeln!(std::io::stderr().lock(), "Try `hotmart --help`.");
            }
            return exit::USAGE.into();
        }
    };
    logger::init(parsed.global.verbose);
    match commands::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            crate::logger::say(format_args!("{failure}"));
            failure.code().into()
        }
    }
}
