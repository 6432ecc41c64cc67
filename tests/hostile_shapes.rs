//! Answers shaped to cost the client more than their size: nesting that the models' derived
//! `Clone`, `Debug` and `PartialEq` would recurse into, and pages of empty items that each
//! cost a model's size. Refused before anything is built, with a typed error.

mod support;

use hotmart::{Error, MAX_ITEMS};
use support::hostile::{Answer, api_server, client};

fn nested(depth: usize) -> String {
    format!(
        r#"{{"items":[{{"purchase":{{"transaction":"HP1"}},"x":{}{}}}]}}"#,
        "[".repeat(depth - 3),
        "]".repeat(depth - 3)
    )
}

/// Before: 200 KB of brackets in a member no model names decoded, and cloning (or printing)
/// the sale then overflowed the stack: the process aborted, past any `catch_unwind`.
#[test]
fn an_answer_nested_past_128_levels_is_refused_and_one_within_is_kept() {
    let server = api_server(|request| {
        let depth = if request.path().ends_with("deep") {
            100_000
        } else {
            128
        };
        Answer::json(200, nested(depth))
    });
    let client = client(&server);
    let sale = client
        .sales()
        .history()
        .items()
        .next()
        .unwrap()
        .expect("128 levels are within bounds");
    assert_eq!(sale.clone(), sale);
    let err = client
        .get("/deep")
        .pages::<hotmart::models::Sale>()
        .next()
        .unwrap()
        .unwrap_err();
    println!("{err}");
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("deeper than 128"), "{err}");
}

/// Before: 8 MiB of `{},` (2.7 million items, each a `Sale` of over a KiB) took 3 GiB.
#[test]
fn a_page_of_more_than_max_items_is_refused_before_it_is_built() {
    let page = |n: usize| {
        format!(
            r#"{{"items":[{}],"page_info":{{}}}}"#,
            vec!["{}"; n].join(",")
        )
    };
    let (within, past) = (page(MAX_ITEMS), page(MAX_ITEMS + 1));
    let server = api_server(move |request| {
        Answer::json(
            200,
            if request.path().ends_with("past") {
                &past
            } else {
                &within
            },
        )
    });
    let client = client(&server);
    let first = |path| {
        client
            .get(path)
            .pages::<hotmart::models::Sale>()
            .next()
            .unwrap()
    };
    assert_eq!(first("/within").unwrap().items().len(), MAX_ITEMS);
    let err = first("/past").unwrap_err();
    assert!(err.to_string().contains("more than 50,000 values"), "{err}");
    // A bare list too.
    let list = format!("[{}]", vec!["{}"; MAX_ITEMS + 1].join(","));
    let server = api_server(move |_| Answer::json(200, &list));
    let err = client_list(&server);
    assert!(err.contains("more than 50,000 values"), "{err}");
}

/// Before: only the page's own list was counted, so one item's list of 2.7 million `{}`
/// participants (8 MiB) still took 1.3 GB. Every array counts, at any depth.
#[test]
fn an_items_own_list_counts_toward_max_items() {
    let body = format!(
        r#"{{"items":[{{"transaction":"HP1","users":[{}]}}]}}"#,
        vec!["{}"; MAX_ITEMS + 1].join(",")
    );
    let server = api_server(move |_| Answer::json(200, &body));
    let err = client(&server)
        .sales()
        .participants()
        .pages()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("more than 50,000 values"), "{err}");
}

fn client_list(server: &support::hostile::HostileServer) -> String {
    client(server)
        .get("/list")
        .send()
        .unwrap()
        .json::<Vec<hotmart::models::Sale>>()
        .unwrap_err()
        .to_string()
}

/// Before: a number past what f64 holds in one item (`1e400`) made the decoder refuse the
/// whole page, "not valid JSON", and an export lost that page and every one after it.
#[test]
fn an_item_the_decoder_cannot_read_costs_that_item_only() {
    let body = r#"{"items":[{"purchase":{"transaction":"HP1"}},
        {"purchase":{"transaction":"HP2","price":{"value":1e400}}},
        {"purchase":{"transaction":"HP3"}}],"page_info":{"results_per_page":3}}"#;
    let server = api_server(move |_| Answer::json(200, body));
    let items: Vec<_> = client(&server).sales().history().items().collect();
    let shown: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(sale) => format!(
                "{:?}",
                sale.purchase
                    .as_ref()
                    .and_then(|p| p.transaction.as_deref())
            ),
            Err(err) => err.to_string(),
        })
        .collect();
    println!("{shown:#?}");
    assert_eq!(items.len(), 3, "{shown:?}");
    assert!(items[0].is_ok() && items[2].is_ok(), "{shown:?}");
    assert!(
        matches!(&items[1], Err(Error::InvalidItem { index: 1, .. })),
        "{shown:?}"
    );
}

/// Before: the item-by-item reading used the token parser's 1 MiB input cap, so a page
/// over 1 MiB with one unreadable item was lost whole.
#[test]
fn an_unreadable_item_of_a_page_over_one_mib_costs_that_item_only() {
    let filler = "x".repeat(4096);
    let items: Vec<String> = (0..400)
        .map(|i| {
            let price = if i == 7 { "1e400" } else { "1" };
            format!(
                r#"{{"purchase":{{"transaction":"HP{i}","price":{{"value":{price}}}}},"x":"{filler}"}}"#
            )
        })
        .collect();
    let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
    assert!(body.len() > 1 << 20);
    let server = api_server(move |_| Answer::json(200, &body));
    let items: Vec<_> = client(&server).sales().history().items().collect();
    assert_eq!(items.len(), 400);
    let failed: Vec<usize> = (0..400).filter(|&i| items[i].is_err()).collect();
    assert_eq!(failed, [7]);
    assert!(matches!(
        &items[7],
        Err(Error::InvalidItem { index: 7, .. })
    ));
}

/// A page that names `items` twice is not read item by item from the first: the decoder
/// keeps the last, so no guess is made and the page is an error.
#[test]
fn a_page_naming_items_twice_is_not_guessed() {
    let body = r#"{"items":[{"purchase":{"price":{"value":1e400}}}],"items":5}"#;
    let server = api_server(move |_| Answer::json(200, body));
    let first = client(&server).sales().history().pages().next().unwrap();
    assert!(
        matches!(first, Err(Error::InvalidResponse { .. })),
        "{first:?}"
    );
}

/// Before: a count in `page_info` that was not a plain integer (`"10"`, `-1`, `1.5`) lost
/// the page's items and ended the iteration, though only the page tokens steer paging.
#[test]
fn page_info_counts_that_do_not_fit_are_none_and_paging_goes_on() {
    let server = api_server(|request| {
        let body = match request.query("page_token") {
            None => {
                r#"{"items":[{"purchase":{"transaction":"HP1"}}],
                "page_info":{"total_results":"2","results_per_page":-1,"next_page_token":"B"}}"#
            }
            Some("B") => {
                r#"{"items":[{"purchase":{"transaction":"HP2"}}],
                "page_info":{"total_results":[1,{}],"results_per_page":{"n":[2]},"next_page_token":"C"}}"#
            }
            Some(_) => {
                r#"{"items":[{"purchase":{"transaction":"HP2"}}],
                "page_info":{"total_results":1e30,"results_per_page":1.5,"x":[true]}}"#
            }
        };
        Answer::json(200, body)
    });
    let client = client(&server);
    let pages: Vec<_> = client
        .sales()
        .history()
        .pages()
        .map(|page| page.map(|p| p.page_info().clone()))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    let (first, arrays) = (pages[0].as_ref().unwrap(), pages[1].as_ref().unwrap());
    assert_eq!(
        (arrays.total_results, arrays.results_per_page),
        (None, None)
    );
    let second = pages[2].as_ref().unwrap();
    assert_eq!(first.total_results, Some(2));
    assert_eq!(first.results_per_page, None);
    assert_eq!(first.next_page_token.as_deref(), Some("B"));
    assert_eq!(
        (second.total_results, second.results_per_page),
        (None, None)
    );
}

/// Before: object members were not counted, so 8 MiB of objects nested in one item's
/// unnamed members (`"k1":{"":{"":…0}}`, about 640 bytes kept for each 5-byte object) took
/// 1 GB, and 2.1 GB on the slow path.
#[test]
fn objects_and_members_past_their_bounds_are_refused() {
    let chain = format!("{}0{}", r#"{"":"#.repeat(100), "}".repeat(100));
    let chains: Vec<String> = (0..1100).map(|i| format!(r#""k{i}":{chain}"#)).collect();
    let nested = format!(
        r#"{{"items":[{{{},"purchase":{{"transaction":"HP1"}}}}]}}"#,
        chains.join(",")
    );
    let members: Vec<String> = (0..600_000).map(|i| format!(r#""{i:x}":0"#)).collect();
    let flat = format!(r#"{{"items":[{{{}}}]}}"#, members.join(","));
    let server = api_server(move |request| {
        Answer::json(
            200,
            if request.path().ends_with("flat") {
                &flat
            } else {
                &nested
            },
        )
    });
    let client = client(&server);
    for path in ["/nested", "/flat"] {
        let Err(err) = client
            .get(path)
            .pages::<hotmart::models::Sale>()
            .next()
            .unwrap()
        else {
            panic!("{path}: decoded");
        };
        assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("100,000 objects or 500,000 members"),
            "{err}"
        );
    }
}

/// Before: one item with a string the decoder refuses (a lone surrogate, a raw tab, a bad
/// escape) lost the whole page, "not valid JSON", and ended `items()`.
#[test]
fn an_item_with_a_string_the_decoder_refuses_costs_that_item_only() {
    let server = api_server(|request| {
        let body = match request.query("page_token") {
            None => concat!(
                r#"{"items":[{"purchase":{"transaction":"HP1"}},"#,
                r#"{"purchase":{"transaction":"HP2","x":"\ud800"}},"#,
                r#"{"purchase":{"transaction":"HP3","x":"a	tab"}},"#,
                r#"{"purchase":{"transaction":"HP4","x":"\x"}},"#,
                r#"{"purchase":{"transaction":"HP5"}}],"#,
                r#""odd":"\udc00","page_info":{"next_page_token":"B"}}"#
            ),
            Some(_) => r#"{"items":[{"purchase":{"transaction":"HP6"}}]}"#,
        };
        Answer::json(200, body)
    });
    let shown: Vec<String> = client(&server)
        .sales()
        .history()
        .items()
        .map(|item| match item {
            Ok(sale) => sale.purchase.unwrap().transaction.unwrap(),
            Err(Error::InvalidItem { index, .. }) => format!("item {index}"),
            Err(err) => err.to_string(),
        })
        .collect();
    assert_eq!(
        shown,
        ["HP1", "item 1", "item 2", "item 3", "HP5", "HP6"],
        "{shown:#?}"
    );
}

/// Before: when one item did not fit, every item was decoded again from a tree whose members
/// are sorted by name, so the same item read differently beside an odd neighbour: of two
/// spellings of one member, the last in the text won alone and the last by name beside it.
#[test]
fn an_item_reads_the_same_beside_an_item_that_does_not_fit() {
    let item = r#"{"purchase":{"transaction":"HP1","price":{"value":1,"currency_value":"BRL","currency_code":"USD"}}}"#;
    let alone = format!(r#"{{"items":[{item}]}}"#);
    let beside = format!(r#"{{"items":[{item},{{"purchase":5}}]}}"#);
    let list = format!(r#"[{item},{{"purchase":5}}]"#);
    let server = api_server(move |request| {
        Answer::json(
            200,
            match request.path() {
                p if p.ends_with("alone") => &alone,
                p if p.ends_with("beside") => &beside,
                _ => &list,
            },
        )
    });
    let client = client(&server);
    let currency = |path| {
        let first = client
            .get(path)
            .items::<hotmart::models::Sale>()
            .next()
            .unwrap()
            .unwrap();
        first
            .purchase
            .unwrap()
            .price
            .unwrap()
            .currency_code
            .unwrap()
    };
    assert_eq!(currency("/alone"), "USD");
    assert_eq!(currency("/beside"), "USD");
    let err = client
        .get("/list")
        .send()
        .unwrap()
        .json::<Vec<hotmart::models::Sale>>()
        .unwrap_err();
    println!("{err}");
}

/// Before: a count past what f64 holds in `page_info` (`1e400`) lost the page and ended the
/// iteration, though the counts are read leniently.
#[test]
fn a_page_info_count_past_f64_keeps_the_page_and_its_tokens() {
    let server = api_server(|request| {
        let body = match request.query("page_token") {
            None => {
                r#"{"items":[{"purchase":{"transaction":"HP1"}}],
                "page_info":{"total_results":1e400,"x":"\ud800","next_page_token":"B"}}"#
            }
            Some(_) => r#"{"items":[{"purchase":{"transaction":"HP2"}}]}"#,
        };
        Answer::json(200, body)
    });
    let pages: Vec<_> = client(&server).sales().history().pages().collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    let first = pages[0].as_ref().unwrap();
    assert_eq!(first.items().len(), 1);
    assert_eq!(first.page_info().total_results, None);
    assert_eq!(first.page_info().next_page_token.as_deref(), Some("B"));
}

/// Before: a quote inside a bare word (`x"`) hid the rest of the list from the shape check,
/// which read a string to the next quote, while the item-by-item reading took `x"` for one
/// value and every `{}` after it for an item of its own: 8 MiB took 3.2 GB. Both now read a
/// quote as a string's start, so the body is refused whole; and a word split by a quote no
/// longer shifts the index of the items after it.
#[test]
fn a_quote_in_a_bare_word_neither_hides_items_nor_shifts_them() {
    let hidden = format!(r#"{{"items":[x",{}y"]}}"#, "{},".repeat(MAX_ITEMS + 10));
    let list = format!(r#"[x",{}y"]"#, "{},".repeat(MAX_ITEMS + 10));
    let split =
        r#"{"items":[{"purchase":{"transaction":"A"}},tru"e,x",{"purchase":{"transaction":"B"}}]}"#;
    let server = api_server(move |request| {
        Answer::json(
            200,
            match request.path() {
                p if p.ends_with("hidden") => hidden.as_str(),
                p if p.ends_with("list") => list.as_str(),
                _ => split,
            },
        )
    });
    let client = client(&server);
    let Err(err) = client
        .get("/hidden")
        .pages::<hotmart::models::Sale>()
        .next()
        .unwrap()
    else {
        panic!("decoded");
    };
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err}");
    assert!(client_list(&server).contains("not valid JSON"));
    let split: Vec<_> = client
        .get("/split")
        .items::<hotmart::models::Sale>()
        .collect();
    assert!(
        split
            .iter()
            .all(|item| !matches!(item, Err(Error::InvalidItem { index: 3, .. }))),
        "{split:?}"
    );
}

/// Before: one byte that is not UTF-8 (a buyer's name sent in Latin-1, `Jos\xe9`) lost the
/// whole page, "the body is not UTF-8", and ended `items()`. It costs the items that hold
/// one; a page token holding one, or a page whose `page_info` name may hold one, is an
/// error rather than a request for another page or the end of the listing.
#[test]
fn a_byte_that_is_not_utf8_costs_the_item_that_holds_it() {
    let server = api_server(|request| {
        let body: Vec<u8> = match (request.path(), request.query("page_token")) {
            (p, _) if p.ends_with("bad-token") => {
                b"{\"items\":[{}],\"page_info\":{\"next_page_token\":\"B\xff\"}}".to_vec()
            }
            (p, _) if p.ends_with("odd-note") => b"{\"items\":[{}],\"note\":\"Jos\xe9\"}".to_vec(),
            // U+FFFD sent as itself, in a body that is all UTF-8, beside an item that does
            // not decode (a number past f64), so that the page is read item by item.
            (p, _) if p.ends_with("literal") => {
                "{\"items\":[{},{\"purchase\":{\"price\":{\"value\":1e400}}}],\"n\u{fffd}\":1}"
                    .as_bytes()
                    .to_vec()
            }
            (p, _) if p.ends_with("bad-name") => {
                b"{\"items\":[{}],\"page_inf\xffo\":{\"next_page_token\":\"B\"}}".to_vec()
            }
            (p, _) if p.ends_with("list") => {
                b"[{\"name\":\"Jos\xe9\"},{\"name\":\"Ana\"}]".to_vec()
            }
            (_, None) => [
                &b"{\"items\":[{\"purchase\":{\"transaction\":\"HP1\"}},"[..],
                b"{\"buyer\":{\"name\":\"Jos\xe9\"},\"purchase\":{\"transaction\":\"HP2\"}},",
                b"{\"purchase\":{\"transaction\":\"HP3\"}}],",
                b"\"odd\":\"\xc3\",\"page_info\":{\"next_page_token\":\"B\"}}",
            ]
            .concat(),
            (_, Some(_)) => br#"{"items":[{"purchase":{"transaction":"HP4"}}]}"#.to_vec(),
        };
        Answer::json(200, body)
    });
    let client = client(&server);
    let shown: Vec<String> = client
        .sales()
        .history()
        .items()
        .map(|item| match item {
            Ok(sale) => sale.purchase.unwrap().transaction.unwrap(),
            Err(Error::InvalidItem { index, reason, .. }) => format!("item {index}: {reason}"),
            Err(err) => err.to_string(),
        })
        .collect();
    assert_eq!(
        shown,
        [
            "HP1",
            "item 1: holds bytes that are not UTF-8",
            "HP3",
            "HP4"
        ],
        "{shown:#?}"
    );

    let list: Vec<Result<miniserde::json::Value, Error>> = client
        .get("/list")
        .send()
        .unwrap()
        .json::<Vec<miniserde::json::Value>>()
        .map(|items| items.into_iter().map(Ok).collect())
        .unwrap_or_else(|err| vec![Err(err)]);
    assert!(
        matches!(&list[..], [Err(Error::InvalidResponse { .. })]),
        "a whole answer read as one value is still refused: {list:?}"
    );

    // A page whose `page_info` may stand under a name with such a byte, hiding the next
    // token, is an error rather than the last page.
    for path in ["/bad-token", "/bad-name"] {
        let err = client
            .get(path)
            .pages::<hotmart::models::Sale>()
            .next()
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("page_info"), "{path}: {err}");
    }
    // Such a byte in a value, not a name, hides nothing, nor does U+FFFD sent as itself:
    // the page is the last one, and only the item that does not decode is lost.
    for (path, expected) in [("/odd-note", &["ok"][..]), ("/literal", &["ok", "item 1"])] {
        let shown: Vec<String> = client
            .get(path)
            .items::<hotmart::models::Sale>()
            .map(|item| match item {
                Ok(_) => "ok".to_owned(),
                Err(Error::InvalidItem { index, .. }) => format!("item {index}"),
                Err(err) => err.to_string(),
            })
            .collect();
        assert_eq!(shown, expected, "{path}");
    }
}
