//! What the Redis tests share: a real `redis-server` on a free loopback port, a fake Redis on
//! loopback, a temp directory and (feature `tls`) a certificate authority made at test time.

#![allow(dead_code)]

// The one TempDir of the workspace's tests.
#[path = "../../../../tests/support/temp.rs"]
mod temp;
// Not every test binary that includes this uses it.
#[allow(unused_imports)]
pub use temp::TempDir;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

use hotmart::{Client, ClientBuilder};
use hotmart_mock::MockServer;
use hotmart_redis::{ClientBuilderExt, Redis};

pub const ME: &str = "/user/api/v1/me";

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A `redis-server` child process on a free loopback port, killed on drop.
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
    /// More arguments (TLS, a password).
    extra: Vec<String>,
}

impl RedisServer {
    /// `None` (with a message) when `redis-server` is not installed, outside CI.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_with(Vec::new())
    }

    pub fn start_with(extra: Vec<String>) -> Option<RedisServer> {
        let mut server = RedisServer {
            port: free_port(),
            child: None,
            extra,
        };
        if !server.restart() {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is missing: .ci/run installs it (Debian package redis-server)"
            );
            eprintln!(
                "SKIPPED: redis-server is not installed (Debian: apt-get install redis-server)"
            );
            return None;
        }
        Some(server)
    }

    /// Starts the server (again) on its port; false if the binary is missing.
    pub fn restart(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--loglevel", "warning"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// One command (inline syntax) to the server, the first line of its answer.
    pub fn command(&self, command: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        stream
            .write_all(format!("{command}\r\n").as_bytes())
            .unwrap();
        let mut reply = [0u8; 256];
        let n = stream.read(&mut reply).unwrap();
        String::from_utf8_lossy(&reply[..n]).trim().to_owned()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `builder` with its token and its budget on the Redis at `url`.
pub fn on_redis(builder: ClientBuilder, url: &str) -> ClientBuilder {
    builder.redis(&Redis::new(url).unwrap())
}

/// A client of the local Hotmart, on the Redis at `url`.
pub fn client(server: &MockServer, url: &str) -> Client {
    on_redis(
        Client::builder(server.environment(), server.credentials())
            .timeout(Duration::from_secs(10))
            .call_timeout(Duration::from_secs(20)),
        url,
    )
    .build()
    .unwrap()
}

/// A fake Redis on a loopback port: every connection gets `serve`'s treatment.
pub struct FakeRedis {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl FakeRedis {
    pub fn start(serve: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> FakeRedis {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let serve = Arc::new(serve);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (flag, serve) = (Arc::clone(&flag), Arc::clone(&serve));
                thread::spawn(move || serve(stream, &flag));
            }
        });
        FakeRedis { port, stop }
    }

    pub fn url(&self) -> String {
        format!("redis://:pw-hunter2@127.0.0.1:{}/0", self.port)
    }
}

impl Drop for FakeRedis {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads whatever the client sends, in the background, so its writes never block.
pub fn drain(stream: &TcpStream) {
    let mut reader = stream.try_clone().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
}

/// Reads one RESP command (an array of bulk strings) from `stream`; `None` at its end.
pub fn read_command(stream: &mut TcpStream) -> Option<Vec<String>> {
    let mut line = || -> Option<String> {
        let mut bytes = Vec::new();
        let mut byte = [0u8; 1];
        while !bytes.ends_with(b"\r\n") {
            if stream.read(&mut byte).ok()? == 0 {
                return None;
            }
            bytes.push(byte[0]);
        }
        bytes.truncate(bytes.len() - 2);
        String::from_utf8(bytes).ok()
    };
    let count: usize = line()?.strip_prefix('*')?.parse().ok()?;
    (0..count)
        .map(|_| {
            line()?; // $len
            line()
        })
        .collect()
}

/// A certificate authority that exists only for one test run, and a server certificate it
/// issued, both in PEM.
pub struct TestCa {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl TestCa {
    /// A CA and a certificate for `names`, valid now.
    pub fn new(names: &[&str]) -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
            date_time_ymd,
        };
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name
            .push(DnType::CommonName, "hotmart-redis test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.not_before = date_time_ymd(2020, 1, 1);
        ca.not_after = date_time_ymd(2099, 1, 1);
        let ca_key = KeyPair::generate().unwrap();
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut leaf = CertificateParams::new(names).unwrap();
        leaf.not_before = date_time_ymd(2020, 1, 1);
        leaf.not_after = date_time_ymd(2099, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = leaf
            .signed_by(&key, &Issuer::from_params(&ca, &ca_key))
            .unwrap();
        TestCa {
            ca_pem,
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// Every log record, formatted (`LEVEL target: message`), from any thread.
pub struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }
    fn flush(&self) {}
}

static LOG: Capture = Capture(Mutex::new(Vec::new()));

/// Installs the capture (once per test binary) and lets records up to `level` through.
pub fn capture_log(level: log::LevelFilter) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| log::set_logger(&LOG).unwrap());
    log::set_max_level(level);
}

/// What the capture holds so far.
pub fn logged() -> Vec<String> {
    LOG.0.lock().unwrap().clone()
}
