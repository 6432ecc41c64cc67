//! The mock's API: bearer checks, rate limits, and paginated fictional data.

use std::time::{Duration, Instant};

use super::{Answer, RecordedRequest, State, lock};

/// The rate-limit window: `budget` calls per `window`, as Hotmart counts 500 a minute.
#[derive(Debug)]
pub(super) struct RateWindow {
    pub(super) budget: u32,
    pub(super) window: Duration,
    pub(super) started: Instant,
    pub(super) used: u32,
}

impl RateWindow {
    pub(super) fn new(budget: u32, window: Duration) -> Self {
        RateWindow {
            budget,
            window,
            started: Instant::now(),
            used: 0,
        }
    }

    /// Counts a call; returns whether it is within budget, and the headers to send.
    fn take(&mut self) -> (bool, Vec<(&'static str, String)>) {
        let now = Instant::now();
        if now.duration_since(self.started) >= self.window {
            self.started = now;
            self.used = 0;
        }
        let allowed = self.used < self.budget;
        if allowed {
            self.used += 1;
        }
        let remaining = self.budget - self.used;
        let left = self.window.saturating_sub(now.duration_since(self.started));
        // Whole seconds, rounded up, so a client that waits this long finds a new window.
        let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let headers = vec![
            ("RateLimit-Limit", self.budget.to_string()),
            ("RateLimit-Remaining", remaining.to_string()),
            ("RateLimit-Reset", reset.to_string()),
            ("X-RateLimit-Limit-Minute", self.budget.to_string()),
            ("X-RateLimit-Remaining-Minute", remaining.to_string()),
        ];
        (allowed, headers)
    }
}

pub(super) fn respond(state: &State, request: &RecordedRequest) -> Answer {
    if let Err(answer) = authorize(state, request) {
        return answer;
    }
    let (allowed, headers) = lock(&state.rate).take();
    let mut answer = if allowed {
        route(state, request)
    } else {
        Answer::error(429, "too_many_requests", "Rate limit exceeded")
    };
    answer.headers.extend(headers);
    answer
}

/// The bearer token must be one the mock issued, not expired and not revoked.
fn authorize(state: &State, request: &RecordedRequest) -> Result<(), Answer> {
    let Some(value) = request.header("authorization") else {
        return Err(Answer::error(
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        ));
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let now = Instant::now();
    let valid = token.is_some_and(|token| {
        lock(&state.tokens)
            .iter()
            .any(|(issued, expires_at)| issued == token && now < *expires_at)
    });
    if valid {
        Ok(())
    } else {
        Err(Answer::error(
            401,
            "invalid_token",
            "Invalid or expired access token",
        ))
    }
}

fn route(state: &State, request: &RecordedRequest) -> Answer {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/payments/api/v1/sales/history") => paginate(request, state.counts.sales, sale),
        ("GET", "/payments/api/v1/sales/summary") => sales_summary(state.counts.sales),
        ("GET", "/payments/api/v1/subscriptions") => {
            paginate(request, state.counts.subscriptions, subscription)
        }
        ("GET", "/products/api/v1/products") => paginate(request, state.counts.products, product),
        ("GET", "/user/api/v1/me") => Answer::json(
            200,
            r#"{"id":4242,"name":"Mock Producer","email":"producer@example.com","ucode":"mock-producer"}"#,
        ),
        // Hotmart answers these with no body.
        (
            "POST",
            "/payments/api/v1/subscriptions/cancel" | "/payments/api/v1/subscriptions/reactivate",
        ) => Answer::json(200, ""),
        _ => Answer::error(404, "not_found", "No such resource"),
    }
}

/// How many fictional records each endpoint serves.
#[derive(Clone, Copy, Debug)]
pub(super) struct Counts {
    pub(super) sales: usize,
    pub(super) subscriptions: usize,
    pub(super) products: usize,
}

/// `max_results` (1 to 500, default 10) and `page_token` (an opaque offset), as Hotmart's
/// cursor pagination.
fn paginate(request: &RecordedRequest, total: usize, item: fn(usize) -> String) -> Answer {
    let per_page = match request.query_value("max_results") {
        None => 10,
        Some(n) => match n.parse::<usize>() {
            Ok(n @ 1..=500) => n,
            _ => {
                return Answer::error(
                    400,
                    "invalid_parameter",
                    "max_results must be between 1 and 500",
                );
            }
        },
    };
    let start = match request.query_value("page_token") {
        None => 0,
        Some(token) => match token.strip_prefix("mock-page-").map(str::parse::<usize>) {
            Some(Ok(offset)) if offset < total => offset,
            _ => return Answer::error(400, "invalid_token", "Invalid page token"),
        },
    };
    let end = (start + per_page).min(total);
    let items: Vec<String> = (start..end).map(item).collect();
    let mut page_info = format!(r#""total_results":{total},"results_per_page":{per_page}"#);
    if end < total {
        page_info.push_str(&format!(r#","next_page_token":"mock-page-{end}""#));
    }
    if start > 0 {
        let prev = start.saturating_sub(per_page);
        page_info.push_str(&format!(r#","prev_page_token":"mock-page-{prev}""#));
    }
    Answer::json(
        200,
        format!(
            r#"{{"items":[{}],"page_info":{{{page_info}}}}}"#,
            items.join(",")
        ),
    )
}

const PRODUCTS: [(u64, &str, f64); 3] = [
    (1_000_001, "Curso de Rust para Cron Jobs", 297.0),
    (1_000_002, "E-book: Ferris e o OAuth", 47.5),
    (1_000_003, "Mentoria Blocking I/O", 997.0),
];

/// Epoch ms of 2023-11-14, the fictional shop's first day.
const DAY_ONE: i64 = 1_700_000_000_000;
const DAY: i64 = 86_400_000;

fn product_of(i: usize) -> (u64, &'static str, f64) {
    PRODUCTS[i % PRODUCTS.len()]
}

fn sale(i: usize) -> String {
    let (id, name, price) = product_of(i);
    let status = ["APPROVED", "COMPLETE"][i % 2];
    let ordered = DAY_ONE + i as i64 * DAY;
    let installments = 1 + i % 3;
    let fee = (price * 0.099 * 100.0).round() / 100.0 + 1.0;
    format!(
        r#"{{"product":{{"id":{id},"name":"{name}"}},"buyer":{{"name":"Comprador {i}","email":"comprador{i}@example.com","ucode":"buyer-{i}"}},"producer":{{"name":"Mock Producer","ucode":"mock-producer"}},"purchase":{{"transaction":"HP{n:011}","order_date":{ordered},"approved_date":{approved},"status":"{status}","recurrency_number":1,"is_subscription":false,"commission_as":"PRODUCER","price":{{"value":{price},"currency_value":"BRL"}},"payment":{{"method":"CREDIT_CARD","installments_number":{installments},"type":"CREDIT_CARD"}},"tracking":{{"source":"mock","source_sck":"cron","external_code":"ext-{i}"}},"offer":{{"code":"off{i:03}","payment_mode":"INVOICE"}},"hotmart_fee":{{"total":{fee},"fixed":1.0,"base":{price},"percentage":9.9,"currency_code":"BRL"}},"warranty_expire_date":{warranty}}}}}"#,
        n = 17_000_000_000 + i,
        approved = ordered + 60_000,
        warranty = ordered + 7 * DAY,
    )
}

fn sales_summary(sales: usize) -> Answer {
    let total: f64 = (0..sales).map(|i| product_of(i).2).sum();
    Answer::json(
        200,
        format!(
            r#"{{"items":[{{"total_items":{sales},"total_value":{{"value":{total},"currency_value":"BRL"}}}}]}}"#
        ),
    )
}

fn subscription(i: usize) -> String {
    let (id, name, price) = product_of(i);
    let status = ["ACTIVE", "ACTIVE", "DELAYED", "CANCELLED_BY_CUSTOMER"][i % 4];
    let started = DAY_ONE + i as i64 * DAY;
    format!(
        r#"{{"subscriber_code":"SUB{i:05}","subscription_id":{sid},"status":"{status}","accession_date":{started},"request_date":{started},"date_next_charge":{next},"trial":false,"transaction":"HP{n:011}","plan":{{"name":"Plano Mensal","id":{plan},"recurrency_period":30,"max_charge_cycles":12}},"product":{{"id":{id},"name":"{name}","ucode":"prod-{id}"}},"price":{{"value":{price},"currency_value":"BRL"}},"subscriber":{{"name":"Assinante {i}","email":"assinante{i}@example.com","ucode":"subscriber-{i}"}}}}"#,
        sid = 500_000 + i,
        next = started + 30 * DAY,
        n = 18_000_000_000 + i,
        plan = 700 + i % 2,
    )
}

fn product(i: usize) -> String {
    let (id, name, _) = product_of(i);
    let format = ["ONLINE_COURSE", "EBOOK", "ONLINE_SERVICE"][i % 3];
    format!(
        r#"{{"id":{id},"name":"{name}","ucode":"prod-{id}","status":"ACTIVE","created_at":{created},"format":"{format}","is_subscription":{sub},"warranty_period":7}}"#,
        created = DAY_ONE - 90 * DAY + i as i64 * DAY,
        sub = i % 3 == 2,
    )
}
