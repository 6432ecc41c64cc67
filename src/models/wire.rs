//! How models meet JSON: lenient numbers and ids, both money keys, serialization, and the slow
//! second look that names the path of a value that does not fit.
//!
//! Decoding is miniserde's streaming visitor on the happy path (no intermediate tree). Only
//! when an item fails is it read again as a [`Value`] and walked by [`Field::check`], which
//! finds the first member that does not fit and says where, without quoting any value.

use std::borrow::Cow;
use std::marker::PhantomData;

use miniserde::de::Visitor;
use miniserde::json::{Number, Value};
use miniserde::ser::Fragment;
use miniserde::{Deserialize, Serialize};

use super::Place;

/// A type a model field may hold: how it is read from the wire, and how a JSON value that
/// does not fit it is explained.
pub(crate) trait Field: Sized {
    /// What miniserde decodes (a lenient wrapper for numbers and ids).
    type Wire: Deserialize;
    /// The field's value from what was decoded.
    fn from_wire(wire: Self::Wire) -> Self;
    /// `Err(reason)` if `value` does not fit; `path` is extended to the offending member.
    fn check(value: &Value, path: &mut String) -> Result<(), String>;
}

/// `expected …, found …`, naming the JSON kind found, never its content.
pub(crate) fn expected(what: &str, found: &Value) -> String {
    format!("expected {what}, found {}", kind(found))
}

/// The JSON kind of a value, as words.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether member `k` is the field's key or one of its aliases.
#[inline]
pub(crate) fn is_key(k: &str, key: &str, aliases: &[&str]) -> bool {
    k == key || aliases.contains(&k)
}

/// Defines a lenient scalar: `$wire` is what miniserde decodes (each visitor method gives
/// `Some(value)` or `None` for a value that does not fit), and `$ty`'s [`Field`] reads it and
/// explains a misfit with `$check`.
macro_rules! lenient {
    (
        $(#[$meta:meta])* $wire:ident => $ty:ty { $($method:ident($arg:ident: $argty:ty) => $value:expr;)* }
        check($v:ident) $check:block
    ) => {
        $(#[$meta])*
        pub(crate) struct $wire($ty);

        impl Visitor for Place<$wire> {
            $(#[inline]
            fn $method(&mut self, $arg: $argty) -> miniserde::Result<()> {
                self.out = Some($wire($value.ok_or(miniserde::Error)?));
                Ok(())
            })*
        }

        impl Deserialize for $wire {
            #[inline]
            fn begin(out: &mut Option<Self>) -> &mut dyn Visitor {
                Place::new(out)
            }
        }

        impl Field for $ty {
            type Wire = $wire;
            #[inline]
            fn from_wire(wire: $wire) -> Self {
                wire.0
            }
            #[inline]
            fn check($v: &Value, _: &mut String) -> Result<(), String> $check
        }
    };
}

lenient! {
    /// Text, or a number written as text: Hotmart's examples disagree on a few members
    /// (`date_last_recurrence` is a date text in one, a number in another), and a number where
    /// text was expected loses nothing when kept as its digits.
    Text => String {
        string(s: &str) => Some(s.to_owned());
        nonnegative(n: u64) => Some(n.to_string());
        negative(n: i64) => Some(n.to_string());
        float(n: f64) => Some(n.to_string());
    }
    check(value) {
        match value {
            Value::String(_) | Value::Number(_) => Ok(()),
            other => Err(expected("a string", other)),
        }
    }
}

lenient! {
    /// A number, or a string holding one (Hotmart sends `"97.00"` and `"7"` in places).
    Num => f64 {
        nonnegative(n: u64) => Some(n as f64);
        negative(n: i64) => Some(n as f64);
        float(n: f64) => Some(n);
        string(s: &str) => parse_num(s);
    }
    check(value) {
        match value {
            Value::Number(_) => Ok(()),
            Value::String(s) if parse_num(s).is_some() => Ok(()),
            Value::String(_) => Err("expected a number, found a string that holds none".into()),
            other => Err(expected("a number", other)),
        }
    }
}

lenient! {
    /// A non-negative integer (ids, counts), or a string of digits.
    UInt => u64 {
        nonnegative(n: u64) => Some(n);
        string(s: &str) => parse_uint(s);
    }
    check(value) {
        let what = "expected a non-negative integer";
        match value {
            Value::Number(Number::U64(_)) => Ok(()),
            Value::Number(Number::I64(_)) => Err(format!("{what}, found a negative number")),
            Value::Number(Number::F64(_)) => Err(format!("{what}, found a number with a fraction")),
            Value::String(s) if parse_uint(s).is_some() => Ok(()),
            Value::String(_) => Err(format!("{what}, found a string that holds none")),
            other => Err(expected("a non-negative integer", other)),
        }
    }
}

lenient! {
    /// An integer (epoch dates), or a string holding one.
    Int => i64 {
        nonnegative(n: u64) => i64::try_from(n).ok();
        negative(n: i64) => Some(n);
        string(s: &str) => parse_int(s);
    }
    check(value) {
        let what = "expected an integer";
        match value {
            Value::Number(Number::U64(n)) if i64::try_from(*n).is_ok() => Ok(()),
            Value::Number(Number::I64(_)) => Ok(()),
            Value::Number(Number::U64(_)) => Err(format!("{what}, found a number out of range")),
            Value::Number(Number::F64(_)) => Err(format!("{what}, found a number with a fraction")),
            Value::String(s) if parse_int(s).is_some() => Ok(()),
            Value::String(_) => Err(format!("{what}, found a string that holds none")),
            other => Err(expected("an integer", other)),
        }
    }
}

impl Field for bool {
    type Wire = bool;
    fn from_wire(wire: bool) -> Self {
        wire
    }
    fn check(value: &Value, _: &mut String) -> Result<(), String> {
        match value {
            Value::Bool(_) => Ok(()),
            other => Err(expected("a boolean", other)),
        }
    }
}

impl<T: Field> Field for Vec<T> {
    type Wire = Vec<T::Wire>;
    fn from_wire(wire: Vec<T::Wire>) -> Self {
        wire.into_iter().map(T::from_wire).collect()
    }
    fn check(value: &Value, path: &mut String) -> Result<(), String> {
        let Value::Array(items) = value else {
            return Err(expected("an array", value));
        };
        for (i, item) in items.iter().enumerate() {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            T::check(item, path)?;
            path.truncate(len);
        }
        Ok(())
    }
}

fn parse_num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_uint(s: &str) -> Option<u64> {
    let s = s.trim();
    // `parse` alone would take a leading `+`; an id is digits only.
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = s.strip_prefix('-').unwrap_or(s);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A JSON object of these members, in this order, as serialization walks it: a body's, or a
/// model's present fields and then its `extra`.
pub(crate) fn object<'a>(
    members: impl Iterator<Item = (&'a str, &'a dyn Serialize)> + 'a,
) -> Fragment<'a> {
    struct Members<'a, I>(I, PhantomData<&'a ()>);
    impl<'a, I: Iterator<Item = (&'a str, &'a dyn Serialize)>> miniserde::ser::Map for Members<'a, I> {
        fn next(&mut self) -> Option<(Cow<'a, str>, &'a dyn Serialize)> {
            self.0.next().map(|(k, v)| (Cow::Borrowed(k), v))
        }
    }
    Fragment::Map(Box::new(Members(members, PhantomData)))
}

/// A model's field as a member to write, if it is present.
pub(crate) fn member<'a>(
    key: &'a str,
    value: Option<&'a dyn Serialize>,
) -> Option<(&'a str, &'a dyn Serialize)> {
    Some((key, value?))
}

/// The JSON key of a field: its name, or the one given.
macro_rules! model_key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $key:literal) => {
        $key
    };
}

/// Defines models: structs of optional fields named as Hotmart's JSON members, plus `extra`
/// (the members a model does not name, kept as they came), with miniserde `Deserialize`
/// (lenient numbers and ids) and `Serialize` (absent fields left out, `extra` written after
/// the named ones), optional serde derives, and the path-finding check.
///
/// A field may name its JSON key and aliases (`kind: String ["type"]`) and, for an
/// epoch-millisecond date, a `SystemTime` accessor (`approved_date: i64 => approved_at`), and
/// its doc as `= "text"` after it. `pub open struct` is a request body: no
/// `#[non_exhaustive]`, so a struct literal with `..Default::default()` builds it.
macro_rules! model {
    () => {};
    (@def [$($meta:tt)*] $name:ident {
        $(
            $(#[$fmeta:meta])*
            $field:ident : $ty:ty $([$key:literal $(, $alias:literal)*])? $(=> $at:ident)?
                $(= $doc:literal)?
        ),* $(,)?
    }) => {
        $($meta)*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[cfg_attr(feature = "serde", derive(::serde::Deserialize))]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[doc = $doc])?
                $(#[cfg_attr(feature = "serde", serde(rename = $key $(, alias = $alias)*))])?
                pub $field: Option<$ty>,
            )*
            /// The members this model does not name, as they came (written back after the
            /// named ones).
            #[cfg_attr(feature = "serde", serde(flatten))]
            pub extra: $crate::models::Extra,
        }

        impl $name {
            $($(
                #[doc = concat!("[`", stringify!($field), "`](Self::", stringify!($field), ") as a [`SystemTime`](std::time::SystemTime).")]
                pub fn $at(&self) -> Option<::std::time::SystemTime> {
                    self.$field.map($crate::models::time_from_ms)
                }
            )?)*
        }

        const _: () = {
            use ::miniserde::de::{Map, Visitor};
            use ::miniserde::json::Value;
            use ::miniserde::Serialize;
            use $crate::models::wire::{self, Field};

            struct State<'a> {
                $($field: Option<Option<<$ty as Field>::Wire>>,)*
                extra: $crate::models::Extra,
                // An unnamed member being read, kept in `extra` at the next key or the end.
                pending: Option<(String, Option<Value>)>,
                out: &'a mut Option<$name>,
            }

            impl State<'_> {
                #[inline]
                fn keep_pending(&mut self) {
                    if let Some((k, Some(v))) = self.pending.take() {
                        self.extra.insert(k, v);
                    }
                }
            }

            impl Map for State<'_> {
                #[inline]
                fn key(&mut self, k: &str) -> ::miniserde::Result<&mut dyn Visitor> {
                    self.keep_pending();
                    $(if wire::is_key(k, wire::model_key!($field $(, $key)?), &[$($($alias),*)?]) {
                        return Ok(::miniserde::Deserialize::begin(&mut self.$field));
                    })*
                    let (_, slot) = self.pending.insert((k.to_owned(), None));
                    Ok(<Value as ::miniserde::Deserialize>::begin(slot))
                }

                #[inline]
                fn finish(&mut self) -> ::miniserde::Result<()> {
                    self.keep_pending();
                    *self.out = Some($name {
                        $($field: self.$field.take().flatten().map(<$ty as Field>::from_wire),)*
                        extra: ::std::mem::take(&mut self.extra),
                    });
                    Ok(())
                }
            }

            impl Visitor for $crate::models::Place<$name> {
                #[inline]
                fn map(&mut self) -> ::miniserde::Result<Box<dyn Map + '_>> {
                    Ok(Box::new(State {
                        $($field: None,)*
                        extra: Default::default(),
                        pending: None,
                        out: &mut self.out,
                    }))
                }
            }

            impl ::miniserde::Deserialize for $name {
                #[inline]
                fn begin(out: &mut Option<Self>) -> &mut dyn Visitor {
                    $crate::models::Place::new(out)
                }
            }

            impl Serialize for $name {
                #[inline]
                fn begin(&self) -> ::miniserde::ser::Fragment<'_> {
                    let named = [$(wire::member(
                        wire::model_key!($field $(, $key)?),
                        self.$field.as_ref().map(|v| v as &dyn Serialize),
                    )),*];
                    let extra = self
                        .extra
                        .members()
                        .filter(move |(k, _)| !shadowed(self, k))
                        .map(|(k, v)| (k.as_str(), v as &dyn Serialize));
                    wire::object(named.into_iter().flatten().chain(extra))
                }
            }

            /// Whether a present typed field has `k` as its key or an alias. Such a member of
            /// `extra` is not written: twice, the server's reader would pick one (Jackson: the
            /// last), and this crate reads an alias as the field.
            #[allow(unused_variables)]
            #[inline]
            fn shadowed(model: &$name, k: &str) -> bool {
                $((model.$field.is_some()
                    && wire::is_key(k, wire::model_key!($field $(, $key)?), &[$($($alias),*)?])) ||)*
                    false
            }

            // Written by hand, not derived, to write what miniserde writes: absent fields left
            // out, and no member of `extra` that a typed field shadows.
            #[cfg(feature = "serde")]
            impl ::serde::Serialize for $name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    use ::serde::ser::SerializeMap;
                    let mut map = s.serialize_map(None)?;
                    $(if let Some(value) = &self.$field {
                        map.serialize_entry(wire::model_key!($field $(, $key)?), value)?;
                    })*
                    for (k, v) in self.extra.members() {
                        if !shadowed(self, k) {
                            map.serialize_entry(k, &$crate::models::extra::Ser(v))?;
                        }
                    }
                    map.end()
                }
            }

            impl Field for $name {
                type Wire = $name;

                #[inline]
                fn from_wire(wire: $name) -> Self {
                    wire
                }

                #[allow(unused_variables)]
                #[inline]
                fn check(value: &Value, path: &mut String) -> Result<(), String> {
                    let Value::Object(members) = value else {
                        return Err(wire::expected("an object", value));
                    };
                    for (k, v) in members.iter().filter(|(_, v)| !matches!(v, Value::Null)) {
                        $(if wire::is_key(k, wire::model_key!($field $(, $key)?), &[$($($alias),*)?]) {
                            let len = path.len();
                            path.push('.');
                            path.push_str(k);
                            <$ty as Field>::check(v, path)?;
                            path.truncate(len);
                            continue;
                        })*
                    }
                    Ok(())
                }
            }
        };
    };
    ($(#[$meta:meta])* pub open struct $name:ident { $($body:tt)* } $($rest:tt)*) => {
        $crate::models::wire::model!(@def [$(#[$meta])*] $name { $($body)* });
        $crate::models::wire::model!($($rest)*);
    };
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* } $($rest:tt)*) => {
        $crate::models::wire::model!(@def [
            $(#[$meta])*
            ///
            /// Decoded from Hotmart's JSON (absent members `None`, unknown ones kept in
            /// `extra`) and written back with miniserde:
            ///
            /// ```
            #[doc = concat!("use hotmart::models::", stringify!($name), ";")]
            ///
            #[doc = concat!("let model: ", stringify!($name), r##" = hotmart::miniserde::json::from_str(r#"{"not_a_member":[1]}"#)?;"##)]
            /// assert!(model.extra.contains_key("not_a_member"));
            /// assert_eq!(hotmart::miniserde::json::to_string(&model), r#"{"not_a_member":[1]}"#);
            /// # Ok::<(), hotmart::miniserde::Error>(())
            /// ```
            #[non_exhaustive]
        ] $name { $($body)* });
        $crate::models::wire::model!($($rest)*);
    };
}

pub(crate) use {model, model_key};

#[cfg(test)]
mod tests {
    use super::super::{Price, Sale};
    use super::Field;
    use miniserde::json::{self, Value};

    fn why<T: Field>(json: &str) -> (String, String) {
        let value: Value = json::from_str(json).unwrap();
        let mut path = String::new();
        let reason = T::check(&value, &mut path).unwrap_err();
        (path, reason)
    }

    #[test]
    fn numbers_and_ids_read_from_strings() {
        let price: Price = json::from_str(r#"{"value":" 97.00 ","currency_value":"CLP"}"#).unwrap();
        assert_eq!(price.value, Some(97.0));
        assert_eq!(price.currency_code.as_deref(), Some("CLP"));
        let sale: Sale = json::from_str(
            r#"{"product":{"id":"2125812"},"purchase":{"order_date":"-5","recurrency_number":"3"}}"#,
        )
        .unwrap();
        assert_eq!(sale.product.unwrap().id, Some(2_125_812));
        let purchase = sale.purchase.unwrap();
        assert_eq!(
            (purchase.order_date, purchase.recurrency_number),
            (Some(-5), Some(3))
        );
    }

    #[test]
    fn ids_take_digits_only() {
        for bad in [r#""+5""#, r#""5a""#, r#""""#, "-5", "1.5"] {
            let json = format!(r#"{{"product":{{"id":{bad}}}}}"#);
            assert!(json::from_str::<Sale>(&json).is_err(), "{bad}");
            let (path, _) = why::<Sale>(&json);
            assert_eq!(path, ".product.id", "{bad}");
        }
    }

    #[test]
    fn the_check_names_path_and_kinds_without_values() {
        let (path, reason) =
            why::<Sale>(r#"{"purchase":{"price":{"value":{"secret":1}}},"buyer":null}"#);
        assert_eq!(path, ".purchase.price.value");
        assert_eq!(reason, "expected a number, found an object");
        let (path, reason) = why::<Sale>(r#"{"purchase":{"price":{"value":"12 BRL"}}}"#);
        assert_eq!(path, ".purchase.price.value");
        assert_eq!(reason, "expected a number, found a string that holds none");
        let (path, reason) = why::<Sale>("[1]");
        assert_eq!(
            (path.as_str(), reason.as_str()),
            ("", "expected an object, found an array")
        );
    }

    #[test]
    fn null_members_read_as_absent() {
        let sale: Sale = json::from_str(r#"{"purchase":null,"buyer":{"name":null}}"#).unwrap();
        assert_eq!(sale.purchase, None);
        assert_eq!(sale.buyer.unwrap().name, None);
    }
}
