//! Log lines on stderr: warnings (an untrusted cache file, say), and with `--verbose` the
//! crate's debug lines (token requests, cache hits). Never `trace`, where ureq dumps traffic.

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Stderr {
    verbose: bool,
}

static QUIET: Stderr = Stderr { verbose: false };
static VERBOSE: Stderr = Stderr { verbose: true };

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let ours = metadata.target().starts_with("hotmart");
        match metadata.level() {
            Level::Error | Level::Warn => true,
            Level::Info | Level::Debug => self.verbose && ours,
            Level::Trace => false,
        }
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            say(format_args!("{level}: {}", record.args()));
        }
    }

    fn flush(&self) {}
}

pub fn init(verbose: bool) {
    let (logger, level) = if verbose {
        (&VERBOSE, LevelFilter::Debug)
    } else {
        (&QUIET, LevelFilter::Warn)
    };
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

/// Writes `hotmart: {line}` to stderr. A stderr that cannot be written to (its reader gone)
/// loses the line; `eprintln!` would panic instead, and turn the exit code into 101.
pub fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "hotmart: {line}");
}
