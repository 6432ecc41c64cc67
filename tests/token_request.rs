//! The token request on the wire is exactly the documented one (or, opted in, RFC 6749's).

mod support;

use base64::Engine as _;
use hotmart::{Credentials, Environment, TokenRequestStyle};
use hotmart_mock::{CLIENT_ID, CLIENT_SECRET, MockServer};

#[test]
fn documented_request_shape() {
    let server = MockServer::builder()
        .credentials("id with spaces&=+", "s3cr/t?#%")
        .start()
        .unwrap();
    let client = support::client(&server);
    client.access_token().unwrap();

    let requests = server.token_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, Environment::TOKEN_PATH);
    assert_eq!(
        request.query,
        vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), "id with spaces&=+".to_owned()),
            ("client_secret".to_owned(), "s3cr/t?#%".to_owned()),
        ]
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("id with spaces&=+:s3cr/t?#%");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(request.body.is_empty());
}

#[test]
fn raw_query_is_percent_encoded() {
    let server = MockServer::builder()
        .credentials("a b", "c&d")
        .start()
        .unwrap();
    support::client(&server).access_token().unwrap();
    // The mock decodes; check the encoding itself through what a decoder would need.
    let request = &server.token_requests()[0];
    assert_eq!(request.query_value("client_id"), Some("a b"));
    assert_eq!(request.query_value("client_secret"), Some("c&d"));
}

#[test]
fn basic_only_style_keeps_credentials_out_of_the_url() {
    let server = MockServer::start().unwrap();
    let client = support::builder(&server)
        .token_request_style(TokenRequestStyle::BasicOnly)
        .build()
        .unwrap();
    client.access_token().unwrap();

    let request = &server.token_requests()[0];
    assert_eq!(request.method, "POST");
    assert!(request.query.is_empty(), "{:?}", request.query);
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.body, b"grant_type=client_credentials");
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
}

#[test]
fn explicit_basic_is_sent_as_given() {
    let server = MockServer::start().unwrap();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let creds = Credentials::new(CLIENT_ID, CLIENT_SECRET)
        .with_basic(format!("Basic {basic}"))
        .unwrap();
    let client = hotmart::Client::new(server.environment(), creds).unwrap();
    client.access_token().unwrap();
    let request = &server.token_requests()[0];
    assert_eq!(
        request.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
}
