//! A JSON scanner over bytes: strings, unsigned integers, and skipping any value.
//!
//! No recursion: nested containers are tracked in a bit stack, so depth is bounded by
//! [`MAX_DEPTH`] and no input can overflow the stack. Strings borrow from the input unless an
//! escape forces a copy.

use std::borrow::Cow;

pub(crate) use super::error::{MAX_DEPTH, MAX_INPUT_LEN};
use super::error::{ParseError, ParseErrorKind};

/// The next value's JSON type, judged by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lead {
    String,
    Null,
    Number,
    Other,
}

pub(crate) struct Scanner<'a> {
    input: &'a [u8],
    /// The same bytes as text: the input is checked to be UTF-8 once, up front, so strings
    /// are sliced out of it without checking each one again.
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Result<Self, ParseError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(ParseError::new(ParseErrorKind::TooLarge, 0));
        }
        Self::of_any_size(input)
    }

    /// A scanner without [`MAX_INPUT_LEN`]: for a body whose size its reader has already
    /// bounded (an API answer, up to its own cap), read in one pass without building it.
    pub(crate) fn of_any_size(input: &'a [u8]) -> Result<Self, ParseError> {
        let text = std::str::from_utf8(input)
            .map_err(|e| ParseError::new(ParseErrorKind::InvalidUtf8, e.valid_up_to()))?;
        Ok(Scanner {
            input,
            text,
            pos: 0,
        })
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes scanned.
    #[cfg(feature = "json")]
    pub(crate) fn input(&self) -> &'a [u8] {
        self.input
    }

    /// Moves to `pos`, the end of a value the caller has found on its own. It must be on a
    /// char boundary, as a string is sliced from it.
    #[cfg(feature = "json")]
    pub(crate) fn skip_to(&mut self, pos: usize) {
        debug_assert!(self.text.is_char_boundary(pos));
        self.pos = pos.min(self.input.len());
    }

    /// Moves past a byte the caller has just peeked at.
    #[inline]
    pub(crate) fn pos_advance(&mut self) {
        self.pos += 1;
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        self.pos = ws_end(self.input, self.pos);
    }

    /// Consumes `byte` after optional whitespace, or fails saying what was expected.
    #[inline(always)]
    pub(crate) fn expect(&mut self, byte: u8, kind: ParseErrorKind) -> Result<(), ParseError> {
        // Compact JSON, the common case, has the byte right here.
        if self.peek() == Some(byte) {
            self.pos += 1;
            return Ok(());
        }
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(kind))
        }
    }

    /// At the end of input every expectation becomes "unexpected end".
    pub(crate) fn unexpected(&self, kind: ParseErrorKind) -> ParseError {
        unexpected_at(self.input, self.pos, kind)
    }

    /// After the outermost value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if self.pos == self.input.len() {
            Ok(())
        } else {
            Err(ParseError::new(
                ParseErrorKind::TrailingCharacters,
                self.pos,
            ))
        }
    }

    pub(crate) fn lead(&self) -> Lead {
        match self.peek() {
            Some(b'"') => Lead::String,
            Some(b'n') => Lead::Null,
            Some(b'-' | b'0'..=b'9') => Lead::Number,
            _ => Lead::Other,
        }
    }

    /// Moves past the string at the scanner's position; returns the byte range of its
    /// contents (between the quotes) and whether they hold escapes.
    #[inline(always)]
    fn string_span(&mut self) -> Result<(usize, usize, bool), ParseError> {
        let start = self.pos + 1;
        let (end, escaped) = string_end(self.input, self.pos)?;
        self.pos = end;
        Ok((start, end - 1, escaped))
    }

    /// A string, with the scanner at its opening quote.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let (start, end, escaped) = self.string_span()?;
        if escaped {
            Ok(Cow::Owned(unescape(&self.input[start..end])))
        } else {
            // Both ends are next to a `"`, so on character boundaries: `get` cannot fail.
            Ok(Cow::Borrowed(self.text.get(start..end).unwrap_or_default()))
        }
    }

    /// A member name, with the scanner at its opening quote, as bytes: names are only
    /// compared, so an unescaped one needs neither a copy nor a `str`.
    #[inline(always)]
    pub(crate) fn name(&mut self) -> Result<Cow<'a, [u8]>, ParseError> {
        let (start, end, escaped) = self.string_span()?;
        let raw = &self.input[start..end];
        if escaped {
            Ok(Cow::Owned(unescape(raw).into_bytes()))
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }

    /// An integer literal of digits only (no sign, fraction or exponent) that fits a `u64`.
    pub(crate) fn unsigned(&mut self) -> Result<u64, ParseError> {
        let input = self.input;
        let start = self.pos;
        let end = digits_end(input, start);
        self.pos = end;
        if end == start || matches!(input.get(end), Some(b'.' | b'e' | b'E')) {
            return Err(ParseError::new(
                ParseErrorKind::ExpectedUnsignedInteger,
                start,
            ));
        }
        let literal = &input[start..end];
        if literal.len() > 1 && literal[0] == b'0' {
            return Err(ParseError::new(ParseErrorKind::LeadingZero, start));
        }
        // Up to 19 digits always fit a u64; only longer literals need checked arithmetic.
        let value = if literal.len() <= 19 {
            Some(literal.iter().fold(0, |v, &d| v * 10 + u64::from(d - b'0')))
        } else {
            literal.iter().try_fold(0u64, |v, &d| {
                v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
        };
        value.ok_or(ParseError::new(ParseErrorKind::NumberOutOfRange, start))
    }

    /// Consumes `null`.
    pub(crate) fn null(&mut self) -> Result<(), ParseError> {
        self.pos = literal_end(self.input, self.pos, b"null")?;
        Ok(())
    }

    /// Checks any JSON value and moves past it, with the scanner at its first byte and
    /// `depth` containers already open around it.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Result<(), ParseError> {
        self.pos = value_end(self.input, self.pos, depth)?;
        Ok(())
    }
}

// The scanning itself: functions from a position to the position after what they read, so
// the position lives in a register rather than behind `&mut self`.

#[inline(always)]
fn ws_end(input: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = input.get(pos) {
        pos += 1;
    }
    pos
}

/// "Unexpected end" at the end of input, else `kind`.
#[cold]
fn unexpected_at(input: &[u8], pos: usize, kind: ParseErrorKind) -> ParseError {
    if pos >= input.len() {
        ParseError::new(ParseErrorKind::UnexpectedEnd, input.len())
    } else {
        ParseError::new(kind, pos)
    }
}

/// Checks the string whose opening quote is at `pos`. Returns the position after its closing
/// quote, and whether it held escapes.
#[inline(always)]
fn string_end(input: &[u8], pos: usize) -> Result<(usize, bool), ParseError> {
    if input.get(pos) != Some(&b'"') {
        return Err(unexpected_at(input, pos, ParseErrorKind::ExpectedString));
    }
    let end = plain_run_end(input, pos + 1);
    if input.get(end) == Some(&b'"') {
        return Ok((end + 1, false));
    }
    escaped_string_end(input, end)
}

/// [`string_end`] from the first byte that is not plain: an escape, a control character, or
/// the end of input.
#[inline(never)]
fn escaped_string_end(input: &[u8], mut pos: usize) -> Result<(usize, bool), ParseError> {
    loop {
        match input.get(pos) {
            Some(b'"') => return Ok((pos + 1, true)),
            Some(b'\\') => pos = escape_end(input, pos)?,
            Some(_) => return Err(ParseError::new(ParseErrorKind::ControlCharacter, pos)),
            None => return Err(ParseError::new(ParseErrorKind::UnexpectedEnd, pos)),
        }
        pos = plain_run_end(input, pos);
    }
}

/// Checks the escape whose backslash is at `at`; returns the position after it.
#[inline]
fn escape_end(input: &[u8], at: usize) -> Result<usize, ParseError> {
    match input.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => match hex4(input, at + 2)? {
            0xD800..=0xDBFF => {
                let low = if input.get(at + 6..at + 8) == Some(b"\\u") {
                    hex4(input, at + 8)?
                } else {
                    0
                };
                if (0xDC00..=0xDFFF).contains(&low) {
                    Ok(at + 12)
                } else {
                    Err(ParseError::new(ParseErrorKind::LoneSurrogate, at))
                }
            }
            0xDC00..=0xDFFF => Err(ParseError::new(ParseErrorKind::LoneSurrogate, at)),
            _ => Ok(at + 6),
        },
        None => Err(ParseError::new(ParseErrorKind::UnexpectedEnd, at + 1)),
        Some(_) => Err(ParseError::new(ParseErrorKind::InvalidEscape, at)),
    }
}

/// The four hex digits at `at`, as a UTF-16 code unit.
#[inline]
fn hex4(input: &[u8], at: usize) -> Result<u16, ParseError> {
    if let Some(&[a, b, c, d]) = input.get(at..at + 4) {
        let digits = [a, b, c, d].map(|x| HEX[usize::from(x)]);
        // Digits are below 16, NOT_HEX is not: one test checks all four.
        if (digits[0] | digits[1] | digits[2] | digits[3]) < 16 {
            return Ok(digits.iter().fold(0, |unit, &d| unit << 4 | u16::from(d)));
        }
    }
    // The slow way, to say which byte is wrong.
    for i in at..at + 4 {
        match input.get(i) {
            None => return Err(ParseError::new(ParseErrorKind::UnexpectedEnd, i)),
            Some(&b) if HEX[usize::from(b)] == NOT_HEX => {
                return Err(ParseError::new(ParseErrorKind::InvalidEscape, i));
            }
            Some(_) => {}
        }
    }
    Err(ParseError::new(ParseErrorKind::InvalidEscape, at))
}

/// Whether `text` is one number as JSON writes it, and nothing else.
#[cfg(feature = "serde")]
pub(crate) fn is_number(text: &str) -> bool {
    number_end(text.as_bytes(), 0).is_ok_and(|end| end == text.len())
}

/// Checks the number at `pos` against JSON's grammar; returns the position after it.
#[inline(always)]
fn number_end(input: &[u8], mut pos: usize) -> Result<usize, ParseError> {
    if input.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match input.get(pos) {
        Some(b'0') => {
            pos += 1;
            if let Some(b'0'..=b'9') = input.get(pos) {
                return Err(ParseError::new(ParseErrorKind::LeadingZero, pos));
            }
        }
        Some(b'1'..=b'9') => pos = digits_end(input, pos + 1),
        _ => return Err(unexpected_at(input, pos, ParseErrorKind::InvalidNumber)),
    }
    if input.get(pos) == Some(&b'.') {
        pos = required_digits_end(input, pos + 1)?;
    }
    if let Some(b'e' | b'E') = input.get(pos) {
        pos += 1;
        if let Some(b'+' | b'-') = input.get(pos) {
            pos += 1;
        }
        pos = required_digits_end(input, pos)?;
    }
    Ok(pos)
}

#[inline(always)]
fn digits_end(input: &[u8], mut pos: usize) -> usize {
    while let Some(b'0'..=b'9') = input.get(pos) {
        pos += 1;
    }
    pos
}

fn required_digits_end(input: &[u8], pos: usize) -> Result<usize, ParseError> {
    match input.get(pos) {
        Some(b'0'..=b'9') => Ok(digits_end(input, pos + 1)),
        _ => Err(unexpected_at(input, pos, ParseErrorKind::InvalidNumber)),
    }
}

/// Checks that `word` (`null`, `true` or `false`) stands at `pos`.
#[inline(always)]
fn literal_end(input: &[u8], pos: usize, word: &'static [u8]) -> Result<usize, ParseError> {
    let rest = &input[pos.min(input.len())..];
    if rest.starts_with(word) {
        Ok(pos + word.len())
    } else if word.starts_with(rest) {
        Err(ParseError::new(ParseErrorKind::UnexpectedEnd, input.len()))
    } else {
        Err(ParseError::new(ParseErrorKind::InvalidLiteral, pos))
    }
}

/// `"name" :` and whitespace, inside an object being skipped; returns where its value starts.
#[inline(always)]
fn member_name_end(input: &[u8], pos: usize) -> Result<usize, ParseError> {
    if input.get(pos) != Some(&b'"') {
        return Err(unexpected_at(
            input,
            pos,
            ParseErrorKind::ExpectedMemberName,
        ));
    }
    let (pos, _) = string_end(input, pos)?;
    let pos = ws_end(input, pos);
    if input.get(pos) != Some(&b':') {
        return Err(unexpected_at(input, pos, ParseErrorKind::ExpectedColon));
    }
    Ok(ws_end(input, pos + 1))
}

/// Checks the JSON value at `pos`, with `depth` containers already open around it; returns
/// the position after it. Iterative: open containers are kept in a bit stack, innermost in
/// bit 0 (1 for an object), so input cannot overflow the call stack. Depth is capped at
/// [`MAX_DEPTH`], so 128 bits always suffice.
fn value_end(input: &[u8], mut pos: usize, depth: usize) -> Result<usize, ParseError> {
    let base = depth;
    let mut depth = depth;
    let mut objects: u128 = 0;
    'value: loop {
        match input.get(pos) {
            Some(&open @ (b'{' | b'[')) => {
                if depth >= MAX_DEPTH {
                    return Err(ParseError::new(ParseErrorKind::TooDeep, pos));
                }
                let is_object = open == b'{';
                objects = objects << 1 | u128::from(is_object);
                depth += 1;
                pos = ws_end(input, pos + 1);
                let close = if is_object { b'}' } else { b']' };
                if input.get(pos) == Some(&close) {
                    pos += 1;
                    objects >>= 1;
                    depth -= 1;
                } else {
                    if is_object {
                        pos = member_name_end(input, pos)?;
                    }
                    continue 'value;
                }
            }
            Some(b'"') => pos = string_end(input, pos)?.0,
            Some(b'-' | b'0'..=b'9') => pos = number_end(input, pos)?,
            Some(b'n') => pos = literal_end(input, pos, b"null")?,
            Some(b't') => pos = literal_end(input, pos, b"true")?,
            Some(b'f') => pos = literal_end(input, pos, b"false")?,
            _ => return Err(unexpected_at(input, pos, ParseErrorKind::ExpectedValue)),
        }
        // A value is complete: close containers until one expects another element.
        loop {
            if depth == base {
                return Ok(pos);
            }
            let in_object = objects & 1 == 1;
            pos = ws_end(input, pos);
            match input.get(pos) {
                Some(b',') => {
                    pos = ws_end(input, pos + 1);
                    if in_object {
                        pos = member_name_end(input, pos)?;
                    }
                    continue 'value;
                }
                Some(b'}') if in_object => {}
                Some(b']') if !in_object => {}
                _ if in_object => {
                    return Err(unexpected_at(
                        input,
                        pos,
                        ParseErrorKind::ExpectedCommaOrObjectEnd,
                    ));
                }
                _ => {
                    return Err(unexpected_at(
                        input,
                        pos,
                        ParseErrorKind::ExpectedCommaOrArrayEnd,
                    ));
                }
            }
            pos += 1;
            objects >>= 1;
            depth -= 1;
        }
    }
}

/// The index of the first byte at or after `pos` that needs attention inside a string (`"`,
/// `\\` or a control character), or the input's length. Eight bytes at a time.
#[inline(always)]
fn plain_run_end(input: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = input.get(pos..pos + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // The classic "has a zero byte" and "has a byte below 0x20" tests. A borrow can set
        // flags above the first special byte, never below it, so the lowest flag is exact.
        let special = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGH;
        if special != 0 {
            return pos + (special.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = input.get(pos) {
        if !PLAIN[usize::from(byte)] {
            break;
        }
        pos += 1;
    }
    pos
}

/// Hex digits' values; [`NOT_HEX`] for every other byte.
static HEX: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};
const NOT_HEX: u8 = 0xff;

/// Which bytes may stand in a string as they are.
static PLAIN: [bool; 256] = {
    let mut table = [true; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = false;
        byte += 1;
    }
    table[b'"' as usize] = false;
    table[b'\\' as usize] = false;
    table
};

/// Decodes the escapes of a string that [`string_end`] has already checked, so every escape
/// is complete and valid here.
fn unescape(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let simple = match raw[i + 1] {
            b'b' => Some(b'\x08'),
            b'f' => Some(b'\x0c'),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'u' => None,
            other => Some(other), // `"`, `\` and `/` stand for themselves
        };
        if let Some(byte) = simple {
            out.push(byte);
            i += 2;
            continue;
        }
        let unit = hex_unit(&raw[i + 2..i + 6]);
        i += 6;
        let code = if (0xD800..0xDC00).contains(&unit) {
            let low = hex_unit(&raw[i + 2..i + 6]);
            i += 6;
            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        } else {
            unit
        };
        let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Four hex digits already checked by [`hex4`].
fn hex_unit(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |unit, &b| {
        unit << 4 | u32::from(HEX[usize::from(b)] & 0x0f)
    })
}
