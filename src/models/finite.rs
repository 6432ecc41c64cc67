//! Whether a value about to be sent holds a number JSON cannot write: miniserde writes NaN
//! and the infinities as `null`, which would turn a price into "no price" on the way out.
//!
//! The walk recurses (miniserde's iterators borrow their parent, so no stack of them can be
//! kept without `unsafe`); it stops at a depth no Hotmart body comes near, and a value nested
//! deeper is refused rather than sent unchecked.

use miniserde::Serialize;
use miniserde::ser::Fragment;

/// How deep the walk goes. Bodies the crate builds are a few levels deep, and the answers
/// it reads are refused past the same depth.
const MAX_DEPTH: usize = 128;

/// Why `value` cannot be sent as it is, if it cannot: it would hold a NaN or an infinite
/// number, or it is nested too deep to be checked for one.
pub(crate) fn unsendable<T: Serialize + ?Sized>(value: &T) -> Option<&'static str> {
    walk(value.begin(), MAX_DEPTH).err()
}

const NON_FINITE: &str =
    "a number that is NaN or infinite, which JSON cannot hold (it would be sent as null)";
const TOO_DEEP: &str = "nested deeper than 128 levels, past what is checked before sending";

fn walk(fragment: Fragment<'_>, depth: usize) -> Result<(), &'static str> {
    match fragment {
        Fragment::F64(n) if !n.is_finite() => Err(NON_FINITE),
        Fragment::Seq(_) | Fragment::Map(_) if depth == 0 => Err(TOO_DEEP),
        Fragment::Seq(mut seq) => {
            while let Some(element) = seq.next() {
                walk(element.begin(), depth - 1)?;
            }
            Ok(())
        }
        Fragment::Map(mut map) => {
            while let Some((_, member)) = map.next() {
                walk(member.begin(), depth - 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use miniserde::json::{Array, Number, Object, Value};

    use super::{NON_FINITE, unsendable};

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
            assert_eq!(unsendable(&value), found.then_some(NON_FINITE), "{value:?}");
        }
        assert_eq!(unsendable(&f64::NAN), Some(NON_FINITE));
        assert_eq!(unsendable(&Some(2.0_f64)), None);
        assert_eq!(unsendable(&"NaN"), None);
    }
}
