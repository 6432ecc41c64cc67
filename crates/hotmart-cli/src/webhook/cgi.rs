//! `hotmart webhook verify`: one delivery, CGI style. The hottok comes from
//! `HTTP_X_HOTMART_HOTTOK` (CGI's name for the `X-HOTMART-HOTTOK` header), the body from stdin
//! (`CONTENT_LENGTH` bytes of it when set, as CGI says, else up to the end), and the event goes
//! to stdout as one line, the hottok it may carry redacted. The exit code tells the script
//! what to answer.

use std::io::{self, Read, Write};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use hotmart::webhook::{self, MAX_BODY, Verifier};

use super::Accepted;
use crate::exit::{BAD_EVENT, Failure, TOO_LARGE};

/// CGI's variable for the `X-HOTMART-HOTTOK` header.
pub const HEADER_VARIABLE: &str = "HTTP_X_HOTMART_HOTTOK";
/// How long the body may take to arrive on stdin.
pub const BODY_TIME: Duration = Duration::from_secs(30);

pub fn verify() -> Result<(), Failure> {
    let verifier = Verifier::from_env()?;
    // A value that is not Unicode cannot be the hottok: refused as a wrong one.
    let header = std::env::var_os(HEADER_VARIABLE)
        .map(|value| value.into_string().unwrap_or_else(|_| "\u{fffd}".into()));
    let header = header.as_deref();
    // The hottok first: a delivery without it is refused before its body is read.
    verifier.check_hottok(header)?;
    let body = read_body()?;
    let event = Accepted::new(&verifier.verify(header, &body)?);
    let mut out = io::stdout().lock();
    out.write_all(event.line())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Io("cannot write the event", e))
}

/// `CONTENT_LENGTH`'s bytes: digits only (a number too long for `u64` is a body too large:
/// 413, not 400).
fn content_length(text: &str) -> Result<u64, Failure> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::Other(
            BAD_EVENT,
            "CONTENT_LENGTH is not a number of bytes".into(),
        ));
    }
    text.parse().map_err(|_| {
        Failure::Other(
            TOO_LARGE,
            format!("CONTENT_LENGTH is over {MAX_BODY} bytes: answer 413"),
        )
    })
}

/// The body: `CONTENT_LENGTH` bytes if set, else all of stdin; over [`MAX_BODY`] refused
/// before more is read, and all of it within [`BODY_TIME`].
fn read_body() -> Result<Vec<u8>, Failure> {
    let bad = |message: String| Failure::Other(BAD_EVENT, message);
    let expected = match std::env::var("CONTENT_LENGTH") {
        Ok(text) if !text.trim().is_empty() => Some(content_length(text.trim())?),
        _ => None,
    };
    if let Some(len) = expected.filter(|&len| len > MAX_BODY as u64) {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        return Err(webhook::Error::BodyTooLarge { len }.into());
    }
    let cap = expected.unwrap_or(MAX_BODY as u64 + 1);
    let (send, receive) = mpsc::channel();
    // A thread of its own, so that a body that never comes ends the run in time.
    thread::Builder::new()
        .name("hotmart-stdin".into())
        .spawn(move || {
            let mut body = Vec::new();
            let read = io::stdin().lock().take(cap).read_to_end(&mut body);
            let _ = send.send(read.map(|_| body));
        })
        .map_err(|e| Failure::Io("cannot read stdin", e))?;
    let body = match receive.recv_timeout(BODY_TIME) {
        Ok(Ok(body)) => body,
        Ok(Err(err)) => return Err(Failure::Io("cannot read the body on stdin", err)),
        Err(_) => {
            return Err(bad(format!(
                "the body did not arrive within {}s",
                BODY_TIME.as_secs()
            )));
        }
    };
    match expected {
        Some(len) if (body.len() as u64) < len => Err(bad(format!(
            "the body ended after {} of the {len} bytes CONTENT_LENGTH gives",
            body.len()
        ))),
        None if body.len() > MAX_BODY => {
            Err(webhook::Error::BodyTooLarge { len: body.len() }.into())
        }
        _ => Ok(body),
    }
}
