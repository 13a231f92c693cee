//! The local store through the `knot` binary: `workspace import/list/export`, broken and
//! hostile files refused without losing anything, `knot run` recording its history (and
//! not failing when the store is unusable), and secrets kept out of files, the database
//! and the log.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `knot` in the repository root with `args`, optional stdin and extra environment.
fn knot_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_knot"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("KNOT_DATA_DIR")
        .env_remove("KNOT_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("knot starts");
    if let Some(mut input) = child.stdin.take() {
        use std::io::Write;
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().expect("knot runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn knot(args: &[&str]) -> (i32, String, String) {
    knot_with(args, None, &[])
}

fn demo() -> (tokio::runtime::Runtime, knot_demo::Demo) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = rt
        .block_on(knot_demo::Demo::start(knot_demo::DemoConfig {
            ports: knot_demo::DemoPorts::ephemeral(),
            ..Default::default()
        }))
        .unwrap();
    (rt, demo)
}

fn var_args(demo: &knot_demo::Demo) -> Vec<String> {
    demo.env_vars()
        .into_iter()
        .flat_map(|(k, v)| ["--var".to_string(), format!("{k}={v}")])
        .collect()
}

#[test]
fn workspaces_import_list_and_export_with_the_data_dir_flag_or_variable() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (status, stdout, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "import",
        "examples/shop.knot.json",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("shop"),
        "the name is the last line: {stdout}"
    );
    // The flag works after the subcommand too, and the variable works without it.
    let (status, stdout, _) = knot(&[
        "workspace",
        "import",
        "examples/trading.knot.json",
        "--data-dir",
        dir,
    ]);
    assert_eq!((status, stdout.lines().last()), (0, Some("trading")));
    let (status, stdout, _) = knot_with(&["workspace", "list"], None, &[("KNOT_DATA_DIR", dir)]);
    assert_eq!(status, 0);
    let names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, vec!["shop", "trading"], "{stdout}");
    assert!(
        stdout.contains("in-sync") && stdout.contains("examples/shop.knot.json"),
        "{stdout}"
    );
    let out = data.path().join("exported.knot.json");
    let (status, _, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "export",
        "trading",
        out.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(root().join("examples/trading.knot.json")).unwrap()
    );
    let (status, _, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "export",
        "nope",
        out.to_str().unwrap(),
    ]);
    assert_ne!(status, 0);
    assert!(
        stderr.contains("no workspace `nope`") && stderr.contains("known: shop, trading"),
        "{stderr}"
    );
}

#[test]
fn broken_and_hostile_files_are_refused_naming_the_file_and_nothing_is_lost() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    assert_eq!(
        knot(&[
            "--data-dir",
            dir,
            "workspace",
            "import",
            "examples/shop.knot.json"
        ])
        .0,
        0
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/broken"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    // Hostile files made here: a huge number, very deep nesting, a wrong type at the root.
    let extra = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "huge-version.knot.json",
            r#"{"version": 1e999999, "name": "x"}"#.to_string(),
        ),
        (
            "deeper.knot.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        ("array.knot.json", "[1, 2, 3]".into()),
        (
            "zero-version.knot.json",
            r#"{"version": 0, "name": "old", "schema": {"types": {}}}"#.into(),
        ),
    ] {
        std::fs::write(extra.path().join(name), text).unwrap();
        files.push(extra.path().join(name));
    }
    files.sort();
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (status, stdout, stderr) = knot(&[
            "--data-dir",
            dir,
            "workspace",
            "import",
            file.to_str().unwrap(),
        ]);
        assert_ne!(status, 0, "{name} was accepted: {stdout}");
        assert!(!stderr.contains("panicked"), "{name} panicked: {stderr}");
        assert!(
            stderr.contains(name),
            "{name}: the message names the file: {stderr}"
        );
        let expected = match name {
            "not-utf8.knot.json" => "not UTF-8",
            "newer-version.knot.json" => "newer Knot",
            "truncated.knot.json" | "syntax-error.knot.json" | "empty.knot.json" => {
                "not valid JSON"
            }
            "zero-version.knot.json" => "version 0",
            // Only `knot check`'s deeper checks (plans, .proto files) object to these; the
            // store accepts them for editing, so here only the name clash stops them.
            "missing-proto.knot.json"
            | "unknown-grpc-method.knot.json"
            | "saved-operation-invalid.knot.json" => "already in the store",
            _ => "",
        };
        assert!(
            stderr.contains(expected),
            "{name}: expected `{expected}` in {stderr}"
        );
    }
    // The store is intact: the one workspace, byte for byte.
    let (_, list, _) = knot(&["--data-dir", dir, "workspace", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    let out = data.path().join("shop.knot.json");
    assert_eq!(
        knot(&[
            "--data-dir",
            dir,
            "workspace",
            "export",
            "shop",
            out.to_str().unwrap()
        ])
        .0,
        0
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(root().join("examples/shop.knot.json")).unwrap()
    );
}

#[test]
fn knot_run_records_its_history_unless_told_not_to() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let (rt, demo) = demo();
    let vars = var_args(&demo);
    let mut args = vec![
        "--data-dir",
        dir,
        "run",
        "examples/shop.knot.json",
        "--operation",
        "OrderDetails",
        "--variables",
        r#"{"id": "1"}"#,
    ];
    args.extend(vars.iter().map(String::as_str));
    let (status, stdout, stderr) = knot(&args);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["data"]["getOrderDetails"]["orderId"],
        "1"
    );
    args.push("--no-history");
    assert_eq!(knot(&args).0, 0);

    let (status, stdout, _) = knot(&["--data-dir", dir, "history", "--json"]);
    assert_eq!(status, 0);
    let runs: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        runs.as_array().map(Vec::len),
        Some(1),
        "--no-history recorded nothing: {runs}"
    );
    assert_eq!(
        (runs[0]["workspace"].as_str(), runs[0]["operation"].as_str()),
        (Some("shop"), Some("OrderDetails"))
    );
    assert_eq!(runs[0]["errors"], 0);
    let id = runs[0]["id"].to_string();
    let (_, full, _) = knot(&["--data-dir", dir, "history", "--show", &id]);
    let full: Value = serde_json::from_str(&full).unwrap();
    assert_eq!(full["variables"], json!({"id": "1"}));
    assert_eq!(full["environment"], "local");
    assert_eq!(full["trace"]["spans"].as_array().map(Vec::len), Some(3));
    // Filters: another workspace has no runs; the table names the operation.
    let (_, none, _) = knot(&["--data-dir", dir, "history", "--workspace", "trading"]);
    assert_eq!(none.trim(), "no runs");
    let (_, table, _) = knot(&[
        "history",
        "--data-dir",
        dir,
        "--operation",
        "details",
        "--limit",
        "5",
    ]);
    assert!(
        table.contains("OrderDetails") && table.contains("shop"),
        "{table}"
    );
    drop(demo);
    drop(rt);
}

#[test]
fn a_store_that_cannot_be_opened_does_not_fail_the_run() {
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let dir = blocker.path().to_str().unwrap(); // a file, not a folder
    let (status, stdout, stderr) = knot(&[
        "--data-dir",
        dir,
        "run",
        "examples/shop.knot.json",
        "--query",
        "{ nope }",
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stdout.contains("errors"),
        "the response is printed: {stdout}"
    );
    assert!(
        stderr.contains("warning: the local store is not available") && stderr.contains(dir),
        "{stderr}"
    );
    // The store commands themselves do fail, naming the folder.
    let (status, _, stderr) = knot(&["--data-dir", dir, "workspace", "list"]);
    assert_ne!(status, 0);
    assert!(stderr.contains(dir), "{stderr}");
}

#[test]
fn a_secret_reaches_the_service_but_no_file_database_history_or_log_line() {
    const SECRET: &str = "sk4f9e2c7b1d0a55";
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = data.path().to_str().unwrap();
    // The shop example with a secret API key sent as a query parameter to Orders.
    let mut ws: Value =
        serde_json::from_slice(&std::fs::read(root().join("examples/shop.knot.json")).unwrap())
            .unwrap();
    ws.as_object_mut().unwrap().remove("$schema");
    ws["sources"]["orders"]["operations"]["getOrder"]["query"] =
        json!({"key": "{{secret.API_KEY}}"});
    ws["sources"]["products"]["protoFiles"] =
        json!([root().join("proto/products.proto").canonicalize().unwrap()]);
    ws["environments"]["local"]["variables"]["API_KEY"] = json!({"secret": true});
    let file = files.path().join("shop.knot.json");
    std::fs::write(&file, serde_json::to_string_pretty(&ws).unwrap() + "\n").unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(knot(&["--data-dir", dir, "workspace", "import", file]).0, 0);
    let (status, _, stderr) = knot_with(
        &["--data-dir", dir, "secret", "set", "shop", "API_KEY"],
        Some(&format!("{SECRET}\n")),
        &[],
    );
    assert_eq!(status, 0, "{stderr}");

    let (rt, demo) = demo();
    let vars = var_args(&demo);
    let mut log = String::new();
    for id in ["1", SECRET] {
        let variables = json!({ "id": id }).to_string();
        let mut args = vec![
            "--data-dir",
            dir,
            "run",
            file,
            "--operation",
            "OrderDetails",
            "--variables",
            &variables,
        ];
        args.extend(vars.iter().map(String::as_str));
        let (status, _, stderr) = knot_with(&args, None, &[("KNOT_LOG", "trace")]);
        assert_eq!(status, 0, "{stderr}");
        log.push_str(&stderr);
    }
    // The stored secret was really used for the call.
    let targets: Vec<String> = demo
        .control
        .requests(knot_demo::Service::Orders)
        .into_iter()
        .map(|r| r.target)
        .collect();
    assert!(
        targets.iter().any(|t| t.contains(&format!("key={SECRET}"))),
        "{targets:?}"
    );
    assert!(!log.contains(SECRET), "a log line holds the secret:\n{log}");

    let (_, history, _) = knot(&["--data-dir", dir, "history", "--json"]);
    let runs: Vec<Value> = serde_json::from_str(&history).unwrap();
    assert_eq!(runs.len(), 2);
    for run in &runs {
        let (_, full, _) = knot(&[
            "--data-dir",
            dir,
            "history",
            "--show",
            &run["id"].to_string(),
        ]);
        assert!(
            !full.contains(SECRET),
            "a history row holds the secret: {full}"
        );
        assert!(
            full.contains("{{secret.API_KEY}}"),
            "the reference is kept: {full}"
        );
    }
    let exported = data.path().join("exported.knot.json");
    assert_eq!(
        knot(&[
            "--data-dir",
            dir,
            "workspace",
            "export",
            "shop",
            exported.to_str().unwrap()
        ])
        .0,
        0
    );
    let mut raw = std::fs::read(&exported).unwrap();
    assert!(knot_model::check_bytes(&raw).is_ok());
    for name in ["knot.db", "knot.db-wal", "knot.db-shm"] {
        raw.extend(std::fs::read(data.path().join(name)).unwrap_or_default());
    }
    assert!(
        !raw.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the secret is in the export or knot.db"
    );
    let (_, names, _) = knot(&["--data-dir", dir, "secret", "list", "shop"]);
    assert_eq!(names.trim(), "local\tAPI_KEY");
    drop(demo);
    drop(rt);
}

#[test]
fn sources_are_added_to_a_stored_workspace_and_conflicts_are_resolved_from_the_cli() {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dir = data.path().to_str().unwrap();
    let file = files.path().join("trading.knot.json");
    std::fs::copy(root().join("examples/trading.knot.json"), &file).unwrap();
    std::fs::create_dir(files.path().join("protos")).unwrap();
    std::fs::copy(
        root().join("proto/products.proto"),
        files.path().join("protos/products.proto"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    assert_eq!(knot(&["--data-dir", dir, "workspace", "import", f]).0, 0);

    let openapi = root().join("crates/knot-connect/tests/fixtures/orders.json");
    let (status, _, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "add-source",
        "trading",
        "orders2",
        "--openapi",
        openapi.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{stderr}");
    let protos = files.path().join("protos");
    let (status, _, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "add-source",
        "trading",
        "products",
        "--protos",
        protos.to_str().unwrap(),
        "--endpoint",
        "http://127.0.0.1:7103",
    ]);
    assert_eq!(status, 0, "{stderr}");
    // The linked file followed, and its proto paths work from the file's folder.
    let (status, stdout, _) = knot(&["check", f]);
    assert_eq!(status, 0, "{stdout}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("\"orders2\"") && text.contains("\"protos/products.proto\""),
        "{text}"
    );

    // The file changes on disk (a pull) while the store changes too: a conflict.
    std::fs::write(
        &file,
        text.replace(
            "\"name\": \"trading\"",
            "\"name\": \"trading\",\n  \"description\": \"pulled\"",
        ),
    )
    .unwrap();
    let (status, _, stderr) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "add-source",
        "trading",
        "orders3",
        "--openapi",
        openapi.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.contains("changed on disk"), "{stderr}");
    let (status, _, stderr) = knot(&["--data-dir", dir, "workspace", "sync"]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("conflict") && stderr.contains("trading.knot.json"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&file).unwrap().contains("pulled"),
        "nothing overwritten"
    );
    let (status, stdout, _) = knot(&[
        "--data-dir",
        dir,
        "workspace",
        "sync",
        "trading",
        "--keep",
        "store",
    ]);
    assert_eq!(status, 0, "{stdout}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("orders3") && !text.contains("pulled"),
        "{text}"
    );
    let (_, stdout, _) = knot(&["--data-dir", dir, "workspace", "sync"]);
    assert!(stdout.contains("trading: in sync"), "{stdout}");
}

#[test]
fn a_federation_run_is_recorded_like_any_run() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fleet = rt
        .block_on(knot_demo::FederationDemo::start(
            knot_demo::FederationConfig {
                ports: knot_demo::FederationPorts::ephemeral(),
                ..Default::default()
            },
        ))
        .unwrap();
    let vars: Vec<String> = fleet
        .env_vars()
        .into_iter()
        .flat_map(|(k, v)| ["--var".to_string(), format!("{k}={v}")])
        .collect();
    let mut args = vec![
        "--data-dir",
        dir,
        "run",
        "examples/fleet.knot.json",
        "--operation",
        "DeviceLocation",
        "--variables",
        r#"{"id": "1"}"#,
    ];
    args.extend(vars.iter().map(String::as_str));
    let (status, stdout, stderr) = knot(&args);
    assert_eq!(status, 0, "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        answer["data"]["device"]["camera"]["cameraLocation"]["street"],
        "1 Harbour Street"
    );
    let (_, list, _) = knot(&["--data-dir", dir, "history", "--json"]);
    let runs: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    assert_eq!(runs[0]["workspace"], "Fleet");
    assert_eq!(runs[0]["operation"], "DeviceLocation");
    let id = runs[0]["id"].to_string();
    let (_, full, _) = knot(&["--data-dir", dir, "history", "--show", &id]);
    let full: Value = serde_json::from_str(&full).unwrap();
    // device root, then the bindings (REST) and safety fetches, then device locations.
    assert_eq!(
        full["trace"]["spans"].as_array().map(Vec::len),
        Some(4),
        "{full}"
    );
    assert_eq!(
        full["trace"]["plan"]["nodes"].as_array().map(Vec::len),
        Some(4)
    );
    drop(fleet);
    drop(rt);
}
