//! A Hotmart developer credential: client id, client secret and the Basic value.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;
use crate::secret::Secret;

/// A Hotmart developer credential (Tools > Developer Credentials in the Hotmart platform).
///
/// Hotmart shows three values: `client_id`, `client_secret` and a `Basic` token, which is
/// `base64(client_id:client_secret)`. The secret and the Basic value are never shown by
/// `Debug`; only the client id is.
///
/// ```
/// use hotmart::Credentials;
///
/// // Basic is derived from the id and secret...
/// let creds = Credentials::new("client-id", "client-secret");
/// assert_eq!(creds.client_id(), "client-id");
/// assert!(!format!("{creds:?}").contains("client-secret"));
///
/// // ...or given as the dashboard shows it, and checked against them.
/// let creds = Credentials::new("client-id", "client-secret")
///     .with_basic("Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=")?;
/// assert!(Credentials::new("client-id", "client-secret").with_basic("Zm9vOmJhcg==").is_err());
/// # Ok::<(), hotmart::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    client_id: String,
    client_secret: Secret,
    /// `base64(client_id:client_secret)`, without the `Basic ` word.
    basic: Secret,
}

impl Credentials {
    /// Credentials from the raw id and secret, as Hotmart's dashboard shows them.
    ///
    /// The Basic value is derived. Emptiness and other defects are reported when the client
    /// is built, so this never fails.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        let basic = STANDARD.encode(format!("{client_id}:{client_secret}"));
        Credentials {
            client_id,
            client_secret: Secret::new(client_secret),
            basic: Secret::new(basic),
        }
    }

    /// Uses the Basic value exactly as Hotmart's dashboard shows it, with or without the
    /// leading `Basic ` word.
    ///
    /// It must decode to `client_id:client_secret`: a Basic value copied from another
    /// credential is caught here rather than as a 401 later.
    pub fn with_basic(mut self, basic: impl AsRef<str>) -> Result<Self, Error> {
        let basic = basic.as_ref().trim();
        let basic = match basic.get(..6) {
            Some(word) if word.eq_ignore_ascii_case("basic ") => basic[6..].trim_start(),
            _ => basic,
        };
        // `Basic` alone: the word copied without its value.
        if basic.is_empty() || basic.eq_ignore_ascii_case("basic") {
            return Err(Error::InvalidCredentials {
                reason: "the Basic value is empty",
            });
        }
        let decoded = STANDARD
            .decode(basic)
            .map_err(|_| Error::InvalidCredentials {
                reason: if basic.contains(' ') {
                    "the Basic value is not `Basic <base64>` (another scheme, such as `Bearer`?)"
                } else {
                    "the Basic value is not valid base64"
                },
            })?;
        let expected_len = self.client_id.len() + 1 + self.client_secret.expose().len();
        let matches = decoded.len() == expected_len
            && decoded.starts_with(self.client_id.as_bytes())
            && decoded[self.client_id.len()] == b':'
            && decoded.ends_with(self.client_secret.expose().as_bytes());
        if !matches {
            return Err(Error::InvalidCredentials {
                reason: "the Basic value does not decode to client_id:client_secret \
                         (was it copied from another credential?)",
            });
        }
        self.basic = Secret::new(basic);
        Ok(self)
    }

    /// Reads `HOTMART_CLIENT_ID`, `HOTMART_CLIENT_SECRET` and, if set, `HOTMART_BASIC`.
    ///
    /// The error names the variable that is missing, or that holds bytes that are not
    /// Unicode ([`Error::InvalidEnv`]).
    ///
    /// ```no_run
    /// let creds = hotmart::Credentials::from_env()?;
    /// # Ok::<(), hotmart::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Credentials::from_lookup(crate::environment::process)
    }

    /// Like [`from_env`](Self::from_env), reading the same names from `lookup` instead of the
    /// process environment: a configuration file, a secret store, or a test's map.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use hotmart::{Credentials, Error};
    ///
    /// let vars = HashMap::from([("HOTMART_CLIENT_ID", "id"), ("HOTMART_CLIENT_SECRET", "s")]);
    /// let creds = Credentials::from_lookup(|name| vars.get(name).map(|v| v.to_string()))?;
    /// assert_eq!(creds.client_id(), "id");
    ///
    /// // Every missing variable at once.
    /// let err = Credentials::from_lookup(|_| None).unwrap_err();
    /// assert!(matches!(&err, Error::MissingEnvs { variables }
    ///     if variables == &["HOTMART_CLIENT_ID", "HOTMART_CLIENT_SECRET"]));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let (client_id, client_secret) = crate::environment::all_required(
            &lookup,
            ["HOTMART_CLIENT_ID", "HOTMART_CLIENT_SECRET"],
        )?;
        // The process environment is read lossily: a value that was not Unicode holds U+FFFD,
        // which no credential does. Sent, it would be refused as if the credential were wrong.
        for (variable, value) in [
            ("HOTMART_CLIENT_ID", &client_id),
            ("HOTMART_CLIENT_SECRET", &client_secret),
        ] {
            if value.contains(char::REPLACEMENT_CHARACTER) {
                return Err(Error::InvalidEnv {
                    variable,
                    expected: "text that is all Unicode (the value holds bytes that are not)",
                });
            }
        }
        let creds = Credentials::new(client_id.trim(), client_secret.trim());
        match crate::environment::optional(&lookup, "HOTMART_BASIC") {
            Some(basic) => creds.with_basic(basic),
            None => Ok(creds),
        }
    }

    /// The client id. Not a secret: it is sent in URLs and shown by `Debug`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn client_secret(&self) -> &str {
        self.client_secret.expose()
    }

    /// `base64(client_id:client_secret)`, without the `Basic ` word.
    pub(crate) fn basic(&self) -> &str {
        self.basic.expose()
    }

    /// Catches what would only show up as a confusing answer from Hotmart.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let reason = if self.client_id.trim().is_empty() {
            "the client id is empty"
        } else if self.client_secret().trim().is_empty() {
            "the client secret is empty"
        } else if self.client_id.contains(':') {
            "the client id contains `:`, which HTTP Basic authentication cannot carry"
        } else if self
            .client_id
            .chars()
            .chain(self.client_secret().chars())
            .any(char::is_control)
        {
            "the client id or secret contains control characters (a stray newline?)"
        } else {
            return Ok(());
        };
        Err(Error::InvalidCredentials { reason })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("basic", &self.basic)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_that_was_not_unicode_names_its_variable() {
        for (id, secret, named) in [
            ("\u{fffd}", "secret-1", "HOTMART_CLIENT_ID"),
            ("id", "s\u{fffd}cret-1", "HOTMART_CLIENT_SECRET"),
        ] {
            let lookup = |name: &str| match name {
                "HOTMART_CLIENT_ID" => Some(id.to_owned()),
                "HOTMART_CLIENT_SECRET" => Some(secret.to_owned()),
                _ => None,
            };
            let err = Credentials::from_lookup(lookup).unwrap_err();
            assert!(
                matches!(err, Error::InvalidEnv { variable, .. } if variable == named),
                "{err:?}"
            );
            assert!(!err.to_string().contains("cret-1"), "{err}");
        }
    }

    #[test]
    fn basic_is_base64_of_id_colon_secret() {
        let creds = Credentials::new("id", "secret");
        assert_eq!(creds.basic(), "aWQ6c2VjcmV0");
    }

    #[test]
    fn with_basic_accepts_the_dashboard_forms() {
        for form in [
            "aWQ6c2VjcmV0",
            "Basic aWQ6c2VjcmV0",
            "basic   aWQ6c2VjcmV0",
            "  BASIC aWQ6c2VjcmV0\n",
        ] {
            let creds = Credentials::new("id", "secret").with_basic(form);
            assert_eq!(creds.expect(form).basic(), "aWQ6c2VjcmV0");
        }
    }

    #[test]
    fn with_basic_refuses_what_does_not_match() {
        let cases = [
            "",
            "Basic",
            "not base64!",
            "aWQ6c2VjcmV1",     // id:secreu
            "aWQ6",             // id:
            "aWQ6c2VjcmV0Cg==", // id:secret\n
            "Bearer aWQ6c2VjcmV0",
        ];
        for case in cases {
            let err = Credentials::new("id", "secret")
                .with_basic(case)
                .unwrap_err();
            assert!(matches!(err, Error::InvalidCredentials { .. }), "{case}");
            assert!(!err.to_string().contains("secret\""), "{err}");
        }
        let reason = |case| {
            Credentials::new("id", "secret")
                .with_basic(case)
                .unwrap_err()
        };
        assert!(reason("").to_string().contains("is empty"));
        assert!(reason("Basic ").to_string().contains("is empty"));
        assert!(
            reason("Bearer aWQ6c2VjcmV0")
                .to_string()
                .contains("`Bearer`")
        );
    }

    #[test]
    fn check_catches_defects() {
        assert!(Credentials::new("id", "secret").check().is_ok());
        for (id, secret) in [("", "s"), ("id", " "), ("a:b", "s"), ("id", "s\n")] {
            assert!(Credentials::new(id, secret).check().is_err(), "{id:?}");
        }
    }

    #[test]
    fn debug_hides_secret_and_basic() {
        let shown = format!("{:?}", Credentials::new("the-id", "the-secret"));
        assert!(shown.contains("the-id"));
        assert!(
            !shown.contains("the-secret") && !shown.contains("dGhlLWlk"),
            "{shown}"
        );
    }
}
