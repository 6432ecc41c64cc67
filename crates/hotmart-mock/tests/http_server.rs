//! The server of `hotmart_mock::http` on its own: keep-alive, pipelining, the cap on
//! connections, the end of kept-alive connections when the server stops, refused settings.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use hotmart_mock::http::{self, Limits, Response, Server};

/// Every answer here comes well within this.
const BOUND: Duration = Duration::from_secs(10);

fn echo(limits: Limits) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    http::serve(listener, limits, |request| {
        let text = format!(
            "{} {} {}",
            request.method(),
            request.target(),
            String::from_utf8_lossy(request.body())
        );
        Some(Response::new(200).header("X-Echo", "yes").body(text))
    })
    .unwrap()
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream
}

/// Reads one answer framed by its `Content-Length`: the head and the body.
fn read_one(stream: &mut TcpStream) -> (String, String) {
    let mut bytes = Vec::new();
    let mut byte = [0u8];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the answer's head");
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap();
    let length: usize = head
        .split("\r\n")
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (head, String::from_utf8(body).unwrap())
}

fn assert_closed(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("the end");
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

#[test]
fn one_connection_serves_requests_in_turn() {
    let server = echo(Limits::default());
    let mut stream = connect(&server);
    stream
        .write_all(b"POST /a?x=1 HTTP/1.1\r\nHost: l\r\nContent-Length: 2\r\n\r\nhi")
        .unwrap();
    let (head, body) = read_one(&mut stream);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nX-Echo: yes\r\n"), "{head}");
    assert!(!head.contains("Connection"), "{head}");
    assert_eq!(body, "POST /a?x=1 hi");
    // Chunked this time, and the last.
    stream
        .write_all(
            b"PUT /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
              3\r\nabc\r\n0\r\n\r\n",
        )
        .unwrap();
    let (head, body) = read_one(&mut stream);
    assert!(head.contains("\r\nConnection: close\r\n"), "{head}");
    assert_eq!(body, "PUT /b abc");
    assert_closed(&mut stream);
}

/// A handler can end a kept-alive connection: the answer says so, and the requests the client
/// sent after it are never read.
#[test]
fn an_answer_that_closes_ends_a_kept_alive_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = http::serve(listener, Limits::default(), |request| {
        let answer = Response::new(401).body("no");
        Some(if request.target() == "/bye" {
            answer.close()
        } else {
            answer
        })
    })
    .unwrap();
    let mut stream = connect(&server);
    stream
        .write_all(b"GET /stay HTTP/1.1\r\nHost: l\r\n\r\nGET /bye HTTP/1.1\r\nHost: l\r\n\r\nGET /stay HTTP/1.1\r\nHost: l\r\n\r\n")
        .unwrap();
    let (head, _) = read_one(&mut stream);
    assert!(!head.contains("Connection"), "{head}");
    let (head, body) = read_one(&mut stream);
    assert!(head.contains("\r\nConnection: close\r\n"), "{head}");
    assert_eq!(body, "no");
    assert_closed(&mut stream);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = echo(Limits::default());
    let mut stream = connect(&server);
    stream
        .write_all(
            b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.0\r\n\r\nGET /4 HTTP/1.1\r\n\r\n",
        )
        .unwrap();
    for n in 1..=3 {
        assert_eq!(read_one(&mut stream).1, format!("GET /{n} "));
    }
    // HTTP/1.0 without keep-alive closes after its answer: the fourth is never read.
    assert_closed(&mut stream);
}

#[test]
fn dropping_the_server_ends_kept_alive_connections() {
    let server = echo(Limits::default());
    let mut stream = connect(&server);
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    read_one(&mut stream);
    drop(server);
    assert_closed(&mut stream);
}

#[test]
fn connections_beyond_the_cap_wait_for_a_place() {
    let mut limits = Limits::default();
    limits.max_connections = 1;
    let server = echo(limits);
    let mut first = connect(&server);
    first.write_all(b"GET /first HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_one(&mut first).1, "GET /first ");
    let mut second = connect(&server);
    second.write_all(b"GET /second HTTP/1.1\r\n\r\n").unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = second.read(&mut [0u8; 64]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    // The first one closes: the second gets its place and its answer.
    drop(first);
    second.set_read_timeout(Some(BOUND)).unwrap();
    assert_eq!(read_one(&mut second).1, "GET /second ");
}

#[test]
fn a_handler_that_answers_nothing_leaves_the_client_waiting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = http::serve(listener, Limits::default(), |_| None).unwrap();
    let mut stream = connect(&server);
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = stream.read(&mut [0u8; 64]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
}

#[test]
fn a_limit_of_zero_is_refused() {
    let (mut no_connections, mut no_wait) = (Limits::default(), Limits::default());
    no_connections.max_connections = 0;
    no_wait.idle_timeout = Duration::ZERO;
    for limits in [no_connections, no_wait] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let err = http::serve(listener, limits, |_| None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
}

#[test]
fn smaller_limits_hold() {
    let mut limits = Limits::default();
    limits.max_head = 64;
    limits.max_body = 4;
    let server = echo(limits);
    let answer = |request: &[u8]| {
        let mut stream = connect(&server);
        stream.write_all(request).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(64));
    assert!(answer(long.as_bytes()).starts_with("HTTP/1.1 431 "));
    let big = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
    assert!(answer(big).starts_with("HTTP/1.1 413 "));
    let fits = b"POST / HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd";
    assert!(answer(fits).ends_with("POST / abcd"));
}

/// Before: a sender refused by its head kept its place while the server drained what it still
/// sent (up to two seconds), so senders with no hottok reopening a few hundred connections a
/// second kept a receiver full. Now the place is given up for the drain: the next client is
/// served while the refused ones still linger.
#[test]
fn a_sender_refused_by_its_head_gives_up_its_place() {
    let mut limits = Limits::default();
    limits.max_connections = 2;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let check = |request: &http::Request| {
        (request.target() == "/refused").then(|| Response::new(401).body("no"))
    };
    let server = http::serve_checked(listener, limits, check, |_| {
        Some(Response::new(200).body("ok"))
    })
    .unwrap();
    let refused: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = connect(&server);
            let head = "POST /refused HTTP/1.1\r\nContent-Length: 1000000\r\n\r\npart";
            stream.write_all(head.as_bytes()).unwrap();
            assert!(read_one(&mut stream).0.starts_with("HTTP/1.1 401"));
            stream
        })
        .collect();
    let mut next = connect(&server);
    next.write_all(b"GET /ok HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_one(&mut next).1, "ok");
    // Served while the refused ones still linger: their places were free, not waited for.
    // (Once a connection's linger is over, the server has closed it and a write fails.)
    for mut stream in refused {
        let drained = stream.write_all(&vec![b'x'; 1 << 20]);
        assert!(drained.is_ok(), "{drained:?}");
    }
}

/// A connection draining without its place is still the server's: a stop ends it (and frees
/// what its handler holds) at once, not when its drain of up to two seconds is over.
#[test]
fn a_stop_ends_connections_that_drain_without_a_place() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    struct Flag(Arc<AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = Flag(Arc::clone(&dropped));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = http::serve(listener, Limits::default(), move |_| {
        let _ = &flag;
        Some(Response::new(200).body("ok"))
    })
    .unwrap();
    let mut stream = connect(&server);
    stream
        .write_all(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(read_one(&mut stream).1, "ok");
    let stopped = Instant::now();
    drop(server);
    // Well inside the two seconds a drain lasts when nothing ends it.
    while !dropped.load(Ordering::SeqCst) && stopped.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        dropped.load(Ordering::SeqCst),
        "the drain outlived the stop"
    );
}
