//! The member-level rules of the token response and the OAuth error body, over [`Scanner`].

use std::borrow::Cow;

use super::error::{Member, ParseError, ParseErrorKind};
use super::scan::{Lead, Scanner};
use super::{OAuthErrorBody, TokenResponse};

/// Walks the members of the one object that makes up the input, handing each member's name
/// to `member` with the scanner at its value; `member` must consume the value.
pub(crate) fn object<'a>(
    input: &'a [u8],
    member: impl FnMut(&[u8], &mut Scanner<'a>) -> Result<(), ParseError>,
) -> Result<Scanner<'a>, ParseError> {
    members(Scanner::new(input)?, member)
}

/// [`object`] over a scanner of the caller's making (one of any size, say).
pub(crate) fn members<'a>(
    mut scan: Scanner<'a>,
    mut member: impl FnMut(&[u8], &mut Scanner<'a>) -> Result<(), ParseError>,
) -> Result<Scanner<'a>, ParseError> {
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

/// Whether `token` can be sent as `Bearer <token>`: printable ASCII without spaces (RFC 6750's
/// `b64token` has none: one with a space is refused by every server, after a request), and
/// short enough for a server's header line (a store shared with others may hold anything).
pub(crate) fn is_header_safe(token: &str) -> bool {
    token.len() <= super::error::MAX_ACCESS_TOKEN_LEN
        && token.bytes().all(|b| (b'!'..=b'~').contains(&b))
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
