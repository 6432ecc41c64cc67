//! Which account the shared budget counts for: the builder's own (`ClientBuilder::token_key`),
//! whatever token store is beside it and however many accounts share the Redis.

mod support;

use std::time::Duration;

use hotmart::Client;
use hotmart::budget::{Admission, RateBudget};
use hotmart::store::FileStore;
use hotmart_mock::MockServer;
use hotmart_redis::{ClientBuilderExt, Redis};
use support::{ME, RedisServer, TempDir};

fn budget_keys(server: &RedisServer) -> Vec<String> {
    let mut c = redis::Client::open(server.url())
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(2))
        .unwrap();
    redis::cmd("KEYS")
        .arg("hotmart:v1:*:budget")
        .query(&mut c)
        .unwrap()
}

/// With a token store of its own (a file store here, never asked about the account by the
/// budget), the budget counts in Redis from the first call; before, it learned the account
/// from a Redis token store and, with none, counted in this process only.
#[test]
fn the_budget_counts_for_the_builders_account_beside_any_store() {
    let Some(redis_server) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    let redis = Redis::new(&redis_server.url()).unwrap();
    let dir = TempDir::new("accounts");
    let builder = Client::builder(server.environment(), server.credentials())
        .token_store(FileStore::new(dir.path()))
        .redis_budget(&redis);
    let account = builder.token_key().unwrap();
    let client = builder.build().unwrap();
    client.get(ME).send().unwrap();
    let keys = budget_keys(&redis_server);
    assert_eq!(keys.len(), 1, "{keys:?}");

    // The same window as a budget given that account by hand.
    let by_hand = redis.rate_budget().for_account(&account);
    let Admission::Go(ticket) = by_hand.admit() else {
        panic!("room left")
    };
    assert!(ticket.shared_ms.is_some(), "admitted by Redis");
    assert_eq!(budget_keys(&redis_server), keys);
}

#[test]
fn two_accounts_on_one_redis_count_apart() {
    let Some(redis_server) = RedisServer::start() else {
        return;
    };
    let redis = Redis::new(&redis_server.url()).unwrap();
    let (a, b) = (MockServer::start().unwrap(), MockServer::start().unwrap());
    let client = |server: &MockServer| {
        Client::builder(server.environment(), server.credentials())
            .redis(&redis)
            .build()
            .unwrap()
    };
    let (client_a, client_b) = (client(&a), client(&b));
    client_a.get(ME).send().unwrap();
    client_b.get(ME).send().unwrap();
    assert_eq!(budget_keys(&redis_server).len(), 2);
}

/// A budget given no account counts in this process only: calls go, nothing lands in Redis.
#[test]
fn a_budget_given_no_account_counts_in_this_process() {
    let Some(redis_server) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start().unwrap();
    let redis = Redis::new(&redis_server.url()).unwrap();
    let client = Client::builder(server.environment(), server.credentials())
        .token_store(redis.token_store())
        .rate_budget(redis.rate_budget())
        .build()
        .unwrap();
    client.get(ME).send().unwrap();
    assert!(budget_keys(&redis_server).is_empty());
    let Admission::Go(ticket) = redis.rate_budget().admit() else {
        panic!("room left")
    };
    assert!(ticket.shared_ms.is_none(), "the in-process budget's ticket");
    assert!(ticket.local_ms >= 1);
}
