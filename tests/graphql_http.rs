//! The GraphQL-over-HTTP conformance audits of the npm package `graphql-http` (the reference
//! implementation's `serverAudits`) against `knot serve` on loopback, serving the shop
//! example (enums, an input object, a union and a mutation in its schema): every MUST passes.
//! The audit's packages are pinned in `tests/graphql-http/package-lock.json` and installed
//! with `npm ci` on first use.

use knot_tests::{example_copy, repo_root, start_demo, start_gateway};
use serde_json::Value;
use std::process::Command;

fn npm_ci(dir: &std::path::Path) {
    if dir.join("node_modules/graphql-http/package.json").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .expect("npm runs (Node.js is installed by `make setup`)");
    assert!(status.success(), "npm ci in {} failed", dir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_must_of_the_graphql_over_http_audit_passes() {
    let audit_dir = repo_root().join("tests/graphql-http");
    npm_ci(&audit_dir);
    let demo = start_demo().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let gw = start_gateway(&example_copy("shop", dir.path(), |_| {}), &demo).await;
    let url = format!("http://{}/graphql", gw.addr);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("audit.mjs")
            .arg(&url)
            .current_dir(&audit_dir)
            .output()
            .expect("node runs")
    })
    .await
    .expect("join");
    assert!(
        output.status.success(),
        "the audit script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).expect("audit JSON");
    let musts: Vec<&Value> = results
        .iter()
        .filter(|r| r["name"].as_str().is_some_and(|n| n.starts_with("MUST")))
        .collect();
    // graphql-http 1.23.1 has 61 audits, 13 of them MUSTs.
    assert!(results.len() >= 50, "only {} audits ran", results.len());
    assert!(musts.len() >= 13, "only {} MUST audits ran", musts.len());
    let failed: Vec<String> = musts
        .iter()
        .filter(|r| r["status"] != "ok")
        .map(|r| format!("{}: {}", r["name"], r["reason"]))
        .collect();
    assert!(
        failed.is_empty(),
        "MUST audits failed:\n{}",
        failed.join("\n")
    );
    // The rest, for people reading the test output.
    for r in results.iter().filter(|r| r["status"] != "ok") {
        println!("{} {}: {}", r["status"], r["name"], r["reason"]);
    }
    let ok = results.iter().filter(|r| r["status"] == "ok").count();
    println!(
        "graphql-http audits: {ok}/{} ok, {} MUST all ok",
        results.len(),
        musts.len()
    );
    gw.shutdown().await;
}
