//! Cursor pagination: `pages()` and `items()` follow `page_info.next_page_token` until the
//! last page, one page in memory at a time.

use std::marker::PhantomData;

use miniserde::Deserialize;

use crate::{Error, RequestBuilder};

/// Reads a body as JSON of type `T`, with an error that says what was wrong.
pub(crate) fn decode<T: Deserialize>(body: &[u8], url: &str) -> Result<T, Error> {
    let invalid = |reason: &str| Error::InvalidResponse {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let text = std::str::from_utf8(body).map_err(|_| invalid("the body is not UTF-8"))?;
    if text.trim().is_empty() {
        return Err(invalid("the body is empty, so there is no JSON to read"));
    }
    miniserde::json::from_str(text).map_err(|_| {
        if miniserde::json::from_str::<miniserde::json::Value>(text).is_ok() {
            invalid("the body is JSON, but not of the shape asked for")
        } else {
            invalid("the body is not valid JSON")
        }
    })
}

/// One page of a paginated endpoint: its items and its `page_info`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    items: Option<Vec<T>>,
    page_info: Option<PageInfo>,
}

impl<T> Page<T> {
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

/// Hotmart's `page_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PageInfo {
    /// How many results the query has in all (not on every endpoint).
    pub total_results: Option<u64>,
    /// The token for the next page; absent on the last page.
    pub next_page_token: Option<String>,
    /// The token for the previous page.
    pub prev_page_token: Option<String>,
    /// How many results a page holds.
    pub results_per_page: Option<u64>,
}

/// An iterator over the pages of a paginated endpoint; made by [`RequestBuilder::pages`].
///
/// It stops after the last page or after the first error.
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Pages<'c, T> {
    request: RequestBuilder<'c>,
    /// `None` once finished; `Some(None)` before the first page.
    next: Option<Option<String>>,
    _items: PhantomData<fn() -> T>,
}

impl<T: Deserialize> Iterator for Pages<'_, T> {
    type Item = Result<Page<T>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let token = self.next.take()?;
        let mut request = self.request.clone();
        if let Some(token) = &token {
            request.set_query("page_token", token);
        }
        let result = request.send().and_then(|resp| {
            let page: Page<T> = resp.json()?;
            match &page.page_info().next_page_token {
                Some(next) if Some(next) == token.as_ref() => Err(Error::InvalidResponse {
                    url: resp.url().to_owned(),
                    reason: "the API gave the same page token again; stopping rather than \
                             looping"
                        .to_owned(),
                }),
                Some(next) if !next.is_empty() => {
                    self.next = Some(Some(next.clone()));
                    Ok(page)
                }
                _ => Ok(page),
            }
        });
        Some(result)
    }
}

/// An iterator over every item of every page; made by [`RequestBuilder::items`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Items<'c, T> {
    pages: Pages<'c, T>,
    current: std::vec::IntoIter<T>,
}

impl<T: Deserialize> Iterator for Items<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.current = page.into_items().into_iter(),
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
        Pages {
            request: self,
            next: Some(None),
            _items: PhantomData,
        }
    }

    /// Every item of every page, in order, one page in memory at a time.
    ///
    /// ```no_run
    /// # let client: hotmart::Client = unimplemented!();
    /// use hotmart::models::Sale;
    ///
    /// let all: Vec<Sale> = client
    ///     .get("/payments/api/v1/sales/history")
    ///     .query("max_results", "500")
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
}
