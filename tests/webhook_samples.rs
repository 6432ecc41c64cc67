//! Every published webhook sample (tests/fixtures/webhooks/, sources in the "Webhooks"
//! section of SOURCES.md) decodes to its kind with the id, transaction, buyer e-mail,
//! product id, price (with currency) and subscriber code the sample holds.
#![cfg(feature = "json")]

use std::fs;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use hotmart::webhook::{Data, Event, EventKind};

struct Sample {
    file: &'static str,
    kind: &'static str,
    id: &'static str,
    transaction: Option<&'static str>,
    email: Option<&'static str>,
    product_id: Option<u64>,
    price: Option<(f64, Option<&'static str>)>,
    subscriber: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)]
const fn s(
    file: &'static str,
    kind: &'static str,
    id: &'static str,
    transaction: Option<&'static str>,
    email: Option<&'static str>,
    product_id: Option<u64>,
    price: Option<(f64, Option<&'static str>)>,
    subscriber: Option<&'static str>,
) -> Sample {
    Sample {
        file,
        kind,
        id,
        transaction,
        email,
        product_id,
        price,
        subscriber,
    }
}

#[rustfmt::skip]
const SAMPLES: &[Sample] = &[
    s("CLUB_FIRST_ACCESS-1.json", "CLUB_FIRST_ACCESS", "7fe795fa-285c-430f-9a91-afce10a9216f", None, Some("teste@hotmart.com.br"), Some(0), None, None),
    s("CLUB_FIRST_ACCESS-2.json", "CLUB_FIRST_ACCESS", "27b52d28-acf4-448a-bc5f-4ab4bc8dcb35", None, Some("buyer@email.com"), Some(3526906), None, None),
    s("CLUB_FIRST_ACCESS-3.json", "CLUB_FIRST_ACCESS", "c8965222-c4c7-437f-85d4-86897eb9c5a5", None, Some("user_60aa8592@example.com"), Some(4062912), None, None),
    s("CLUB_MODULE_COMPLETED-1.json", "CLUB_MODULE_COMPLETED", "082eb61b-20b4-4627-9f84-de030e548080", None, Some("teste@hotmart.com.br"), Some(0), None, None),
    s("CLUB_MODULE_COMPLETED-2.json", "CLUB_MODULE_COMPLETED", "27b52d28-acf4-448a-bc5f-4ab4bc8dcb35", None, Some("user@email.com"), Some(3526906), None, None),
    s("CLUB_MODULE_COMPLETED-3.json", "CLUB_MODULE_COMPLETED", "c8401b26-7f51-4a97-9cda-423727663409", None, Some("user_7771f57c@example.com"), Some(4062912), None, None),
    s("ORDER_FULFILLMENT-1.json", "ORDER_FULFILLMENT", "27b52d28-acf4-448a-bc5f-4ab4bc8dcb35", Some("HP17163000001234"), Some("joao@email.com"), Some(9876543), Some((89.9, Some("BRL"))), None),
    s("PURCHASE_APPROVED-1.json", "PURCHASE_APPROVED", "1f1ab22e-ae66-4f58-a76c-8f0e4d0db59b", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_APPROVED-2.json", "PURCHASE_APPROVED", "545e7d21-8fc4-4906-8fba-dcd7889f6481", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_APPROVED-3.json", "PURCHASE_APPROVED", "d49b2661-a446-4b2a-aa9d-c3b2f1d8ee11", Some("HP1121336654889"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, None)), Some("I9OT62C3")),
    s("PURCHASE_APPROVED-4.json", "PURCHASE_APPROVED", "d36845df-e102-4220-97b8-486f7cbc7243", Some("HP1121336654889"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, None)), Some("I9OT62C3")),
    s("PURCHASE_APPROVED-5.json", "PURCHASE_APPROVED", "1234567890123456789", Some("HP02316330308193"), Some("buyer@email.com"), Some(213344), Some((150.6, Some("BRL"))), Some("12133421")),
    s("PURCHASE_APPROVED-6.json", "PURCHASE_APPROVED", "a51689a6-8e24-4b9a-b8b6-9214cb0ec15e", Some("HP0967750879"), Some("user_78903a16@example.com"), Some(1355458), Some((1497.0, Some("BRL"))), None),
    s("PURCHASE_APPROVED-7.json", "PURCHASE_APPROVED", "00907e72-2694-4d21-ae59-bee19e74f030", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_BILLET_PRINTED-1.json", "PURCHASE_BILLET_PRINTED", "2524bdf3-aacd-40c1-9651-dad16070bdcc", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_BILLET_PRINTED-2.json", "PURCHASE_BILLET_PRINTED", "41122f63-6ad9-4e1e-a832-8b63c57f2912", Some("HP06915537991395"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, None)), None),
    s("PURCHASE_BILLET_PRINTED-3.json", "PURCHASE_BILLET_PRINTED", "cac52680-dc5b-4af6-8226-89a38b180c8e", Some("HP1319790068"), Some("user_ce4e053d@example.com"), Some(1355458), Some((124.75, Some("BRL"))), None),
    s("PURCHASE_CANCELED-1.json", "PURCHASE_CANCELED", "ea409c21-53f7-4478-a870-89a03d6df8d5", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_CANCELED-2.json", "PURCHASE_CANCELED", "6583a52a-d82d-422a-b48a-f5812d830980", Some("HP3313410036"), Some("user_0d277c4e@example.com"), Some(1355458), Some((1497.0, Some("BRL"))), None),
    s("PURCHASE_CHARGEBACK-1.json", "PURCHASE_CHARGEBACK", "8b2839d3-8d3c-4dee-ad79-a487d7814d6d", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_CHARGEBACK-2.json", "PURCHASE_CHARGEBACK", "483d5fd0-b0c1-4f96-ad66-6ffb65d3ca9c", Some("HP3654648971"), Some("user_050b5655@example.com"), Some(1355458), Some((1997.0, Some("BRL"))), None),
    s("PURCHASE_COMPLETE-1.json", "PURCHASE_COMPLETE", "d1e959b9-0ef3-4cfd-9928-71c3dcb95c5c", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_COMPLETE-2.json", "PURCHASE_COMPLETE", "cb2a2638-992c-40fb-8be2-3e8dfee52f8c", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, None)), None),
    s("PURCHASE_COMPLETE-3.json", "PURCHASE_COMPLETE", "e5315b29-b88f-4531-9046-49279c4fd9e4", Some("HP0111784220"), Some("user_e9a636df@example.com"), Some(4713431), Some((158.49, Some("BRL"))), None),
    s("PURCHASE_DELAYED-1.json", "PURCHASE_DELAYED", "5f481359-5778-440e-908a-089aaf663d49", Some("HP3412012500"), Some("user_a44ee988@example.com"), Some(1355458), Some((997.0, Some("BRL"))), None),
    s("PURCHASE_EXPIRED-1.json", "PURCHASE_EXPIRED", "1d85822f-fa41-4c58-8c09-0ac945198972", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_EXPIRED-2.json", "PURCHASE_EXPIRED", "b5b0735b-dd6d-4ebd-bbeb-88719825df93", Some("HP09915534436216"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, None)), None),
    s("PURCHASE_OUT_OF_SHOPPING_CART-1.json", "PURCHASE_OUT_OF_SHOPPING_CART", "0d7aa966-b887-4617-8c56-9e865bfc8ce4", None, Some("buyer@email.com.br"), Some(3526906), None, None),
    s("PURCHASE_OUT_OF_SHOPPING_CART-2.json", "PURCHASE_OUT_OF_SHOPPING_CART", "97e982a0-544b-49de-82c3-5524806a17f0", None, Some("user_d2a89c0a@example.com"), Some(1355458), None, None),
    s("PURCHASE_OUT_OF_SHOPPING_CART-3.json", "PURCHASE_OUT_OF_SHOPPING_CART", "b2ac014c-06e7-4047-af8e-99715ef5976f", None, Some("teste@hotmart.com.br"), Some(123456), None, None),
    s("PURCHASE_PROTEST-1.json", "PURCHASE_PROTEST", "18e79aba-ca64-42d6-911e-50ff07c57e23", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_PROTEST-2.json", "PURCHASE_PROTEST", "6e401e42-f0d8-4416-a082-e95b3e35c2e3", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_PROTEST-3.json", "PURCHASE_PROTEST", "84b9f4cb-9e81-4a93-82a5-4a12096ef1fd", Some("HP3104492504"), Some("user_c7744f04@example.com"), Some(1355458), Some((1997.0, Some("BRL"))), None),
    s("PURCHASE_REFUNDED-1.json", "PURCHASE_REFUNDED", "d7321ad2-82e4-43e3-a9a8-d2fc05b6a02e", Some("HP16015479281022"), Some("testeComprador271101postman15@example.com"), Some(0), Some((1500.0, Some("BRL"))), Some("I9OT62C3")),
    s("PURCHASE_REFUNDED-2.json", "PURCHASE_REFUNDED", "7073a316-5973-4646-a124-82e64f2ba423", Some("HP1212266242"), Some("user_4cca18ca@example.com"), Some(1355458), Some((997.0, Some("BRL"))), None),
    s("SUBSCRIPTION_CANCELLATION-1.json", "SUBSCRIPTION_CANCELLATION", "a75428a4-7d61-4405-b86b-ecc5a84f9792", None, Some("test@hotmart.com"), Some(788921), None, Some("0000aaaa")),
    s("SUBSCRIPTION_CANCELLATION-2.json", "SUBSCRIPTION_CANCELLATION", "0d7aa966-b887-4617-8c56-9e865bfc8ce4", None, Some("subscriber@email.com"), Some(3526906), None, Some("QO4THU04")),
    s("SUBSCRIPTION_CANCELLATION-3.json", "SUBSCRIPTION_CANCELLATION", "c530d9dd-ab3f-4f60-bece-cb1e9fb4b23c", None, Some("user_440e059d@example.com"), Some(1355458), None, Some("KOBB7XB2")),
    s("SWITCH_PLAN-1.json", "SWITCH_PLAN", "be776db7-77c1-4b3f-a14f-79d59a38f4c6", None, Some("teste@hotmart.com.br"), Some(0), None, Some("9W2LNSG4")),
    s("SWITCH_PLAN-2.json", "SWITCH_PLAN", "93069d0e-f35b-443e-9146-75b552321a7e", None, Some("email@hotmart.com"), Some(4116023), None, Some("AT3IV3RX")),
    s("UPDATE_SUBSCRIPTION_CHARGE_DATE-1.json", "UPDATE_SUBSCRIPTION_CHARGE_DATE", "e3e23f82-04a3-4a53-a633-4cf8ab029e07", None, Some("test@hotmart.com"), Some(0), None, Some("00000000")),
    s("UPDATE_SUBSCRIPTION_CHARGE_DATE-2.json", "UPDATE_SUBSCRIPTION_CHARGE_DATE", "bc91fa06-0bd3-4cf5-853a-1fbf4716a10b", None, Some("bruno.souza+br@hotmart.com"), Some(4756866), None, Some("QG5LHFHP")),
    s("UPDATE_SUBSCRIPTION_CHARGE_DATE-3.json", "UPDATE_SUBSCRIPTION_CHARGE_DATE", "8cec3227-23df-4b40-914e-a4438cbb04ce", None, Some("user_832cb1e7@example.br"), None, None, Some("KGB81NYZ")),

];

fn load(file: &str) -> Event {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhooks")
        .join(file);
    let body = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let event = Event::parse(&body).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        event.raw(),
        &body[..],
        "{file}: raw is the body as received"
    );
    event
}

fn check_kind(kind: &str) {
    let samples: Vec<_> = SAMPLES.iter().filter(|s| s.kind == kind).collect();
    assert!(!samples.is_empty(), "no published sample of {kind}");
    for sample in samples {
        let file = sample.file;
        let event = load(file);
        assert_eq!(event.kind().as_str(), kind, "{file}");
        assert!(
            !matches!(event.kind(), EventKind::Other(_)),
            "{file}: a documented kind"
        );
        assert!(!matches!(event.data(), Data::Other), "{file}: typed data");
        assert_eq!(event.id(), sample.id, "{file}");
        assert_eq!(event.version(), Some("2.0.0"), "{file}");
        assert!(
            event.created_at().is_some_and(|t| t > UNIX_EPOCH),
            "{file}: created_at"
        );
        assert_eq!(event.transaction(), sample.transaction, "{file}");
        assert_eq!(event.buyer_email(), sample.email, "{file}");
        assert_eq!(event.product_id(), sample.product_id, "{file}");
        assert_eq!(event.subscriber_code(), sample.subscriber, "{file}");
        let price = event.price();
        let price = price
            .as_ref()
            .map(|p| (p.value.unwrap(), p.currency_code.as_deref()));
        assert_eq!(price, sample.price, "{file}");
    }
}

macro_rules! per_kind {
    ($($test:ident: $kind:literal,)*) => {
        $(#[test] fn $test() { check_kind($kind); })*

        #[test]
        fn every_documented_kind_has_a_test() {
            let tested = [$($kind),*];
            for kind in EventKind::ALL {
                assert!(tested.contains(&kind.as_str()), "{kind} has no test");
            }
            assert_eq!(tested.len(), EventKind::ALL.len());
        }
    };
}

per_kind! {
    purchase_approved: "PURCHASE_APPROVED",
    purchase_complete: "PURCHASE_COMPLETE",
    purchase_canceled: "PURCHASE_CANCELED",
    purchase_refunded: "PURCHASE_REFUNDED",
    purchase_chargeback: "PURCHASE_CHARGEBACK",
    purchase_billet_printed: "PURCHASE_BILLET_PRINTED",
    purchase_protest: "PURCHASE_PROTEST",
    purchase_expired: "PURCHASE_EXPIRED",
    purchase_delayed: "PURCHASE_DELAYED",
    purchase_out_of_shopping_cart: "PURCHASE_OUT_OF_SHOPPING_CART",
    subscription_cancellation: "SUBSCRIPTION_CANCELLATION",
    switch_plan: "SWITCH_PLAN",
    update_subscription_charge_date: "UPDATE_SUBSCRIPTION_CHARGE_DATE",
    club_first_access: "CLUB_FIRST_ACCESS",
    club_module_completed: "CLUB_MODULE_COMPLETED",
    order_fulfillment: "ORDER_FULFILLMENT",
}

#[test]
fn every_fixture_is_in_the_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhooks");
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            SAMPLES.iter().any(|s| s.file == name),
            "{name} has no expected values"
        );
    }
}

#[test]
fn creation_date_in_either_spelling() {
    let ms = |file| {
        load(file)
            .created_at()
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
    };
    assert_eq!(
        ms("CLUB_FIRST_ACCESS-1.json"),
        Duration::from_millis(1_763_247_745_996)
    );
    assert_eq!(
        ms("PURCHASE_APPROVED-1.json"),
        Duration::from_millis(1_759_194_927_364)
    );
}

#[test]
fn family_members_read_hotmart_quirks() {
    let Data::SubscriptionCancellation(c) = load("SUBSCRIPTION_CANCELLATION-2.json").data().clone()
    else {
        panic!("not a cancellation")
    };
    assert_eq!(c.subscriber.phone.as_deref(), Some("31999999999")); // dddCell + cell
    assert_eq!(
        (c.subscription_id, c.plan.id),
        (Some(471_681), Some(460_805))
    );
    assert_eq!(c.actual_recurrence_value, Some(50.10));

    let Data::PlanSwitch(s) = load("SWITCH_PLAN-1.json").data().clone() else {
        panic!()
    };
    assert_eq!(
        (s.plan.id, s.plan.offer.as_deref()),
        (Some(654_321), Some("n6hup357"))
    );
    assert_eq!(s.previous_plan.id, Some(123_456));

    let Data::ChargeDateUpdate(u) = load("UPDATE_SUBSCRIPTION_CHARGE_DATE-1.json")
        .data()
        .clone()
    else {
        panic!()
    };
    assert_eq!((u.old_charge_day, u.new_charge_day), (Some(7), Some(1)));
    assert_eq!(
        u.date_next_charge.as_deref(),
        Some("2022-10-25T12:00:00.000Z")
    );
    assert_eq!(u.plan.offer.as_deref(), Some("000000"));

    let Data::Club(m) = load("CLUB_MODULE_COMPLETED-1.json").data().clone() else {
        panic!()
    };
    assert_eq!(m.module_id.as_deref(), Some("hash123"));

    let Data::AbandonedCart(a) = load("PURCHASE_OUT_OF_SHOPPING_CART-1.json").data().clone() else {
        panic!()
    };
    assert_eq!(
        (a.affiliate, a.offer_code.as_deref()),
        (Some(true), Some("n82b9jqz"))
    );
    assert_eq!(a.buyer.phone.as_deref(), Some("31999999999"));

    let Data::Purchase(p) = load("PURCHASE_APPROVED-3.json").data().clone() else {
        panic!()
    };
    let original = p.original_offer_price.unwrap();
    assert_eq!(original.currency_code.as_deref(), Some("BRL")); // the 2022 price has none
    assert_eq!(p.status.as_deref(), Some("APPROVED"));
    assert_eq!(p.payment_type.as_deref(), Some("CREDIT_CARD"));

    let Data::Purchase(p) = load("PURCHASE_APPROVED-5.json").data().clone() else {
        panic!()
    };
    assert_eq!(
        p.order_date,
        Some(UNIX_EPOCH + Duration::from_millis(123_243_546))
    ); // a string

    let Data::OrderFulfillment(o) = load("ORDER_FULFILLMENT-1.json").data().clone() else {
        panic!()
    };
    assert_eq!((o.items.len(), o.items[0].quantity), (1, Some(2)));
    assert_eq!(o.items[0].sku.as_deref(), Some("SKU-CAM-M-AZ"));
    assert_eq!(o.delivery_method.as_deref(), Some("SHIPPING"));
}

#[test]
fn anonymized_members_of_the_wrong_type_read_as_absent() {
    // The n8n captures have `data.subscription` replaced by an IP string.
    let event = load("UPDATE_SUBSCRIPTION_CHARGE_DATE-3.json");
    assert_eq!(event.product_id(), None);
    assert_eq!(event.subscriber_code(), Some("KGB81NYZ"));
}

#[test]
fn an_unknown_kind_with_a_purchase_reads_as_one() {
    let body = br#"{"id":"x","event":"PURCHASE_NEW","data":{"purchase":{"transaction":"HP1"}}}"#;
    let event = Event::parse(body).unwrap();
    assert_eq!(event.kind(), &EventKind::Other("PURCHASE_NEW".into()));
    assert_eq!(event.transaction(), Some("HP1"));
    let other = Event::parse(br#"{"id":"x","event":"NEW","data":{"a":1}}"#).unwrap();
    assert_eq!(other.data(), &Data::Other);
    assert_eq!(other.buyer_email(), None);
}

#[test]
fn kinds_round_trip_through_their_names() {
    for kind in EventKind::ALL {
        assert_eq!(&kind.as_str().parse::<EventKind>().unwrap(), kind);
        assert_eq!(kind.to_string(), kind.as_str());
    }
}
