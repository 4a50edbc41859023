//! `@odata.nextLink` is valid URL text (the canonical query in URL form): clients such as
//! curl and Python's urllib reject a link with a raw space. Following it gives the next page.

use odata_query::{EvalOptions, Query};
use serde_json::{json, Value};

#[test]
fn next_link_is_url_text_that_parses_back() {
    let mut options = EvalOptions::default();
    options.max_page_size = Some(1);
    options.next_link_base = "https://host/svc/Sessions".to_owned();
    let data = json!([
        {"status": "failed", "name": "é 1"},
        {"status": "failed", "name": "é 2"},
        {"status": "ok", "name": "x"}
    ]);
    let query = Query::parse("$filter=status eq 'failed' and name ne 'a b'&$count=true").unwrap();
    let first = query.compile(&options).unwrap().apply(&data).unwrap();
    let link = first["@odata.nextLink"]
        .as_str()
        .expect("a next link")
        .to_owned();
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|} ".contains(&b)),
        "{link}"
    );
    assert!(link.contains("status%20eq%20'failed'"), "{link}");
    let next = Query::parse_url(&link).unwrap();
    let second = next.compile(&options).unwrap().apply(&data).unwrap();
    assert_eq!(
        second["value"],
        json!([{"status": "failed", "name": "é 2"}])
    );
    assert_eq!(second.get("@odata.nextLink"), None::<&Value>);
}
