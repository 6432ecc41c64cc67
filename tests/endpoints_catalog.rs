//! The typed product, coupon, Club, event and negotiation calls against the local Hotmart, on
//! Hotmart's own paths and in its recorded shapes.

mod support;

use hotmart::api::ProductStatus;
use hotmart_mock::MockServer;

#[test]
fn products_offers_and_plans() {
    let server = MockServer::builder().products(5).start().unwrap();
    let client = support::client(&server);
    let products: Vec<_> = client
        .products()
        .list()
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(products.len(), 5);
    let drafts = client
        .products()
        .list()
        .status(ProductStatus::Draft)
        .send()
        .unwrap();
    assert_eq!(drafts.items().len(), 1);

    let ucode = products[0].ucode.clone().unwrap();
    let offers = client.products().offers(&ucode).send().unwrap();
    assert_eq!(offers.items().len(), 2);
    assert_eq!(offers.items()[0].is_main_offer, Some(true));
    let plans: Vec<_> = client
        .products()
        .plans(&ucode)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    // The mock sends `trial_period` as a string, as Hotmart does in places.
    assert_eq!(plans[1].trial_period, Some(7));
    assert_eq!(plans[1].periodicity.as_deref(), Some("ANNUAL"));
}

#[test]
fn coupons_create_list_and_delete_on_hotmarts_paths() {
    let server = MockServer::builder().products(2).start().unwrap();
    let client = support::client(&server);
    client.coupons().create(1_000_002, "SUMMER20", 0.2).unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.path, "/products/api/v1/product/1000002/coupon");
    assert_eq!(request.body, br#"{"code":"SUMMER20","discount":0.2}"#);
    let coupons: Vec<_> = client
        .coupons()
        .list(1_000_002)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(coupons.len(), 1);
    assert_eq!(coupons[0].coupon_code.as_deref(), Some("SUMMER20"));
    assert_eq!(coupons[0].discount, Some(0.2));
    let id = coupons[0].id.unwrap();
    assert_eq!(
        server.requests().pop().unwrap().path,
        "/products/api/v1/coupon/product/1000002"
    );

    client.coupons().delete(id).unwrap();
    assert_eq!(
        server.requests().pop().unwrap().path,
        format!("/products/api/v1/coupon/{id}")
    );
    assert!(
        client
            .coupons()
            .list(1_000_002)
            .send()
            .unwrap()
            .items()
            .is_empty()
    );
    assert_eq!(client.coupons().delete(id).unwrap_err().status(), Some(404));
    // A fraction Hotmart's page refuses (0.99 and up) goes, and is answered 400; what cannot
    // be a fraction at all is refused before sending.
    assert_eq!(
        client
            .coupons()
            .create(1_000_002, "BAD", 0.995)
            .unwrap_err()
            .status(),
        Some(400)
    );
    let err = client.coupons().create(1_000_002, "BAD", 1.5).unwrap_err();
    assert!(
        matches!(
            err,
            hotmart::Error::InvalidArgument {
                argument: "discount",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn club_modules_pages_students_and_lessons() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let club = client.club("mock-club");

    let modules = club.modules().send().unwrap();
    assert_eq!(modules.len(), 3);
    let extras = club.modules().is_extra(true).send().unwrap();
    assert_eq!(extras.len(), 1);
    let request = server.requests().pop().unwrap();
    assert_eq!(request.query_value("subdomain"), Some("mock-club"));
    assert_eq!(request.query_value("is_extra"), Some("true"));

    let module_id = modules[0].module_id.clone().unwrap();
    let pages = club.pages(&module_id).send().unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0].kind.as_deref(), Some("CONTENT"));

    let students: Vec<_> = club
        .students()
        .max_results(3)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(students.len(), 7);
    let when = hotmart::models::time_from_secs(students[0].last_access_date.unwrap());
    assert!(when > std::time::UNIX_EPOCH);

    let lessons = club.lessons("user-3").send().unwrap();
    assert_eq!(lessons.len(), 12);
    assert_eq!(
        lessons
            .iter()
            .filter(|l| l.is_completed == Some(true))
            .count(),
        3
    );

    // A Club with nothing in it answers 200 with an empty body: empty lists.
    let empty = client.club("no-such-club");
    assert!(empty.modules().send().unwrap().is_empty());
    assert!(empty.pages("x").send().unwrap().is_empty());
    assert!(empty.lessons("x").send().unwrap().is_empty());
    assert_eq!(empty.students().items().count(), 0);
}

#[test]
fn events_and_tickets() {
    let server = MockServer::start().unwrap();
    let client = support::client(&server);
    let event = client.events().get(3_000_001).unwrap();
    let product = event.product.as_ref().unwrap();
    assert_eq!(product.name.as_deref(), Some("Encontro Rust BH"));
    assert!(event.starts_at().is_some());
    assert!(!event.lots.unwrap_or_default().is_empty());
    assert_eq!(client.events().get(1).unwrap_err().status(), Some(404));

    let tickets: Vec<_> = client
        .events()
        .tickets(3_000_001)
        .max_results(5)
        .items()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tickets.len(), 12);
    let lot_two = client
        .events()
        .tickets(3_000_001)
        .batch_name("Lote 2")
        .send()
        .unwrap();
    assert_eq!(lot_two.items().len(), 6);
}

#[test]
fn negotiation_is_created_on_hotmarts_path() {
    let server = MockServer::builder().subscriptions(3).start().unwrap();
    let client = support::client(&server);
    let deal = client
        .negotiation()
        .create(2, &[3], "PIX")
        .discount("CUSTOM", 10.5)
        .send()
        .unwrap();
    assert_eq!(deal.subscription_id, Some(2));
    assert!(deal.payment.and_then(|p| p.pix_code).is_some());
    let request = server.requests().pop().unwrap();
    assert_eq!(request.path, "/payments/api/v1/installments/negotiate");
    assert_eq!(
        request.body,
        br#"{"subscription_id":2,"recurrences":[3],"payment_type":"PIX","discount":{"type":"CUSTOM","value":10.5}}"#
    );
    let unknown = client.negotiation().create(999_999, &[1], "PIX").send();
    assert_eq!(unknown.unwrap_err().status(), Some(404));
}
