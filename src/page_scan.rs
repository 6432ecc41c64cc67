//! Reading an answer's layout without building it: whether its shape is within bounds, and
//! where each item of a page lies, for the slow path that decodes items one by one.

use std::ops::Range;

use crate::token::ParseErrorKind;

/// The deepest nesting of arrays and objects a body may have: Hotmart's answers nest five or
/// six levels.
const MAX_DEPTH: usize = crate::token::ParseError::MAX_DEPTH;

/// The most values all the lists of one body may hold together: Hotmart's pages hold at
/// most 500 items, each with a few short lists of its own.
pub const MAX_ITEMS: usize = 50_000;

/// Refuses, in one pass over the bytes and before anything is built, a body that nests past
/// [`MAX_DEPTH`] or whose arrays, at any depth, hold more than [`MAX_ITEMS`] values in all.
/// A tree nested that deep is read without recursion, but the models' `Clone`, `Debug` and
/// `PartialEq` recurse into what they keep of it (`extra`) and overflowed the stack; and a
/// value costs its model's size however short its text (`{}`: 3 bytes, a `Sale` over a KiB),
/// so 8 MiB of `{},` took 3 GiB as a page's items and 1.3 GB as one item's own list.
pub(crate) fn shape_within_bounds(json: &[u8]) -> Result<(), &'static str> {
    let mut depth = 0usize;
    // One bit a level: whether the container open at that depth is an array.
    let mut arrays = 0u128;
    let mut values = 0usize;
    let mut at = 0;
    while let Some(&byte) = json.get(at) {
        match byte {
            b'"' => {
                // To the closing quote, past escaped characters; an unterminated string is
                // the parser's to refuse.
                at += 1;
                while let Some(run) = json.get(at..) {
                    match run.iter().position(|&b| b == b'"' || b == b'\\') {
                        Some(found) if run[found] == b'\\' => at += found + 2,
                        Some(found) => {
                            at += found;
                            break;
                        }
                        None => return Ok(()),
                    }
                }
            }
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
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth > 0 && arrays & (1u128 << (depth - 1)) != 0 => values += 1,
            _ => {}
        }
        if values > MAX_ITEMS {
            return Err("the body's lists hold more than 50,000 values in all");
        }
        at += 1;
    }
    Ok(())
}

/// Where each item of a page lies, and where its `page_info` does if it has one.
pub(crate) type PageSpans = (Vec<Range<usize>>, Option<Range<usize>>);

/// Where a page's items lie in `text`, and its `page_info`, read by the crate's own scanner:
/// for a page that the JSON decoder cannot read whole (a number past `f64`, `1e400`), so that
/// such an item costs that item only. `None` where the scanner cannot read it either, or the
/// page names `items` twice (the decoder keeps the last, whatever it is: no guess here).
pub(crate) fn page_spans(text: &str) -> Option<PageSpans> {
    let mut items: Option<Vec<Range<usize>>> = None;
    let mut info = None;
    let mut named = 0u32;
    // The body's size is the reader's cap, not the token parser's.
    let scan = crate::token::Scanner::of_any_size(text.as_bytes()).ok()?;
    crate::token::members(scan, |name, scan| match name {
        b"items" if scan.peek() != Some(b'[') => {
            named += 1;
            scan.skip_value(1)
        }
        b"items" => {
            named += 1;
            let spans = items.insert(Vec::new());
            scan.pos_advance();
            scan.skip_ws();
            if scan.peek() == Some(b']') {
                scan.pos_advance();
                return Ok(());
            }
            loop {
                let start = scan.pos();
                scan.skip_value(2)?;
                spans.push(start..scan.pos());
                scan.skip_ws();
                match scan.peek() {
                    Some(b',') => {
                        scan.pos_advance();
                        scan.skip_ws();
                    }
                    Some(b']') => {
                        scan.pos_advance();
                        return Ok(());
                    }
                    _ => return Err(scan.unexpected(ParseErrorKind::ExpectedCommaOrArrayEnd)),
                }
            }
        }
        b"page_info" => {
            let start = scan.pos();
            scan.skip_value(1)?;
            info = Some(start..scan.pos());
            Ok(())
        }
        _ => scan.skip_value(1),
    })
    .ok()?;
    if named > 1 {
        return None;
    }
    Some((items?, info))
}
