use super::*;

fn run(line: &str) -> Result<Parsed, String> {
    parse(line.split_whitespace().map(OsString::from))
}

#[test]
fn redis_url_is_taken_and_never_shown() {
    let parsed = run("token --redis=redis://:pw-1@cache:6379/0");
    if cfg!(feature = "redis") {
        let parsed = parsed.unwrap();
        let url = parsed.global.redis.as_ref().unwrap();
        assert_eq!(url.0, "redis://:pw-1@cache:6379/0");
        assert!(!format!("{parsed:?}").contains("pw-1"));
        assert!(run("token --redis").is_err());
        assert!(run("token --redis=").is_err());
    } else {
        let err = parsed.unwrap_err();
        assert!(err.contains("without Redis support"), "{err}");
        assert!(!err.contains("pw-1"), "{err}");
    }
    // An unknown option's value is not echoed either.
    let err = run("token --frobnicate=redis://:pw-2@h/0").unwrap_err();
    assert!(
        err.contains("--frobnicate") && !err.contains("pw-2"),
        "{err}"
    );
    let err = run("token --no-cache=pw-3").unwrap_err();
    assert!(
        err.contains("takes no value") && !err.contains("pw-3"),
        "{err}"
    );
}

#[test]
fn commands_and_options_anywhere() {
    let p = run("--no-cache get /x a=1 b= --all --sandbox").unwrap();
    assert_eq!(p.global.cache, Cache::Off);
    assert_eq!(p.global.environment, Some(Env::Sandbox));
    let Command::Get { path, query, all } = p.command else {
        panic!()
    };
    assert_eq!(path, "/x");
    assert_eq!(
        query,
        [("a".into(), "1".into()), ("b".into(), String::new())]
    );
    assert!(all);

    let p = run("export sales --since=2024-01-01 --status approved,refunded --format csv").unwrap();
    let Command::Export(e) = p.command else {
        panic!()
    };
    assert_eq!(e.since, Some(1_704_067_200_000));
    assert_eq!(e.status, Status::Only(vec!["APPROVED", "REFUNDED"]));
    assert_eq!(e.format, Format::Csv);

    let p = run("--timeout 5s --cache /tmp/c -v token").unwrap();
    assert_eq!(p.global.timeout, Some(Duration::from_secs(5)));
    assert_eq!(p.global.cache, Cache::Dir("/tmp/c".into()));
    assert!(p.global.verbose);

    // After `--`, everything is an operand.
    let p = run("get -- /x --all=1").unwrap();
    let Command::Get { query, all, .. } = p.command else {
        panic!()
    };
    assert_eq!(query, [("--all".into(), "1".into())]);
    assert!(!all);
}

#[cfg(feature = "mock")]
#[test]
fn mock_takes_a_port() {
    assert!(matches!(
        run("mock --port 8080").unwrap().command,
        Command::Mock { port: 8080 }
    ));
    assert!(run("mock --port 70000").is_err());
}

#[cfg(not(feature = "mock"))]
#[test]
fn mock_is_not_a_command_without_the_feature() {
    let err = run("mock").unwrap_err();
    assert!(err.contains("feature mock"), "{err}");
    assert!(run("token --port 1").is_err());
    assert_eq!(COMMANDS, "token, get, export, webhook or help");
}

#[test]
fn usage_errors() {
    for line in [
        "",
        "nope",
        "token extra",
        "token --all",
        "get",
        "get /x notapair",
        "get /x --status all",
        "export",
        "export coupons",
        "export products --since 1d",
        "export sales --format xml",
        "export sales --since tomorrow",
        "export sales --since 2024",
        "export sales --since 2024-02-01 --until 2024-01-01",
        "export sales --status BOGUS",
        "export sales --status approved,bogus",
        "export subscriptions --status APPROVED",
        "export sales --status ,",
        "token --sandbox --production",
        "token --timeout",
        "token --timeout 0",
        "token --frobnicate",
        "token -x",
        "token --no-cache=1",
        "help nope",
        "help token extra",
    ] {
        assert!(run(line).is_err(), "{line:?} should be refused");
    }
}

#[test]
fn an_unknown_status_lists_the_known_ones() {
    let err = run("export sales --status approved,BOGUS").unwrap_err();
    assert!(err.contains("`BOGUS` is not a sale status"), "{err}");
    for known in TransactionStatus::KNOWN {
        assert!(err.contains(known.as_str()), "{err}");
    }
    let p = run("export sales --status ALL").unwrap();
    let Command::Export(e) = p.command else {
        panic!()
    };
    assert_eq!(e.status, Status::All);
    let p = run("export products --status draft,DRAFT").unwrap();
    let Command::Export(e) = p.command else {
        panic!()
    };
    assert_eq!(e.status, Status::Only(vec!["DRAFT"]));
}

#[test]
fn help_names_its_command() {
    let topic = |line: &str| match run(line).unwrap().command {
        Command::Help(topic) => topic,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(topic("--help"), None);
    assert_eq!(topic("help"), None);
    assert_eq!(topic("token --help"), Some(Topic::Token));
    assert_eq!(topic("export sales --status BOGUS -h"), Some(Topic::Export));
    assert_eq!(topic("--help export"), Some(Topic::Export));
    assert_eq!(topic("-v -h get /x"), Some(Topic::Get));
    assert_eq!(topic("help export"), Some(Topic::Export));
    assert_eq!(topic("help help"), Some(Topic::Help));
    assert_eq!(topic("--help nope"), None);
    assert!(matches!(run("-V").unwrap().command, Command::Version));
}

#[cfg(unix)]
#[test]
fn a_value_that_is_not_unicode_is_named_as_such() {
    use std::os::unix::ffi::OsStringExt;
    let args = [
        OsString::from("export"),
        OsString::from("sales"),
        OsString::from("--since"),
        OsString::from_vec(vec![0xff, b'1', b'd']),
    ];
    let err = parse(args).unwrap_err();
    assert!(err.contains("not valid Unicode"), "{err}");
    assert!(!err.contains("needs a value"), "{err}");
    // The value is not quoted: it may be a Redis URL with its password.
    let args = [
        OsString::from("--redis"),
        OsString::from_vec(b"redis://:s3cret\xff@h/0".to_vec()),
        OsString::from("token"),
    ];
    let err = parse(args).unwrap_err();
    assert!(!err.contains("s3cret"), "{err}");
    let args = [
        OsString::from_vec(b"--redis=redis://:s3cret\xff@h/0".to_vec()),
        OsString::from("token"),
    ];
    let err = parse(args).unwrap_err();
    assert!(!err.contains("s3cret"), "{err}");
    if cfg!(feature = "redis") {
        assert!(err.contains("not valid Unicode"), "{err}");
    }
    // An operand, and an option's name.
    let err = parse([OsString::from_vec(b"s3cret\xff".to_vec())]).unwrap_err();
    assert!(
        err.contains("not valid Unicode") && !err.contains("s3cret"),
        "{err}"
    );
    let err = parse([OsString::from_vec(b"--s3cret\xff=x".to_vec())]).unwrap_err();
    assert!(
        err.contains("not valid Unicode") && !err.contains("s3cret"),
        "{err}"
    );
}

#[test]
fn webhook_serve_and_verify() {
    let Command::Webhook(Webhook::Serve(serve)) =
        run("webhook serve --out ev.ndjson --dedup-dir ids")
            .unwrap()
            .command
    else {
        panic!("not serve")
    };
    assert_eq!(serve.listen.to_string(), super::DEFAULT_LISTEN);
    assert!(matches!(serve.sink, Sink::File(ref f) if f.as_os_str() == "ev.ndjson"));
    assert_eq!(
        serve.dedup_dir.as_deref(),
        Some(std::path::Path::new("ids"))
    );
    // Everything after --exec CMD is the command's, its options included.
    let Command::Webhook(Webhook::Serve(serve)) =
        run("webhook serve --listen 127.0.0.1:0 --exec-timeout 5s --exec ./on-sale --help -x")
            .unwrap()
            .command
    else {
        panic!("not serve")
    };
    assert_eq!(serve.exec_timeout, Duration::from_secs(5));
    let Sink::Exec(argv) = serve.sink else {
        panic!("not exec")
    };
    assert_eq!(argv, ["./on-sale", "--help", "-x"]);
    assert!(matches!(
        run("webhook verify").unwrap().command,
        Command::Webhook(Webhook::Verify)
    ));
    for line in [
        "webhook",
        "webhook nope",
        "webhook serve",
        "webhook serve --out a --exec b",
        "webhook serve --out a --exec-timeout 5s",
        "webhook serve --out a --listen 8080",
        "webhook serve --out a --exec-timeout 0s",
        "webhook serve --exec-timeout 25h --exec b",
        "webhook serve --exec-timeout 18446744073709551615s --exec b",
        "webhook verify --out a",
        "webhook serve --out a extra",
        "token --listen 127.0.0.1:1",
    ] {
        assert!(run(line).is_err(), "{line}");
    }
}

/// Before: `--cache --no-cache token` cached the token in a directory named `--no-cache`,
/// and said nothing. An option where a value is needed is refused; `--name=--x` is a value.
#[test]
fn an_option_is_not_taken_as_the_value_before_it() {
    for line in [
        "--cache --no-cache token",
        "export sales --since --until 2024-01-01",
        "export sales --format --status",
    ] {
        let err = run(line).unwrap_err();
        assert!(err.contains("needs a value"), "{line}: {err}");
    }
    let parsed = run("--cache=--odd token").unwrap();
    assert_eq!(parsed.global.cache, Cache::Dir("--odd".into()));
}

/// Before: a value with a newline went into the message as it was, a line of its own.
#[test]
fn a_refused_date_is_shown_escaped() {
    let line = ["export", "sales", "--since", "7d\nhotmart: fake line"];
    let err = parse(line.into_iter().map(OsString::from)).unwrap_err();
    assert!(err.contains(r#""7d\nhotmart: fake line""#), "{err}");
    assert!(!err.contains('\n'), "{err}");
}
