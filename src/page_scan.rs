//! Reading an answer's layout without building it: whether its shape is within bounds, and
//! where each item of a page lies, for the slow path that decodes items one by one.

use std::ops::Range;

use crate::token::{ParseError, ParseErrorKind, Scanner};

/// The deepest nesting of arrays and objects a body may have: Hotmart's answers nest five or
/// six levels.
const MAX_DEPTH: usize = crate::token::ParseError::MAX_DEPTH;

/// The most values all the lists of one body may hold together: Hotmart's pages hold at
/// most 500 items, each with a few short lists of its own.
pub const MAX_ITEMS: usize = 50_000;

/// The most objects one body may hold: a page of 500 of Hotmart's largest items holds about
/// 6,500. A kept object costs about 640 bytes however short its text (`{"":0}`: 6 bytes).
const MAX_OBJECTS: usize = 100_000;

/// The most object members one body may hold: a page of 500 of Hotmart's largest items holds
/// about 39,000.
const MAX_MEMBERS: usize = 500_000;

/// Refuses, in one pass over the bytes and before anything is built, a body that nests past
/// [`MAX_DEPTH`], whose arrays, at any depth, hold more than [`MAX_ITEMS`] values in all, or
/// that holds more than 100,000 objects or 500,000 members: bounds far past Hotmart's pages
/// that keep what a body of the response cap can cost to some tens of times its size.
///
/// A tree nested that deep is read without recursion, but the models' `Clone`, `Debug` and
/// `PartialEq` recurse into what they keep of it (`extra`) and overflowed the stack; and a
/// value costs its model's size however short its text (`{}`: 3 bytes, a `Sale` over a KiB),
/// so 8 MiB of `{},` took 3 GiB as a page's items and 1.3 GB as one item's own list, and
/// 8 MiB of objects nested in unnamed members 1 GB.
pub(crate) fn shape_within_bounds(json: &[u8]) -> Result<(), &'static str> {
    let mut depth = 0usize;
    // One bit a level: whether the container open at that depth is an array.
    let mut arrays = 0u128;
    let (mut values, mut objects, mut members) = (0usize, 0usize, 0usize);
    let mut at = 0;
    while let Some(&byte) = json.get(at) {
        match byte {
            // An unterminated string is the parser's to refuse.
            b'"' => match string_end(json, at) {
                Some(end) => at = end - 1,
                None => return Ok(()),
            },
            b'[' | b'{' => {
                if depth == MAX_DEPTH {
                    return Err("the body nests deeper than 128 levels");
                }
                let bit = 1u128 << depth;
                depth += 1;
                if byte == b'[' {
                    arrays |= bit;
                    // Its first value (or none, counted all the same: an upper bound).
                    values += 1;
                } else {
                    arrays &= !bit;
                    objects += 1;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth > 0 && arrays & (1u128 << (depth - 1)) != 0 => values += 1,
            b':' => members += 1,
            _ => {}
        }
        if values > MAX_ITEMS {
            return Err("the body's lists hold more than 50,000 values in all");
        }
        if objects > MAX_OBJECTS || members > MAX_MEMBERS {
            return Err("the body holds more than 100,000 objects or 500,000 members");
        }
        at += 1;
    }
    Ok(())
}

/// Where each item of a page lies, where its `page_info` does if it has one, and whether a
/// member's name holds U+FFFD (in a body that was not all UTF-8, what such a byte became:
/// the name may have been `page_info`).
pub(crate) type PageSpans = (Vec<Range<usize>>, Option<Range<usize>>, bool);

/// Where the items of the list in member `list` of the object `text` lie, and its
/// `page_info`: for a body that the JSON decoder cannot read whole, so that an item it cannot
/// read (a number past `f64`, a lone surrogate, a raw tab in a string) costs that item only.
/// The object's own layout is read strictly; each item only to its end (see [`value_end`]).
/// `None` where that fails, or the object names `list` twice (the decoder keeps the last,
/// whatever it is: no guess here).
pub(crate) fn object_spans(text: &str, list: &str) -> Option<PageSpans> {
    let mut items = None;
    let mut info = None;
    let mut named = 0u32;
    let mut replaced_name = false;
    // The body's size is the reader's cap, not the token parser's.
    let scan = Scanner::of_any_size(text.as_bytes()).ok()?;
    crate::token::members(scan, |name, scan| {
        replaced_name |= name.windows(3).any(|w| w == "\u{fffd}".as_bytes());
        if name == list.as_bytes() {
            named += 1;
            if scan.peek() == Some(b'[') {
                items = Some(element_spans(scan)?);
                return Ok(());
            }
        }
        let span = skip_loosely(scan)?;
        if name == b"page_info" {
            info = Some(span);
        }
        Ok(())
    })
    .ok()?;
    if named > 1 {
        return None;
    }
    Some((items?, info, replaced_name))
}

/// Where the items of the bare list `text` (`[...]`) lie, read as [`object_spans`] does.
pub(crate) fn list_spans(text: &str) -> Option<Vec<Range<usize>>> {
    let mut scan = Scanner::of_any_size(text.as_bytes()).ok()?;
    scan.skip_ws();
    if scan.peek() != Some(b'[') {
        return None;
    }
    let spans = element_spans(&mut scan).ok()?;
    scan.finish().ok()?;
    Some(spans)
}

/// The spans of the elements of the array at the scanner, which it leaves past the array.
fn element_spans(scan: &mut Scanner<'_>) -> Result<Vec<Range<usize>>, ParseError> {
    let mut spans = Vec::new();
    scan.pos_advance();
    scan.skip_ws();
    if scan.peek() == Some(b']') {
        scan.pos_advance();
        return Ok(spans);
    }
    loop {
        // The shape check bounds the lists it sees; this bounds the ones found here.
        if spans.len() == MAX_ITEMS {
            return Err(scan.unexpected(ParseErrorKind::ExpectedCommaOrArrayEnd));
        }
        spans.push(skip_loosely(scan)?);
        scan.skip_ws();
        match scan.peek() {
            Some(b',') => {
                scan.pos_advance();
                scan.skip_ws();
            }
            Some(b']') => {
                scan.pos_advance();
                return Ok(spans);
            }
            _ => return Err(scan.unexpected(ParseErrorKind::ExpectedCommaOrArrayEnd)),
        }
    }
}

/// Moves the scanner past the value at it, read as [`value_end`] does; returns its span.
pub(crate) fn skip_loosely(scan: &mut Scanner<'_>) -> Result<Range<usize>, ParseError> {
    let start = scan.pos();
    let end = value_end(scan.input(), start)
        .ok_or_else(|| scan.unexpected(ParseErrorKind::ExpectedValue))?;
    scan.skip_to(end);
    Ok(start..end)
}

/// Where the value at `at` ends, reading brackets strictly (each closed by its own kind, at
/// most [`MAX_DEPTH`] deep) and the rest loosely: a string runs to its closing quote whatever
/// it holds, a scalar over the bytes numbers and literals are made of. So an item whose content the decoder refuses
/// still has its own span, and a broken layout has none rather than a span that swallows its
/// neighbours. The end is always just past an ASCII byte or at one, so on a char boundary.
fn value_end(json: &[u8], mut at: usize) -> Option<usize> {
    // One bit a level: whether the container open at that depth is an array.
    let mut arrays = 0u128;
    let mut depth = 0usize;
    loop {
        match *json.get(at)? {
            b'"' => at = string_end(json, at)?,
            open @ (b'[' | b'{') => {
                if depth == MAX_DEPTH {
                    return None;
                }
                let bit = 1u128 << depth;
                arrays = if open == b'[' {
                    arrays | bit
                } else {
                    arrays & !bit
                };
                depth += 1;
                at += 1;
            }
            close @ (b']' | b'}') => {
                let array = arrays & (1u128 << depth.checked_sub(1)?) != 0;
                if array != (close == b']') {
                    return None;
                }
                depth -= 1;
                at += 1;
            }
            _ if depth > 0 => at += 1,
            _ => {
                // A scalar: the bytes JSON's numbers and literals are made of, so that a quote
                // or a bracket starts what it starts here as in the shape check; none (a comma,
                // a space) is no value.
                let run = json[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                    .count();
                return (run > 0).then_some(at + run);
            }
        }
        if depth == 0 {
            return Some(at);
        }
    }
}

/// Past the closing quote of the string whose opening quote is at `at`, whatever it holds.
fn string_end(json: &[u8], mut at: usize) -> Option<usize> {
    at += 1;
    loop {
        let run = json.get(at..)?;
        let found = run.iter().position(|&b| b == b'"' || b == b'\\')?;
        if run[found] == b'\\' {
            at += found + 2;
        } else {
            return Some(at + found + 1);
        }
    }
}
