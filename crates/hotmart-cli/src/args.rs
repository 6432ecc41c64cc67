//! The command line, parsed by hand: one subcommand, its operands, and `--long` options
//! anywhere (`--name value` or `--name=value`). Small enough that a parser crate would cost
//! more than it saves.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::time;

pub const HELP: &str = "\
hotmart: the Hotmart API from the shell

Usage:
  hotmart token                       print a valid access token (cached when possible)
  hotmart get PATH [NAME=VALUE ...]   GET an API path, print the JSON body
          [--all]                     follow every page, print one item per line (NDJSON)
  hotmart export sales|subscriptions|products
          [--since 24h|DATE] [--until 24h|DATE] [--status S[,S...]|all]
          [--format ndjson|csv]       every item of every page, streamed (default: ndjson)
  hotmart mock [--port N]             run the bundled local Hotmart in the foreground

Options:
  --sandbox, --production   the environment (default: HOTMART_ENV)
  --cache DIR               the token cache directory (default: $XDG_CACHE_HOME/hotmart,
                            else ~/.cache/hotmart)
  --no-cache                no persistent token cache
  --timeout DURATION        per HTTP request, e.g. 30s (default: 30s)
  --redis URL               share the token and the rate budget through Redis, e.g.
                            redis://host:6379/0 (default: HOTMART_REDIS_URL; builds with
                            the redis feature only)
  -v, --verbose             log token requests and cache use on stderr
  -h, --help                this help
  -V, --version             the version

DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z], in UTC; 24h, 7d, 30m mean that long ago.

Environment:
  HOTMART_CLIENT_ID, HOTMART_CLIENT_SECRET   the credential (required)
  HOTMART_BASIC                              optional; checked against the two above
  HOTMART_ENV                                production, sandbox, or custom (with
                                             HOTMART_AUTH_URL and HOTMART_API_URL)
  HOTMART_REDIS_URL                          as --redis; better for a URL with a
                                             password, which others can see on a
                                             command line

Exit codes:
  0  success
  1  any other failure (an unusable answer, an output error)
  2  usage: the command line is wrong
  3  configuration: a variable is missing or wrong
  4  credentials rejected by Hotmart
  5  network: no answer (DNS, connection, TLS, timeout)
  6  HTTP error: Hotmart answered with an error status
";

/// Everything the command line says.
#[derive(Debug)]
pub struct Parsed {
    pub global: Global,
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Default)]
pub struct Global {
    pub environment: Option<Env>,
    pub cache: Cache,
    pub timeout: Option<Duration>,
    /// `--redis URL`: kept out of `Debug`, since it may hold a password.
    pub redis: Option<RedisUrl>,
    pub verbose: bool,
}

/// A Redis URL from the command line; its `Debug` does not show it.
#[derive(PartialEq, Eq)]
pub struct RedisUrl(pub String);

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisUrl(..)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Env {
    Sandbox,
    Production,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub enum Cache {
    #[default]
    Default,
    Dir(PathBuf),
    Off,
}

#[derive(Debug)]
pub enum Command {
    Help,
    Version,
    Token,
    Get {
        path: String,
        query: Vec<(String, String)>,
        all: bool,
    },
    Export(Export),
    Mock {
        port: u16,
    },
}

#[derive(Debug)]
pub struct Export {
    pub kind: Kind,
    /// Epoch milliseconds.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub status: Status,
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sales,
    Subscriptions,
    Products,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// No status filter: whatever the endpoint returns by default.
    Default,
    /// Every status, one pass each.
    All,
    Only(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

/// Reads the arguments (without the program name). The error is a message for stderr.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    let mut global = Global::default();
    let mut operands = Vec::new();
    let mut options: Vec<(String, Option<String>)> = Vec::new();
    let mut args = args.into_iter();
    let mut only_operands = false;
    while let Some(arg) = args.next() {
        // Not quoted: it may be `--redis=URL` with the URL's password.
        let arg = arg
            .into_string()
            .map_err(|_| "an argument is not valid Unicode".to_owned())?;
        if only_operands || !arg.starts_with('-') || arg == "-" {
            operands.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => match args.next() {
                    None => Err(format!("{name} needs a value")),
                    Some(v) => v
                        .into_string()
                        .map_err(|_| format!("{name}: the value is not valid Unicode")),
                },
            }
        };
        let flag = |name: &str| match inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => Ok(()),
        };
        match name.as_str() {
            "--" => only_operands = true,
            "-h" | "--help" => return Ok(simple(global, Command::Help)),
            "-V" | "--version" => return Ok(simple(global, Command::Version)),
            "-v" | "--verbose" => {
                flag(&name)?;
                global.verbose = true;
            }
            "--sandbox" | "--production" => {
                flag(&name)?;
                let env = if name == "--sandbox" {
                    Env::Sandbox
                } else {
                    Env::Production
                };
                if global.environment.is_some_and(|e| e != env) {
                    return Err("--sandbox and --production exclude each other".into());
                }
                global.environment = Some(env);
            }
            "--no-cache" => {
                flag(&name)?;
                global.cache = Cache::Off;
            }
            "--cache" => {
                let dir = value(&name)?;
                if dir.is_empty() {
                    return Err("--cache needs a directory".into());
                }
                global.cache = Cache::Dir(dir.into());
            }
            "--redis" => {
                let url = value(&name)?;
                if !cfg!(feature = "redis") {
                    return Err(
                        "--redis: this hotmart was built without Redis support (feature redis)"
                            .into(),
                    );
                }
                if url.trim().is_empty() {
                    return Err("--redis needs a URL such as redis://host:6379/0".into());
                }
                global.redis = Some(RedisUrl(url));
            }
            "--timeout" => {
                let text = value(&name)?;
                let timeout = time::parse_duration(&text)
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| format!("--timeout: `{text}` is not a duration like 30s"))?;
                global.timeout = Some(timeout);
            }
            "--all" => {
                flag(&name)?;
                options.push((name, None));
            }
            "--since" | "--until" | "--status" | "--format" | "--port" => {
                let v = value(&name)?;
                options.push((name, Some(v)));
            }
            _ => return Err(format!("unknown option `{name}`")),
        }
    }
    let command = command(operands, options)?;
    Ok(Parsed { global, command })
}

fn simple(global: Global, command: Command) -> Parsed {
    Parsed { global, command }
}

fn command(
    operands: Vec<String>,
    mut options: Vec<(String, Option<String>)>,
) -> Result<Command, String> {
    let mut operands = operands.into_iter();
    let Some(name) = operands.next() else {
        return Err("no command given (token, get, export or mock)".into());
    };
    let mut take = |option: &str| -> Option<Option<String>> {
        let at = options.iter().rposition(|(n, _)| n == option)?;
        let found = options.remove(at).1;
        options.retain(|(n, _)| n != option);
        Some(found)
    };
    let command = match name.as_str() {
        "token" => Command::Token,
        "get" => {
            let path = operands
                .next()
                .ok_or("get needs an API path, e.g. /payments/api/v1/sales/history")?;
            let query = operands
                .by_ref()
                .map(|pair| match pair.split_once('=') {
                    Some((n, v)) if !n.is_empty() => Ok((n.to_owned(), v.to_owned())),
                    _ => Err(format!("`{pair}` is not NAME=VALUE")),
                })
                .collect::<Result<_, _>>()?;
            Command::Get {
                path,
                query,
                all: take("--all").is_some(),
            }
        }
        "export" => {
            let kind = match operands.next().as_deref() {
                Some("sales") => Kind::Sales,
                Some("subscriptions") => Kind::Subscriptions,
                Some("products") => Kind::Products,
                Some(other) => {
                    return Err(format!(
                        "cannot export `{other}`: sales, subscriptions or products"
                    ));
                }
                None => return Err("export what? sales, subscriptions or products".into()),
            };
            let now = SystemTime::now();
            let mut instant = |option: &str| -> Result<Option<i64>, String> {
                let Some(text) = take(option).flatten() else {
                    return Ok(None);
                };
                time::parse_instant(&text, now).map(Some).ok_or_else(|| {
                    format!("{option}: `{text}` is not a date (YYYY-MM-DD) or a duration (24h)")
                })
            };
            let (since, until) = (instant("--since")?, instant("--until")?);
            if kind == Kind::Products && (since.is_some() || until.is_some()) {
                return Err("products take no --since or --until".into());
            }
            let status = match take("--status").flatten() {
                None => Status::Default,
                Some(s) if s.eq_ignore_ascii_case("all") => Status::All,
                Some(s) => {
                    let list: Vec<String> = s
                        .split(',')
                        .map(|s| s.trim().to_ascii_uppercase())
                        .filter(|s| !s.is_empty())
                        .collect();
                    if list.is_empty() {
                        return Err("--status needs a status, a list, or `all`".into());
                    }
                    Status::Only(list)
                }
            };
            let format = match take("--format").flatten().as_deref() {
                None | Some("ndjson") => Format::Ndjson,
                Some("csv") => Format::Csv,
                Some(other) => return Err(format!("--format: `{other}` is not ndjson or csv")),
            };
            Command::Export(Export {
                kind,
                since,
                until,
                status,
                format,
            })
        }
        "mock" => {
            let port = match take("--port").flatten() {
                None => 0,
                Some(text) => text
                    .parse()
                    .map_err(|_| format!("--port: `{text}` is not a port number"))?,
            };
            Command::Mock { port }
        }
        other => return Err(format!("unknown command `{other}`")),
    };
    if let Some(extra) = operands.next() {
        return Err(format!("unexpected argument `{extra}`"));
    }
    if let Some((option, _)) = options.first() {
        return Err(format!("{option} does not apply to `{name}`"));
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
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
            assert!(parsed.unwrap_err().contains("without Redis support"));
        }
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

        let p =
            run("export sales --since=2024-01-01 --status approved,refunded --format csv").unwrap();
        let Command::Export(e) = p.command else {
            panic!()
        };
        assert_eq!(e.since, Some(1_704_067_200_000));
        assert_eq!(
            e.status,
            Status::Only(vec!["APPROVED".into(), "REFUNDED".into()])
        );
        assert_eq!(e.format, Format::Csv);

        let p = run("--timeout 5s --cache /tmp/c mock --port 8080").unwrap();
        assert_eq!(p.global.timeout, Some(Duration::from_secs(5)));
        assert_eq!(p.global.cache, Cache::Dir("/tmp/c".into()));
        assert!(matches!(p.command, Command::Mock { port: 8080 }));
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
            "export",
            "export coupons",
            "export products --since 1d",
            "export sales --format xml",
            "export sales --since tomorrow",
            "mock --port 70000",
            "token --sandbox --production",
            "token --timeout",
            "token --timeout 0",
            "token --frobnicate",
            "token --no-cache=1",
        ] {
            assert!(run(line).is_err(), "{line:?} should be refused");
        }
        assert!(matches!(
            run("token --help").unwrap().command,
            Command::Help
        ));
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
        assert!(err.contains("not valid Unicode"), "{err}");
    }
}
