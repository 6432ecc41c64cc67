//! What both benchmarks need: a `redis-server` of their own on a loopback port, a raw socket
//! to it for the `PING` floor, and percentiles.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

/// A `redis-server` started for the benchmark, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    ping: TcpStream,
}

impl Server {
    /// Starts one on a free loopback port; `None` (and a line saying so) without redis-server.
    pub fn start(what: &str) -> Option<Server> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            println!("{what}: skipped, redis-server is not installed");
            return None;
        };
        for _ in 0..500 {
            if let Ok(ping) = TcpStream::connect(("127.0.0.1", port)) {
                ping.set_nodelay(true).unwrap();
                return Some(Server { child, port, ping });
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        panic!("redis-server did not answer on port {port}");
    }

    /// The URL of its database 0.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// One raw `PING` round trip on a plain socket: the floor of any command.
    pub fn ping(&mut self) {
        let mut reply = [0u8; 7];
        self.ping.write_all(b"PING\r\n").unwrap();
        self.ping.read_exact(&mut reply).unwrap();
    }

    /// The raw socket, for other inline commands.
    pub fn socket(&mut self) -> &mut TcpStream {
        &mut self.ping
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value at `p` (0 to 1) of `values`, sorted in place.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let at = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[at]
}
