//! The member-level rules of the token response and the OAuth error body, over [`Scanner`].

use std::borrow::Cow;
use std::fmt;

use super::scan::{Lead, MAX_DEPTH, MAX_INPUT_LEN, Scanner};
use super::{OAuthErrorBody, TokenResponse};

/// Why a body is not a valid token response (or OAuth error body), and where.
///
/// The message names what was expected at which byte offset; it never quotes the input, so
/// it cannot leak a token.
///
/// ```
/// use hotmart::{Member, ParseErrorKind, TokenResponse};
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
    /// `access_token` holds a control character (0x00–0x1F, 0x7F) or a non-ASCII character,
    /// so it cannot travel in an `Authorization` header.
    UnsafeAccessToken,
    /// `token_type` is not `bearer` (in any ASCII case).
    UnsupportedTokenType,
}

impl ParseError {
    /// The deepest nesting accepted, counting the outermost object as 1.
    pub const MAX_DEPTH: usize = MAX_DEPTH;
    /// The largest input accepted, in bytes.
    pub const MAX_INPUT_LEN: usize = MAX_INPUT_LEN;

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
                "`access_token` holds a control or non-ASCII character, which no HTTP header can carry",
            ),
            K::UnsupportedTokenType => f.write_str("`token_type` is not `bearer`"),
        }?;
        write!(f, " (at byte {})", self.offset)
    }
}

impl std::error::Error for ParseError {}

/// Walks the members of the one object that makes up the input, handing each member's name
/// to `member` with the scanner at its value; `member` must consume the value.
fn object<'a>(
    input: &'a [u8],
    mut member: impl FnMut(&[u8], &mut Scanner<'a>) -> Result<(), ParseError>,
) -> Result<Scanner<'a>, ParseError> {
    let mut scan = Scanner::new(input)?;
    scan.expect(b'{', ParseErrorKind::ExpectedObject)?;
    scan.skip_ws();
    if scan.peek() == Some(b'}') {
        scan.pos_advance();
    } else {
        loop {
            if scan.peek() != Some(b'"') {
                return Err(scan.unexpected(ParseErrorKind::ExpectedMemberName));
            }
            let name = scan.name()?;
            scan.expect(b':', ParseErrorKind::ExpectedColon)?;
            scan.skip_ws();
            member(&name, &mut scan)?;
            scan.skip_ws();
            match scan.peek() {
                Some(b',') => {
                    scan.pos_advance();
                    scan.skip_ws();
                }
                Some(b'}') => {
                    scan.pos_advance();
                    break;
                }
                _ => return Err(scan.unexpected(ParseErrorKind::ExpectedCommaOrObjectEnd)),
            }
        }
    }
    scan.finish()?;
    Ok(scan)
}

/// Stores a member's value, refusing a second occurrence.
#[inline(always)]
fn once<T>(slot: &mut Option<T>, member: Member, at: usize, value: T) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::new(ParseErrorKind::DuplicateMember(member), at));
    }
    *slot = Some(value);
    Ok(())
}

#[inline(always)]
fn string<'a>(scan: &mut Scanner<'a>, member: Member) -> Result<Cow<'a, str>, ParseError> {
    if scan.lead() != Lead::String {
        return Err(scan.unexpected(ParseErrorKind::WrongType(member)));
    }
    scan.string()
}

/// A string, or `null` for absent (`Some(None)` records that the member was seen).
#[inline(always)]
fn string_or_null<'a>(
    scan: &mut Scanner<'a>,
    member: Member,
) -> Result<Option<Cow<'a, str>>, ParseError> {
    match scan.lead() {
        Lead::String => scan.string().map(Some),
        Lead::Null => scan.null().map(|()| None),
        _ => Err(scan.unexpected(ParseErrorKind::WrongType(member))),
    }
}

/// Whether `token` can be sent as `Bearer <token>`: printable ASCII and spaces only.
pub(crate) fn is_header_safe(token: &str) -> bool {
    token.bytes().all(|b| (b' '..=b'~').contains(&b))
}

pub(super) fn token_response(input: &[u8]) -> Result<TokenResponse<'_>, ParseError> {
    let mut access_token = None;
    let mut token_type = None;
    let mut expires_in = None;
    let mut scope = None;
    let mut jti = None;
    let scan = object(input, |name, scan| {
        let at = scan.pos();
        match name {
            b"access_token" => {
                let value = string(scan, Member::AccessToken)?;
                if value.is_empty() {
                    return Err(ParseError::new(ParseErrorKind::EmptyAccessToken, at));
                }
                // Cached and then refused by every request's header check, such a token would
                // fail each call until it expired (48 h at Hotmart): refuse it here instead.
                if !is_header_safe(&value) {
                    return Err(ParseError::new(ParseErrorKind::UnsafeAccessToken, at));
                }
                once(&mut access_token, Member::AccessToken, at, value)
            }
            b"token_type" => {
                let value = string(scan, Member::TokenType)?;
                // The exact comparison settles Hotmart's own spelling without the slower
                // case-insensitive one.
                if value != "bearer" && !value.eq_ignore_ascii_case("bearer") {
                    return Err(ParseError::new(ParseErrorKind::UnsupportedTokenType, at));
                }
                once(&mut token_type, Member::TokenType, at, value)
            }
            b"expires_in" => {
                if scan.lead() != Lead::Number {
                    return Err(scan.unexpected(ParseErrorKind::WrongType(Member::ExpiresIn)));
                }
                let value = scan.unsigned()?;
                once(&mut expires_in, Member::ExpiresIn, at, value)
            }
            b"scope" => {
                let value = string_or_null(scan, Member::Scope)?;
                once(&mut scope, Member::Scope, at, value)
            }
            b"jti" => {
                let value = string_or_null(scan, Member::Jti)?;
                once(&mut jti, Member::Jti, at, value)
            }
            _ => scan.skip_value(1),
        }
    })?;
    let missing = |name| ParseError::new(ParseErrorKind::MissingMember(name), scan.pos());
    Ok(TokenResponse {
        access_token: access_token.ok_or_else(|| missing(Member::AccessToken))?,
        token_type: token_type.ok_or_else(|| missing(Member::TokenType))?,
        expires_in: expires_in.ok_or_else(|| missing(Member::ExpiresIn))?,
        scope: scope.flatten(),
        jti: jti.flatten(),
    })
}

pub(super) fn oauth_error_body(input: &[u8]) -> Result<OAuthErrorBody<'_>, ParseError> {
    let mut error = None;
    let mut description = None;
    let mut uri = None;
    object(input, |name, scan| {
        let at = scan.pos();
        match name {
            b"error" => {
                let value = string_or_null(scan, Member::Error)?;
                once(&mut error, Member::Error, at, value)
            }
            b"error_description" => {
                let value = string_or_null(scan, Member::ErrorDescription)?;
                once(&mut description, Member::ErrorDescription, at, value)
            }
            b"error_uri" => {
                let value = string_or_null(scan, Member::ErrorUri)?;
                once(&mut uri, Member::ErrorUri, at, value)
            }
            _ => scan.skip_value(1),
        }
    })?;
    Ok(OAuthErrorBody {
        error: error.flatten(),
        description: description.flatten(),
        uri: uri.flatten(),
    })
}
