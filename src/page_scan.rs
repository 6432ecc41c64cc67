//! Reading an answer's layout without building it: whether its shape is within bounds, and
//! where each item of a page lies, for the slow path that decodes items one by one.

use std::ops::Range;

use crate::token::ParseErrorKind;

/// The deepest nesting of arrays and objects a body may have: Hotmart's answers nest five or
/// six levels.
const MAX_DEPTH: usize = crate::token::ParseError::MAX_DEPTH;

/// The most items a list or a page may hold: Hotmart's pages hold at most 500.
pub const MAX_ITEMS: usize = 50_000;

/// Refuses, in one pass over the bytes and before anything is built, a body that nests past
/// [`MAX_DEPTH`] or whose list (an array at the top or one level in: a page's `items`) holds
/// more than [`MAX_ITEMS`] values. A tree nested that deep is read without recursion, but the
/// models' `Clone`, `Debug` and `PartialEq` recurse into what they keep of it (`extra`) and
/// overflowed the stack; and an item costs its model's size however short its text (`{}`:
/// 3 bytes, a `Sale` over a KiB), so 8 MiB of `{},` took 3 GiB.
pub(crate) fn shape_within_bounds(json: &[u8]) -> Result<(), &'static str> {
    let mut depth = 0usize;
    // One bit a level below the top two: whether that container is an array.
    let mut arrays = 0u8;
    let mut items = 0usize;
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
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err("the body nests deeper than 128 levels");
                }
                if depth <= 2 {
                    let bit = 1u8 << (depth - 1);
                    arrays = if byte == b'[' {
                        arrays | bit
                    } else {
                        arrays & !bit
                    };
                    if byte == b'[' {
                        items += 1;
                    }
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if (1..=2).contains(&depth) && arrays & (1 << (depth - 1)) != 0 => {
                items += 1;
                if items > MAX_ITEMS {
                    return Err("the body lists more than 50,000 items");
                }
            }
            _ => {}
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
/// page names `items` twice.
pub(crate) fn page_spans(text: &str) -> Option<PageSpans> {
    let mut items: Option<Vec<Range<usize>>> = None;
    let mut info = None;
    let mut twice = false;
    crate::token::object(text.as_bytes(), |name, scan| match name {
        b"items" if scan.peek() == Some(b'[') => {
            twice |= items.is_some();
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
    if twice {
        return None;
    }
    Some((items?, info))
}
