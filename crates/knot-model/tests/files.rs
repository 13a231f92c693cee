//! The example workspaces and the committed JSON Schema, read as a user's editor would.

use knot_model::{check_bytes, json_schema, public_sdl, to_canonical_json, ProblemCode};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn examples_check_clean_and_round_trip_to_identical_bytes() {
    for name in ["shop", "trading"] {
        let path = root().join(format!("examples/{name}.knot.json"));
        let bytes = std::fs::read(&path).unwrap();
        let report = check_bytes(&bytes);
        assert!(report.problems.is_empty(), "{name}: {:?}", report.problems);
        let ws = report.workspace.unwrap();
        assert_eq!(
            to_canonical_json(&ws),
            String::from_utf8(bytes).unwrap(),
            "{name} is not in canonical form"
        );
    }
}

#[test]
fn committed_json_schema_matches_the_types() {
    let committed =
        std::fs::read_to_string(root().join("schema/workspace-v1.schema.json")).unwrap();
    let mut generated = serde_json::to_string_pretty(&json_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("KNOT_BLESS").is_some() {
        std::fs::write(root().join("schema/workspace-v1.schema.json"), &generated).unwrap();
        return;
    }
    assert_eq!(
        committed, generated,
        "schema/workspace-v1.schema.json is stale: run `KNOT_BLESS=1 cargo test -p knot-model`"
    );
}

#[test]
fn public_schema_hides_private_join_keys() {
    let bytes = std::fs::read(root().join("examples/trading.knot.json")).unwrap();
    let ws = check_bytes(&bytes).workspace.unwrap();
    let sdl = public_sdl(&ws);
    assert!(sdl.contains("events(date: String!): [Event!]!"), "{sdl}");
    assert!(sdl.contains("instrument: Instrument"));
    assert!(!sdl.contains("instrumentIdentifier"));
    assert!(!sdl.contains("orderIdentifier"));
}

#[test]
fn newer_versions_are_refused_with_a_clear_message() {
    let report = check_bytes(br#"{"version": 2, "name": "x", "schema": {"types": {}}}"#);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].code, ProblemCode::Version);
    assert!(
        report.problems[0].message.contains("newer Knot"),
        "{}",
        report.problems[0].message
    );
    assert_eq!(
        (report.problems[0].line, report.problems[0].column),
        (Some(1), Some(2))
    );
}

#[test]
fn hostile_inputs_give_errors_not_panics() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = r#"{"version": 1e400, "name": "x"}"#.to_string();
    let big_int =
        r#"{"version": 123456789012345678901234567890, "name": "x", "schema": {"types": {}}}"#
            .to_string();
    let cases: Vec<Vec<u8>> = vec![
        deep.into_bytes(),
        huge.into_bytes(),
        big_int.into_bytes(),
        vec![0xff, 0xfe, b'{'],
        b"{\"version\": 1, \"name\": ".to_vec(),
        b"".to_vec(),
        b"null".to_vec(),
        b"{\"version\": 1, \"name\": \"x\", \"schema\": {\"types\": {\"Query\": {\"fields\": {\"a\": {\"type\": \"[[[[\"}}}}}}".to_vec(),
    ];
    for bytes in cases {
        let report = check_bytes(&bytes);
        assert!(
            !report.problems.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
        );
    }
}

#[test]
fn a_trace_header_needs_a_token_from_a_secret_or_the_environment() {
    let file = |gateway: &str| {
        format!(
            r#"{{"version": 1, "name": "t", "schema": {{"types": {{}}}},
            "environments": {{"local": {{"variables": {{"TRACE_TOKEN": {{"secret": true}}}}}}}},
            "gateway": {gateway}}}"#
        )
    };
    let problems = |gateway: &str| {
        check_bytes(file(gateway).as_bytes())
            .problems
            .into_iter()
            .filter(|p| p.path.to_string() == "$.gateway.traceToken")
            .map(|p| p.code)
            .collect::<Vec<_>>()
    };
    // A header name alone is no secret.
    assert_eq!(
        problems(r#"{"traceHeader": "x-trace"}"#),
        [ProblemCode::Shape]
    );
    // A token written in the file would be committed with it.
    assert_eq!(
        problems(r#"{"traceHeader": "x-trace", "traceToken": "letmein"}"#),
        [ProblemCode::SecretInFile]
    );
    assert!(
        problems(r#"{"traceHeader": "x-trace", "traceToken": "{{secret.TRACE_TOKEN}}"}"#)
            .is_empty()
    );
}

/// Found with the `plan` fuzz target: a saved operation whose document nests a value 12,000 levels deep
/// overflowed the stack of the GraphQL parser while the file was checked (the process died).
#[test]
fn a_saved_operation_nested_too_deep_is_a_problem_not_a_crash() {
    let bytes = std::fs::read(root().join("examples/shop.knot.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let document = format!(
        "query Deep {{ getOrderDetails(id: {}\"1\"{}) {{ id }} }}",
        "[".repeat(12_000),
        "]".repeat(12_000)
    );
    value["operations"]["OrderDetails"]["document"] = serde_json::Value::String(document);
    let report = check_bytes(&serde_json::to_vec(&value).unwrap());
    let problem = report
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::InvalidDocument)
        .unwrap_or_else(|| panic!("no invalid-document problem: {:?}", report.problems));
    assert_eq!(
        problem.path.to_string(),
        "$.operations.OrderDetails.document"
    );
    assert!(
        problem.message.contains("nested more than 128 levels deep"),
        "{problem}"
    );
}

#[test]
fn a_grpc_field_number_given_twice_or_out_of_range_is_a_problem_at_its_path() {
    let text = std::fs::read_to_string(root().join("examples/shop.knot.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["operations"]["OrderDetails"]["grpc"] = serde_json::json!({"fields": {
        "response.orderId": 1, "response.user": 1, "request.id": 0, "elsewhere": 2
    }});
    let report = check_bytes(doc.to_string().as_bytes());
    let said: Vec<(String, ProblemCode)> = report
        .problems
        .iter()
        .map(|p| (p.path.to_string(), p.code))
        .collect();
    assert_eq!(said.len(), 3, "{said:?}");
    let has =
        |end: &str, code: ProblemCode| said.iter().any(|(p, c)| p.contains(end) && *c == code);
    assert!(has("response.user", ProblemCode::Proto), "{said:?}");
    assert!(has("request.id", ProblemCode::Proto), "{said:?}");
    assert!(has("elsewhere", ProblemCode::Shape), "{said:?}");
}
