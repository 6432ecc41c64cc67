//! `hotmart`: the Hotmart API from the shell, for cron jobs and scripts.
//!
//! `hotmart help` lists the commands, options and exit codes, `hotmart help COMMAND` (or
//! `hotmart COMMAND --help`) one command's. Data goes to stdout, diagnostics to stderr; the
//! persistent token cache is on unless `--no-cache` is given. The local Hotmart (`hotmart
//! mock`) is only in a build with the `mock` feature, Redis only with `redis`.

#![forbid(unsafe_code)]

mod args;
mod commands;
mod csv;
mod exit;
mod export;
mod help;
mod logger;
mod output;
mod raw;
mod time;
mod topic;
mod webhook;

use std::process::ExitCode;

fn main() -> ExitCode {
    let parsed = match args::parse(std::env::args_os().skip(1)) {
        Ok(parsed) => parsed,
        Err(usage) => {
            logger::say(format_args!("{usage}"));
            {
                use std::io::Write;
                let _ = writeln!(std::io::stderr().lock(), "Try `hotmart help`.");
            }
            return exit::USAGE.into();
        }
    };
    logger::init(parsed.global.verbose);
    match commands::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            logger::say(format_args!("{failure}"));
            failure.code().into()
        }
    }
}
