//! Writing to stdout: every write of the command goes through here, so that a reader that
//! went away ends the run quietly and any other failure is the same [`Failure`].

use std::io::{self, Write};

use crate::exit::Failure;
use crate::raw::{RawPages, one_line};

/// `bytes` on stdout, flushed.
pub fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    write(&mut out, bytes)?;
    flush(&mut out)
}

/// `line` and a line break.
pub fn write_line(out: &mut impl Write, line: &str) -> Result<(), Failure> {
    write(out, line.as_bytes())?;
    write(out, b"\n")
}

/// All of `bytes`.
pub fn write(out: &mut impl Write, bytes: &[u8]) -> Result<(), Failure> {
    out.write_all(bytes).map_err(output_error)
}

/// Flushes `out`.
pub fn flush(out: &mut impl Write) -> Result<(), Failure> {
    out.flush().map_err(output_error)
}

/// A reader that went away (`hotmart export … | head`) ends the run quietly.
fn output_error(err: io::Error) -> Failure {
    if err.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    Failure::Io("cannot write the output", err)
}

/// Every item of `pages` on a line of its own, as it came; flushed after each page.
pub fn write_raw(out: &mut impl Write, pages: RawPages<'_>) -> Result<(), Failure> {
    for page in pages {
        for item in page?.items() {
            write(out, &one_line(item))?;
            write(out, b"\n")?;
        }
        flush(out)?;
    }
    Ok(())
}
