//! The one place that speaks HTTP: a lazily built ureq agent, timeouts, capped bodies, no
//! redirects, and every status handed back rather than turned into an error.

use std::fmt;
use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use ureq::Agent;
use ureq::http::{self, HeaderMap, Method};

use crate::error::{Error, TransportError, TransportErrorKind};
use crate::http::redact::Redactor;
use crate::http::tls::TlsFailure;

/// What the agent is built from.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) user_agent: String,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub(crate) tls: crate::http::tls::TlsSettings,
    pub(crate) proxy: ProxyChoice,
    /// The client's long-lived secrets, scrubbed from every error text.
    pub(crate) redactor: Redactor,
}

/// Which proxy requests to hosts off this machine go through. Loopback hosts never use one.
#[derive(Clone, Default)]
pub(crate) enum ProxyChoice {
    /// `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (or lowercase), honouring `NO_PROXY`.
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    Off,
    /// This one, checked by `build()`.
    Given(ureq::Proxy),
}

impl fmt::Debug for ProxyChoice {
    // A proxy URL may hold a password: only the choice is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxyChoice::FromEnv => "FromEnv",
            ProxyChoice::Off => "Off",
            ProxyChoice::Given(_) => "Given(<redacted>)",
        })
    }
}

pub(crate) struct Transport {
    settings: Settings,
    /// Built on first use, so building a client costs no TLS set-up and does no I/O.
    agent: OnceLock<Agent>,
    /// The agent for loopback hosts, which never goes through a proxy: otherwise a proxy
    /// variable would carry the secret, in clear text, off the machine.
    direct: OnceLock<Agent>,
}

/// One request. `url` may hold credentials in its query, so only [`display_url`] of it is
/// ever shown.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// Content type and bytes; `None` sends no body (`Content-Length: 0` for a POST, PUT
    /// or PATCH).
    pub(crate) body: Option<(&'a str, &'a [u8])>,
    /// The most body bytes read from a success answer; larger is [`Error::BodyTooLarge`].
    pub(crate) limit: u64,
    /// The time left before the call's deadline: the request gets no more than this.
    pub(crate) time_left: Duration,
    /// Whether the host is on this machine (no proxy, whatever the settings).
    pub(crate) loopback: bool,
    /// Access tokens this request carries, scrubbed from any error text with the client's
    /// secrets.
    pub(crate) tokens: &'a [&'a str],
}

/// An HTTP answer, whatever its status.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    /// For a non-2xx answer, at most `limit` bytes: the rest is dropped, since only an
    /// excerpt or an error envelope is wanted from it.
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        is_success(self.status)
    }
}

impl Transport {
    pub(crate) fn new(settings: Settings) -> Self {
        Transport {
            settings,
            agent: OnceLock::new(),
            direct: OnceLock::new(),
        }
    }

    pub(crate) fn redactor(&self) -> &Redactor {
        &self.settings.redactor
    }

    /// Whether an agent (and so a TLS configuration) was ever built: a run served from a
    /// token cache must not build one.
    #[cfg(test)]
    pub(crate) fn agent_built(&self) -> bool {
        self.agent.get().is_some() || self.direct.get().is_some()
    }

    fn agent(&self, loopback: bool) -> &Agent {
        let direct = loopback || matches!(self.settings.proxy, ProxyChoice::Off);
        let cell = if direct { &self.direct } else { &self.agent };
        cell.get_or_init(|| {
            let proxy = match &self.settings.proxy {
                _ if direct => None,
                ProxyChoice::FromEnv => ureq::Proxy::try_from_env(),
                ProxyChoice::Given(proxy) => Some(proxy.clone()),
                ProxyChoice::Off => None,
            };
            let config = Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .timeout_global(self.settings.timeout)
                .timeout_connect(self.settings.connect_timeout)
                .user_agent(self.settings.user_agent.as_str())
                .proxy(proxy);
            #[cfg(any(feature = "rustls", feature = "native-tls"))]
            let config = config.tls_config(self.settings.tls.config());
            let config = config.build();
            Agent::new_with_config(config)
        })
    }

    pub(crate) fn send(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let shown = &display_url(call.url);
        let fail = |err: ureq::Error| self.transport_error(err, shown, call.tokens);
        let agent = self.agent(call.loopback);
        let mut builder = http::Request::builder()
            .method(call.method.clone())
            .uri(call.url);
        for (name, value) in call.headers {
            builder = builder.header(*name, *value);
        }
        // The deadline wins over the configured timeout when it is nearer.
        let clip = self
            .settings
            .timeout
            .is_none_or(|timeout| call.time_left < timeout)
            .then_some(call.time_left);
        let response = match call.body {
            Some((content_type, bytes)) => {
                let request = builder.header("content-type", content_type).body(bytes);
                run(agent, request.map_err(|e| http_error(e, shown))?, clip)
            }
            // A POST, PUT or PATCH without a body says so with `Content-Length: 0`: as `()`,
            // ureq would send it chunked, which RFC 9110 §8.6 does not ask for and some
            // gateways answer with 411.
            None if [Method::POST, Method::PUT, Method::PATCH].contains(&call.method) => run(
                agent,
                builder.body(&[][..]).map_err(|e| http_error(e, shown))?,
                clip,
            ),
            None => run(
                agent,
                builder.body(()).map_err(|e| http_error(e, shown))?,
                clip,
            ),
        };
        let mut response = response.map_err(fail)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(call.limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| fail(ureq::Error::from(e)))?;
        if body.len() as u64 > call.limit {
            if is_success(status) {
                return Err(Error::BodyTooLarge {
                    url: shown.to_owned(),
                    limit: call.limit,
                });
            }
            body.truncate(usize::try_from(call.limit).unwrap_or(usize::MAX));
        }
        Ok(Reply {
            status,
            headers: std::mem::take(response.headers_mut()),
            body,
        })
    }

    fn transport_error(&self, err: ureq::Error, url: &str, tokens: &[&str]) -> Error {
        if let ureq::Error::BodyExceedsLimit(limit) = err {
            return Error::BodyTooLarge {
                url: url.to_owned(),
                limit,
            };
        }
        // A refused certificate surfaces as an I/O error from rustls: look for TLS first.
        let tls = crate::http::tls::classify(&err);
        let kind = if tls.is_some() {
            TransportErrorKind::Tls
        } else {
            kind_of(&err)
        };
        let cause = match &err {
            // These two quote the whole URL, query and all: keep the kind, drop the text.
            ureq::Error::BadUri(_) => "malformed request URL".to_owned(),
            ureq::Error::RequireHttpsOnly(_) => "https is required".to_owned(),
            // A library's message may quote what the server sent, which may echo a secret.
            other => self.settings.redactor.scrub(&other.to_string(), tokens),
        };
        let mut err_out = TransportError::new(kind, url.to_owned(), cause);
        if let ureq::Error::Io(io) = err {
            err_out = err_out.with_os_error(io);
        }
        let err = err_out;
        Error::Transport(match tls {
            Some(failure) => err.with_tls_failure(failure),
            None if kind == TransportErrorKind::Tls => err.with_tls_failure(TlsFailure::Other),
            None => err,
        })
    }
}

/// Runs `request`, with its whole time cut to `clip` when that is given.
fn run<S: ureq::AsSendBody>(
    agent: &Agent,
    request: http::Request<S>,
    clip: Option<Duration>,
) -> Result<http::Response<ureq::Body>, ureq::Error> {
    match clip {
        Some(left) => agent.run(
            agent
                .configure_request(request)
                .timeout_global(Some(left))
                .build(),
        ),
        None => agent.run(request),
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The URL without its query, which may hold the client secret.
pub(crate) fn display_url(url: &str) -> String {
    let shown = url.split(['?', '#']).next().unwrap_or(url);
    // A caller's path may hold a line break or an escape sequence: percent-encoded, as in a
    // URL, so that it cannot forge a log line or garble a terminal.
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        if c.is_control() {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn http_error(err: http::Error, url: &str) -> Error {
    // http's messages name the offending part, not its value, so they are safe to keep.
    Error::Transport(TransportError::new(
        TransportErrorKind::Protocol,
        url.to_owned(),
        err.to_string(),
    ))
}

/// What kind of failure a ureq error is.
fn kind_of(err: &ureq::Error) -> TransportErrorKind {
    use std::io::ErrorKind as Io;
    use ureq::Error as U;
    match err {
        U::Timeout(_) => TransportErrorKind::Timeout,
        U::HostNotFound => TransportErrorKind::Dns,
        U::ConnectionFailed => TransportErrorKind::Connect,
        // std reports a failed name lookup (getaddrinfo) as an uncategorized I/O error; its
        // message is the only mark of it.
        U::Io(io) if io.to_string().starts_with("failed to lookup address") => {
            TransportErrorKind::Dns
        }
        U::Io(io) => match io.kind() {
            Io::TimedOut | Io::WouldBlock => TransportErrorKind::Timeout,
            Io::ConnectionRefused | Io::AddrNotAvailable | Io::HostUnreachable => {
                TransportErrorKind::Connect
            }
            _ => TransportErrorKind::Io,
        },
        U::Tls(_) | U::TlsRequired => TransportErrorKind::Tls,
        #[cfg(feature = "rustls")]
        U::Rustls(_) => TransportErrorKind::Tls,
        #[cfg(feature = "native-tls")]
        U::NativeTls(_) => TransportErrorKind::Tls,
        U::Protocol(_) | U::LargeResponseHeader(..) | U::Http(_) => TransportErrorKind::Protocol,
        _ => TransportErrorKind::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_named_by_kind() {
        use std::io;
        let cases = [
            (ureq::Error::HostNotFound, TransportErrorKind::Dns),
            (
                ureq::Error::Io(io::Error::other(
                    "failed to lookup address information: Name or service not known",
                )),
                TransportErrorKind::Dns,
            ),
            (
                ureq::Error::Io(io::ErrorKind::ConnectionRefused.into()),
                TransportErrorKind::Connect,
            ),
            (
                ureq::Error::Io(io::ErrorKind::TimedOut.into()),
                TransportErrorKind::Timeout,
            ),
            (
                ureq::Error::Io(io::ErrorKind::UnexpectedEof.into()),
                TransportErrorKind::Io,
            ),
        ];
        for (err, kind) in cases {
            assert_eq!(kind_of(&err), kind, "{err}");
        }
    }
}
