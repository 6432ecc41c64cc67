//! What a model keeps of the members it does not name, so that nothing Hotmart sent is lost
//! when a model is written back.
//!
//! The cost: an unknown member is read into a [`Value`] tree instead of being skipped, one
//! allocation per string, array and object in it, and a model is larger by one (usually
//! empty) map. A member a model names costs nothing more. Measured by
//! `cargo bench -p hotmart --bench sales_decode` on a 500-item sales page (two runs on
//! 2026-12-04 on this crate's 2-core build machine; the models' decode alone, without the
//! one pass of the body's shape check that an API answer gets first): with only named
//! members the models take 1,126–1,212 µs (0.88–0.89x serde_json's derive); the same items
//! with five unnamed members each (7 leaves, 2,500 members in the page) take 2,911–3,187 µs
//! (2.09–2.13x serde_json, which skips them): keeping them costs 2.6x the named-only page,
//! about 0.7 µs per kept member.

use std::cell::Cell;
use std::collections::{BTreeMap, btree_map};
use std::ops::{Deref, DerefMut};

use miniserde::json::{Object, Value};

/// The members of a JSON object that its model does not name, by name, as they came.
///
/// It dereferences to a map of [`Value`]s:
///
/// ```
/// use hotmart::models::Coupon;
/// let coupon: Coupon = hotmart::miniserde::json::from_str(r#"{"id":1,"next_year":{"a":[1]}}"#)?;
/// assert_eq!(coupon.id, Some(1));
/// assert_eq!(coupon.extra.keys().collect::<Vec<_>>(), ["next_year"]);
/// assert_eq!(hotmart::miniserde::json::to_string(&coupon), r#"{"id":1,"next_year":{"a":[1]}}"#);
/// # Ok::<(), hotmart::miniserde::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Extra(Object);

/// The members of an [`Extra`] as serialization walks them.
pub(crate) type Iter<'a> = btree_map::Iter<'a, String, Value>;

thread_local! {
    /// Set while [`named_json`] writes: models then leave their `extra` out.
    static NAMED_ONLY: Cell<bool> = const { Cell::new(false) };
}

impl Extra {
    /// The members to write: none while [`named_json`] runs.
    pub(crate) fn members(&self) -> Iter<'_> {
        static EMPTY: BTreeMap<String, Value> = BTreeMap::new();
        if NAMED_ONLY.with(Cell::get) {
            EMPTY.iter()
        } else {
            self.0.iter()
        }
    }
}

impl Deref for Extra {
    type Target = Object;
    fn deref(&self) -> &Object {
        &self.0
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Object {
        &mut self.0
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        // `Value` has no `PartialEq`; the JSON text of equal maps is equal (keys are sorted).
        self.0.len() == other.0.len()
            && miniserde::json::to_string(&self.0) == miniserde::json::to_string(&other.0)
    }
}

/// A model as JSON with only the members it names, each `extra` left out: a fixed shape, for a
/// table or a schema. `miniserde::json::to_string` writes everything.
///
/// ```
/// use hotmart::models::Coupon;
/// let coupon: Coupon = hotmart::miniserde::json::from_str(r#"{"id":1,"new":true}"#)?;
/// assert_eq!(hotmart::models::named_json(&coupon), r#"{"id":1}"#);
/// # Ok::<(), hotmart::miniserde::Error>(())
/// ```
pub fn named_json<T: miniserde::Serialize + ?Sized>(model: &T) -> String {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            NAMED_ONLY.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(NAMED_ONLY.with(|flag| flag.replace(true)));
    miniserde::json::to_string(model)
}

#[cfg(feature = "serde")]
pub(crate) use serde_impls::Ser;

#[cfg(feature = "serde")]
mod serde_impls {
    use std::fmt;

    use miniserde::json::{Array, Number, Object, Value};
    use serde::de::{Error, MapAccess, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Extra;

    /// A miniserde value seen through serde.
    pub(crate) struct Ser<'a>(pub(crate) &'a Value);

    impl Serialize for Ser<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Null => s.serialize_unit(),
                Value::Bool(b) => s.serialize_bool(*b),
                Value::Number(Number::U64(n)) => s.serialize_u64(*n),
                Value::Number(Number::I64(n)) => s.serialize_i64(*n),
                Value::Number(Number::F64(n)) => s.serialize_f64(*n),
                Value::String(text) => s.serialize_str(text),
                Value::Array(items) => s.collect_seq(items.iter().map(Ser)),
                Value::Object(members) => s.collect_map(members.iter().map(|(k, v)| (k, Ser(v)))),
            }
        }
    }

    impl Serialize for Extra {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, Ser(v))))
        }
    }

    /// A miniserde value read through serde.
    struct De(Value);
    struct AnyValue;

    /// The visitor methods of JSON's scalars, each wrapping what serde gives into a value.
    macro_rules! scalars {
        ($($method:ident($ty:ty) => $wrap:expr;)*) => {$(
            fn $method<E>(self, v: $ty) -> Result<De, E> {
                Ok(De($wrap(v)))
            }
        )*};
    }

    impl<'de> Visitor<'de> for AnyValue {
        type Value = De;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        scalars! {
            visit_bool(bool) => Value::Bool;
            visit_u64(u64) => |n| Value::Number(Number::U64(n));
            visit_i64(i64) => |n| Value::Number(Number::I64(n));
            visit_f64(f64) => |n| Value::Number(Number::F64(n));
            visit_str(&str) => |text: &str| Value::String(text.to_owned());
        }
        fn visit_unit<E>(self) -> Result<De, E> {
            Ok(De(Value::Null))
        }
        fn visit_none<E>(self) -> Result<De, E> {
            Ok(De(Value::Null))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<De, D::Error> {
            De::deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<De, A::Error> {
            let mut items = Array::new();
            while let Some(De(v)) = seq.next_element()? {
                items.push(v);
            }
            Ok(De(Value::Array(items)))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<De, A::Error> {
            let mut members = Object::new();
            while let Some((k, De(v))) = access.next_entry::<String, De>()? {
                members.insert(k, v);
            }
            // serde_json with `arbitrary_precision` hands every number over as this one-member
            // map of its text; read as a map, `1.5` would be kept as an object.
            if members.len() == 1
                && let Some(Value::String(text)) = members.get(ARBITRARY_NUMBER)
                && crate::token::is_number(text)
            {
                // What miniserde cannot read either (`1e400`) is refused, as serde_json
                // without the feature refuses it, rather than kept as infinity (sent as null).
                return number(text)
                    .map(|number| De(Value::Number(number)))
                    .ok_or_else(|| A::Error::custom("a number out of range"));
            }
            Ok(De(Value::Object(members)))
        }
    }

    /// The member name serde_json's `arbitrary_precision` gives a number's text under.
    const ARBITRARY_NUMBER: &str = "$serde_json::private::Number";

    /// A JSON number's text as miniserde would read it; `None` for one past `f64`.
    fn number(text: &str) -> Option<Number> {
        text.parse()
            .map(Number::U64)
            .or_else(|_| text.parse().map(Number::I64))
            .ok()
            .or_else(|| {
                text.parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .map(Number::F64)
            })
    }

    #[cfg(test)]
    #[test]
    fn json_numbers_are_told_from_other_text() {
        for yes in [
            "0",
            "-0",
            "10",
            "1.5",
            "-1.5e-3",
            "1E+400",
            "18446744073709551616",
        ] {
            assert!(crate::token::is_number(yes), "{yes}");
        }
        for no in [
            "", "-", "00", "01", "1.", ".5", "1.e5", "1e", "+5", "0x10", "inf", "NaN", "1 ",
        ] {
            assert!(!crate::token::is_number(no), "{no}");
        }
    }

    impl<'de> Deserialize<'de> for De {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(AnyValue)
        }
    }

    impl<'de> Deserialize<'de> for Extra {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            match De::deserialize(d)?.0 {
                Value::Object(members) => Ok(Extra(members)),
                _ => Err(D::Error::custom("expected a JSON object")),
            }
        }
    }
}
