//! The help texts: the global one (`hotmart --help`, `hotmart help`) and each command's
//! (`hotmart help export`, `hotmart export --help`). What a build leaves out (the `mock`
//! command, `--redis`) is not listed.

use hotmart::api::{ProductStatus, SubscriptionStatus, TransactionStatus};

use crate::csv::{PRODUCT_COLUMNS, SALE_COLUMNS, SUBSCRIPTION_COLUMNS};
use crate::topic::Topic;

/// The help text of `topic`, or the global one.
pub fn text(topic: Option<Topic>) -> String {
    match topic {
        None => global(),
        Some(Topic::Token) => TOKEN.to_owned(),
        Some(Topic::Get) => GET.to_owned(),
        Some(Topic::Export) => export(),
        Some(Topic::Webhook) => crate::webhook::help(),
        #[cfg(feature = "mock")]
        Some(Topic::Mock) => MOCK.to_owned(),
        Some(Topic::Help) => HELP.to_owned(),
    }
}

fn global() -> String {
    let mut text = String::from(
        "\
hotmart: the Hotmart API from the shell

Usage: hotmart [OPTIONS] COMMAND [ARGS]

Commands:
  hotmart token            print a valid access token (cached when possible)
  hotmart get PATH         GET an API path and print the body; --all: every item of every page
  hotmart export WHAT      every sale, subscription or product, as NDJSON or CSV
  hotmart webhook serve    receive Hotmart's webhooks: checked, deduplicated, kept
  hotmart webhook verify   check one delivery, CGI style (header in the environment)
",
    );
    if cfg!(feature = "mock") {
        text.push_str("  hotmart mock             run the local Hotmart in the foreground\n");
    }
    text.push_str(
        "  hotmart help [COMMAND]   this help, or a command's (also: hotmart COMMAND --help)

Options (any command, anywhere on the line; an option given twice: the last one counts):
  --sandbox, --production   the environment (default: HOTMART_ENV)
  --cache DIR               the token cache directory (default: $XDG_CACHE_HOME/hotmart,
                            else ~/.cache/hotmart)
  --no-cache                no persistent token cache
  --timeout DURATION        per HTTP request, e.g. 30s (default: 30s); a call and its
                            retries take at most three times as long, or 180 s
",
    );
    if cfg!(feature = "redis") {
        text.push_str(
            "  --redis URL               share the token and the rate budget through Redis, e.g.
                            redis://host:6379/0 (default: HOTMART_REDIS_URL)
",
        );
    }
    text.push_str(
        "  -v, --verbose             log token requests and cache use on stderr
  -h, --help                this help; after a command, that command's
  -V, --version             the version

Environment:
  HOTMART_CLIENT_ID, HOTMART_CLIENT_SECRET   the credential (required)
  HOTMART_BASIC                              optional; checked against the two above
  HOTMART_ENV                                production, sandbox, or custom (with
                                             HOTMART_AUTH_URL and HOTMART_API_URL)
  HOTMART_HOTTOK                             the account's hottok (hotmart webhook)
",
    );
    if cfg!(feature = "redis") {
        text.push_str(
            "  HOTMART_REDIS_URL                          as --redis; better for a URL with a
                                             password, which others can see on a
                                             command line
",
        );
    }
    text.push_str(
        "
Exit codes:
  0  success
  1  any other failure (an unusable answer, an output error)
  2  usage: the command line is wrong
  3  configuration: a variable is missing or wrong
  4  credentials rejected by Hotmart
  5  network: no answer (DNS, connection, TLS, timeout)
  6  HTTP error: Hotmart answered with an error status
  7  webhook verify: the hottok is missing, empty or wrong (answer 401)
  8  webhook verify: the body is not an event (answer 400)
  9  webhook verify: the body is over 1 MiB (answer 413)
",
    );
    text
}

const TOKEN: &str = "\
hotmart token: print a valid access token on stdout

Usage: hotmart token [OPTIONS]

The token comes from the token cache while it is valid there (no network at all), else from
Hotmart, and is then cached for the next run: cron jobs and scripts that run often make one
token request a day, not one a run. --no-cache asks Hotmart every time.

Options: the global ones (hotmart help).
";

const GET: &str = "\
hotmart get: GET an API path and print what Hotmart answers

Usage: hotmart get PATH [NAME=VALUE ...] [--all] [OPTIONS]

  PATH          the path on the API host, e.g. /payments/api/v1/sales/history
  NAME=VALUE    a query parameter (percent-encoded for you); may repeat
  --all         follow every page (page_token) and print each item of `items` on a line
                of its own, exactly as Hotmart sent it (NDJSON); a page_token=... given
                is where it starts

Without --all the body is printed as it came. Options: the global ones (hotmart help).
";

#[cfg(feature = "mock")]
const MOCK: &str = "\
hotmart mock: run the local Hotmart (the token endpoint and the API, on 127.0.0.1)

Usage: hotmart mock [--port N]

  --port N      the port to listen on (default: any free one)

Prints the `export` lines that point the other commands at it, then serves until stopped
(Ctrl-C). Its credentials and data are fictional.
";

const HELP: &str = "\
hotmart help: the help of the command, or of one command

Usage: hotmart help [COMMAND]      (the same as hotmart COMMAND --help)
";

fn export() -> String {
    let known = |list: Vec<&str>| list.join(", ");
    format!(
        "\
hotmart export: every item of an endpoint, page by page (500 a page), on stdout

Usage: hotmart export sales|subscriptions|products [--since WHEN] [--until WHEN]
                      [--status S[,S...]|all] [--format ndjson|csv] [OPTIONS]

  --since WHEN, --until WHEN   the window Hotmart filters by (start_date and end_date on
                               sales, accession_date and end_accession_date on
                               subscriptions; not for products). WHEN is 24h, 7d, 30m (that
                               long ago: a unit is needed) or YYYY-MM-DD or
                               YYYY-MM-DDTHH:MM[:SS][Z], in UTC, from 1970 on; --since
                               after --until is refused
  --status S[,S...]|all        only these statuses (any case), or every status; a status
                               Hotmart does not document is refused
  --format ndjson|csv          ndjson (default): each item exactly as Hotmart sent it, one
                               a line; csv: the columns below, dates in ISO 8601 (UTC)

Statuses and requests:
  sales          Without --status Hotmart sends only APPROVED and COMPLETE sales, and a note
                 on stderr says so. Hotmart's samples send one transaction_status per request
                 (only subscriptions' status is shown repeated), so each other status is a
                 pass of its own: --status all is 16 passes (Hotmart's default pass for
                 APPROVED and COMPLETE, then one for each other status), each at least one
                 request. Statuses: {sales}.
  subscriptions  Without --status, every status (Hotmart's default): --status all is that one
                 pass; a list is one pass per status. Statuses: {subscriptions}.
  products       --status all is one pass per status. Statuses: {products}.

CSV columns:
  sales          {sale_columns}
  subscriptions  {subscription_columns}
  products       {product_columns}

An item that does not fit its model is named on stderr and left out of a CSV (exit 1 at the
end); NDJSON needs no model and writes every item. Options: the global ones (hotmart help).

CSV cells are quoted as RFC 4180 says and otherwise written as Hotmart sent them: a name or
e-mail that buyers typed and that starts with =, +, - or @ is not neutralised, and a
spreadsheet may take it for a formula. Import such files as text, or with formulas off.
",
        sales = known(
            TransactionStatus::KNOWN
                .iter()
                .map(|s| s.as_str())
                .collect()
        ),
        subscriptions = known(
            SubscriptionStatus::KNOWN
                .iter()
                .map(|s| s.as_str())
                .collect()
        ),
        products = known(ProductStatus::KNOWN.iter().map(|s| s.as_str()).collect()),
        sale_columns = SALE_COLUMNS.join(","),
        subscription_columns = SUBSCRIPTION_COLUMNS.join(","),
        product_columns = PRODUCT_COLUMNS.join(","),
    )
}
