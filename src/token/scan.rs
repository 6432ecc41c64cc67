//! A JSON scanner over bytes: strings, unsigned integers, and skipping any value.
//!
//! No recursion: nested containers are tracked in a bit stack, so depth is bounded by
//! [`MAX_DEPTH`] and no input can overflow the stack. Strings borrow from the input unless an
//! escape forces a copy.

use std::borrow::Cow;

use super::parse::{ParseError, ParseErrorKind};

/// The deepest nesting accepted, counting the outermost object as 1.
pub const MAX_DEPTH: usize = 128;
/// The largest input accepted, in bytes.
pub const MAX_INPUT_LEN: usize = 1 << 20;

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

    /// Moves past a byte the caller has just peeked at.
    #[inline]
    pub(crate) fn pos_advance(&mut self) {
        self.pos += 1;
    }

    pub(crate) fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(kind, self.pos)
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    #[inline]
    pub(crate) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `byte` after optional whitespace, or fails saying what was expected.
    #[inline(always)]
    pub(crate) fn expect(&mut self, byte: u8, kind: ParseErrorKind) -> Result<(), ParseError> {
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
        if self.pos >= self.input.len() {
            self.error(ParseErrorKind::UnexpectedEnd)
        } else {
            self.error(kind)
        }
    }

    /// After the outermost value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        if self.pos == self.input.len() {
            Ok(())
        } else {
            Err(self.error(ParseErrorKind::TrailingCharacters))
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

    /// A string, with the scanner at its opening quote.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let start = self.pos + 1;
        let end = plain_run_end(self.input, start);
        if self.input.get(end) == Some(&b'"') && self.peek() == Some(b'"') {
            // The common case: no escape, so the string is a slice of the input. Both ends
            // are next to a `"`, so on character boundaries: `get` cannot fail.
            self.pos = end + 1;
            return Ok(Cow::Borrowed(self.text.get(start..end).unwrap_or_default()));
        }
        let escaped = self.skip_string_slow()?;
        let end = self.pos - 1;
        if escaped {
            Ok(Cow::Owned(unescape(&self.input[start..end])))
        } else {
            Ok(Cow::Borrowed(self.text.get(start..end).unwrap_or_default()))
        }
    }

    /// Checks a string, with the scanner at its opening quote, and moves past its closing
    /// quote.
    #[inline(always)]
    pub(crate) fn skip_string(&mut self) -> Result<(), ParseError> {
        let end = plain_run_end(self.input, self.pos + 1);
        if self.input.get(end) == Some(&b'"') && self.peek() == Some(b'"') {
            self.pos = end + 1;
            return Ok(());
        }
        self.skip_string_slow().map(|_| ())
    }

    /// [`skip_string`](Self::skip_string) for strings with escapes, and for errors. Returns
    /// whether the string held escapes.
    #[inline(never)]
    fn skip_string_slow(&mut self) -> Result<bool, ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected(ParseErrorKind::ExpectedString));
        }
        self.pos += 1;
        let mut escaped = false;
        loop {
            self.pos = plain_run_end(self.input, self.pos);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err(self.error(ParseErrorKind::ControlCharacter)),
                None => return Err(self.error(ParseErrorKind::UnexpectedEnd)),
            }
        }
    }

    /// Checks one escape, with the scanner at its backslash.
    #[inline]
    fn escape(&mut self) -> Result<(), ParseError> {
        let at = self.pos;
        match self.input.get(at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 2;
                Ok(())
            }
            Some(b'u') => {
                let unit = self.hex4(at + 2)?;
                self.pos = at + 6;
                match unit {
                    0xD800..=0xDBFF => {
                        let low = if self.input.get(self.pos..self.pos + 2) == Some(b"\\u") {
                            self.hex4(self.pos + 2)?
                        } else {
                            0
                        };
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(ParseError::new(ParseErrorKind::LoneSurrogate, at));
                        }
                        self.pos += 6;
                        Ok(())
                    }
                    0xDC00..=0xDFFF => Err(ParseError::new(ParseErrorKind::LoneSurrogate, at)),
                    _ => Ok(()),
                }
            }
            None => Err(ParseError::new(ParseErrorKind::UnexpectedEnd, at + 1)),
            Some(_) => Err(ParseError::new(ParseErrorKind::InvalidEscape, at)),
        }
    }

    fn hex4(&self, at: usize) -> Result<u16, ParseError> {
        if let Some(&[a, b, c, d]) = self.input.get(at..at + 4) {
            let digits = [
                HEX[usize::from(a)],
                HEX[usize::from(b)],
                HEX[usize::from(c)],
                HEX[usize::from(d)],
            ];
            // Digits are below 16, NOT_HEX is not: one test checks all four.
            if (digits[0] | digits[1] | digits[2] | digits[3]) < 16 {
                return Ok(digits.iter().fold(0, |unit, &d| unit << 4 | u16::from(d)));
            }
        }
        // The slow way, to say which byte is wrong.
        for i in at..at + 4 {
            match self.input.get(i) {
                None => return Err(ParseError::new(ParseErrorKind::UnexpectedEnd, i)),
                Some(&b) if HEX[usize::from(b)] == NOT_HEX => {
                    return Err(ParseError::new(ParseErrorKind::InvalidEscape, i));
                }
                Some(_) => {}
            }
        }
        Err(ParseError::new(ParseErrorKind::InvalidEscape, at))
    }

    /// An integer literal of digits only (no sign, fraction or exponent) that fits a `u64`.
    pub(crate) fn unsigned(&mut self) -> Result<u64, ParseError> {
        let start = self.pos;
        let digits = self.input[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += digits;
        if digits == 0 || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(ParseError::new(
                ParseErrorKind::ExpectedUnsignedInteger,
                start,
            ));
        }
        if digits > 1 && self.input[start] == b'0' {
            return Err(ParseError::new(ParseErrorKind::LeadingZero, start));
        }
        // Up to 19 digits always fit a u64; only longer literals need checked arithmetic.
        let literal = &self.input[start..self.pos];
        let value = if digits <= 19 {
            Some(
                literal
                    .iter()
                    .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0')),
            )
        } else {
            literal.iter().try_fold(0u64, |v, &d| {
                v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
        };
        value.ok_or(ParseError::new(ParseErrorKind::NumberOutOfRange, start))
    }

    /// Checks a number against JSON's grammar and moves past it.
    #[inline(always)]
    fn skip_number(&mut self) -> Result<(), ParseError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error(ParseErrorKind::LeadingZero));
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.unexpected(ParseErrorKind::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.require_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.require_digits()?;
        }
        Ok(())
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn require_digits(&mut self) -> Result<(), ParseError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.unexpected(ParseErrorKind::InvalidNumber));
        }
        self.skip_digits();
        Ok(())
    }

    /// Consumes `null`, `true` or `false` exactly.
    pub(crate) fn literal(&mut self, word: &'static [u8]) -> Result<(), ParseError> {
        let rest = &self.input[self.pos..];
        if rest.starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else if word.starts_with(rest) {
            Err(ParseError::new(
                ParseErrorKind::UnexpectedEnd,
                self.input.len(),
            ))
        } else {
            Err(self.error(ParseErrorKind::InvalidLiteral))
        }
    }

    /// Checks any JSON value and moves past it, with the scanner at its first byte and
    /// `depth` containers already open around it. Iterative: containers are tracked in a bit
    /// stack (1 = object) rather than by recursion.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Result<(), ParseError> {
        let base = depth;
        let mut depth = depth;
        // A bit stack of the open containers, innermost in bit 0: 1 for an object. Pushes and
        // pops shift by one, so no variable shifts on the hot path. Depth is capped at
        // `MAX_DEPTH`, so the 128 bits always suffice.
        let mut objects: u128 = 0;
        'value: loop {
            match self.peek() {
                Some(b'{' | b'[') => {
                    let is_object = self.peek() == Some(b'{');
                    if depth >= MAX_DEPTH {
                        return Err(self.error(ParseErrorKind::TooDeep));
                    }
                    self.pos += 1;
                    objects = objects << 1 | u128::from(is_object);
                    depth += 1;
                    self.skip_ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        objects >>= 1;
                        depth -= 1;
                    } else if is_object {
                        self.member_name_and_colon()?;
                        continue 'value;
                    } else {
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.skip_string()?;
                }
                Some(b'-' | b'0'..=b'9') => self.skip_number()?,
                Some(b'n') => self.literal(b"null")?,
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                _ => return Err(self.unexpected(ParseErrorKind::ExpectedValue)),
            }
            // A value is complete: close containers until one expects another element.
            loop {
                if depth == base {
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                        if in_object {
                            self.member_name_and_colon()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if in_object => {
                        self.pos += 1;
                        objects >>= 1;
                        depth -= 1;
                    }
                    Some(b']') if !in_object => {
                        self.pos += 1;
                        objects >>= 1;
                        depth -= 1;
                    }
                    _ if in_object => {
                        return Err(self.unexpected(ParseErrorKind::ExpectedCommaOrObjectEnd));
                    }
                    _ => return Err(self.unexpected(ParseErrorKind::ExpectedCommaOrArrayEnd)),
                }
            }
        }
    }

    /// `"name" :` followed by whitespace, inside an object being skipped.
    #[inline(always)]
    fn member_name_and_colon(&mut self) -> Result<(), ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected(ParseErrorKind::ExpectedMemberName));
        }
        self.skip_string()?;
        self.expect(b':', ParseErrorKind::ExpectedColon)?;
        self.skip_ws();
        Ok(())
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

/// Decodes the escapes of a string that [`Scanner::skip_string`] has already checked.
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

fn hex_unit(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |unit, &b| {
        unit << 4 | (b as char).to_digit(16).unwrap_or(0)
    })
}
