//! What a new user meets first: each command's own help, statuses that are refused or named
//! instead of silently defaulted, `--status all` at the fewest requests, and exports that keep
//! every byte Hotmart sent.

mod support;

use hotmart::api::TransactionStatus;
use hotmart_mock::{Endpoint, Fault, MockServer};

use support::{TempDir, code, run, stderr, stdout};

const SALES: &str = "/payments/api/v1/sales/history";

#[test]
fn each_command_has_its_own_help() {
    let home = TempDir::new("help");
    let server = MockServer::start().unwrap();
    let h = home.path();

    let global = stdout(&run(&server, h, &["help"]));
    assert_eq!(global, stdout(&run(&server, h, &["--help"])));
    for needle in [
        "hotmart token",
        "hotmart export",
        "hotmart help [COMMAND]",
        "Exit codes",
    ] {
        assert!(global.contains(needle), "{needle}: {global}");
    }
    // What this build does not have is not offered.
    assert_eq!(
        global.contains("--redis"),
        cfg!(feature = "redis"),
        "{global}"
    );
    assert_eq!(
        global.contains("HOTMART_REDIS_URL"),
        cfg!(feature = "redis")
    );
    assert_eq!(
        global.contains("hotmart mock"),
        cfg!(feature = "mock"),
        "{global}"
    );

    let export = run(&server, h, &["help", "export"]);
    assert_eq!(code(&export), 0);
    let export = stdout(&export);
    assert!(export.starts_with("hotmart export:"), "{export}");
    for needle in [
        "--status S[,S...]|all",
        "UNDER_ANALISYS",
        "CANCELLED_BY_ADMIN",
        "16 passes",
    ] {
        assert!(export.contains(needle), "{needle}: {export}");
    }
    assert!(
        !export.contains("Exit codes"),
        "the export help is not the global one"
    );
    for line in [
        &["export", "--help"][..],
        &["export", "sales", "-h"],
        &["--help", "export"],
        &["export", "sales", "--status", "BOGUS", "--help"],
    ] {
        assert_eq!(stdout(&run(&server, h, line)), export, "{line:?}");
    }

    for (line, start) in [
        (&["token", "--help"][..], "hotmart token:"),
        (&["help", "get"], "hotmart get:"),
        (&["get", "/x", "--help"], "hotmart get:"),
        (&["help", "help"], "hotmart help:"),
        (&["help", "webhook"], "hotmart webhook:"),
        (&["webhook", "verify", "--help"], "hotmart webhook:"),
    ] {
        let out = run(&server, h, line);
        assert_eq!(code(&out), 0, "{line:?}");
        assert!(
            stdout(&out).starts_with(start),
            "{line:?}: {}",
            stdout(&out)
        );
    }
    let mock = run(&server, h, &["help", "mock"]);
    if cfg!(feature = "mock") {
        assert!(stdout(&mock).starts_with("hotmart mock:"));
    } else {
        assert_eq!(code(&mock), 2);
        assert!(
            stderr(&mock).contains("token, get, export, webhook or help"),
            "{}",
            stderr(&mock)
        );
    }

    let nope = run(&server, h, &["help", "nope"]);
    assert_eq!(code(&nope), 2);
    assert!(stdout(&nope).is_empty());
    assert_eq!(server.requests().len(), 0, "help asks nothing of Hotmart");
}

#[test]
fn an_unknown_status_is_refused_with_the_known_ones() {
    let home = TempDir::new("bogus");
    let server = MockServer::start().unwrap();
    let out = run(
        &server,
        home.path(),
        &["export", "sales", "--status", "BOGUS"],
    );
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(err.contains("`BOGUS` is not a sale status"), "{err}");
    for known in TransactionStatus::KNOWN {
        assert!(err.contains(known.as_str()), "{known}: {err}");
    }
    let out = run(
        &server,
        home.path(),
        &["export", "subscriptions", "--status", "active,REFUNDED"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("CANCELLED_BY_SELLER"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.requests().len(), 0);
}

#[test]
fn the_default_statuses_are_named_and_all_costs_one_pass_less() {
    let home = TempDir::new("statuses");
    let server = MockServer::builder().sales(40).start().unwrap();
    let h = home.path();

    let default = run(&server, h, &["export", "sales"]);
    assert_eq!(code(&default), 0, "{}", stderr(&default));
    let note = stderr(&default);
    assert!(note.contains("APPROVED and COMPLETE"), "{note}");
    assert!(note.contains("--status all"), "{note}");
    let asked = run(&server, h, &["export", "sales", "--status", "refunded"]);
    assert!(stderr(&asked).is_empty(), "{}", stderr(&asked));

    server.clear_requests();
    let all = run(&server, h, &["export", "sales", "--status", "all"]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    assert!(stderr(&all).is_empty(), "{}", stderr(&all));
    let passes: Vec<Option<String>> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == SALES)
        .map(|r| r.query_value("transaction_status").map(str::to_owned))
        .collect();
    // Hotmart's default pass brings APPROVED and COMPLETE; then one pass per other status.
    assert_eq!(
        passes.len(),
        TransactionStatus::KNOWN.len() - 1,
        "{passes:?}"
    );
    assert_eq!(passes[0], None);
    for status in TransactionStatus::KNOWN {
        let s = status.as_str();
        let expected = usize::from(s != "APPROVED" && s != "COMPLETE");
        let sent = passes.iter().filter(|p| p.as_deref() == Some(s)).count();
        assert_eq!(sent, expected, "{s}");
    }
    // Every sale once: as many lines as the typed calls find, status by status.
    let client = support::client(&server);
    let mut every = 0;
    for status in TransactionStatus::KNOWN {
        every += client
            .sales()
            .history()
            .transaction_status(status.clone())
            .items()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .len();
    }
    assert_eq!(stdout(&all).lines().count(), every);
    assert!(every > stdout(&default).lines().count());
}

/// Items as Hotmart might send them: members no model names, numbers as written, escapes, a
/// line break between tokens, and one item that fits no model.
const PAGE: &str = concat!(
    r#"{"items":[{"purchase":{"transaction":"HP1","hotmart_fee":{"total":1.50,"fixed":0,"#,
    r#""base":1E2},"tracking":{"source_sck":"x\u00e9\"y","sck":"a/b\/c"}},"#,
    r#""brand_new":[{"z":null},-0.0,true]},"#,
    "\n  ",
    r#"{"purchase":{"price":{"value":{}}},"extra":"é"},"#,
    r#"{"purchase" :"#,
    "\n",
    r#"{"transaction":"HP3"}}],"page_info":{"results_per_page":3}}"#,
);

const EXPECTED: &str = concat!(
    r#"{"purchase":{"transaction":"HP1","hotmart_fee":{"total":1.50,"fixed":0,"#,
    r#""base":1E2},"tracking":{"source_sck":"x\u00e9\"y","sck":"a/b\/c"}},"#,
    r#""brand_new":[{"z":null},-0.0,true]}"#,
    "\n",
    r#"{"purchase":{"price":{"value":{}}},"extra":"é"}"#,
    "\n",
    r#"{"purchase" : {"transaction":"HP3"}}"#,
    "\n",
);

fn answer_next_with(server: &MockServer, body: &str) {
    answer_next_n_with(server, 1, body);
}

fn answer_next_n_with(server: &MockServer, count: usize, body: &str) {
    server.fail_next(
        Endpoint::Api,
        count,
        Fault::Response {
            status: 200,
            content_type: "application/json".into(),
            body: body.as_bytes().to_vec(),
        },
    );
}

#[test]
fn ndjson_export_writes_each_item_exactly_as_it_came() {
    let home = TempDir::new("raw-export");
    let server = MockServer::start().unwrap();
    answer_next_with(&server, PAGE);
    let out = run(
        &server,
        home.path(),
        &["export", "sales", "--status", "approved"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), EXPECTED);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn get_all_writes_each_item_exactly_as_it_came() {
    let home = TempDir::new("raw-get");
    let server = MockServer::start().unwrap();
    answer_next_with(&server, PAGE);
    let out = run(&server, home.path(), &["get", SALES, "--all"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), EXPECTED);

    // A page token given is where the pages start.
    let first_page = support::client(&server)
        .sales()
        .history()
        .max_results(5)
        .send()
        .unwrap();
    let token = first_page.page_info().next_page_token.clone().unwrap();
    let token_arg = format!("page_token={token}");
    server.clear_requests();
    let out = run(
        &server,
        home.path(),
        &["get", SALES, "max_results=5", &token_arg, "--all"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let first = server
        .requests()
        .into_iter()
        .filter(|r| r.path == SALES)
        .find(|r| r.query_value("max_results") == Some("5"))
        .unwrap();
    assert_eq!(first.query_value("page_token"), Some(token.as_str()));
    assert_eq!(
        first
            .query
            .iter()
            .filter(|(n, _)| n == "page_token")
            .count(),
        1
    );
}

#[test]
fn a_page_that_is_not_json_fails_the_export() {
    let home = TempDir::new("raw-bad");
    let server = MockServer::start().unwrap();
    for body in [
        r#"{"items":[{"a":1},{"b":]}"#,
        r#"{"page_info":{}}"#,
        r#"{"items":[1],"page_info":{"next_page_token":"t"}}"#,
    ] {
        // The page with a next token comes twice: the same token again is a loop, refused.
        let times = if body.contains("next_page_token") {
            2
        } else {
            1
        };
        answer_next_n_with(&server, times, body);
        let out = run(
            &server,
            home.path(),
            &["export", "sales", "--status", "approved"],
        );
        assert_eq!(code(&out), 1, "{body}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("unusable answer"),
            "{body}: {}",
            stderr(&out)
        );
    }
}
