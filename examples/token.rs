//! The smallest useful program: one access token from Hotmart, with the crate's defaults, and
//! its expiry. What a default build of the crate costs in a binary is measured on it:
//!
//! ```sh
//! cargo build --release --example token && strip -o /tmp/token target/release/examples/token && ls -l /tmp/token
//! ```
//!
//! Reads `HOTMART_ENV`, `HOTMART_CLIENT_ID` and `HOTMART_CLIENT_SECRET` (and `HOTMART_BASIC`
//! if set). The token's `Debug` shows a fingerprint, never the token.

use std::time::Instant;

fn main() -> Result<(), hotmart::Error> {
    let token = hotmart::Client::from_env()?.access_token()?;
    let left = token.expires_at().saturating_duration_since(Instant::now());
    println!("{token:?}; expires in {} s", left.as_secs());
    Ok(())
}
