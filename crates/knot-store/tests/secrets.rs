//! A secret's value lives only in `secrets.db`: never in an exported file, in `knot.db` or
//! its WAL, or in a history row (which holds `{{secret.NAME}}` instead).

mod common;

use common::{contains_bytes, small_json, workspace};
use knot_model::EnvVariable;
use knot_store::{HistoryQuery, NewRun, SecretRef, Store};
use serde_json::json;

const VALUE: &str = "sk_live_7f3a9c\"quoted\"/value";
const INLINE: &str = "inline-secret-4d2e81b0";

fn raw_main_database(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["knot.db", "knot.db-wal", "knot.db-shm"] {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            all.extend(bytes);
        }
    }
    all
}

#[tokio::test]
async fn secret_values_reach_no_file_no_main_database_and_no_history_row() {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::open(data.path()).await.unwrap();

    // A workspace saved with a secret's value inline: the value moves to secrets.db.
    let mut v = small_json("w");
    v["environments"]["local"]["variables"]["API_KEY"] = json!({"secret": true, "value": INLINE});
    let id = store
        .save_workspace(&common::from_json(v))
        .await
        .unwrap()
        .id;
    let stored = store.workspace(id).await.unwrap().workspace;
    assert!(
        matches!(&stored.environments["local"].variables["API_KEY"], EnvVariable::Detailed(d) if d.value.is_none())
    );
    assert_eq!(
        store.secrets(id, Some("local")).await.unwrap()[0].value,
        INLINE
    );
    // Setting it through the API replaces the value.
    store
        .set_secret(id, "local", "API_KEY", VALUE)
        .await
        .unwrap();
    assert_eq!(
        store.secret_names(id).await.unwrap(),
        vec![("local".to_string(), "API_KEY".to_string())]
    );

    // A run whose variables, response and trace carry the value, plus one only the host knew.
    let host_only = SecretRef {
        environment: "local".into(),
        name: "HOST_TOKEN".into(),
        value: "host-token-99e1".into(),
    };
    let escaped = serde_json::to_string(VALUE).unwrap();
    let run_id = store
        .record_run(
            &NewRun {
                workspace_id: Some(id),
                workspace: "w".into(),
                operation: Some("Thing".into()),
                document: format!("{{ thing(id: {escaped}) {{ id }} }}"),
                variables: json!({"key": VALUE, "token": "host-token-99e1"}),
                environment: Some("local".into()),
                response: json!({"data": {"echo": format!("Bearer {VALUE}")}}),
                trace: json!({"spans": [{"request": {"url": "http://x/?k=sk_live_7f3a9c%22quoted%22%2Fvalue"},
                                         "response": serde_json::to_string(&json!({"k": VALUE})).unwrap()}]}),
                started_at: 1,
                duration_ms: 1.0,
            },
            &[host_only],
        )
        .await
        .unwrap();
    let row = store.run(run_id).await.unwrap().unwrap();
    let row_text = serde_json::to_string(&row).unwrap();
    for needle in ["sk_live", "host-token"] {
        assert!(
            !row_text.contains(needle),
            "history row holds `{needle}`: {row_text}"
        );
    }
    assert_eq!(
        row.variables,
        json!({"key": "{{secret.API_KEY}}", "token": "{{secret.HOST_TOKEN}}"})
    );
    assert_eq!(row.response["data"]["echo"], "Bearer {{secret.API_KEY}}");

    // Exported file: the variable is declared secret, with no value.
    let path = files.path().join("w.knot.json");
    store.export_file(id, &path).await.unwrap();
    let exported = std::fs::read(&path).unwrap();
    assert!(
        knot_model::check_bytes(&exported).is_ok(),
        "the exported file is valid"
    );
    assert_eq!(
        store.history(&HistoryQuery::default()).await.unwrap().len(),
        1
    );

    // Raw bytes: while open (WAL not yet checkpointed) and after closing.
    for stage in ["open", "closed"] {
        let raw = raw_main_database(data.path());
        for secret in [VALUE, INLINE, "sk_live_7f3a9c", "host-token-99e1"] {
            assert!(
                !contains_bytes(&raw, secret.as_bytes()),
                "knot.db ({stage}) holds {secret}"
            );
            assert!(
                !contains_bytes(&exported, secret.as_bytes()),
                "the exported file holds {secret}"
            );
        }
        if stage == "open" {
            // secrets.db holds it sealed (tests/sealing.rs); positive control: the same
            // search finds the secret's name there, which is stored in plain text.
            let mut secrets_raw = std::fs::read(store.secrets_path()).unwrap_or_default();
            secrets_raw
                .extend(std::fs::read(data.path().join("secrets.db-wal")).unwrap_or_default());
            assert!(
                !contains_bytes(&secrets_raw, VALUE.as_bytes()),
                "secrets.db holds the value in plain text"
            );
            assert!(
                contains_bytes(&secrets_raw, b"API_KEY"),
                "secrets.db holds the secret's name"
            );
            store.clone().close().await;
        }
    }
    let store = Store::open(data.path()).await.unwrap();
    assert_eq!(
        store.secrets(id, None).await.unwrap()[0].value,
        VALUE,
        "the value itself is kept"
    );
    assert!(
        !format!("{:?}", store.secrets(id, None).await.unwrap()).contains("sk_live"),
        "Debug hides values"
    );
}

#[tokio::test]
async fn only_declared_secrets_can_be_set() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    let err = store
        .set_secret(id, "local", "API_URL", "x")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not-a-secret");
    assert!(err.to_string().contains("API_URL"), "{err}");
    let err = store
        .set_secret(id, "prod", "API_KEY", "x")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not-a-secret");
    store.set_secret(id, "local", "API_KEY", "v").await.unwrap();
    store.delete_secret(id, "local", "API_KEY").await.unwrap();
    assert!(store.secrets(id, None).await.unwrap().is_empty());
    // Deleting the workspace deletes its secrets.
    store.set_secret(id, "local", "API_KEY", "v").await.unwrap();
    store.delete_workspace(id).await.unwrap();
    assert!(store.secrets(id, None).await.unwrap().is_empty());
}
