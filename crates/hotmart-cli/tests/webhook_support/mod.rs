//! Pieces of the webhook tests: the real `hotmart webhook serve` on 127.0.0.1, a small
//! keep-alive HTTP client, and events made from Hotmart's published samples.

#![allow(dead_code)]

#[path = "../../../../tests/support/temp.rs"]
mod temp;
// Not every test binary that includes this uses it.
#[allow(unused_imports)]
pub use temp::TempDir;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_hotmart");
pub const HOTTOK: &str = "hottok-of-the-tests-5f0c2a";

/// The published samples (tests/fixtures/webhooks of the core), as sent.
pub fn samples() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/webhooks");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the samples")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "{}", dir.display());
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// The published sample `name` (its file name without `.json`) with `id` as its id, and the
/// hottok it carries in its body made [`HOTTOK`], as Hotmart sends it: the account's own.
pub fn with_body_hottok(name: &str, id: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/webhooks")
        .join(format!("{name}.json"));
    let text = String::from_utf8(with_id(&std::fs::read(path).unwrap(), id)).unwrap();
    let member = text
        .find("\"hottok\"")
        .expect("a sample with a hottok in its body");
    let open = member + 8 + text[member + 8..].find('"').unwrap();
    let close = open + 1 + text[open + 1..].find('"').unwrap();
    let old = &text[open + 1..close];
    assert!(old.len() >= 8 && !old.contains('\\'), "{old}");
    format!("{}{HOTTOK}{}", &text[..=open], &text[close..]).into_bytes()
}

/// `sample` with its event id, and only that, made `id`.
pub fn with_id(sample: &[u8], id: &str) -> Vec<u8> {
    let old = hotmart::webhook::Event::parse(sample)
        .expect("a published sample")
        .id()
        .to_owned();
    let text = String::from_utf8(sample.to_vec()).unwrap();
    let quoted = format!("\"{old}\"");
    assert_eq!(
        text.matches(&quoted).count(),
        1,
        "the id once in the sample"
    );
    text.replace(&quoted, &format!("\"{id}\"")).into_bytes()
}

/// The ids of the events in an NDJSON file, in order.
pub fn ids_in(path: &Path) -> Vec<String> {
    let text = std::fs::read(path).unwrap_or_default();
    assert!(text.is_empty() || text.ends_with(b"\n"), "a torn last line");
    text.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            assert!(!line.contains(&b'\r'));
            hotmart::webhook::Event::parse(line)
                .expect("each line an event")
                .id()
                .to_owned()
        })
        .collect()
}

/// A running `hotmart webhook serve`, killed when dropped.
pub struct Serve {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: PathBuf,
}

/// The command with a clean environment: a home of its own under `dir`, and `hottok`.
pub fn hotmart(dir: &Path, hottok: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("HOME", dir.join("home"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    if let Some(hottok) = hottok {
        cmd.env("HOTMART_HOTTOK", hottok);
    }
    cmd
}

impl Serve {
    /// Starts `hotmart webhook serve --listen LISTEN ARGS` and waits for its address.
    pub fn start(dir: &Path, listen: &str, args: &[&str]) -> Serve {
        let stderr = dir.join(format!("serve-{}.stderr", std::process::id()));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&stderr)
            .unwrap();
        let mut child = spawn_serve(dir, listen, args, log);
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("no address: {line:?}; {}", read(&stderr))
            });
        Serve {
            child,
            addr,
            stderr,
        }
    }

    /// The peak resident memory of the process, in KiB (VmHWM).
    pub fn peak_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }

    pub fn stderr(&self) -> String {
        read(&self.stderr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// One kept-alive connection to the receiver.
pub struct Conn {
    reader: BufReader<TcpStream>,
    closed: bool,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        Ok(Conn {
            reader: BufReader::new(stream),
            closed: false,
        })
    }

    /// Whether the server said it closes the connection.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// POSTs `body` with `hottok` as X-HOTMART-HOTTOK (or none): the status and the body.
    pub fn post(&mut self, hottok: Option<&str>, body: &[u8]) -> io::Result<(u16, String)> {
        let mut head = format!(
            "POST /hotmart HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n",
            body.len()
        );
        if let Some(hottok) = hottok {
            head.push_str(&format!("X-HOTMART-HOTTOK: {hottok}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        self.answer()
    }

    /// Sends raw bytes as a request.
    pub fn send_raw(&mut self, request: &[u8]) -> io::Result<(u16, String)> {
        self.reader.get_mut().write_all(request)?;
        self.answer()
    }

    fn answer(&mut self) -> io::Result<(u16, String)> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("status line"))?;
        let mut len = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(bad("head cut"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').ok_or_else(|| bad("header"))?;
            if name.eq_ignore_ascii_case("content-length") {
                len = value.trim().parse().map_err(|_| bad("length"))?;
            }
            if name.eq_ignore_ascii_case("connection") && value.trim() == "close" {
                self.closed = true;
            }
        }
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// `hotmart webhook serve --listen LISTEN ARGS` started, its stdout piped, its stderr to `log`.
fn spawn_serve(dir: &Path, listen: &str, args: &[&str], log: std::fs::File) -> std::process::Child {
    hotmart(dir, Some(HOTTOK))
        .args(["webhook", "serve", "--listen", listen])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start hotmart webhook serve")
}

/// The line `serve --out` writes for `body`: line breaks made spaces, and a `\n`.
pub fn spooled(body: &[u8]) -> Vec<u8> {
    let mut line: Vec<u8> = body
        .iter()
        .map(|&b| if b == b'\n' { b' ' } else { b })
        .collect();
    line.push(b'\n');
    line
}

/// Makes a FIFO at `path` (with the system's `mkfifo`: no `unsafe` in the tests).
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `hotmart webhook serve --listen 127.0.0.1:0 ARGS`, which must stop before it
/// listens: its exit code and stderr. If it prints an address instead, it is killed and the
/// test fails (rather than waiting on a receiver that runs for good).
pub fn refused_start(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let stderr = dir.join(format!("refused-{}.stderr", std::process::id()));
    let log = std::fs::File::create(&stderr).unwrap();
    let mut child = spawn_serve(dir, "127.0.0.1:0", args, log);
    let mut line = String::new();
    let _ = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    if !line.is_empty() {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{args:?}: it started, on {}: {}",
            line.trim(),
            read(&stderr)
        );
    }
    let status = child.wait().unwrap();
    (status.code(), read(&stderr))
}

/// The first published sample, with `id` as its id.
pub fn event(id: &str) -> Vec<u8> {
    with_id(&samples()[0], id)
}

/// What neither the log nor an answer may show: the hottoks sent, and text of the bodies.
pub fn assert_quiet(text: &str, secrets: &[&str]) {
    let always = [HOTTOK, "Produto", "hotmart.com.br"];
    for secret in secrets.iter().chain(&always).filter(|s| !s.is_empty()) {
        assert!(!text.contains(secret), "`{secret}` shown: {text}");
    }
}
