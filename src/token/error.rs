//! The token parser's error: what was expected, where, and never what was there.

use std::fmt;

/// The deepest nesting accepted, counting the outermost object as 1.
pub(crate) const MAX_DEPTH: usize = 128;
/// The largest input accepted, in bytes.
pub(crate) const MAX_INPUT_LEN: usize = 1 << 20;
/// The longest access token accepted, in bytes.
pub(crate) const MAX_ACCESS_TOKEN_LEN: usize = 8 * 1024;

/// Why a body is not a valid token response (or OAuth error body), and where.
///
/// The message names what was expected at which byte offset; it never quotes the input, so
/// it cannot leak a token.
///
/// ```
/// use hotmart::token::{Member, ParseErrorKind, TokenResponse};
///
/// let err = TokenResponse::parse(br#"{"access_token":"t","token_type":"bearer"}"#).unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::MissingMember(Member::ExpiresIn));
/// assert_eq!(err.to_string(), "required member `expires_in` is missing (at byte 42)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    // u32 keeps the error, and so every internal `Result`, small enough for registers;
    // inputs are at most `MAX_INPUT_LEN` bytes.
    offset: u32,
}

/// A member of the token response or the OAuth error body that the parser knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Member {
    /// `access_token`: a non-empty string.
    AccessToken,
    /// `token_type`: the string `bearer`, in any ASCII case.
    TokenType,
    /// `expires_in`: an integer of digits only.
    ExpiresIn,
    /// `scope`: a string or `null`.
    Scope,
    /// `jti`: a string or `null`.
    Jti,
    /// `error`: a string or `null`.
    Error,
    /// `error_description`: a string or `null`.
    ErrorDescription,
    /// `error_uri`: a string or `null`.
    ErrorUri,
}

impl Member {
    /// The member's name in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Member::AccessToken => "access_token",
            Member::TokenType => "token_type",
            Member::ExpiresIn => "expires_in",
            Member::Scope => "scope",
            Member::Jti => "jti",
            Member::Error => "error",
            Member::ErrorDescription => "error_description",
            Member::ErrorUri => "error_uri",
        }
    }

    /// The JSON type the member must have.
    pub fn expected_type(self) -> &'static str {
        match self {
            Member::AccessToken | Member::TokenType => "a string",
            Member::ExpiresIn => "an integer",
            _ => "a string or null",
        }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a [`ParseError`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input ended in the middle of a value.
    UnexpectedEnd,
    /// Something other than whitespace follows the object.
    TrailingCharacters,
    /// The input is not an object (a BOM counts as "not an object").
    ExpectedObject,
    /// A member name (a string) was expected.
    ExpectedMemberName,
    /// A `:` was expected after a member name.
    ExpectedColon,
    /// A `,` or `}` was expected after a member.
    ExpectedCommaOrObjectEnd,
    /// A `,` or `]` was expected after an array element.
    ExpectedCommaOrArrayEnd,
    /// A JSON value was expected.
    ExpectedValue,
    /// A string was expected.
    ExpectedString,
    /// An integer of digits only was expected (no sign, fraction or exponent).
    ExpectedUnsignedInteger,
    /// An integer does not fit a `u64`.
    NumberOutOfRange,
    /// A number has a leading zero, which JSON forbids.
    LeadingZero,
    /// A number does not follow JSON's grammar.
    InvalidNumber,
    /// Something that starts like `true`, `false` or `null` but is not.
    InvalidLiteral,
    /// A string is not valid UTF-8.
    InvalidUtf8,
    /// A string holds an unescaped control character.
    ControlCharacter,
    /// A backslash escape is not one of JSON's.
    InvalidEscape,
    /// A `\u` escape is half of a surrogate pair without its other half.
    LoneSurrogate,
    /// Objects and arrays nest deeper than [`ParseError::MAX_DEPTH`].
    TooDeep,
    /// The input is longer than [`ParseError::MAX_INPUT_LEN`] bytes.
    TooLarge,
    /// A member required by the token response is absent.
    MissingMember(Member),
    /// A known member appears twice.
    DuplicateMember(Member),
    /// A known member holds a value of the wrong JSON type; see [`Member::expected_type`].
    WrongType(Member),
    /// `access_token` is an empty string.
    EmptyAccessToken,
    /// `access_token` holds a space, a control character (0x00–0x1F, 0x7F) or a non-ASCII
    /// character, or is longer than [`ParseError::MAX_ACCESS_TOKEN_LEN`], so it cannot travel in an
    /// `Authorization` header.
    UnsafeAccessToken,
    /// `token_type` is not `bearer` (in any ASCII case).
    UnsupportedTokenType,
}

impl ParseError {
    /// The deepest nesting accepted, counting the outermost object as 1.
    pub const MAX_DEPTH: usize = MAX_DEPTH;
    /// The largest input accepted, in bytes.
    pub const MAX_INPUT_LEN: usize = MAX_INPUT_LEN;
    /// The longest access token accepted, in bytes: 8 KiB, what many servers take in one
    /// header line (nginx's default). Hotmart does not document its tokens' length; the
    /// ones seen are about a KiB.
    pub const MAX_ACCESS_TOKEN_LEN: usize = MAX_ACCESS_TOKEN_LEN;

    pub(crate) fn new(kind: ParseErrorKind, offset: usize) -> Self {
        // Offsets past u32::MAX cannot occur: inputs are capped far below that.
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        ParseError { kind, offset }
    }

    /// What was found.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// The byte offset in the input where it was found.
    pub fn offset(&self) -> usize {
        self.offset as usize
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseErrorKind as K;
        match self.kind {
            K::UnexpectedEnd => f.write_str("the input ends too early"),
            K::TrailingCharacters => f.write_str("expected the end of input after the object"),
            K::ExpectedObject => f.write_str("expected a JSON object (`{`)"),
            K::ExpectedMemberName => f.write_str("expected a member name (a string)"),
            K::ExpectedColon => f.write_str("expected `:` after the member name"),
            K::ExpectedCommaOrObjectEnd => f.write_str("expected `,` or `}`"),
            K::ExpectedCommaOrArrayEnd => f.write_str("expected `,` or `]`"),
            K::ExpectedValue => f.write_str("expected a JSON value"),
            K::ExpectedString => f.write_str("expected a string"),
            K::ExpectedUnsignedInteger => {
                f.write_str("expected an integer of digits only (no sign, fraction or exponent)")
            }
            K::NumberOutOfRange => f.write_str("the integer does not fit 64 bits"),
            K::LeadingZero => f.write_str("a number may not have a leading zero"),
            K::InvalidNumber => f.write_str("malformed number"),
            K::InvalidLiteral => f.write_str("expected `true`, `false` or `null`"),
            K::InvalidUtf8 => f.write_str("invalid UTF-8 in a string"),
            K::ControlCharacter => f.write_str("unescaped control character in a string"),
            K::InvalidEscape => f.write_str("invalid escape in a string"),
            K::LoneSurrogate => f.write_str("a \\u escape is half of a surrogate pair"),
            K::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            K::TooLarge => write!(f, "the input is longer than {MAX_INPUT_LEN} bytes"),
            K::MissingMember(name) => write!(f, "required member `{name}` is missing"),
            K::DuplicateMember(name) => write!(f, "member `{name}` appears twice"),
            K::WrongType(member) => {
                write!(f, "member `{member}` must be {}", member.expected_type())
            }
            K::EmptyAccessToken => f.write_str("`access_token` is empty"),
            K::UnsafeAccessToken => f.write_str(
                "`access_token` holds a space, a control or a non-ASCII character, or is over 8 KiB: no bearer header can carry it",
            ),
            K::UnsupportedTokenType => f.write_str("`token_type` is not `bearer`"),
        }?;
        write!(f, " (at byte {})", self.offset)
    }
}

impl std::error::Error for ParseError {}
