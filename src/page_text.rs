//! An answer's body as text, even when some of its bytes are not UTF-8: where they stood is
//! kept, so that what holds them can be told from what does not.

use std::borrow::Cow;
use std::ops::Range;

/// A body as text: as it came when it is UTF-8. Otherwise each run of invalid sequences is
/// replaced by one U+FFFD and where it stands is kept, so that a page loses only the items
/// that hold one (a buyer's name sent in Latin-1, say) and nothing is read from a replacement.
pub(crate) struct Text<'b> {
    pub(crate) text: Cow<'b, str>,
    /// Where each replaced run starts in `text`, in order; empty for UTF-8.
    not_utf8: Vec<usize>,
}

impl<'b> Text<'b> {
    pub(crate) fn of(body: &'b [u8]) -> Self {
        if let Ok(text) = std::str::from_utf8(body) {
            return Text {
                text: Cow::Borrowed(text),
                not_utf8: Vec::new(),
            };
        }
        let mut text = String::with_capacity(body.len());
        let mut not_utf8 = Vec::new();
        for chunk in body.utf8_chunks() {
            text.push_str(chunk.valid());
            // A run of invalid sequences is one replacement, so that a body of them costs its
            // own size once more, not three bytes and a `usize` per byte.
            let run_goes_on =
                chunk.valid().is_empty() && not_utf8.last().is_some_and(|&at| at + 3 == text.len());
            if !chunk.invalid().is_empty() && !run_goes_on {
                not_utf8.push(text.len());
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
        Text {
            text: Cow::Owned(text),
            not_utf8,
        }
    }

    pub(crate) fn is_utf8(&self) -> bool {
        self.not_utf8.is_empty()
    }

    /// Whether `span` of the text holds a replaced run.
    pub(crate) fn replaced_in(&self, span: &Range<usize>) -> bool {
        let first = self.not_utf8.partition_point(|&at| at < span.start);
        self.not_utf8.get(first).is_some_and(|&at| at < span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn a_run_of_bytes_that_are_not_utf8_is_one_replacement() {
        let text = Text::of(b"[\"a\xff\xff\xffb\",\"\xe2\x82\"]");
        assert_eq!(text.text, "[\"a\u{fffd}b\",\"\u{fffd}\"]");
        assert_eq!(text.not_utf8, [3, 10]);
        assert!(text.replaced_in(&(1..7)) && !text.replaced_in(&(6..9)));
    }
}
