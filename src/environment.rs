//! Which Hotmart to talk to: the two documented environments, or URLs of your own.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::Error;

/// Which Hotmart the client talks to.
///
/// A Hotmart credential is created as either a sandbox or a production credential and can
/// never change type, so the environment is always chosen explicitly: there is no default.
///
/// ```
/// use hotmart::Environment;
///
/// assert_eq!(Environment::Sandbox.api_url(), "https://sandbox.hotmart.com");
/// assert_eq!(Environment::Production.auth_url(), "https://api-sec-vlc.hotmart.com");
///
/// // Your own URLs, e.g. a proxy or a local test server. They are checked when the client is
/// // built: `https` only, except plain `http` to a loopback host.
/// let local = Environment::Custom {
///     auth_url: "http://127.0.0.1:8080".into(),
///     api_url: "http://127.0.0.1:8080".into(),
/// };
/// assert_eq!(local.api_url(), "http://127.0.0.1:8080");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Hotmart's production API, for production credentials.
    Production,
    /// Hotmart's sandbox API, for sandbox credentials.
    Sandbox,
    /// Base URLs of your choosing.
    Custom {
        /// Base URL of the token endpoint's host; `/security/oauth/token` is appended.
        auth_url: String,
        /// Base URL that API paths are appended to.
        api_url: String,
    },
}

impl Environment {
    /// The authentication host, the same for sandbox and production credentials.
    pub const AUTH_URL: &str = "https://api-sec-vlc.hotmart.com";
    /// The production API's base URL.
    pub const PRODUCTION_API_URL: &str = "https://developers.hotmart.com";
    /// The sandbox API's base URL.
    pub const SANDBOX_API_URL: &str = "https://sandbox.hotmart.com";
    /// The token endpoint's path on the auth host.
    pub const TOKEN_PATH: &str = "/security/oauth/token";

    /// Reads `HOTMART_ENV`: `production` or `sandbox` (any case), or `custom`, which also
    /// reads `HOTMART_AUTH_URL` and `HOTMART_API_URL`.
    ///
    /// There is no silent default: an unset or unknown value is an error naming the variable.
    ///
    /// ```no_run
    /// let env = hotmart::Environment::from_env()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Environment::from_lookup(process)
    }

    /// Like [`from_env`](Self::from_env), reading the same names from `lookup` instead of the
    /// process environment.
    ///
    /// ```
    /// use hotmart::{Environment, Error};
    ///
    /// let env = Environment::from_lookup(|_| Some("Sandbox".into()))?;
    /// assert_eq!(env, Environment::Sandbox);
    /// let err = Environment::from_lookup(|_| Some("prod".into())).unwrap_err();
    /// assert!(matches!(err, Error::InvalidEnv { variable: "HOTMART_ENV", .. }));
    /// assert!(matches!(Environment::from_lookup(|_| None), Err(Error::MissingEnv { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let value = required(&lookup, "HOTMART_ENV")?;
        match value.trim().to_ascii_lowercase().as_str() {
            "production" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            "custom" => {
                let (auth_url, api_url) =
                    all_required(&lookup, ["HOTMART_AUTH_URL", "HOTMART_API_URL"])?;
                Ok(Environment::Custom { auth_url, api_url })
            }
            _ => Err(Error::InvalidEnv {
                variable: "HOTMART_ENV",
                expected: "`production`, `sandbox` or `custom`",
            }),
        }
    }

    /// The base URL of the token endpoint's host.
    pub fn auth_url(&self) -> &str {
        match self {
            Environment::Production | Environment::Sandbox => Self::AUTH_URL,
            Environment::Custom { auth_url, .. } => auth_url,
        }
    }

    /// The base URL that API paths are appended to.
    pub fn api_url(&self) -> &str {
        match self {
            Environment::Production => Self::PRODUCTION_API_URL,
            Environment::Sandbox => Self::SANDBOX_API_URL,
            Environment::Custom { api_url, .. } => api_url,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("production"),
            Environment::Sandbox => f.write_str("sandbox"),
            Environment::Custom { api_url, .. } => write!(f, "custom ({api_url})"),
        }
    }
}

/// A checked base URL: `scheme://authority[/path]`, no trailing slash, no query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    /// The whole base, e.g. `https://developers.hotmart.com`.
    base: String,
    /// Whether the host is on this machine: such requests never go through a proxy.
    loopback: bool,
}

impl BaseUrl {
    /// Checks a base URL: `https`, or `http` only to a loopback host, so credentials never
    /// cross a network in clear text. Does no I/O.
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidUrl {
            url: without_userinfo(url),
            reason,
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("expected `https://host[:port][/path]`"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(invalid("the scheme must be `https`"));
        }
        if rest.contains(['?', '#']) {
            return Err(invalid("a base URL takes no query or fragment"));
        }
        if rest.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(invalid("a URL holds no spaces or control characters"));
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return Err(invalid("user information does not belong in the URL"));
        }
        let host = host_of(authority).ok_or_else(|| invalid("the host or port is malformed"))?;
        if scheme == "http" && !is_loopback(host) {
            return Err(invalid(
                "plain `http` is allowed only to a loopback host (127.0.0.0/8, ::1, localhost); \
                 use `https`",
            ));
        }
        let base = format!(
            "{scheme}://{}{}",
            authority.to_ascii_lowercase(),
            path.trim_end_matches('/')
        );
        Ok(BaseUrl {
            base,
            loopback: is_loopback(host),
        })
    }

    /// The token endpoint's base: a base URL that does not already end in the token path,
    /// which the crate adds (a URL copied whole from Hotmart's page would otherwise ask for
    /// `…/security/oauth/token/security/oauth/token`, and be refused as if the credentials
    /// were wrong).
    pub(crate) fn parse_auth(url: &str) -> Result<Self, Error> {
        let base = BaseUrl::parse(url)?;
        if base.base.ends_with(Environment::TOKEN_PATH) {
            return Err(Error::InvalidUrl {
                url: without_userinfo(url),
                reason: "give the host's base URL: the crate adds /security/oauth/token",
            });
        }
        Ok(base)
    }

    /// `base` + `path`, where `path` starts with `/`.
    pub(crate) fn join(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base.len() + path.len());
        url.push_str(&self.base);
        url.push_str(path);
        url
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.base
    }

    /// Whether the host is a loopback address or `localhost`.
    pub(crate) fn is_loopback(&self) -> bool {
        self.loopback
    }
}

/// The host of `host[:port]` or `[v6][:port]`, if the port (when present) is a valid number.
pub(crate) fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        // A zone id (`fe80::1%25eth0`, RFC 6874) names the interface, not the address.
        let address = host.split_once('%').map_or(host, |(address, _)| address);
        address.parse::<Ipv6Addr>().ok()?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok_and(|n| n > 0));
    let host_ok = !host.is_empty()
        && (host.contains(':')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')));
    (port_ok && host_ok).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// The URL with any `user:password@` removed, so an error message cannot show a password.
fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // No scheme to keep (`https:/user:pw@host`, `user:pw@host`): all up to the `@` goes.
        let rest = url.rfind('@').map_or(url, |at| &url[at + 1..]);
        return rest.chars().take(200).collect();
    };
    // Up to the last `@` anywhere, not only in the authority: a password can hold a `/`,
    // `?` or `#` that a user did not percent-encode, and must not end the search early.
    let rest = match rest.rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    format!("{scheme}://{rest}").chars().take(200).collect()
}

// Reading configuration from environment variables, with errors that name the variable.
/// The process environment as a lookup; a value that is not Unicode is read lossily, and then
/// fails the checks of whatever it configures.
pub(crate) fn process(variable: &str) -> Option<String> {
    std::env::var_os(variable).map(|v| v.to_string_lossy().into_owned())
}

/// The variable's value; unset or empty is an error naming it.
pub(crate) fn required(
    lookup: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<String, Error> {
    optional(lookup, variable).ok_or(Error::MissingEnv { variable })
}

/// Both variables' values, or an error naming every one that is missing, not only the first.
pub(crate) fn all_required(
    lookup: &dyn Fn(&str) -> Option<String>,
    variables: [&'static str; 2],
) -> Result<(String, String), Error> {
    match variables.map(|variable| optional(lookup, variable)) {
        [Some(a), Some(b)] => Ok((a, b)),
        [a, b] => {
            let missing: Vec<_> = [(a, variables[0]), (b, variables[1])]
                .into_iter()
                .filter_map(|(value, name)| value.is_none().then_some(name))
                .collect();
            Err(Error::missing(missing))
        }
    }
}

/// The variable's value, `None` when unset or empty.
pub(crate) fn optional(
    lookup: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Option<String> {
    lookup(variable).filter(|value| !value.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_checks() {
        let ok = [
            (
                "https://developers.hotmart.com",
                "https://developers.hotmart.com",
            ),
            ("https://Example.COM/", "https://example.com"),
            (
                "HTTPS://h.example:8443/api/v1//",
                "https://h.example:8443/api/v1",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.2.3.4", "http://127.2.3.4"),
            ("http://localhost:1/x", "http://localhost:1/x"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]"),
        ];
        for (input, expected) in ok {
            let base = BaseUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(base.as_str(), expected, "{input}");
        }
        let bad = [
            "developers.hotmart.com",
            "ftp://example.com",
            "http://example.com",
            "http://10.0.0.1",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
            "https://",
            "https://:443",
            "https://host:0",
            "https://host:99999",
            "https://host:",
            "https://host?x=1",
            "https://host/#frag",
            "https://user:pw@host",
            "https://ho st",
            "https://[::1",
        ];
        for input in bad {
            assert!(
                matches!(BaseUrl::parse(input), Err(Error::InvalidUrl { .. })),
                "{input} should be refused"
            );
        }
    }

    #[test]
    fn invalid_url_message_hides_user_information() {
        let err = BaseUrl::parse("https://user:hunter2@host/path?token=abc").unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("abc"),
            "{shown}"
        );
    }

    #[test]
    fn join() {
        let base = BaseUrl::parse("https://h.example:8443/api").unwrap();
        assert_eq!(base.join("/v1/x"), "https://h.example:8443/api/v1/x");
    }

    /// Before: the token URL as Hotmart's page shows it, given as the auth base, was asked
    /// for with the path twice, and the answer read as refused credentials.
    #[test]
    fn an_auth_base_that_holds_the_token_path_is_refused() {
        for url in [
            "https://api-sec-vlc.hotmart.com/security/oauth/token",
            "http://127.0.0.1:1/security/oauth/token/",
        ] {
            let err = BaseUrl::parse_auth(url).unwrap_err();
            assert!(err.to_string().contains("the crate adds"), "{err}");
        }
        let base = BaseUrl::parse_auth("https://auth.example/security").unwrap();
        assert_eq!(
            base.join(Environment::TOKEN_PATH),
            "https://auth.example/security/security/oauth/token"
        );
    }
}
