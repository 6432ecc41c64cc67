//! Cursor pagination: `pages()` and `items()` follow `page_info.next_page_token` until the
//! last page, one page in memory at a time; and the decoding of answers into models, with
//! errors that name the item and the member at fault.

use std::collections::HashSet;
use std::marker::PhantomData;
use std::ops::Range;

use miniserde::Deserialize;
use miniserde::json::Value;

use crate::page_info::PageInfo;
use crate::page_text::Text;
use crate::{Error, RequestBuilder};

/// Explains why a JSON value does not fit a type: `Err(reason)`, with the path to the member
/// at fault appended to the path given. Models have one ([`crate::models`]); other types use
/// [`no_path`].
pub(crate) type Check = fn(&Value, &mut String) -> Result<(), String>;

/// The check of a type that cannot say which member is at fault.
pub(crate) fn no_path(_: &Value, _: &mut String) -> Result<(), String> {
    Err("the JSON is not of the shape asked for".to_owned())
}

fn invalid(url: &str, reason: impl Into<String>) -> Error {
    Error::InvalidResponse {
        url: url.to_owned(),
        reason: reason.into(),
    }
}

/// The most pages one `pages()` or `items()` iteration follows: 10 million items at Hotmart's
/// largest page size, far past any real account, yet an end for a server that keeps
/// inventing page tokens.
pub const MAX_PAGES: usize = 20_000;

/// The longest page token followed; Hotmart's are a few dozen bytes.
const MAX_PAGE_TOKEN_LEN: usize = 4096;

/// The error for an empty body where JSON is needed.
fn empty_body(url: &str) -> Error {
    invalid(url, "the body is empty, so there is no JSON to read")
}

/// The error for a body whose bytes are not all UTF-8, where no item can take the blame.
fn not_utf8(url: &str) -> Error {
    invalid(url, "the body is not UTF-8")
}

/// The body as text; `None` for an empty (or all-whitespace) body. Its shape is checked
/// first (see [`crate::page_scan::shape_within_bounds`]).
fn text<'b>(body: &'b [u8], url: &str) -> Result<Option<Text<'b>>, Error> {
    crate::page_scan::shape_within_bounds(body).map_err(|reason| invalid(url, reason))?;
    let text = Text::of(body);
    let json_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    Ok((!text.text.trim_matches(json_ws).is_empty()).then_some(text))
}

/// The body as a JSON tree, for the slow path after the typed decode failed.
fn tree(text: &str, url: &str) -> Result<Value, Error> {
    miniserde::json::from_str(text).map_err(|_| invalid(url, "the body is not valid JSON"))
}

/// The error for a value that did not decode as `T`, with the path of the member at fault.
fn misfit(url: &str, mut path: String, value: &Value, check: Check) -> Error {
    let reason = match check(value, &mut path) {
        Err(reason) => reason,
        // The check found nothing at fault (a duplicate member, say): name the item only.
        Ok(()) => "does not fit the type asked for".to_owned(),
    };
    let path = path.strip_prefix('.').unwrap_or(&path);
    if path.is_empty() {
        invalid(url, reason)
    } else {
        invalid(url, format!("{path}: {reason}"))
    }
}

/// The items of `text` at `spans`, each decoded as `T` from its own text: one that does not
/// decode is an error of its own, naming it (`{list}[{index}]`) and the member at fault.
fn items_at<T: Deserialize>(
    text: &Text<'_>,
    spans: Vec<Range<usize>>,
    url: &str,
    list: &str,
    check: Check,
) -> Vec<Result<T, Error>> {
    spans
        .into_iter()
        .enumerate()
        .map(|(index, span)| {
            let path = format!("{list}[{index}]");
            if text.replaced_in(&span) {
                return Err(Error::InvalidItem {
                    url: url.to_owned(),
                    index,
                    path,
                    reason: "holds bytes that are not UTF-8".to_owned(),
                });
            }
            let item = &text.text[span];
            miniserde::json::from_str(item).map_err(|_| item_error(item, url, index, path, check))
        })
        .collect()
}

/// Why item `index` (its text: `item`) does not decode, with the path to the member at fault
/// appended to `path`.
#[cold]
fn item_error(item: &str, url: &str, index: usize, mut path: String, check: Check) -> Error {
    let reason = match miniserde::json::from_str::<Value>(item) {
        Ok(value) => match check(&value, &mut path) {
            Err(reason) => reason,
            // The check found nothing at fault (a duplicate member, say): name the item only.
            Ok(()) => "does not fit the type asked for".to_owned(),
        },
        Err(_) => "a value the JSON decoder cannot read (a number out of f64's range, a lone \
                   surrogate or a raw control character in a string, say)"
            .to_owned(),
    };
    Error::InvalidItem {
        url: url.to_owned(),
        index,
        path,
        reason,
    }
}

/// Reads a body as JSON of type `T`, with an error that says what was wrong.
pub(crate) fn decode<T: Deserialize>(body: &[u8], url: &str) -> Result<T, Error> {
    decode_checked(body, url, no_path)
}

/// Reads a body as one `T`; on failure, `check` names the member at fault.
pub(crate) fn decode_checked<T: Deserialize>(
    body: &[u8],
    url: &str,
    check: Check,
) -> Result<T, Error> {
    let Some(text) = text(body, url)? else {
        return Err(empty_body(url));
    };
    if !text.is_utf8() {
        return Err(not_utf8(url));
    }
    // The happy path: one streaming decode, no tree.
    if let Ok(value) = miniserde::json::from_str(&text.text) {
        return Ok(value);
    }
    let value = tree(&text.text, url)?;
    Err(misfit(url, String::new(), &value, check))
}

/// Reads a body that is a bare JSON array of `T` (`[...]`); an empty body is an empty list
/// when `empty_ok`.
pub(crate) fn decode_list<T: Deserialize>(
    body: &[u8],
    url: &str,
    check: Check,
    empty_ok: bool,
) -> Result<Vec<T>, Error> {
    let Some(text) = text(body, url)? else {
        return empty_ok.then(Vec::new).ok_or_else(|| empty_body(url));
    };
    if text.is_utf8()
        && let Ok(items) = miniserde::json::from_str(&text.text)
    {
        return Ok(items);
    }
    // Something does not fit: decode each item from its own text, to name the one at fault.
    if let Some(spans) = crate::page_scan::list_spans(&text.text) {
        return items_at(&text, spans, url, "", check).into_iter().collect();
    }
    if !text.is_utf8() {
        return Err(not_utf8(url));
    }
    let value = tree(&text.text, url)?;
    match &value {
        Value::Array(_) => Err(misfit(url, String::new(), &value, check)),
        _ => Err(invalid(
            url,
            format!(
                "expected a JSON array, found {}",
                crate::models::wire::kind(&value)
            ),
        )),
    }
}

/// Reads a body that is an object holding the list in one member (`{"lessons": [...]}`).
pub(crate) fn decode_member_list<T: Deserialize>(
    body: &[u8],
    url: &str,
    member: &str,
    check: Check,
    empty_ok: bool,
) -> Result<Vec<T>, Error> {
    let Some(text) = text(body, url)? else {
        return empty_ok.then(Vec::new).ok_or_else(|| empty_body(url));
    };
    if let Some((spans, _, _)) = crate::page_scan::object_spans(&text.text, member) {
        return items_at(&text, spans, url, member, check)
            .into_iter()
            .collect();
    }
    if !text.is_utf8() {
        return Err(not_utf8(url));
    }
    let value = tree(&text.text, url)?;
    let Value::Object(object) = &value else {
        return Err(invalid(
            url,
            format!(
                "expected a JSON object with a `{member}` member, found {}",
                crate::models::wire::kind(&value)
            ),
        ));
    };
    match object.get(member) {
        None | Some(Value::Null) => Err(invalid(url, format!("the body has no `{member}` member"))),
        Some(Value::Array(_)) => Err(invalid(
            url,
            format!("the body names `{member}` more than once"),
        )),
        Some(other) => Err(invalid(
            url,
            format!(
                "{member}: expected an array, found {}",
                crate::models::wire::kind(other)
            ),
        )),
    }
}

/// A page as it comes: `items` must be there, so its absence is told apart from an empty page.
#[derive(Deserialize)]
struct RawPage<T> {
    items: Option<Vec<T>>,
    page_info: Option<PageInfo>,
}

/// A decoded page: each item, or the error that names why it does not fit.
type Decoded<T> = (Vec<Result<T, Error>>, PageInfo);

/// Reads one page. A body without `items` is an error; an empty body is an empty last page
/// when `empty_ok` (endpoints that Hotmart answers so).
fn decode_page<T: Deserialize>(
    body: &[u8],
    url: &str,
    check: Check,
    empty_ok: bool,
) -> Result<Decoded<T>, Error> {
    let Some(text) = text(body, url)? else {
        return empty_ok
            .then(|| (Vec::new(), <PageInfo as Default>::default()))
            .ok_or_else(|| empty_body(url));
    };
    let no_items = || invalid(url, "the body has no `items` member, so it is not a page");
    // The happy path: the whole page in one streaming decode.
    if text.is_utf8()
        && let Ok(page) = miniserde::json::from_str::<RawPage<T>>(&text.text)
    {
        let items = page.items.ok_or_else(no_items)?;
        return Ok((
            items.into_iter().map(Ok).collect(),
            page.page_info.unwrap_or_default(),
        ));
    }
    // Something does not fit: decode each item from its own text, so one odd item costs
    // that item only.
    if let Some((spans, info, replaced_name)) = crate::page_scan::object_spans(&text.text, "items")
    {
        // A page token read from a replacement would name another page, and a page whose
        // `page_info` is missing may have it under a name holding one, hiding the next token
        // so that the listing ends as if complete: the page fails, loudly, rather than either.
        if info.as_ref().is_some_and(|span| text.replaced_in(span)) {
            return Err(invalid(url, "page_info: holds bytes that are not UTF-8"));
        }
        if info.is_none() && replaced_name && !text.is_utf8() {
            return Err(invalid(
                url,
                "no page_info, and a member name with bytes that are not UTF-8: it may be",
            ));
        }
        let page_info = match info.map(|span| PageInfo::read_loosely(&text.text[span])) {
            None => <PageInfo as Default>::default(),
            Some(Some(info)) => info,
            Some(None) => return Err(invalid(url, "page_info: does not fit Hotmart's page_info")),
        };
        return Ok((items_at(&text, spans, url, "items", check), page_info));
    }
    if !text.is_utf8() {
        return Err(not_utf8(url));
    }
    let value = tree(&text.text, url)?;
    Err(match &value {
        Value::Object(object) => match object.get("items") {
            None | Some(Value::Null) => no_items(),
            Some(Value::Array(_)) => invalid(url, "the body names `items` more than once"),
            Some(other) => invalid(
                url,
                format!(
                    "items: expected an array, found {}",
                    crate::models::wire::kind(other)
                ),
            ),
        },
        other => invalid(
            url,
            format!(
                "expected a page (a JSON object with `items`), found {}",
                crate::models::wire::kind(other)
            ),
        ),
    })
}

/// One page of a paginated endpoint: its items and its `page_info`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    items: Option<Vec<T>>,
    page_info: Option<PageInfo>,
}

impl<T> Page<T> {
    /// A page with no items and no `page_info`.
    pub(crate) fn empty() -> Self {
        Page {
            items: Some(Vec::new()),
            page_info: None,
        }
    }

    /// The page's items.
    pub fn items(&self) -> &[T] {
        self.items.as_deref().unwrap_or_default()
    }

    /// The page's items, taken.
    pub fn into_items(self) -> Vec<T> {
        self.items.unwrap_or_default()
    }

    /// The page's `page_info` (all its fields are optional; some endpoints omit it).
    pub fn page_info(&self) -> &PageInfo {
        const NONE: &PageInfo = &PageInfo {
            total_results: None,
            next_page_token: None,
            prev_page_token: None,
            results_per_page: None,
        };
        self.page_info.as_ref().unwrap_or(NONE)
    }
}

/// An iterator over the pages of a paginated endpoint; made by [`RequestBuilder::pages`] and
/// the typed calls of [`crate::api`].
///
/// A page with an item that does not fit its type is an error naming that item (the page's
/// other items are not returned; use `items()` to keep them), and the iteration goes on with
/// the next page. Any other error (HTTP, a body that is not a page, a page token given twice)
/// ends the iteration.
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Pages<'c, T> {
    request: RequestBuilder<'c>,
    /// `None` once finished; `Some(None)` before the first page.
    next: Option<Option<String>>,
    /// The page tokens used so far, so a cycle (A, B, A, …) ends instead of looping.
    seen: HashSet<String>,
    /// The most pages one iteration follows (see [`MAX_PAGES`]).
    max_pages: usize,
    check: Check,
    empty_ok: bool,
    _items: PhantomData<fn() -> T>,
}

impl<T> Pages<'_, T> {
    /// Follows at most `pages` pages (default and ceiling: [`MAX_PAGES`]); one more page
    /// token after that ends the iteration with an error rather than silently.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.clamp(1, MAX_PAGES);
        self
    }
}

impl<T: Deserialize> Pages<'_, T> {
    /// The next page, each item decoded on its own.
    fn next_decoded(&mut self) -> Option<Result<Decoded<T>, Error>> {
        let token = self.next.take()?;
        let mut request = self.request.clone();
        if let Some(token) = &token {
            // Distinct tokens without end would be a loop the server keeps going.
            if self.seen.len() + 1 >= self.max_pages {
                return Some(Err(invalid(
                    &self.request.shown_url(),
                    format!(
                        "the API kept giving new page tokens past {} pages; stopping rather \
                         than following them for ever",
                        self.max_pages
                    ),
                )));
            }
            request.set_query("page_token", token);
            self.seen.insert(token.clone());
        }
        let result = request.send().and_then(|resp| {
            let (items, info) = decode_page(resp.body(), resp.url(), self.check, self.empty_ok)?;
            match info.next_page_token.as_deref() {
                Some(next) if self.seen.contains(next) => Err(invalid(
                    resp.url(),
                    "the API gave a page token it had already given in this iteration; \
                     stopping rather than looping",
                )),
                Some(next) if next.len() > MAX_PAGE_TOKEN_LEN => Err(invalid(
                    resp.url(),
                    format!("the API gave a page token longer than {MAX_PAGE_TOKEN_LEN} bytes"),
                )),
                Some(next) if !next.is_empty() => {
                    self.next = Some(Some(next.to_owned()));
                    Ok((items, info))
                }
                _ => Ok((items, info)),
            }
        });
        Some(result)
    }
}

impl<T: Deserialize> Iterator for Pages<'_, T> {
    type Item = Result<Page<T>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_decoded()?.and_then(|(items, info)| {
            Ok(Page {
                items: Some(items.into_iter().collect::<Result<_, _>>()?),
                page_info: Some(info),
            })
        }))
    }
}

/// An iterator over every item of every page; made by [`RequestBuilder::items`] and the typed
/// calls of [`crate::api`].
///
/// An item that does not fit its type is an `Err` naming the URL, the item's index on its
/// page and the member at fault (`items[3].purchase.price.value: expected a number, found an
/// object`); the iteration goes on with the next item. Any other error ends the iteration.
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Items<'c, T> {
    pages: Pages<'c, T>,
    current: std::vec::IntoIter<Result<T, Error>>,
}

impl<T: Deserialize> Iterator for Items<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(item);
            }
            // The used page goes before the next one comes, not after.
            self.current = Vec::new().into_iter();
            match self.pages.next_decoded()? {
                Ok((items, _)) => self.current = items.into_iter(),
                Err(err) => return Some(Err(err)),
            }
        }
    }
}

impl<'c> RequestBuilder<'c> {
    /// Every page of a paginated endpoint, following `page_info.next_page_token` into
    /// `page_token`. Use `T = miniserde::json::Value` for raw items.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::Product;
    ///
    /// for page in client.get("/products/api/v1/products").pages::<Product>() {
    ///     let page = page?;
    ///     println!("{} products, {:?} in all", page.items().len(), page.page_info().total_results);
    /// }
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn pages<T: Deserialize>(self) -> Pages<'c, T> {
        self.pages_checked(no_path, false)
    }

    /// Every item of every page, in order, one page in memory at a time. An item that does
    /// not fit `T` is an `Err` for that item, and the iteration goes on (see [`Items`]).
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::Sale;
    ///
    /// let all: Vec<Sale> = client
    ///     .get("/payments/api/v1/sales/history")
    ///     .query("max_results", 500)
    ///     .items::<Sale>()
    ///     .collect::<Result<_, _>>()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn items<T: Deserialize>(self) -> Items<'c, T> {
        Items {
            pages: self.pages(),
            current: Vec::new().into_iter(),
        }
    }

    /// [`pages`](Self::pages) with a check that names the member at fault, and whether an
    /// empty body is an empty last page.
    pub(crate) fn pages_checked<T: Deserialize>(
        self,
        check: Check,
        empty_ok: bool,
    ) -> Pages<'c, T> {
        Pages {
            request: self,
            next: Some(None),
            seen: HashSet::new(),
            max_pages: MAX_PAGES,
            check,
            empty_ok,
            _items: PhantomData,
        }
    }

    /// [`items`](Self::items) with a check, as [`pages_checked`](Self::pages_checked).
    pub(crate) fn items_checked<T: Deserialize>(
        self,
        check: Check,
        empty_ok: bool,
    ) -> Items<'c, T> {
        Items {
            pages: self.pages_checked(check, empty_ok),
            current: Vec::new().into_iter(),
        }
    }
}
