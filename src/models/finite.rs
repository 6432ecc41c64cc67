//! Whether a value about to be sent holds a number JSON cannot write: miniserde writes NaN
//! and the infinities as `null`, which would turn a price into "no price" on the way out.

use miniserde::Serialize;
use miniserde::ser::Fragment;

/// How deep the walk goes. Bodies the crate builds are a few levels deep; below this a
/// user's own value is sent unchecked rather than walked without end.
const MAX_DEPTH: usize = 128;

/// Whether `value`, serialized, would hold a NaN or an infinite number.
pub(crate) fn has_non_finite<T: Serialize + ?Sized>(value: &T) -> bool {
    walk(value.begin(), MAX_DEPTH)
}

fn walk(fragment: Fragment<'_>, depth: usize) -> bool {
    match fragment {
        Fragment::F64(n) => !n.is_finite(),
        _ if depth == 0 => false,
        Fragment::Seq(mut seq) => {
            while let Some(element) = seq.next() {
                if walk(element.begin(), depth - 1) {
                    return true;
                }
            }
            false
        }
        Fragment::Map(mut map) => {
            while let Some((_, member)) = map.next() {
                if walk(member.begin(), depth - 1) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use miniserde::json::{Array, Number, Object, Value};

    use super::has_non_finite;

    #[test]
    fn finds_a_non_finite_number_at_any_depth_it_walks() {
        let nested = |n: f64| {
            let mut object = Object::new();
            let mut array = Array::new();
            array.push(Value::Number(Number::F64(n)));
            object.insert("value".to_owned(), Value::Array(array));
            Value::Object(object)
        };
        for (value, found) in [
            (nested(1.5), false),
            (nested(-0.0), false),
            (nested(f64::NAN), true),
            (nested(f64::INFINITY), true),
            (nested(f64::NEG_INFINITY), true),
        ] {
            assert_eq!(has_non_finite(&value), found, "{value:?}");
        }
        assert!(has_non_finite(&f64::NAN));
        assert!(!has_non_finite(&Some(2.0_f64)));
        assert!(!has_non_finite(&"NaN"));

        let mut deep = Value::Number(Number::F64(f64::NAN));
        for _ in 0..200 {
            let mut array = Array::new();
            array.push(deep);
            deep = Value::Array(array);
        }
        assert!(
            !has_non_finite(&deep),
            "past the depth walked, the value goes unchecked"
        );
    }
}
