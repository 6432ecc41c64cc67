//! Hotmart's `page_info`, read leniently: its counts are only informative, so a count that
//! does not fit (`"10"`, `-1`, `1.5`, `[]`) is none, rather than the loss of the page and the end
//! of the iteration that a strict read made of it. Only the page tokens steer paging.

use miniserde::Deserialize;
use miniserde::de::{Map, Seq, Visitor};

// miniserde's own place type, as its derive makes one (see `models`).
miniserde::make_place!(Place);

/// Hotmart's `page_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageInfo {
    /// How many results the query has in all (not on every endpoint); `None` also where the
    /// server sent something other than a non-negative integer (or a string of digits).
    pub total_results: Option<u64>,
    /// The token for the next page; absent on the last page.
    pub next_page_token: Option<String>,
    /// The token for the previous page.
    pub prev_page_token: Option<String>,
    /// How many results a page holds (read as leniently as `total_results`).
    pub results_per_page: Option<u64>,
}

/// A count that is `None` for any value that is not one: never a reason to refuse a page.
struct Count(Option<u64>);

/// An array or object where a count belongs: read past, and the count is none.
struct NotACount<'a>(&'a mut Option<Count>);

impl Seq for NotACount<'_> {
    fn element(&mut self) -> miniserde::Result<&mut dyn Visitor> {
        Ok(<dyn Visitor>::ignore())
    }
    fn finish(&mut self) -> miniserde::Result<()> {
        *self.0 = Some(Count(None));
        Ok(())
    }
}

impl Map for NotACount<'_> {
    fn key(&mut self, _: &str) -> miniserde::Result<&mut dyn Visitor> {
        Ok(<dyn Visitor>::ignore())
    }
    fn finish(&mut self) -> miniserde::Result<()> {
        *self.0 = Some(Count(None));
        Ok(())
    }
}

impl Visitor for Place<Count> {
    fn null(&mut self) -> miniserde::Result<()> {
        self.out = Some(Count(None));
        Ok(())
    }
    fn boolean(&mut self, _: bool) -> miniserde::Result<()> {
        self.null()
    }
    fn string(&mut self, s: &str) -> miniserde::Result<()> {
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        self.out = Some(Count(digits.then(|| s.parse().ok()).flatten()));
        Ok(())
    }
    fn negative(&mut self, _: i64) -> miniserde::Result<()> {
        self.null()
    }
    fn nonnegative(&mut self, n: u64) -> miniserde::Result<()> {
        self.out = Some(Count(Some(n)));
        Ok(())
    }
    fn float(&mut self, _: f64) -> miniserde::Result<()> {
        self.null()
    }
    fn seq(&mut self) -> miniserde::Result<Box<dyn Seq + '_>> {
        Ok(Box::new(NotACount(&mut self.out)))
    }
    fn map(&mut self) -> miniserde::Result<Box<dyn Map + '_>> {
        Ok(Box::new(NotACount(&mut self.out)))
    }
}

impl Deserialize for Count {
    fn begin(out: &mut Option<Self>) -> &mut dyn Visitor {
        Place::new(out)
    }
}

struct Members<'a> {
    total_results: Option<Count>,
    next_page_token: Option<Option<String>>,
    prev_page_token: Option<Option<String>>,
    results_per_page: Option<Count>,
    out: &'a mut Option<PageInfo>,
}

impl Map for Members<'_> {
    fn key(&mut self, k: &str) -> miniserde::Result<&mut dyn Visitor> {
        Ok(match k {
            "total_results" => Deserialize::begin(&mut self.total_results),
            "next_page_token" => Deserialize::begin(&mut self.next_page_token),
            "prev_page_token" => Deserialize::begin(&mut self.prev_page_token),
            "results_per_page" => Deserialize::begin(&mut self.results_per_page),
            _ => <dyn Visitor>::ignore(),
        })
    }

    fn finish(&mut self) -> miniserde::Result<()> {
        *self.out = Some(PageInfo {
            total_results: self.total_results.take().and_then(|c| c.0),
            next_page_token: self.next_page_token.take().flatten(),
            prev_page_token: self.prev_page_token.take().flatten(),
            results_per_page: self.results_per_page.take().and_then(|c| c.0),
        });
        Ok(())
    }
}

impl Visitor for Place<PageInfo> {
    fn map(&mut self) -> miniserde::Result<Box<dyn Map + '_>> {
        Ok(Box::new(Members {
            total_results: None,
            next_page_token: None,
            prev_page_token: None,
            results_per_page: None,
            out: &mut self.out,
        }))
    }
}

impl Deserialize for PageInfo {
    fn begin(out: &mut Option<Self>) -> &mut dyn Visitor {
        Place::new(out)
    }
}

impl PageInfo {
    /// `page_info`'s text read as leniently as its counts are: where the decoder cannot read
    /// it at all (a count past `f64`, `1e400`), its page tokens alone. `None` where it is not
    /// an object, or a token is not a string.
    pub(crate) fn read_loosely(text: &str) -> Option<PageInfo> {
        if let Ok(info) = miniserde::json::from_str::<Option<PageInfo>>(text) {
            return Some(info.unwrap_or_default());
        }
        let mut info = <PageInfo as Default>::default();
        let scan = crate::token::Scanner::of_any_size(text.as_bytes()).ok()?;
        crate::token::members(scan, |name, scan| {
            let token = match name {
                b"next_page_token" => &mut info.next_page_token,
                b"prev_page_token" => &mut info.prev_page_token,
                _ => return crate::page_scan::skip_loosely(scan).map(drop),
            };
            *token = match scan.peek() {
                Some(b'n') => scan.null().map(|()| None)?,
                _ => Some(scan.string()?.into_owned()),
            };
            Ok(())
        })
        .ok()?;
        Some(info)
    }
}
