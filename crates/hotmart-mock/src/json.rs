//! The local Hotmart's answers as miniserde values, serialized once per answer.

pub(crate) use miniserde::json::{Array, Number, Object, Value};

/// What a member of an [`object!`] can be.
pub(crate) trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl IntoValue for u64 {
    fn into_value(self) -> Value {
        Value::Number(Number::U64(self))
    }
}

impl IntoValue for usize {
    fn into_value(self) -> Value {
        Value::Number(Number::U64(self as u64))
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Number(if self < 0 {
            Number::I64(self)
        } else {
            Number::U64(self as u64)
        })
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Number(Number::F64(self))
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(IntoValue::into_value).collect())
    }
}

/// An object, members in the order written (miniserde writes them sorted by name); a member
/// whose value is `None` is left out.
macro_rules! object {
    ($($key:literal : $value:expr),* $(,)?) => {{
        let mut object = $crate::json::Object::new();
        $( $crate::json::insert(&mut object, $key, $value); )*
        $crate::json::Value::Object(object)
    }};
}
pub(crate) use object;

/// Inserts a member; `Option` values only when `Some`.
pub(crate) fn insert(object: &mut Object, key: &str, value: impl Member) {
    if let Some(value) = value.member() {
        object.insert(key.to_owned(), value);
    }
}

/// A member's value, or none for an absent member.
pub(crate) trait Member {
    fn member(self) -> Option<Value>;
}

impl<T: IntoValue> Member for T {
    fn member(self) -> Option<Value> {
        Some(self.into_value())
    }
}

impl<T: IntoValue> Member for Option<T> {
    fn member(self) -> Option<Value> {
        self.map(IntoValue::into_value)
    }
}

/// An array of values.
pub(crate) fn array(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Array(items.into_iter().collect::<Array>())
}
