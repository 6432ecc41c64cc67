//! The Redis URL: checked once, kept as a secret, shown without its credentials, and the
//! scrubbing of those credentials, in every form a message may carry them, from any text.

use std::fmt;

use redis::IntoConnectionInfo;

/// What a Redis URL may look like, for the reason of a refusal (which never quotes the URL).
#[cfg(feature = "tls")]
pub(crate) const EXPECTED: &str = "expected redis://[user:password@]host[:port][/db], \
                                   rediss://… (TLS) or unix:///path/to/socket";
#[cfg(not(feature = "tls"))]
pub(crate) const EXPECTED: &str = "expected redis://[user:password@]host[:port][/db] or \
                                   unix:///path/to/socket (rediss:// needs hotmart-redis's \
                                   tls feature)";

/// A checked Redis URL. Its `Debug` and [`shown`](RedisUrl::shown) form never hold the user
/// name or the password.
#[derive(Clone)]
pub(crate) struct RedisUrl {
    url: String,
    shown: String,
    /// The credentials in every form a message may quote them, longest first.
    secrets: Vec<String>,
}

impl RedisUrl {
    /// Checks `url` without connecting. The reason, on failure, never quotes the URL.
    pub(crate) fn parse(url: &str) -> Result<RedisUrl, &'static str> {
        let url = url.trim();
        // A fragment is the redis crate's `#insecure` (no certificate check): never silently.
        if url.is_empty() || url.chars().any(char::is_control) || url.contains('#') {
            return Err(EXPECTED);
        }
        let info = url.into_connection_info().map_err(|_| EXPECTED)?;
        if url.starts_with("rediss://") && !cfg!(feature = "tls") {
            return Err(EXPECTED);
        }
        let settings = info.redis_settings();
        // As written in the URL, and as the redis crate sends them (percent-decoded): a server
        // that echoes AUTH's arguments quotes the latter.
        let (user, password) = userinfo(url);
        let mut secrets: Vec<String> = [user, password]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .chain(settings.username().map(str::to_owned))
            .chain(settings.password().map(str::to_owned))
            .filter(|s| !s.is_empty())
            .collect();
        if let (Some(user), Some(password)) = (user, password) {
            secrets.push(format!("{user}:{password}"));
        }
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Ok(RedisUrl {
            shown: shown(url),
            url: url.to_owned(),
            secrets,
        })
    }

    /// The URL itself, for the redis crate only.
    pub(crate) fn expose(&self) -> &str {
        &self.url
    }

    /// The URL without user information, for messages.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// `text` with the URL's user name and password, as written and as decoded, replaced by
    /// `***`; and what a server quotes of a command's arguments cut off (a renamed `AUTH` is
    /// answered "unknown command 'AUTH', with args beginning with: 'user' 'password'", and a
    /// script's arguments hold the access token).
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut text = match text.find("with args beginning with") {
            Some(at) => format!("{}with args beginning with: (not shown)", &text[..at]),
            None => text.to_owned(),
        };
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "***");
        }
        text
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The user name and password of `scheme://user:password@host…`, as written.
fn userinfo(url: &str) -> (Option<&str>, Option<&str>) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, None);
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let Some((info, _)) = authority.rsplit_once('@') else {
        return (None, None);
    };
    match info.split_once(':') {
        Some((user, password)) => (Some(user), Some(password)),
        None => (Some(info), None),
    }
}

/// `scheme://host:port/db` with any `user:password@` replaced by `***@`, and no query.
fn shown(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<redis url>".to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_never_shown_with_credentials() {
        let url = RedisUrl::parse("redis://user:s3cret@cache.internal:6380/2").unwrap();
        assert_eq!(url.shown(), "redis://***@cache.internal:6380/2");
        assert_eq!(format!("{url:?}"), "redis://***@cache.internal:6380/2");
        let url = RedisUrl::parse("redis://:s3cret@127.0.0.1/").unwrap();
        assert!(!url.shown().contains("s3cret"));
        let url = RedisUrl::parse("redis://127.0.0.1:6379").unwrap();
        assert_eq!(url.shown(), "redis://127.0.0.1:6379");
        assert!(url.secrets.is_empty());
        assert_eq!(
            RedisUrl::parse("unix:///run/redis.sock").unwrap().shown(),
            "unix:///run/redis.sock"
        );
        for bad in [
            "",
            "   ",
            "http://127.0.0.1:6379",
            "redis://",
            "not a url",
            "redis://host:notaport/",
            "redis://a:b@host\n:6379",
            "rediss://a:b@host:6379/#insecure",
        ] {
            let err = RedisUrl::parse(bad).expect_err(bad);
            assert!(!err.contains("notaport") && !err.contains("a:b@"), "{err}");
        }
    }

    #[test]
    fn every_form_of_the_credentials_is_scrubbed() {
        let url = RedisUrl::parse("redis://hm%2Duser:Se%40cret%2B99@127.0.0.1:1/0").unwrap();
        let echoed = "ERR unknown command 'AUTH', with args beginning with: 'hm-user' \
                      'Se@cret+99'";
        let scrubbed = url.scrub(echoed);
        assert_eq!(
            scrubbed,
            "ERR unknown command 'AUTH', with args beginning with: (not shown)"
        );
        let text = "a hm%2Duser:Se%40cret%2B99 b Se@cret+99 c hm-user d Se%40cret%2B99";
        let scrubbed = url.scrub(text);
        for secret in ["Se@cret+99", "Se%40cret%2B99", "hm-user", "hm%2Duser"] {
            assert!(!scrubbed.contains(secret), "{scrubbed}");
        }
        assert_eq!(scrubbed, "a *** b *** c *** d ***");
    }
}
