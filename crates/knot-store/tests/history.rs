//! Run history (newest first, searchable, prunable), caches, settings and recent files.

mod common;

use common::workspace;
use knot_store::{CacheKind, HistoryQuery, NewRun, Prune, Store};
use serde_json::json;
use std::time::Duration;

fn run(workspace: &str, operation: &str, started_at: i64) -> NewRun {
    NewRun {
        workspace: workspace.into(),
        operation: Some(operation.into()),
        document: format!("query {operation} {{ thing(id: \"1\") {{ id }} }}"),
        variables: json!({"id": "1"}),
        environment: Some("local".into()),
        response: json!({"data": {"thing": null}, "errors": [{"message": "x"}]}),
        trace: json!({"spans": []}),
        started_at,
        duration_ms: 12.5,
        ..NewRun::default()
    }
}

#[tokio::test]
async fn history_is_newest_first_and_searchable_by_workspace_and_operation() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let now = knot_store::db::now_ms();
    let a = store
        .record_run(&run("shop", "OrderDetails", now - 3000), &[])
        .await
        .unwrap();
    let b = store
        .record_run(&run("shop", "UserOnly", now - 2000), &[])
        .await
        .unwrap();
    let c = store
        .record_run(&run("trading", "Events_100%", now - 1000), &[])
        .await
        .unwrap();

    let ids =
        |rows: Vec<knot_store::RunSummary>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.history(&HistoryQuery::default()).await.unwrap()),
        vec![c, b, a]
    );
    let shop = HistoryQuery {
        workspace: Some("shop".into()),
        ..HistoryQuery::default()
    };
    assert_eq!(ids(store.history(&shop).await.unwrap()), vec![b, a]);
    let search = HistoryQuery {
        operation: Some("order".into()),
        ..HistoryQuery::default()
    };
    assert_eq!(ids(store.history(&search).await.unwrap()), vec![a]);
    // `%` and `_` are searched for literally.
    let literal = HistoryQuery {
        operation: Some("_100%".into()),
        ..HistoryQuery::default()
    };
    assert_eq!(ids(store.history(&literal).await.unwrap()), vec![c]);
    let limited = HistoryQuery {
        limit: 1,
        ..HistoryQuery::default()
    };
    assert_eq!(ids(store.history(&limited).await.unwrap()), vec![c]);

    let summary = &store.history(&limited).await.unwrap()[0];
    assert_eq!((summary.errors, summary.duration_ms), (1, 12.5));
    // What ran and how many calls it made, without reading the run whole.
    assert_eq!(
        summary.document,
        "query Events_100% { thing(id: \"1\") { id } }"
    );
    assert_eq!(summary.variables, json!({"id": "1"}));
    assert_eq!(summary.calls, 0);
    let full = store.run(a).await.unwrap().unwrap();
    assert_eq!(full.variables, json!({"id": "1"}));
    assert_eq!(full.trace, json!({"spans": []}));
    assert!(store.run(999_999).await.unwrap().is_none());
}

#[tokio::test]
async fn history_is_pruned_by_age_and_by_count() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let now = knot_store::db::now_ms();
    let day = 24 * 3600 * 1000;
    for i in 0..10 {
        store
            .record_run(&run("w", "Op", now - i * day), &[])
            .await
            .unwrap();
    }
    // Runs older than 5 days: those started 6..9 days ago (5 days ago is the boundary).
    let gone = store
        .prune_history(Prune::OlderThan(Duration::from_secs(5 * 24 * 3600 + 60)))
        .await
        .unwrap();
    assert_eq!(gone, 4);
    assert_eq!(store.prune_history(Prune::KeepNewest(2)).await.unwrap(), 4);
    let left = store.history(&HistoryQuery::default()).await.unwrap();
    assert_eq!(left.len(), 2);
    assert!(left[0].started_at >= left[1].started_at && left[0].started_at >= now - day);
}

#[tokio::test]
async fn a_run_of_a_deleted_workspace_stays_in_the_history() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let id = store.save_workspace(&workspace("w")).await.unwrap().id;
    let run_id = store
        .record_run(
            &NewRun {
                workspace_id: Some(id),
                ..run("w", "Thing", 1)
            },
            &[],
        )
        .await
        .unwrap();
    store.delete_workspace(id).await.unwrap();
    let kept = store.run(run_id).await.unwrap().unwrap();
    assert_eq!((kept.workspace_id, kept.workspace.as_str()), (None, "w"));
    // A run naming a workspace id that does not exist is recorded without it.
    let orphan = store
        .record_run(
            &NewRun {
                workspace_id: Some(12345),
                ..run("x", "Op", 2)
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(store.run(orphan).await.unwrap().unwrap().workspace_id, None);
}

#[tokio::test]
async fn caches_settings_and_recent_files_round_trip() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    store
        .cache_put(CacheKind::ProtoDescriptors, "k", &[0, 159, 146, 150])
        .await
        .unwrap();
    store
        .cache_put(CacheKind::Introspection, "http://x/graphql", b"{}")
        .await
        .unwrap();
    assert_eq!(
        store
            .cache_get(CacheKind::ProtoDescriptors, "k")
            .await
            .unwrap(),
        Some(vec![0, 159, 146, 150])
    );
    assert_eq!(
        store
            .cache_get(CacheKind::Introspection, "k")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .cache_clear(Some(CacheKind::Introspection))
            .await
            .unwrap(),
        1
    );

    store.set_setting("theme", &json!("dark")).await.unwrap();
    store
        .set_setting("panes", &json!({"left": 240}))
        .await
        .unwrap();
    store.set_setting("theme", &json!("light")).await.unwrap();
    assert_eq!(store.setting("theme").await.unwrap(), Some(json!("light")));
    store.remove_setting("panes").await.unwrap();
    assert_eq!(store.setting("panes").await.unwrap(), None);

    for i in 0..25 {
        store
            .touch_recent_file(std::path::Path::new(&format!("/w/{i}.knot.json")))
            .await
            .unwrap();
        // Distinct timestamps keep the order unambiguous.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    store
        .touch_recent_file(std::path::Path::new("/w/3.knot.json"))
        .await
        .unwrap();
    let recent = store.recent_files().await.unwrap();
    assert_eq!(recent.len(), knot_store::prefs::MAX_RECENT as usize);
    assert_eq!(recent[0], std::path::PathBuf::from("/w/3.knot.json"));
    assert_eq!(recent[1], std::path::PathBuf::from("/w/24.knot.json"));
}

#[tokio::test]
async fn a_run_is_deleted_alone_and_its_calls_are_counted_in_the_list() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).await.unwrap();
    let now = knot_store::db::now_ms();
    let mut two_calls = run("shop", "OrderDetails", now - 2000);
    two_calls.trace = json!({"spans": [{"id": 0}, {"id": 1}]});
    let a = store.record_run(&two_calls, &[]).await.unwrap();
    let b = store
        .record_run(&run("shop", "UserOnly", now - 1000), &[])
        .await
        .unwrap();
    let listed = store.history(&HistoryQuery::default()).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| (r.id, r.calls)).collect::<Vec<_>>(),
        vec![(b, 0), (a, 2)]
    );
    assert!(store.delete_run(a).await.unwrap());
    assert!(!store.delete_run(a).await.unwrap(), "already gone");
    let left = store.history(&HistoryQuery::default()).await.unwrap();
    assert_eq!(left.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b]);
    assert!(store.run(a).await.unwrap().is_none());
}
