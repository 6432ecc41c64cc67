//! The one place that speaks HTTP: a lazily built ureq agent, timeouts, capped bodies, no
//! redirects, and every status handed back rather than turned into an error.

use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use ureq::Agent;
use ureq::http::{self, HeaderMap, Method};

use crate::error::{Error, TransportError, TransportErrorKind};

/// What the agent is built from.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) user_agent: String,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub(crate) tls: crate::tls::TlsSettings,
}

pub(crate) struct Transport {
    settings: Settings,
    /// Built on first use, so building a client costs no TLS set-up and does no I/O.
    agent: OnceLock<Agent>,
}

/// One request. `url` may hold credentials in its query, so only [`display_url`] of it is
/// ever shown.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    /// Content type and bytes; `None` sends no body at all.
    pub(crate) body: Option<(&'a str, &'a [u8])>,
    /// The most body bytes read from a success answer; larger is [`Error::BodyTooLarge`].
    pub(crate) limit: u64,
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
        }
    }

    fn agent(&self) -> &Agent {
        self.agent.get_or_init(|| {
            let config = Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .timeout_global(self.settings.timeout)
                .timeout_connect(self.settings.connect_timeout)
                .user_agent(self.settings.user_agent.as_str());
            #[cfg(any(feature = "rustls", feature = "native-tls"))]
            let config = config.tls_config(self.settings.tls.config());
            let config = config.build();
            Agent::new_with_config(config)
        })
    }

    pub(crate) fn send(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let shown = display_url(call.url);
        let mut builder = http::Request::builder()
            .method(call.method.clone())
            .uri(call.url);
        for (name, value) in call.headers {
            builder = builder.header(*name, *value);
        }
        let response = match call.body {
            Some((content_type, bytes)) => {
                let request = builder.header("content-type", content_type).body(bytes);
                self.agent().run(request.map_err(|e| http_error(e, shown))?)
            }
            None => {
                let request = builder.body(());
                self.agent().run(request.map_err(|e| http_error(e, shown))?)
            }
        };
        let mut response = response.map_err(|e| transport_error(e, shown))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(call.limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| transport_error(ureq::Error::from(e), shown))?;
        if body.len() as u64 > call.limit {
            if is_success(status) {
                return Err(Error::BodyTooLarge {
                    url: shown.to_owned(),
                    limit: call.limit,
                });
            }
            body.truncate(call.limit as usize);
        }
        Ok(Reply {
            status,
            headers: std::mem::take(response.headers_mut()),
            body,
        })
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The URL without its query, which may hold the client secret.
pub(crate) fn display_url(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

fn http_error(err: http::Error, url: &str) -> Error {
    // http's messages name the offending part, not its value, so they are safe to keep.
    Error::Transport(TransportError::new(
        TransportErrorKind::Protocol,
        url.to_owned(),
        Box::new(err),
    ))
}

fn transport_error(err: ureq::Error, url: &str) -> Error {
    use std::io::ErrorKind as Io;
    use ureq::Error as U;
    if let U::BodyExceedsLimit(limit) = err {
        return Error::BodyTooLarge {
            url: url.to_owned(),
            limit,
        };
    }
    // A refused certificate surfaces as an I/O error from rustls: look for TLS first.
    let tls = crate::tls::classify(&err);
    let kind = match &err {
        _ if tls.is_some() => TransportErrorKind::Tls,
        U::Timeout(_) => TransportErrorKind::Timeout,
        U::HostNotFound => TransportErrorKind::Dns,
        U::ConnectionFailed => TransportErrorKind::Connect,
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
    };
    // These two quote the whole URL, query and all: keep the kind, drop the text.
    let source: Box<dyn std::error::Error + Send + Sync> = match err {
        U::BadUri(_) => "malformed request URL".into(),
        U::RequireHttpsOnly(_) => "https is required".into(),
        other => Box::new(other),
    };
    let err = TransportError::new(kind, url.to_owned(), source);
    Error::Transport(match tls {
        Some(failure) => err.with_tls_failure(failure),
        None if kind == TransportErrorKind::Tls => err.with_tls_failure(crate::TlsFailure::Other),
        None => err,
    })
}
