//! Reading Hotmart's members leniently: ids and numbers sent as strings, the three money keys,
//! dates in epoch milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use miniserde::json::{Number, Value};

use super::Price;

/// The value at `path` of nested objects.
pub(super) fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| match value {
        Value::Object(object) => object.get(*key),
        _ => None,
    })
}

/// Text, or a number as its digits (Hotmart sends some codes and ids either way).
pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// [`text`] at `path`.
pub(super) fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    text(get(value, path))
}

/// A non-negative integer, or a string of one (`"00000"`).
pub(super) fn uint(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(Number::U64(n)) => Some(*n),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite number, or a string of one (`"97.00"`).
pub(super) fn float(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(Number::U64(n)) => *n as f64,
        Value::Number(Number::I64(n)) => *n as f64,
        Value::Number(Number::F64(n)) => *n,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// A boolean.
pub(super) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// An epoch-milliseconds date, a number or a string of digits; `None` past what the
/// platform's clock can hold.
pub(super) fn time(value: Option<&Value>) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(uint(value)?))
}

/// An amount of money: `value` with `currency_value`, `currency_code` or `currency`.
pub(super) fn price(value: Option<&Value>) -> Option<Price> {
    let value = value?;
    Some(Price {
        value: Some(float(get(value, &["value"]))?),
        currency_code: ["currency_value", "currency_code", "currency"]
            .iter()
            .find_map(|key| text_at(value, &[key]).filter(|code| !code.is_empty())),
        ..Price::default()
    })
}
