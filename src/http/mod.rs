//! The one place that speaks HTTP: the transport over ureq, TLS, and what keeps secrets out
//! of error texts.

pub(crate) mod percent;
pub(crate) mod redact;
pub(crate) mod tls;
pub(crate) mod transport;
