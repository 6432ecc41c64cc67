//! Structured token responses, serialized with random whitespace, member order, escapes and
//! extra members, must parse back to what was serialized.

use arbitrary::Arbitrary;
use hotmart::token::TokenResponse;

/// A token response and the choices of how to write it.
#[derive(Arbitrary, Debug)]
pub struct Input {
    access_token: String,
    /// Bit i upper-cases letter i of `bearer`.
    token_type_case: u8,
    expires_in: u64,
    /// `None`: absent; `Some(None)`: `null`; `Some(Some(s))`: the string.
    scope: Option<Option<String>>,
    jti: Option<Option<String>>,
    extras: Vec<(String, Extra)>,
    /// Seeds for member order, whitespace and which characters get escaped.
    layout: Vec<u8>,
}

/// An unknown member's value.
#[derive(Arbitrary, Debug)]
pub enum Extra {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Extra>),
    Object(Vec<(String, Extra)>),
}

/// Hands out the layout's bytes, then zeros.
struct Choices<'a>(std::slice::Iter<'a, u8>);

impl Choices<'_> {
    fn next(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    fn ws(&mut self, out: &mut String) {
        let n = self.next();
        for i in 0..(n % 4) {
            out.push([' ', '\t', '\n', '\r'][usize::from((n >> (2 + i)) & 3)]);
        }
    }
}

fn string(out: &mut String, value: &str, choices: &mut Choices) {
    out.push('"');
    for ch in value.chars() {
        let escape_anyway = choices.next() & 3 == 0;
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if !escape_anyway => out.push_str("\\n"),
            '/' if escape_anyway => out.push_str("\\/"),
            c if (c as u32) < 0x20 || escape_anyway => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn extra(out: &mut String, value: &Extra, choices: &mut Choices, depth: usize) {
    // Stay well inside the parser's depth limit: this target is about values, not depth.
    if depth > 16 {
        out.push_str("null");
        return;
    }
    match value {
        Extra::Null => out.push_str("null"),
        Extra::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Extra::Int(i) => out.push_str(&i.to_string()),
        Extra::Float(f) if f.is_finite() => out.push_str(&format!("{f:e}")),
        Extra::Float(_) => out.push_str("-0.5E+3"),
        Extra::Str(s) => string(out, s, choices),
        Extra::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                choices.ws(out);
                extra(out, item, choices, depth + 1);
                choices.ws(out);
            }
            out.push(']');
        }
        Extra::Object(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                choices.ws(out);
                string(out, name, choices);
                out.push(':');
                extra(out, value, choices, depth + 1);
            }
            out.push('}');
        }
    }
}

/// Writes one member's value.
type Writer<'a> = Box<dyn Fn(&mut String, &mut Choices) + 'a>;

const KNOWN: [&str; 5] = ["access_token", "token_type", "expires_in", "scope", "jti"];

/// Serializes `input`, parses it back, and panics where the two differ.
pub fn check(input: &Input) {
    let mut choices = Choices(input.layout.iter());
    // A token must fit a bearer header (printable ASCII, no space): others are refused.
    let header_safe: String = input
        .access_token
        .chars()
        .filter(|c| ('!'..='~').contains(c))
        .collect();
    let access_token = if header_safe.is_empty() {
        "x"
    } else {
        &header_safe
    };
    let token_type: String = "bearer"
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if input.token_type_case >> i & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();

    // Members as (name, writer), shuffled by the layout.
    let mut members: Vec<(String, Writer)> = vec![
        (
            "access_token".into(),
            Box::new(move |o, c| string(o, access_token, c)),
        ),
        ("token_type".into(), {
            let t = token_type.clone();
            Box::new(move |o, c| string(o, &t, c))
        }),
        ("expires_in".into(), {
            let n = input.expires_in;
            Box::new(move |o, _| o.push_str(&n.to_string()))
        }),
    ];
    for (name, value) in [("scope", &input.scope), ("jti", &input.jti)] {
        match value {
            None => {}
            Some(None) => members.push((name.into(), Box::new(|o, _| o.push_str("null")))),
            Some(Some(s)) => members.push((name.into(), Box::new(move |o, c| string(o, s, c)))),
        }
    }
    for (name, value) in &input.extras {
        if KNOWN.contains(&name.as_str()) {
            continue;
        }
        members.push((name.clone(), Box::new(move |o, c| extra(o, value, c, 2))));
    }
    for i in (1..members.len()).rev() {
        let j = usize::from(choices.next()) % (i + 1);
        members.swap(i, j);
    }

    let mut text = String::new();
    choices.ws(&mut text);
    text.push('{');
    for (i, (name, write)) in members.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        choices.ws(&mut text);
        string(&mut text, name, &mut choices);
        choices.ws(&mut text);
        text.push(':');
        choices.ws(&mut text);
        write(&mut text, &mut choices);
        choices.ws(&mut text);
    }
    text.push('}');
    choices.ws(&mut text);

    let parsed = TokenResponse::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("refused its own serialization: {e}\n{text}"));
    assert_eq!(parsed.access_token(), access_token);
    assert_eq!(parsed.token_type(), token_type);
    assert_eq!(parsed.expires_in(), input.expires_in);
    assert_eq!(
        parsed.scope(),
        input.scope.as_ref().and_then(|s| s.as_deref())
    );
    assert_eq!(parsed.jti(), input.jti.as_ref().and_then(|s| s.as_deref()));
}
