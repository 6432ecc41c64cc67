//! Every item of every page exactly as Hotmart sent it: the pages are followed through
//! `page_info.next_page_token`, and each page's `items` array is cut into the bytes of its
//! elements by a small JSON scanner, so nothing is decoded into a model and re-serialized
//! (a member no model names, or one Hotmart adds next year, is kept as it came).
//!
//! The bounds are the core's own for `pages()`: at most [`hotmart::MAX_PAGES`] pages, no page
//! token given twice, none longer than 4 KiB.

use std::collections::HashSet;
use std::ops::Range;

use hotmart::{Error, PageInfo, RequestBuilder};

/// The longest page token followed; Hotmart's are a few dozen bytes.
const MAX_PAGE_TOKEN_LEN: usize = 4096;

/// The deepest nesting of arrays and objects read; Hotmart's items are a few levels deep.
const MAX_DEPTH: usize = 128;

/// One page: its body, and where each item lies in it.
pub struct RawPage {
    body: Vec<u8>,
    items: Vec<Range<usize>>,
}

impl RawPage {
    /// Each item's bytes, in order.
    pub fn items(&self) -> impl Iterator<Item = &[u8]> {
        self.items.iter().map(|range| &self.body[range.clone()])
    }
}

/// The pages of `request`, first to last.
pub struct RawPages<'c> {
    request: RequestBuilder<'c>,
    /// `None` once finished; `Some(None)` before the first page.
    next: Option<Option<String>>,
    seen: HashSet<String>,
    /// The URL of the last page read, for an error about the next one.
    url: String,
}

impl<'c> RawPages<'c> {
    /// Pages through `request`, starting at `page_token` when one is given.
    pub fn new(request: RequestBuilder<'c>, page_token: Option<String>) -> Self {
        RawPages {
            request,
            next: Some(page_token),
            seen: HashSet::new(),
            url: String::new(),
        }
    }

    fn fetch(&mut self, token: Option<String>) -> Result<RawPage, Error> {
        let mut request = self.request.clone();
        if let Some(token) = token {
            if self.seen.len() + 1 >= hotmart::MAX_PAGES {
                return Err(Error::InvalidResponse {
                    url: self.url.clone(),
                    reason: format!(
                        "the API kept giving new page tokens past {} pages; stopping rather \
                         than following them for ever",
                        hotmart::MAX_PAGES
                    ),
                });
            }
            request = request.query("page_token", &token);
            self.seen.insert(token);
        }
        let response = request.send()?;
        let url = response.url().to_owned();
        self.url.clone_from(&url);
        let body = response.into_body();
        let (items, info) = split_page(&body).map_err(|reason| Error::InvalidResponse {
            url: url.clone(),
            reason,
        })?;
        match info.next_page_token {
            Some(next) if self.seen.contains(&next) => {
                return Err(Error::InvalidResponse {
                    url,
                    reason: "the API gave a page token it had already given in this \
                             iteration; stopping rather than looping"
                        .into(),
                });
            }
            Some(next) if next.len() > MAX_PAGE_TOKEN_LEN => {
                return Err(Error::InvalidResponse {
                    url,
                    reason: format!(
                        "the API gave a page token longer than {MAX_PAGE_TOKEN_LEN} bytes"
                    ),
                });
            }
            Some(next) if !next.is_empty() => self.next = Some(Some(next)),
            _ => {}
        }
        Ok(RawPage { body, items })
    }
}

impl Iterator for RawPages<'_> {
    type Item = Result<RawPage, Error>;

    /// Any error ends the iteration: a page that cannot be read cannot give the next token.
    fn next(&mut self) -> Option<Self::Item> {
        let token = self.next.take()?;
        Some(self.fetch(token))
    }
}

/// Where each element of the top-level `items` array lies, and the page's `page_info`.
fn split_page(body: &[u8]) -> Result<(Vec<Range<usize>>, PageInfo), String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let b = text.as_bytes();
    let mut i = ws(b, 0);
    if i == b.len() {
        return Err("the body is empty, so there is no JSON to read".into());
    }
    if b[i] != b'{' {
        return Err("expected a page (a JSON object with `items`)".into());
    }
    i = ws(b, i + 1);
    let mut items = None;
    let mut info = PageInfo::default();
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            let key_start = i;
            i = string_end(b, i)?;
            let key = &b[key_start + 1..i - 1];
            i = ws(b, i);
            if b.get(i) != Some(&b':') {
                return Err(syntax(i));
            }
            i = ws(b, i + 1);
            let value_start = i;
            match key {
                b"items" if b.get(i) == Some(&b'[') => {
                    if items.is_some() {
                        return Err("the page has `items` twice".into());
                    }
                    let (end, spans) = array_elements(b, i)?;
                    items = Some(spans);
                    i = end;
                }
                b"items" if b[i..].starts_with(b"null") => i += 4,
                b"items" => return Err("items: expected an array".into()),
                _ => i = value_end(b, i)?,
            }
            if key == b"page_info" {
                info = hotmart::miniserde::json::from_str(&text[value_start..i])
                    .map_err(|_| "page_info: does not fit Hotmart's page_info".to_owned())?;
            }
            i = ws(b, i);
            match b.get(i) {
                Some(b',') => i = ws(b, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return Err(syntax(i)),
            }
        }
    }
    if ws(b, i) != b.len() {
        return Err(syntax(i));
    }
    let items = items.ok_or("the body has no `items` member, so it is not a page")?;
    Ok((items, info))
}

/// The end of the array at `start`, and the span of each of its elements.
fn array_elements(b: &[u8], start: usize) -> Result<(usize, Vec<Range<usize>>), String> {
    let mut spans = Vec::new();
    let mut i = ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return Ok((i + 1, spans));
    }
    loop {
        let end = value_end(b, i)?;
        spans.push(i..end);
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b']') => return Ok((i + 1, spans)),
            _ => return Err(syntax(i)),
        }
    }
}

/// The end of the JSON value at `start`, checked as JSON; nesting is followed with a stack of
/// its own (bounded by [`MAX_DEPTH`]), not by recursion.
fn value_end(b: &[u8], start: usize) -> Result<usize, String> {
    let mut closers: Vec<u8> = Vec::new();
    let mut i = start;
    loop {
        // A value is expected at `i`.
        i = ws(b, i);
        match b.get(i) {
            Some(open @ (b'{' | b'[')) => {
                if closers.len() == MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let close = if *open == b'{' { b'}' } else { b']' };
                i = ws(b, i + 1);
                if b.get(i) == Some(&close) {
                    i += 1;
                } else {
                    closers.push(close);
                    if close == b'}' {
                        i = member_name(b, i)?;
                    }
                    continue;
                }
            }
            Some(b'"') => i = string_end(b, i)?,
            Some(b'-' | b'0'..=b'9') => i = number_end(b, i)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            _ => return Err(syntax(i)),
        }
        // A value ended at `i`: close what it ends, or go on to the next element or member.
        loop {
            let Some(&close) = closers.last() else {
                return Ok(i);
            };
            i = ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = ws(b, i + 1);
                    if close == b'}' {
                        i = member_name(b, i)?;
                    }
                    break;
                }
                Some(c) if *c == close => {
                    closers.pop();
                    i += 1;
                }
                _ => return Err(syntax(i)),
            }
        }
    }
}

/// Past `"name" :` at `i`.
fn member_name(b: &[u8], i: usize) -> Result<usize, String> {
    let i = ws(b, string_end(b, i)?);
    if b.get(i) != Some(&b':') {
        return Err(syntax(i));
    }
    Ok(i + 1)
}

/// The end of the string at `i` (just past its closing quote).
fn string_end(b: &[u8], mut i: usize) -> Result<usize, String> {
    if b.get(i) != Some(&b'"') {
        return Err(syntax(i));
    }
    i += 1;
    loop {
        match b.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u')
                    if b.len() > i + 5 && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) =>
                {
                    i += 6;
                }
                _ => return Err(syntax(i)),
            },
            Some(c) if *c < 0x20 => return Err(syntax(i)),
            Some(_) => i += 1,
            None => return Err("a string is not closed".into()),
        }
    }
}

/// The end of the number at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(b: &[u8], mut i: usize) -> Result<usize, String> {
    let digits = |b: &[u8], mut i: usize| -> Result<usize, String> {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start { Err(syntax(i)) } else { Ok(i) }
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = if b.get(i) == Some(&b'0') {
        i + 1
    } else {
        digits(b, i)?
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Ok(i)
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, String> {
    if b[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        Err(syntax(i))
    }
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

fn syntax(at: usize) -> String {
    format!("the body is not valid JSON (at byte {at})")
}

/// An item on one line: the line breaks JSON allows between tokens (never inside a string)
/// become spaces, which changes no value; every other byte is written as it came.
pub fn one_line(item: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if item.contains(&b'\n') || item.contains(&b'\r') {
        let flat = item
            .iter()
            .map(|&c| if c == b'\n' || c == b'\r' { b' ' } else { c })
            .collect();
        std::borrow::Cow::Owned(flat)
    } else {
        std::borrow::Cow::Borrowed(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(body: &str) -> Result<Vec<String>, String> {
        let (spans, _) = split_page(body.as_bytes())?;
        Ok(spans.into_iter().map(|r| body[r].to_owned()).collect())
    }

    #[test]
    fn items_come_out_as_they_came() {
        let body = r#" { "page_info" : {"next_page_token":"abc","total_results":2},
            "items": [ {"a": 1.50, "b":"x\"y\u00e9", "c":[true,false,null,{}]} ,
            {"purchase":{"hotmart_fee":{"total":1e-3}},"new":[[],[1,-0.5E+2]]} ] }"#;
        let (_, info) = split_page(body.as_bytes()).unwrap();
        assert_eq!(info.next_page_token.as_deref(), Some("abc"));
        assert_eq!(
            items(body).unwrap(),
            [
                r#"{"a": 1.50, "b":"x\"y\u00e9", "c":[true,false,null,{}]}"#,
                r#"{"purchase":{"hotmart_fee":{"total":1e-3}},"new":[[],[1,-0.5E+2]]}"#,
            ]
        );
        assert_eq!(items(r#"{"items":[]}"#).unwrap(), Vec::<String>::new());
        assert_eq!(
            items(r#"{"items":null}"#).unwrap_err(),
            "the body has no `items` member, so it is not a page"
        );
    }

    #[test]
    fn what_is_not_a_page_is_refused() {
        for bad in [
            "",
            "[]",
            r#"{"page_info":{}}"#,
            r#"{"items":{}}"#,
            r#"{"items":[1,]}"#,
            r#"{"items":[01]}"#,
            r#"{"items":[{"a":1,}]}"#,
            r#"{"items":[{"a" 1}]}"#,
            r#"{"items":["a\x"]}"#,
            "{\"items\":[\"a\nb\"]}",
            r#"{"items":[tru]}"#,
            r#"{"items":[1]} x"#,
            r#"{"items":[1],"items":[2]}"#,
            r#"{"items":["open"#,
            r#"{"items":[1],"page_info":{"next_page_token":7}}"#,
        ] {
            assert!(split_page(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let deep = format!(r#"{{"items":[{}{}]}}"#, "[".repeat(200), "]".repeat(200));
        assert!(
            split_page(deep.as_bytes())
                .unwrap_err()
                .contains("nested deeper")
        );
        assert!(split_page(b"{\"items\":[\"\xff\"]}").is_err());
    }

    #[test]
    fn one_line_only_touches_line_breaks_between_tokens() {
        assert_eq!(&*one_line(b"{\"a\":\n1}"), b"{\"a\": 1}");
        assert!(matches!(
            one_line(b"{\"a\":1}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
