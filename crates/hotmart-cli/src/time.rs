//! Times on the command line (`24h`, `2024-01-31`, `2024-01-31T12:00:00Z`), as Hotmart's
//! epoch milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A duration such as `90s`, `30m`, `24h`, `7d` or `2w`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &text[digits.len()..];
    let n: u64 = number(digits)?;
    let seconds = match unit {
        "" | "s" => 1,
        "ms" => return Some(Duration::from_millis(n)),
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(n.checked_mul(seconds)?))
}

/// A point in time as epoch milliseconds, from 1970 on: a duration ago with its unit (`24h`;
/// a bare number is refused, since `2024` or `20240131` is more likely a date than seconds),
/// a date (`2024-01-31`, UTC midnight) or a date and time (`2024-01-31T12:00[:00][Z]`, UTC).
pub fn parse_instant(text: &str, now: SystemTime) -> Option<i64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms = if let Some(ago) = parse_duration(text) {
        let now_ms = now.duration_since(UNIX_EPOCH).ok()?.as_millis();
        let ago_ms = i128::try_from(ago.as_millis()).ok()?;
        i64::try_from(i128::try_from(now_ms).ok()? - ago_ms).ok()?
    } else {
        date_time(text)?
    };
    // Hotmart's dates are epoch milliseconds: before 1970 is no date of its.
    (ms >= 0).then_some(ms)
}

/// Digits only, as a number: `str::parse` would take a sign (`+1`) as well.
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// `YYYY-MM-DD[THH:MM[:SS][Z]]`, UTC, as epoch milliseconds.
fn date_time(text: &str) -> Option<i64> {
    let (date, clock) = match text.split_once(['T', ' ']) {
        Some((date, clock)) => (date, Some(clock.strip_suffix('Z').unwrap_or(clock))),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (number(y)?, number(m)?, number(d)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut seconds = 0;
    if let Some(clock) = clock {
        let mut fields = clock.split(':');
        let h: i64 = two_digits(fields.next()?, 23)?;
        let min: i64 = two_digits(fields.next()?, 59)?;
        let s: i64 = fields.next().map_or(Some(0), |s| two_digits(s, 59))?;
        if fields.next().is_some() {
            return None;
        }
        seconds = h * 3_600 + min * 60 + s;
    }
    Some((days_from_civil(y, m, d) * 86_400 + seconds) * 1_000)
}

fn two_digits(text: &str, max: i64) -> Option<i64> {
    let n = number(text).filter(|n| (0..=max).contains(n))?;
    (text.len() == 2).then_some(n)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        for bad in ["", "h", "1y", "-1h", "1.5h", "+1h", "+5"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn instants() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_instant("1h", now), Some(1_699_996_400_000));
        assert_eq!(parse_instant("1970-01-01", now), Some(0));
        assert_eq!(
            parse_instant("2023-11-14T22:13:20Z", now),
            Some(1_700_000_000_000)
        );
        assert_eq!(
            parse_instant("2024-02-29T00:01", now),
            Some(1_709_164_860_000)
        );
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-01",
            "2023-01-01T24:00",
            "soon",
            // A bare number is a date more likely than seconds; signs are not digits.
            "2024",
            "20240131",
            "+999-01-01",
            "2024-+1-+1",
            "2024-01-01T+1:+0",
            // Before 1970, as a date or a duration ago.
            "1969-12-31",
            "100000000d",
        ] {
            assert_eq!(parse_instant(bad, now), None, "{bad}");
        }
    }
}
