//! A request as the local Hotmart records it, and the bounded record of them.

use std::collections::VecDeque;

use crate::TOKEN_PATH;
use crate::http::Request;

/// The most requests the record keeps; older ones are dropped (their counts stay), so that a
/// server that runs for days (`hotmart mock`) keeps what tests look at, not everything.
pub const MAX_RECORDED: usize = 10_000;
/// The most bytes of recorded requests (heads and bodies) kept, for the same reason: 300
/// bodies of 1 MiB took 320 MB before.
pub const MAX_RECORDED_BYTES: usize = 64 << 20;

/// A request as the mock received it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query's pairs, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names in lowercase, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn new(request: &Request) -> Self {
        RecordedRequest {
            method: request.method().to_owned(),
            path: request.path().to_owned(),
            query: request.query().map(crate::query::parse).unwrap_or_default(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                .collect(),
            body: request.body().to_vec(),
        }
    }
}

/// The requests received since the last clear: the newest ones within [`MAX_RECORDED`] and
/// [`MAX_RECORDED_BYTES`], and how many of each kind there were in all.
#[derive(Default)]
pub(crate) struct Record {
    kept: VecDeque<(RecordedRequest, usize)>,
    bytes: usize,
    token_count: usize,
    api_count: usize,
}

impl Record {
    pub(crate) fn push(&mut self, request: RecordedRequest) {
        if request.path == TOKEN_PATH {
            self.token_count += 1;
        } else {
            self.api_count += 1;
        }
        let size = request.size();
        self.bytes = self.bytes.saturating_add(size);
        self.kept.push_back((request, size));
        while self.kept.len() > MAX_RECORDED || self.bytes > MAX_RECORDED_BYTES {
            let Some((_, size)) = self.kept.pop_front() else {
                break;
            };
            self.bytes -= size;
        }
    }

    pub(crate) fn kept(&self) -> impl Iterator<Item = &RecordedRequest> {
        self.kept.iter().map(|(request, _)| request)
    }

    pub(crate) fn token_count(&self) -> usize {
        self.token_count
    }

    pub(crate) fn api_count(&self) -> usize {
        self.api_count
    }
}

impl RecordedRequest {
    /// About what it holds in memory, in bytes.
    fn size(&self) -> usize {
        let pairs = |pairs: &[(String, String)]| -> usize {
            pairs.iter().map(|(n, v)| n.len() + v.len() + 48).sum()
        };
        self.method.len()
            + self.path.len()
            + self.body.len()
            + pairs(&self.query)
            + pairs(&self.headers)
            + 128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, body: usize) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: vec![b'x'; body],
        }
    }

    /// Before: every request stayed, bodies included: 300 POSTs of 1 MiB to a running
    /// `hotmart mock` took it from 8 MB to 320 MB.
    #[test]
    fn the_record_keeps_the_newest_within_its_bounds_and_counts_all() {
        let mut record = Record::default();
        for _ in 0..300 {
            record.push(request("/nothing", 1 << 20));
        }
        assert!(record.bytes <= MAX_RECORDED_BYTES);
        assert_eq!(record.kept().count(), 63);
        assert_eq!(record.api_count(), 300);
        for _ in 0..MAX_RECORDED + 5 {
            record.push(request(TOKEN_PATH, 0));
        }
        assert_eq!(record.kept().count(), MAX_RECORDED);
        assert!(record.kept().all(|r| r.path == TOKEN_PATH));
        assert_eq!(record.token_count(), MAX_RECORDED + 5);
    }
}
