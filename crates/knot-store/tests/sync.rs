//! A workspace linked to a file: the side that changed since the last sync wins; when both
//! changed, a conflict with both versions and nothing overwritten.

mod common;

use common::workspace;
use knot_model::to_canonical_json;
use knot_store::{FileState, FileWrite, Keep, Store, SyncOutcome};
use std::path::PathBuf;

async fn linked() -> (tempfile::TempDir, tempfile::TempDir, Store, i64, PathBuf) {
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = Store::open(data.path()).await.unwrap();
    let path = files.path().join("w.knot.json");
    std::fs::write(&path, to_canonical_json(&workspace("w"))).unwrap();
    let id = store.import_file(&path).await.unwrap().id;
    (data, files, store, id, path)
}

fn edited(description: &str) -> knot_model::Workspace {
    let mut ws = workspace("w");
    ws.description = description.into();
    ws
}

#[tokio::test]
async fn a_file_changed_on_disk_is_reloaded() {
    let (_d, _f, store, id, path) = linked().await;
    assert_eq!(store.file_state(id).await.unwrap(), FileState::InSync);
    // `git pull`: the file changes, hand-formatted (not canonical).
    let pulled = serde_json::to_string(&edited("pulled")).unwrap();
    std::fs::write(&path, &pulled).unwrap();
    assert_eq!(store.file_state(id).await.unwrap(), FileState::FileChanged);
    let outcome = store.sync_workspace(id).await.unwrap();
    assert!(
        matches!(outcome, SyncOutcome::Reloaded { .. }),
        "{outcome:?}"
    );
    assert_eq!(
        store.workspace(id).await.unwrap().workspace.description,
        "pulled"
    );
    // The file is not rewritten by the reload (no diff appears in the repository).
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pulled);
    assert!(matches!(
        store.sync_workspace(id).await.unwrap(),
        SyncOutcome::InSync { .. }
    ));
    // A later edit in the store is written back, canonically.
    let saved = store
        .save_workspace(&edited("edited in the app"))
        .await
        .unwrap();
    assert!(
        matches!(saved.file, FileWrite::Written { .. }),
        "{:?}",
        saved.file
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_canonical_json(&edited("edited in the app"))
    );
}

#[tokio::test]
async fn both_sides_changed_is_a_conflict_that_overwrites_nothing() {
    let (_d, _f, store, id, path) = linked().await;
    let theirs = to_canonical_json(&edited("theirs"));
    std::fs::write(&path, &theirs).unwrap();
    // The app saves an edit without having synced: the row is saved, the file left alone.
    let saved = store.save_workspace(&edited("mine")).await.unwrap();
    let FileWrite::Conflict(conflict) = saved.file else {
        panic!("expected a conflict, got {:?}", saved.file)
    };
    assert_eq!(conflict.store.description, "mine");
    assert_eq!(
        conflict.file.as_ref().map(|w| w.description.as_str()),
        Some("theirs")
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    assert_eq!(store.file_state(id).await.unwrap(), FileState::BothChanged);
    let SyncOutcome::Conflict(again) = store.sync_workspace(id).await.unwrap() else {
        panic!("sync must report the conflict too")
    };
    assert_eq!(again.file_bytes.as_deref(), Some(theirs.as_bytes()));
    assert_eq!(
        store.workspace(id).await.unwrap().workspace.description,
        "mine"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);

    // Keeping the file's version loads it; keeping the store's rewrites the file.
    store.resolve_conflict(id, Keep::File).await.unwrap();
    assert_eq!(
        store.workspace(id).await.unwrap().workspace.description,
        "theirs"
    );
    store.save_workspace(&edited("mine again")).await.unwrap();
    std::fs::write(&path, to_canonical_json(&edited("theirs again"))).unwrap();
    store.save_workspace(&edited("mine, last")).await.unwrap();
    store.resolve_conflict(id, Keep::Store).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_canonical_json(&edited("mine, last"))
    );
    assert!(matches!(
        store.sync_workspace(id).await.unwrap(),
        SyncOutcome::InSync { .. }
    ));
}

#[tokio::test]
async fn a_broken_file_on_disk_is_reported_and_the_store_keeps_its_copy() {
    let (_d, _f, store, id, path) = linked().await;
    let before = store.workspace(id).await.unwrap().workspace;
    // A merge left conflict markers in the file.
    std::fs::write(&path, "<<<<<<< HEAD\n{}\n=======\n").unwrap();
    let err = store.sync_workspace(id).await.unwrap_err();
    assert_eq!(err.code(), "invalid-file");
    assert!(err.to_string().contains("w.knot.json"), "{err}");
    assert_eq!(store.workspace(id).await.unwrap().workspace, before);
    // Saving from the app now does not overwrite the broken file either: it is a conflict.
    let saved = store.save_workspace(&edited("mine")).await.unwrap();
    let FileWrite::Conflict(c) = saved.file else {
        panic!("{:?}", saved.file)
    };
    assert!(
        c.file.is_none()
            && c.file_problem
                .as_deref()
                .is_some_and(|p| p.contains("not valid JSON")),
        "{c:?}"
    );
}

#[tokio::test]
async fn a_deleted_file_is_reported_and_can_be_restored() {
    let (_d, _f, store, id, path) = linked().await;
    std::fs::remove_file(&path).unwrap();
    assert_eq!(store.file_state(id).await.unwrap(), FileState::FileMissing);
    assert!(matches!(
        store.sync_workspace(id).await.unwrap(),
        SyncOutcome::FileMissing { .. }
    ));
    assert!(
        !path.exists(),
        "sync does not recreate a deleted file by itself"
    );
    store.resolve_conflict(id, Keep::Store).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_canonical_json(&workspace("w"))
    );
}

#[tokio::test]
async fn importing_a_linked_file_again_syncs_it_and_another_file_of_the_same_name_is_refused() {
    let (_d, files, store, id, path) = linked().await;
    std::fs::write(&path, to_canonical_json(&edited("pulled"))).unwrap();
    let again = store.import_file(&path).await.unwrap();
    assert_eq!((again.id, again.created), (id, false));
    assert!(matches!(again.sync, Some(SyncOutcome::Reloaded { .. })));
    let other = files.path().join("other.knot.json");
    std::fs::write(&other, to_canonical_json(&workspace("w"))).unwrap();
    let err = store.import_file(&other).await.unwrap_err();
    assert_eq!(err.code(), "name-taken");
    assert!(
        err.to_string().contains("w.knot.json"),
        "names where the existing one lives: {err}"
    );
    // A file linked to one workspace cannot be taken by another.
    let b = store.save_workspace(&workspace("b")).await.unwrap().id;
    let err = store.export_file(b, &path).await.unwrap_err();
    assert_eq!(err.code(), "file-taken");
}

#[tokio::test]
async fn a_save_that_changes_nothing_neither_reformats_nor_conflicts() {
    let (_d, _f, store, id, path) = linked().await;
    // A pulled, hand-formatted file is reloaded...
    let pulled = serde_json::to_string(&edited("pulled")).unwrap();
    std::fs::write(&path, &pulled).unwrap();
    store.sync_workspace(id).await.unwrap();
    // ...and an autosave of the same content leaves it as it is.
    let saved = store.save_workspace(&edited("pulled")).await.unwrap();
    assert!(
        matches!(saved.file, FileWrite::Unchanged { .. }),
        "{:?}",
        saved.file
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pulled);
    // A pull the store has not seen yet, then an autosave of the unchanged store copy:
    // not a conflict, the next sync reloads the file.
    std::fs::write(&path, to_canonical_json(&edited("pulled again"))).unwrap();
    let saved = store.save_workspace(&edited("pulled")).await.unwrap();
    assert!(
        matches!(saved.file, FileWrite::ChangedOnDisk { .. }),
        "{:?}",
        saved.file
    );
    assert!(matches!(
        store.sync_workspace(id).await.unwrap(),
        SyncOutcome::Reloaded { .. }
    ));
    assert_eq!(
        store.workspace(id).await.unwrap().workspace.description,
        "pulled again"
    );
}
