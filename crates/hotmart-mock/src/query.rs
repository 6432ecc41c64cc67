//! Query strings and form bodies as the mock reads them.

use percent_encoding::percent_decode_str;

/// Splits a query string into decoded pairs; `+` is a space, as form encoding has it, and
/// bytes that do not form UTF-8 are replaced.
pub(crate) fn parse(query: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let spaced = text.replace('+', " ");
        percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_leniently() {
        assert_eq!(
            super::parse("a=1&b=x%26y&&c&d=a+b%41%4&e=%zz"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x&y".into()),
                ("c".into(), "".into()),
                ("d".into(), "a bA%4".into()),
                ("e".into(), "%zz".into()),
            ]
        );
    }
}
