//! Inputs found with the fuzz target `plan` (fuzz/), planned against the shop example:
//! each must give an error, never take the process down.

use knot_plan::{plan, plan_with_limits, sole_operation_name, Limits};
use serde_json::Map;

fn shop() -> knot_model::Workspace {
    let bytes = include_bytes!("../../../examples/shop.knot.json");
    match knot_model::check_bytes(bytes).workspace {
        Some(ws) => ws,
        None => panic!("the shop example does not load"),
    }
}

/// 12,000 nested lists in an argument (24 KB) overflowed the stack in the parser's
/// recursive value reader: a segfault of the whole gateway, not an error. On a 2 MiB
/// thread (this test's, or a tokio worker's) a few thousand levels were enough.
#[test]
fn a_deeply_nested_argument_is_a_syntax_error() {
    let ws = shop();
    // The error stands at the bracket that goes one level too deep.
    for (open, close, column) in [("[", "]", 149), ("{a: ", "}", 527)] {
        let doc = format!(
            "{{ getOrderDetails(id: {}\"1\"{}) {{ id }} }}",
            open.repeat(12_000),
            close.repeat(12_000)
        );
        let limits = Limits {
            max_depth: 15,
            max_aliases: 30,
            max_fields: 500,
        };
        for result in [
            plan(&ws, &doc, None, &Map::new()),
            plan_with_limits(&ws, &doc, None, &Map::new(), limits),
        ] {
            let Err(errors) = result else {
                panic!("a document nested 12,000 levels deep planned");
            };
            assert!(
                errors[0]
                    .message
                    .contains("nested more than 128 levels deep"),
                "{errors:?}"
            );
            assert_eq!(errors[0].locations, vec![(1, column)]);
        }
        assert_eq!(sole_operation_name(&format!("query Q {doc}")), None);
    }
}
