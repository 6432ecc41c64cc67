//! The command line, read with lexopt: one command, its operands, and options anywhere
//! (`--name value` or `--name=value`). No message quotes a value that is not Unicode, or the
//! value of `--redis` (a URL that may hold a password).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use hotmart::api::{ProductStatus, SubscriptionStatus, TransactionStatus};
use lexopt::Arg::{Long, Short, Value};

use crate::time;
use crate::topic::{COMMANDS, Topic};

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
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub redis: Option<RedisUrl>,
    pub verbose: bool,
}

/// A Redis URL from the command line; its `Debug` does not show it.
#[derive(PartialEq, Eq)]
pub struct RedisUrl(#[cfg_attr(not(feature = "redis"), allow(dead_code))] pub String);

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
    /// The help of one command, or the global one.
    Help(Option<Topic>),
    Version,
    Token,
    Get {
        path: String,
        query: Vec<(String, String)>,
        all: bool,
    },
    Export(Export),
    Webhook(Webhook),
    #[cfg(feature = "mock")]
    Mock {
        port: u16,
    },
}

#[derive(Debug)]
pub enum Webhook {
    Serve(Serve),
    /// CGI: the header from the environment, the body on stdin.
    Verify,
}

/// `hotmart webhook serve`.
#[derive(Debug)]
pub struct Serve {
    pub listen: SocketAddr,
    pub sink: Sink,
    /// `--dedup-dir`; else the cache directory's `webhook-ids`.
    pub dedup_dir: Option<PathBuf>,
    pub exec_timeout: Duration,
}

/// Where an accepted event goes.
#[derive(Debug)]
pub enum Sink {
    /// `--out FILE`: one NDJSON line each.
    File(PathBuf),
    /// `--exec CMD ARGS...`: the program and its arguments.
    Exec(Vec<OsString>),
}

/// Where `webhook serve` listens without `--listen`: loopback, for a reverse proxy in front.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// How long `--exec`'s command may run without `--exec-timeout`.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest `--exec-timeout`: past a day a limit is a typo rather than a wish, and far
/// enough past it the clock cannot count that far ahead.
pub const MAX_EXEC_TIMEOUT: Duration = Duration::from_secs(86_400);

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

impl Kind {
    /// The statuses Hotmart documents for this kind, as it spells them.
    pub fn statuses(self) -> Vec<&'static str> {
        match self {
            Kind::Sales => TransactionStatus::KNOWN
                .iter()
                .map(|s| s.as_str())
                .collect(),
            Kind::Subscriptions => SubscriptionStatus::KNOWN
                .iter()
                .map(|s| s.as_str())
                .collect(),
            Kind::Products => ProductStatus::KNOWN.iter().map(|s| s.as_str()).collect(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sales => "sale",
            Kind::Subscriptions => "subscription",
            Kind::Products => "product",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// No `--status`: whatever the endpoint returns by default.
    Default,
    /// `--status all`.
    All,
    /// Known statuses, as Hotmart spells them, each once.
    Only(Vec<&'static str>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

/// The options that belong to one command, as given (the last of each wins).
#[derive(Default)]
struct Local {
    /// Each option given, in order, for "does not apply" messages.
    given: Vec<&'static str>,
    all: bool,
    since: Option<String>,
    until: Option<String>,
    status: Option<String>,
    format: Option<String>,
    port: Option<String>,
    listen: Option<String>,
    out: Option<OsString>,
    exec: Option<Vec<OsString>>,
    dedup_dir: Option<OsString>,
    exec_timeout: Option<String>,
}

/// Reads the arguments (without the program name). The error is a message for stderr.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, String> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut global = Global::default();
    let mut operands: Vec<String> = Vec::new();
    let mut local = Local::default();
    while let Some(arg) = parser.next().map_err(usage)? {
        match arg {
            Short('h') | Long("help") => {
                let topic = help_topic(&operands, &mut parser);
                return Ok(Parsed {
                    global,
                    command: Command::Help(topic),
                });
            }
            Short('V') | Long("version") => {
                return Ok(Parsed {
                    global,
                    command: Command::Version,
                });
            }
            Short('v') | Long("verbose") => global.verbose = true,
            Long("sandbox") => environment(&mut global, Env::Sandbox)?,
            Long("production") => environment(&mut global, Env::Production)?,
            Long("no-cache") => global.cache = Cache::Off,
            Long("cache") => {
                let dir = value(&mut parser, "--cache")?;
                if dir.is_empty() {
                    return Err("--cache needs a directory".into());
                }
                global.cache = Cache::Dir(dir.into());
            }
            Long("redis") => {
                // Taken even without Redis support, so that the URL is never read as an operand.
                let url = value(&mut parser, "--redis")?;
                if !cfg!(feature = "redis") {
                    return Err(
                        "--redis: this hotmart was built without Redis support (feature redis)"
                            .into(),
                    );
                }
                let url = url
                    .into_string()
                    .map_err(|_| "--redis: the value is not valid Unicode".to_owned())?;
                if url.trim().is_empty() {
                    return Err("--redis needs a URL such as redis://host:6379/0".into());
                }
                global.redis = Some(RedisUrl(url));
            }
            Long("timeout") => {
                let text = text_value(&mut parser, "--timeout")?;
                let timeout = time::parse_duration(&text)
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| format!("--timeout: `{text}` is not a duration like 30s"))?;
                global.timeout = Some(timeout);
            }
            Long("all") => {
                local.given.push("--all");
                local.all = true;
            }
            Long("since") => {
                local.since = Some(local_value(&mut parser, &mut local.given, "--since")?)
            }
            Long("until") => {
                local.until = Some(local_value(&mut parser, &mut local.given, "--until")?)
            }
            Long("status") => {
                local.status = Some(local_value(&mut parser, &mut local.given, "--status")?);
            }
            Long("format") => {
                local.format = Some(local_value(&mut parser, &mut local.given, "--format")?);
            }
            Long("port") => {
                local.port = Some(local_value(&mut parser, &mut local.given, "--port")?)
            }
            Long("listen") => {
                local.listen = Some(local_value(&mut parser, &mut local.given, "--listen")?)
            }
            Long("out") => {
                local.given.push("--out");
                local.out = Some(path_value(&mut parser, "--out")?);
            }
            Long("dedup-dir") => {
                local.given.push("--dedup-dir");
                local.dedup_dir = Some(path_value(&mut parser, "--dedup-dir")?);
            }
            Long("exec-timeout") => {
                local.exec_timeout = Some(local_value(
                    &mut parser,
                    &mut local.given,
                    "--exec-timeout",
                )?);
            }
            Long("exec") => {
                // The program and everything after it are its own arguments, taken as they
                // are (options of the program's included).
                local.given.push("--exec");
                let program = path_value(&mut parser, "--exec")?;
                let mut argv = vec![program];
                if let Ok(rest) = parser.raw_args() {
                    argv.extend(rest);
                }
                local.exec = Some(argv);
            }
            Value(value) => operands.push(
                value
                    .into_string()
                    .map_err(|_| "an argument is not valid Unicode".to_owned())?,
            ),
            Long(name) => return Err(unknown(&format!("--{name}"))),
            Short(c) => return Err(unknown(&format!("-{c}"))),
        }
    }
    let command = command(operands, local)?;
    Ok(Parsed { global, command })
}

/// `hotmart export --help`, `hotmart --help export`: the first operand that names a command,
/// before the option or after it; none is the global help.
fn help_topic(operands: &[String], parser: &mut lexopt::Parser) -> Option<Topic> {
    if let Some(first) = operands.first() {
        return Topic::named(first);
    }
    let rest = parser.raw_args().ok()?;
    let first = rest
        .filter_map(|arg| arg.into_string().ok())
        .find(|arg| !arg.starts_with('-'))?;
    Topic::named(&first)
}

fn environment(global: &mut Global, env: Env) -> Result<(), String> {
    if global.environment.is_some_and(|e| e != env) {
        return Err("--sandbox and --production exclude each other".into());
    }
    global.environment = Some(env);
    Ok(())
}

fn local_value(
    parser: &mut lexopt::Parser,
    given: &mut Vec<&'static str>,
    name: &'static str,
) -> Result<String, String> {
    given.push(name);
    text_value(parser, name)
}

fn text_value(parser: &mut lexopt::Parser, name: &str) -> Result<String, String> {
    value(parser, name)?
        .into_string()
        .map_err(|_| format!("{name}: the value is not valid Unicode"))
}

/// `--name=value`, or the next argument unless it is an option (as in `--cache --no-cache`).
fn value(parser: &mut lexopt::Parser, name: &str) -> Result<OsString, String> {
    if let Some(attached) = parser.optional_value() {
        return Ok(attached);
    }
    let value = parser.value().map_err(|e| value_error(e, name))?;
    if value.as_encoded_bytes().starts_with(b"--") {
        return Err(format!(
            "{name} needs a value (`{name}=--x` for one that starts --)"
        ));
    }
    Ok(value)
}

fn path_value(parser: &mut lexopt::Parser, name: &str) -> Result<OsString, String> {
    let value = value(parser, name)?;
    if value.is_empty() {
        return Err(format!("{name} needs a value"));
    }
    Ok(value)
}

fn value_error(err: lexopt::Error, name: &str) -> String {
    match err {
        lexopt::Error::MissingValue { .. } => format!("{name} needs a value"),
        other => usage(other),
    }
}

fn unknown(option: &str) -> String {
    // A name lexopt could only read lossily was not Unicode: named as such, not quoted.
    if option.contains(char::REPLACEMENT_CHARACTER) {
        "an option is not valid Unicode".into()
    } else {
        format!("unknown option `{option}`")
    }
}

/// lexopt's errors in our words; no value is ever quoted (lexopt's own messages would).
fn usage(err: lexopt::Error) -> String {
    match err {
        lexopt::Error::MissingValue {
            option: Some(option),
        } => format!("{option} needs a value"),
        lexopt::Error::MissingValue { option: None } => "a value is missing".into(),
        lexopt::Error::UnexpectedOption(option) => unknown(&option),
        lexopt::Error::UnexpectedValue { option, .. } => format!("{option} takes no value"),
        lexopt::Error::UnexpectedArgument(_) => "unexpected argument".into(),
        lexopt::Error::NonUnicodeValue(_) => "an argument is not valid Unicode".into(),
        lexopt::Error::ParsingFailed { .. } | lexopt::Error::Custom(_) => {
            "the command line cannot be read".into()
        }
    }
}

fn command(operands: Vec<String>, mut local: Local) -> Result<Command, String> {
    let mut operands = operands.into_iter();
    let Some(name) = operands.next() else {
        return Err(format!("no command given ({COMMANDS})"));
    };
    let mut applies: &[&str] = &[];
    let command = match name.as_str() {
        "help" => {
            let topic = match operands.next() {
                None => None,
                Some(name) => Some(
                    Topic::named(&name)
                        .ok_or_else(|| format!("no command `{name}`: {COMMANDS}"))?,
                ),
            };
            Command::Help(topic)
        }
        "token" => Command::Token,
        "get" => {
            applies = &["--all"];
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
                all: local.all,
            }
        }
        "export" => {
            applies = &["--since", "--until", "--status", "--format"];
            Command::Export(export(operands.next(), &mut local)?)
        }
        "webhook" => match operands.next().as_deref() {
            Some("serve") => {
                applies = &[
                    "--listen",
                    "--out",
                    "--exec",
                    "--dedup-dir",
                    "--exec-timeout",
                ];
                Command::Webhook(Webhook::Serve(serve(&mut local)?))
            }
            Some("verify") => Command::Webhook(Webhook::Verify),
            Some(other) => return Err(format!("no `webhook {other}`: serve or verify")),
            None => return Err("webhook what? serve or verify".into()),
        },
        #[cfg(feature = "mock")]
        "mock" => {
            applies = &["--port"];
            let port = match local.port.take() {
                None => 0,
                Some(text) => text
                    .parse()
                    .map_err(|_| format!("--port: `{text}` is not a port number"))?,
            };
            Command::Mock { port }
        }
        #[cfg(not(feature = "mock"))]
        "mock" => {
            return Err(
                "mock: this hotmart was built without the local Hotmart (feature mock)".into(),
            );
        }
        other => return Err(format!("unknown command `{other}`: {COMMANDS}")),
    };
    if operands.next().is_some() {
        return Err(format!("`{name}` takes no more arguments"));
    }
    if let Some(option) = local.given.iter().find(|o| !applies.contains(o)) {
        return Err(format!("{option} does not apply to `{name}`"));
    }
    Ok(command)
}

fn serve(local: &mut Local) -> Result<Serve, String> {
    let text = local.listen.take();
    let text = text.as_deref().unwrap_or(DEFAULT_LISTEN);
    let listen = text
        .parse()
        .map_err(|_| format!("--listen: `{text}` is not an address like {DEFAULT_LISTEN}"))?;
    let sink = match (local.out.take(), local.exec.take()) {
        (Some(file), None) => Sink::File(file.into()),
        (None, Some(argv)) => Sink::Exec(argv),
        (Some(_), Some(_)) => return Err("--out and --exec exclude each other".into()),
        (None, None) => {
            return Err("webhook serve needs --out FILE or --exec CMD [ARGS...]".into());
        }
    };
    if !matches!(sink, Sink::Exec(_)) && local.exec_timeout.is_some() {
        return Err("--exec-timeout applies to --exec only".into());
    }
    let exec_timeout = match local.exec_timeout.take() {
        None => DEFAULT_EXEC_TIMEOUT,
        Some(text) => {
            let timeout = time::parse_duration(&text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| format!("--exec-timeout: `{text}` is not a duration like 30s"))?;
            if timeout > MAX_EXEC_TIMEOUT {
                return Err(format!(
                    "--exec-timeout: `{text}` is over the limit of 1d ({}s)",
                    MAX_EXEC_TIMEOUT.as_secs()
                ));
            }
            timeout
        }
    };
    Ok(Serve {
        listen,
        sink,
        dedup_dir: local.dedup_dir.take().map(PathBuf::from),
        exec_timeout,
    })
}

fn export(what: Option<String>, local: &mut Local) -> Result<Export, String> {
    let kind = match what.as_deref() {
        Some("sales") => Kind::Sales,
        Some("subscriptions") => Kind::Subscriptions,
        Some("products") => Kind::Products,
        Some(other) => {
            return Err(format!(
                "cannot export {other:?}: sales, subscriptions or products"
            ));
        }
        None => return Err("export what? sales, subscriptions or products".into()),
    };
    let now = SystemTime::now();
    let instant = |option: &str, text: Option<String>| -> Result<Option<i64>, String> {
        let Some(text) = text else { return Ok(None) };
        time::parse_instant(&text, now).map(Some).ok_or_else(|| {
            format!("{option}: {text:?} is no date (YYYY-MM-DD) or duration (24h) since 1970")
        })
    };
    let since = instant("--since", local.since.take())?;
    let until = instant("--until", local.until.take())?;
    if let (Some(since), Some(until)) = (since, until)
        && since > until
    {
        return Err("--since is after --until: the window would hold nothing".into());
    }
    if kind == Kind::Products && (since.is_some() || until.is_some()) {
        return Err("products take no --since or --until".into());
    }
    let status = match local.status.take() {
        None => Status::Default,
        Some(text) => status(&text, kind)?,
    };
    let format = match local.format.take().as_deref() {
        None | Some("ndjson") => Format::Ndjson,
        Some("csv") => Format::Csv,
        Some(other) => return Err(format!("--format: `{other}` is not ndjson or csv")),
    };
    Ok(Export {
        kind,
        since,
        until,
        status,
        format,
    })
}

/// `all`, or a list of statuses Hotmart documents for `kind`; anything else is refused with
/// the list, since Hotmart would answer an unknown status with nothing, and exit 0.
fn status(text: &str, kind: Kind) -> Result<Status, String> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(Status::All);
    }
    let known = kind.statuses();
    let mut list: Vec<&'static str> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for word in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let upper = word.to_ascii_uppercase();
        match known.iter().find(|k| **k == upper) {
            Some(k) if !list.contains(k) => list.push(k),
            Some(_) => {}
            None => unknown.push(format!("`{word}`")),
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "--status: {} is not a {} status; the {} statuses are {}, or all",
            unknown.join(", "),
            kind.name(),
            kind.name(),
            known.join(", ")
        ));
    }
    if list.is_empty() {
        return Err("--status needs a status, a list, or `all`".into());
    }
    Ok(Status::Only(list))
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
