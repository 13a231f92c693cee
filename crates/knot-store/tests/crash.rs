//! Crashes and concurrency with real processes: this test binary re-executes itself as a
//! child (`child_process_entry`, selected by an environment variable) that saves or
//! records in a loop and prints each acknowledged step; the parent SIGKILLs it at random
//! moments and checks what is left. Every loop is bounded in count and time; the seed of
//! each random test is printed so a failure can be replayed.

mod common;

use common::{big_workspace, Rng};
use knot_store::{HistoryQuery, NewRun, Store, SyncOutcome};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const ROLE: &str = "KNOT_STORE_TEST_CHILD";
const DIR: &str = "KNOT_STORE_TEST_DIR";
const ARG: &str = "KNOT_STORE_TEST_ARG";
/// No child runs longer than this, even if its parent is gone.
const CHILD_LIMIT: Duration = Duration::from_secs(25);
/// Size of the workspace saved in a loop: about 1 MB of JSON.
const SOURCES: usize = 120;
const OPS: usize = 40;

/// The child side. In a normal test run the variable is unset and this does nothing.
#[test]
fn child_process_entry() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let dir = std::env::var(DIR).unwrap();
    let arg = std::env::var(ARG).unwrap_or_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let started = Instant::now();
        let store = || Store::open(Path::new(&dir));
        match role.as_str() {
            // Saves the linked workspace `big` over and over, one generation per save.
            "save-files" => {
                let first: u64 = arg.parse().unwrap();
                let store = store().await.unwrap();
                for generation in first..first + 10_000 {
                    if started.elapsed() > CHILD_LIMIT {
                        break;
                    }
                    let workspace = big_workspace("big", SOURCES, OPS, generation);
                    println!("BEGIN {generation}");
                    let saved = store.save_workspace(&workspace).await.unwrap();
                    assert!(
                        matches!(saved.file, knot_store::FileWrite::Written { .. }),
                        "{:?}",
                        saved.file
                    );
                    println!("ACK {generation}");
                }
            }
            // Writes two pre-rendered versions of a file in turn with `write_atomic` alone,
            // so nearly every moment of the child's life is inside a write.
            "write-file" => {
                // The parent rendered both versions next to the target.
                let path = Path::new(&dir).join("raw.knot.json");
                let bodies: Vec<Vec<u8>> = (0..2)
                    .map(|g| std::fs::read(Path::new(&dir).join(format!("body{g}"))).unwrap())
                    .collect();
                println!("ACK 0");
                for i in 1..100_000u64 {
                    if started.elapsed() > CHILD_LIMIT {
                        break;
                    }
                    knot_store::files::write_atomic(&path, &bodies[(i % 2) as usize]).unwrap();
                    println!("ACK {i}");
                }
            }
            // Records `count` runs tagged with the workspace name `tag`.
            "write-history" => {
                let (tag, count) = arg.split_once(':').unwrap();
                let count: u32 = count.parse().unwrap();
                let store = store().await.unwrap();
                for i in 0..count {
                    if started.elapsed() > CHILD_LIMIT {
                        break;
                    }
                    let id = store.record_run(&history_row(tag, i), &[]).await.unwrap();
                    println!("ACK {id}");
                }
            }
            other => panic!("unknown child role {other}"),
        }
    });
}

fn history_row(tag: &str, i: u32) -> NewRun {
    NewRun {
        workspace: tag.into(),
        operation: Some(format!("Op{i}")),
        document: "query Op { thing(id: \"1\") { id name } }".into(),
        variables: json!({"i": i}),
        response: json!({"data": {"items": (0..60).map(|n| json!({"id": n, "name": format!("item {n} of run {i}")})).collect::<Vec<_>>()}}),
        trace: json!({"spans": [{"source": "api", "start_ms": 0.5, "end_ms": 1.5}]}),
        started_at: knot_store::db::now_ms(),
        duration_ms: 1.0,
        ..NewRun::default()
    }
}

/// A running child and the acknowledgements it printed.
struct Kid {
    child: Child,
    acks: mpsc::Receiver<u64>,
    /// The highest step the child announced (`BEGIN n`) before starting it.
    begun: Arc<AtomicU64>,
    reader: std::thread::JoinHandle<()>,
}

fn spawn(role: &str, dir: &Path, arg: &str) -> Kid {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process_entry",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(ROLE, role)
        .env(DIR, dir)
        .env(ARG, arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, acks) = mpsc::channel();
    let begun = Arc::new(AtomicU64::new(0));
    let announced = begun.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest may print `test child_process_entry ... ` on the same line first.
            if let Some(n) = line
                .rsplit_once("BEGIN ")
                .and_then(|(_, n)| n.trim().parse().ok())
            {
                announced.fetch_max(n, Ordering::SeqCst);
            }
            if let Some(n) = line
                .rsplit_once("ACK ")
                .and_then(|(_, n)| n.trim().parse().ok())
            {
                let _ = tx.send(n);
            }
        }
    });
    Kid {
        child,
        acks,
        begun,
        reader,
    }
}

impl Kid {
    /// Waits for the first acknowledgement, lets the child run `ms` more, kills it and
    /// returns every acknowledgement it printed.
    fn kill_after(mut self, ms: u64) -> Vec<u64> {
        let first = self
            .acks
            .recv_timeout(Duration::from_secs(20))
            .expect("the child acknowledges a first step");
        std::thread::sleep(Duration::from_millis(ms));
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
        self.reader.join().unwrap();
        std::iter::once(first).chain(self.acks.try_iter()).collect()
    }

    /// Waits for the child to finish (bounded), returning its acknowledgements.
    fn finish(mut self, limit: Duration) -> Vec<u64> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "the child failed: {status}");
                break;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the child did not finish within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.reader.join().unwrap();
        self.acks.try_iter().collect()
    }
}

fn generation_of(description: &str) -> u64 {
    description
        .strip_prefix("generation ")
        .and_then(|g| g.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_killed_at_any_moment_leaves_the_old_file_or_the_new_one() {
    let mut rng = Rng::from_time();
    println!("seed {}", rng.0);
    let (data, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let path = files.path().join("big.knot.json");
    let store = Store::open(data.path()).await.unwrap();
    let id = store
        .save_workspace(&big_workspace("big", SOURCES, OPS, 0))
        .await
        .unwrap()
        .id;
    store.link_file(id, &path).await.unwrap();
    println!(
        "workspace file: {} bytes",
        std::fs::metadata(&path).unwrap().len()
    );
    store.close().await;

    let (mut last, mut interrupted) = (0u64, 0);
    for round in 0..5 {
        let kid = spawn("save-files", data.path(), &(last + 1).to_string());
        let begun = kid.begun.clone();
        let acks = kid.kill_after(rng.below(250));
        let acked = acks.iter().copied().max().unwrap();
        // The file parses, completely, as the last acknowledged generation or the next one.
        let bytes = std::fs::read(&path).unwrap();
        let report = knot_model::check_bytes(&bytes);
        assert!(
            report.is_ok(),
            "round {round}: the file is broken: {:?}",
            report.problems.first()
        );
        let generation = generation_of(&report.workspace.unwrap().description);
        assert!(
            generation == acked || generation == acked + 1,
            "round {round}: file {generation}, acked {acked}"
        );
        let strays = std::fs::read_dir(files.path()).unwrap().count() - 1;
        // The kill landed inside `save_workspace` when a save began and was not acknowledged.
        interrupted += usize::from(begun.load(Ordering::SeqCst) > acked);
        // The store comes back consistent with the file, without a conflict.
        let store = Store::open(data.path()).await.unwrap();
        assert!(store.integrity_check().await.unwrap().is_empty());
        let outcome = store.sync_workspace(id).await.unwrap();
        assert!(
            matches!(
                outcome,
                SyncOutcome::InSync { .. } | SyncOutcome::Reloaded { .. }
            ),
            "round {round}: {outcome:?}"
        );
        let stored = store.workspace(id).await.unwrap().workspace;
        assert_eq!(
            generation_of(&stored.description),
            generation,
            "round {round}"
        );
        store.close().await;
        println!("round {round}: {} saves acknowledged, file at generation {generation}, {strays} stray temporary file(s)", acks.len());
        last = generation;
    }
    println!("{interrupted} of 5 kills landed inside save_workspace");
}

#[test]
fn a_file_write_killed_mid_way_never_leaves_a_broken_file() {
    let mut rng = Rng::from_time();
    println!("seed {}", rng.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.knot.json");
    let bodies: Vec<String> = (0..2)
        .map(|g| knot_model::to_canonical_json(&big_workspace("raw", SOURCES, OPS, g)))
        .collect();
    knot_store::files::write_atomic(&path, bodies[0].as_bytes()).unwrap();
    for (g, body) in bodies.iter().enumerate() {
        std::fs::write(dir.path().join(format!("body{g}")), body).unwrap();
    }
    let mut mid_write = 0;
    for round in 0..8 {
        let acks = spawn("write-file", dir.path(), "").kill_after(rng.below(120));
        let acked = acks.iter().copied().max().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let report = knot_model::check_bytes(&bytes);
        assert!(
            report.is_ok(),
            "round {round}: the file is broken: {:?}",
            report.problems.first()
        );
        // Exactly one of the two versions, byte for byte, never a mix or a prefix.
        assert!(
            bodies.iter().any(|b| b.as_bytes() == bytes),
            "round {round} (ack {acked}): a mixed file"
        );
        let strays: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".knot-tmp"))
            .map(|e| e.path())
            .collect();
        mid_write += usize::from(!strays.is_empty());
        for stray in strays {
            std::fs::remove_file(stray).unwrap();
        }
        println!(
            "round {round}: {} writes acknowledged, file parses",
            acks.len()
        );
    }
    println!("{mid_write} of 8 kills landed between creating the temporary file and the rename");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_history_row_survives_a_kill() {
    let mut rng = Rng::from_time();
    println!("seed {}", rng.0);
    let data = tempfile::tempdir().unwrap();
    Store::open(data.path()).await.unwrap().close().await;
    let mut all = Vec::new();
    for round in 0..5 {
        let acks = spawn(
            "write-history",
            data.path(),
            &format!("round{round}:100000"),
        )
        .kill_after(rng.below(300));
        let store = Store::open(data.path()).await.unwrap();
        assert!(
            store.integrity_check().await.unwrap().is_empty(),
            "round {round}"
        );
        all.extend(acks.iter().copied());
        for id in &all {
            assert!(
                store.run(*id as i64).await.unwrap().is_some(),
                "round {round}: acknowledged run {id} is missing"
            );
        }
        let stored = store.run_count().await.unwrap();
        // A row can be committed and the child killed before it printed the id: at most
        // one such row per kill.
        assert!(
            stored >= all.len() as u64 && stored <= all.len() as u64 + round + 1,
            "{stored} rows for {} acknowledged",
            all.len()
        );
        println!(
            "round {round}: {} rows acknowledged, {stored} stored",
            acks.len()
        );
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_writing_history_at_once_lose_nothing() {
    // A fresh folder: the two processes also race to create the store and migrate it.
    let data = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let a = spawn("write-history", data.path(), "writer-a:200");
    let b = spawn("write-history", data.path(), "writer-b:200");
    let (acks_a, acks_b) = (
        a.finish(Duration::from_secs(40)),
        b.finish(Duration::from_secs(40)),
    );
    println!("2 x 200 rows in {:?}", started.elapsed());
    assert_eq!((acks_a.len(), acks_b.len()), (200, 200));
    let store = Store::open(data.path()).await.unwrap();
    for tag in ["writer-a", "writer-b"] {
        let q = HistoryQuery {
            workspace: Some(tag.into()),
            limit: 1000,
            ..HistoryQuery::default()
        };
        assert_eq!(store.history(&q).await.unwrap().len(), 200, "{tag}");
    }
    let mut ids: Vec<u64> = acks_a.into_iter().chain(acks_b).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 400, "every acknowledged id is distinct");
    assert!(store.integrity_check().await.unwrap().is_empty());
}
