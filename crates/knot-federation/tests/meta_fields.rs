//! Names starting with `__` that are none of GraphQL's own are refused before the query
//! planner normalizes the document: an input found by fuzzing (an unknown `__` field holding
//! an inline fragment without a type condition) made the planner's normalization panic.

use knot_federation::Supergraph;

fn supergraph() -> Supergraph {
    let sdl = include_str!("../../../federation/bench-peers/supergraph.graphql");
    Supergraph::parse(sdl).expect("the benchmark supergraph parses")
}

#[test]
fn the_fuzzed_document_is_a_validation_error_not_a_panic() {
    let input =
        include_bytes!("../../../fuzz/seeds/federation/normalization-panic-unknown-meta-field");
    let query = std::str::from_utf8(input).expect("text");
    let Err(err) = supergraph().prepare(query, None) else {
        panic!("the document is refused");
    };
    assert!(err.to_string().contains("`__s` is not a field"), "{err}");
}

#[test]
fn graphqls_own_meta_fields_still_pass() {
    let sg = supergraph();
    assert!(sg
        .prepare("{ __typename topProducts { __typename upc } }", None)
        .is_ok());
    for doc in [
        "{ topProducts { __schema { queryType { name } } } }",
        "{ topProducts { __foo } }",
        "{ topProducts { ... on Product { __bar } } }",
        "fragment F on Product { __baz } { topProducts { ...F } }",
    ] {
        let Err(err) = sg.prepare(doc, None) else {
            panic!("{doc} is refused");
        };
        assert!(err.to_string().contains("is not a field"), "{doc}: {err}");
    }
}
