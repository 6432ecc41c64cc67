//! Shared pieces of the command's tests: the real binary run against the local Hotmart on
//! 127.0.0.1, each run with a cache home of its own.

#![allow(dead_code)]

// The one TempDir of the workspace's tests.
#[path = "../../../../tests/support/temp.rs"]
mod temp;
// Not every test binary that includes this uses it.
#[allow(unused_imports)]
pub use temp::TempDir;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hotmart::Client;
use hotmart_mock::{CLIENT_SECRET, MockServer};

pub const BIN: &str = env!("CARGO_BIN_EXE_hotmart");

/// `hotmart` with the environment of `server`, and a cache home of its own under `home`.
pub fn command(server: &MockServer, home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("HOTMART_ENV", "custom")
        .env("HOTMART_AUTH_URL", server.url())
        .env("HOTMART_API_URL", server.url())
        .env("HOTMART_CLIENT_ID", server.credentials().client_id())
        .env("HOTMART_CLIENT_SECRET", CLIENT_SECRET)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("xdg"))
        .stdin(Stdio::null());
    cmd
}

/// Runs `hotmart args`, and checks that no secret reached its output.
pub fn run(server: &MockServer, home: &Path, args: &[&str]) -> Output {
    let output = command(server, home, args).output().expect("run hotmart");
    let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
    let shown = String::from_utf8_lossy(&all);
    assert!(
        !shown.contains(CLIENT_SECRET),
        "a secret was printed: {shown}"
    );
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

pub fn cache_dir(home: &Path) -> PathBuf {
    home.join("xdg/hotmart")
}

/// A client of `server`, with a short timeout so failures fail fast.
pub fn client(server: &MockServer) -> Client {
    Client::builder(server.environment(), server.credentials())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client for the mock")
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}
