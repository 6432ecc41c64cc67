//! How a retried call came to an end: [`GaveUp`] and the [`Limit`] that stopped it.

use std::fmt;
use std::time::Duration;

/// How a call that was retried came to an end: the limit that stopped it, and what it had
/// spent by then. See [`Error::gave_up`](crate::Error::gave_up).
///
/// ```
/// # fn report(err: &hotmart::Error) {
/// if let Some(gave_up) = err.gave_up() {
///     eprintln!("{} requests in {:?}, stopped by {:?}", gave_up.attempts, gave_up.elapsed, gave_up.limit);
/// }
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GaveUp {
    /// Requests sent in this call (retries included).
    pub attempts: u32,
    /// Time from the first request to giving up, measured.
    pub elapsed: Duration,
    /// Of that, time spent waiting out rate limits (429).
    pub rate_limit_waits: Duration,
    /// The limit that ended the call.
    pub limit: Limit,
}

/// The limit that ended a retried call; each names the [`ClientBuilder`](crate::ClientBuilder)
/// setting behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// `max_retries` retries after 5xx answers or transport failures were used up.
    Retries(u32),
    /// The next rate-limit wait would have taken the call's waiting past
    /// `max_rate_limit_wait`.
    RateLimitWait(Duration),
    /// The server kept answering 429 this many times, the most one call accepts, whatever
    /// waits it asked for.
    RateLimitAttempts(u32),
    /// The call's overall deadline, `call_timeout`, ran out (or would have during the next
    /// wait).
    Deadline(Duration),
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let GaveUp {
            attempts,
            elapsed,
            rate_limit_waits,
            limit,
        } = self;
        let plural = if *attempts == 1 { "" } else { "s" };
        write!(
            f,
            "gave up after {attempts} request{plural} in {} s",
            Seconds(*elapsed)
        )?;
        if !rate_limit_waits.is_zero() {
            write!(
                f,
                " ({} s of it waiting out rate limits)",
                Seconds(*rate_limit_waits)
            )?;
        }
        match limit {
            Limit::Retries(n) => write!(f, ": the {n} retries allowed were used up"),
            Limit::RateLimitWait(max) => write!(
                f,
                ": the next rate-limit wait would pass the longest wait allowed ({} s)",
                Seconds(*max)
            ),
            Limit::RateLimitAttempts(n) => {
                write!(
                    f,
                    ": {n} answers of 429 in a row, the most one call accepts"
                )
            }
            Limit::Deadline(max) => {
                write!(f, ": the call's deadline ({} s) ran out", Seconds(*max))
            }
        }
    }
}

/// A duration in seconds to one decimal, like `{:.1}` of its `f64` seconds but in integers:
/// formatting a float would link the float printer into every program that shows an error.
pub(crate) struct Seconds(pub(crate) Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = self.0.as_millis().saturating_add(50) / 100;
        write!(f, "{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_print_like_one_decimal_of_f64() {
        for (millis, shown) in [
            (0, "0.0"),
            (49, "0.0"),
            (50, "0.1"),
            (1_000, "1.0"),
            (1_949, "1.9"),
            (1_951, "2.0"),
            (59_999, "60.0"),
        ] {
            assert_eq!(Seconds(Duration::from_millis(millis)).to_string(), shown);
        }
        // The longest duration a user can pass still prints, without overflow.
        assert!(Seconds(Duration::MAX).to_string().contains('.'));
    }
}
