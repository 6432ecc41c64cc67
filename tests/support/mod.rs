//! Shared pieces of the integration tests: clients for the local Hotmart, and raw servers
//! that misbehave below HTTP (a connection cut mid-body), which no HTTP server library does.

#![allow(dead_code)]

pub mod hostile;
mod temp;

// Not every test binary that includes this uses it.
#[allow(unused_imports)]
pub use temp::TempDir;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

use hotmart::{Client, ClientBuilder};
use hotmart_mock::MockServer;

/// A builder for a client of `server`, with a short timeout so failures fail fast.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(server.environment(), server.credentials()).timeout(Duration::from_secs(10))
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client for the mock")
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// A server on 127.0.0.1 that answers each of up to `connections` connections with `reply`,
/// byte for byte, then closes the connection.
pub fn raw_server(reply: &'static [u8], connections: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            // Read the request head; the token request has no body worth waiting for.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            stream.write_all(reply).ok();
        }
    });
    addr
}

/// An environment whose auth and API URLs point at `addr` over plain http.
pub fn env_at(addr: SocketAddr) -> hotmart::Environment {
    hotmart::Environment::Custom {
        auth_url: format!("http://{addr}"),
        api_url: format!("http://{addr}"),
    }
}
