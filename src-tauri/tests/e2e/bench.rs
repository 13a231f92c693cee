//! `make bench-app`: the desktop app's numbers as a person meets them, in the real window
//! under Xvfb, printed as a report (an ignored test; it asserts only that every figure was
//! measured, the targets are for people to compare):
//! - launch to the first drawn workspace: from the process's start (/proc) to the painted
//!   frame after the page drew the workspace (the page's `knot:workspace-drawn` measure);
//! - memory: resident memory (RSS) of the app and its WebKit processes together, idle, after
//!   10 and after 100 runs, and an empty Tauri window (examples/blank_window.rs, KNOT_BLANK_BIN)
//!   measured the same way, so WebKitGTK's own floor is visible;
//! - the fan-out graph of a 500-node plan from arrival to drawn (`knot:plan-drawn`);
//! - the designer at 50 types from mounting to drawn (`knot:designer-drawn`).
//!
//! KNOT_APP_BIN names the app to measure (the Makefile passes the optimised build).

use super::*;
use std::collections::HashMap;

/// Resident memory of a process, in KiB (0 when it is gone).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Every process: pid -> (parent pid, command name, start time in clock ticks after boot).
fn processes() -> HashMap<u32, (u32, String, u64)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: the name may hold spaces, so split after the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ppid = rest.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let start = rest.get(19).and_then(|p| p.parse().ok()).unwrap_or(0);
        out.insert(pid, (ppid, name, start));
    }
    out
}

/// The newest process running `exe`.
fn newest_running(exe: &str) -> Option<u32> {
    let exe = std::fs::canonicalize(exe).ok()?;
    let all = processes();
    all.iter()
        .filter(|(pid, _)| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .max_by_key(|(_, (_, _, start))| *start)
        .map(|(pid, _)| *pid)
}

/// A process and its descendants: (name, RSS KiB) each.
fn tree(root: u32) -> Vec<(String, u64)> {
    let all = processes();
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        pids.extend(
            all.iter()
                .filter(|(_, (pp, _, _))| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    pids.iter()
        .map(|p| {
            let name = all.get(p).map(|(_, n, _)| n.clone()).unwrap_or_default();
            (name, rss_kib(*p))
        })
        .collect()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn describe(parts: &[(String, u64)]) -> String {
    let total: u64 = parts.iter().map(|(_, k)| k).sum();
    let each: Vec<String> = parts
        .iter()
        .map(|(n, k)| format!("{n} {:.0}", mib(*k)))
        .collect();
    format!("{:.0} MiB ({})", mib(total), each.join(" + "))
}

fn total(parts: &[(String, u64)]) -> u64 {
    parts.iter().map(|(_, k)| k).sum()
}

/// Seconds since the epoch at which process `pid` started: the moment the machine booted plus
/// the process's start time in clock ticks after boot (Linux's USER_HZ is 100). The boot is
/// taken as now minus /proc/uptime (10 ms steps), not /proc/stat's `btime`: that one is whole
/// seconds, and its lost fraction (0.98 s on this machine) once made every launch look that
/// much slower.
fn started_at(pid: u32) -> Option<f64> {
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    let (_, _, ticks) = processes().get(&pid)?.clone();
    Some(now - uptime + ticks as f64 / 100.0)
}

impl Session {
    /// The page's `knot:NAME` measures: (epoch ms at the end, duration ms, detail).
    async fn measures(&self, name: &str) -> Vec<(f64, f64, serde_json::Value)> {
        let v = self
            .client
            .execute(
                "return performance.getEntriesByName(arguments[0]).map((e) => ({
                   end: performance.timeOrigin + e.startTime + e.duration,
                   duration: e.duration, detail: e.detail }));",
                vec![json!(format!("knot:{name}"))],
            )
            .await
            .unwrap_or_default();
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["end"].as_f64().unwrap_or(0.0),
                            e["duration"].as_f64().unwrap_or(0.0),
                            e["detail"].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits for a `knot:NAME` measure whose detail passes `pick`.
    /// The newest `knot:NAME` measure that `pick` accepts, waiting up to 90 s for it.
    async fn measured(
        &self,
        name: &str,
        pick: impl Fn(&serde_json::Value) -> bool,
    ) -> (f64, f64, serde_json::Value) {
        self.measured_since(name, 0, pick).await
    }

    /// The newest `knot:NAME` measure that `pick` accepts among those recorded after the first
    /// `since` (what an action taken after counting them drew), waiting up to 90 s for it.
    async fn measured_since(
        &self,
        name: &str,
        since: usize,
        pick: impl Fn(&serde_json::Value) -> bool,
    ) -> (f64, f64, serde_json::Value) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let all = self.measures(name).await;
            if let Some(m) = all.into_iter().skip(since).rfind(|m| pick(&m.2)) {
                return m;
            }
            if Instant::now() > deadline {
                self.fail(&format!("no knot:{name} measure")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn latest_run(&self) -> i64 {
        self.invoke("history_list", json!({"limit": 1}))
            .await
            .ok()
            .and_then(|v| v[0]["id"].as_i64())
            .unwrap_or(-1)
    }

    /// Adds to the open workspace's document (`workspace_update`).
    pub(crate) async fn edit_document(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut doc = self.document().await;
        edit(&mut doc);
        if let Err(e) = self
            .invoke("workspace_update", json!({"document": doc}))
            .await
        {
            self.fail(&format!("workspace_update: {e}")).await;
        }
    }
}

/// Resident memory by process: (command name, KiB).
type Memory = Vec<(String, u64)>;

/// An empty Tauri window measured as the app is: its memory, and how long after its process
/// started it asked for its page (milliseconds; examples/blank_window.rs writes the moment to
/// KNOT_BLANK_STAMP), WebKitGTK's own start-up before any page of Knot's could run.
fn blank_window() -> Option<(Memory, Option<f64>)> {
    let bin = std::env::var("KNOT_BLANK_BIN").ok()?;
    let (display, _xvfb) = start_xvfb(&mut (700..750));
    let stamp_dir = tempfile::tempdir().ok()?;
    let stamp = stamp_dir.path().join("requested");
    let app = Command::new(&bin)
        .env("DISPLAY", format!(":{display}"))
        .env("KNOT_BLANK_STAMP", &stamp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let pid = app.id();
    let _app = Killed(app, "blank window");
    // Idle as the app is measured: ten seconds after its web process appears.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !tree(pid)
        .iter()
        .any(|(n, _)| n.starts_with("WebKitWebProces"))
    {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(10));
    let requested = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|t| t.trim().parse::<f64>().ok())
        .zip(started_at(pid))
        .map(|(at, start)| at - start * 1000.0);
    Some((tree(pid), requested))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: make bench-app"]
async fn app_numbers() {
    let app = app_binary();
    println!("Knot desktop app: {app}");
    println!(
        "Xvfb, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Launch: three fresh launches (a new data folder each: the first launch's set-up
    // included), process start to the painted frame with the workspace.
    let mut launches = Vec::new();
    let mut page = Vec::new();
    let mut kept = None;
    for i in 0..3 {
        let s = session("bench-app", 650..700).await;
        let (end, duration, _) = s.measured("workspace-drawn", |_| true).await;
        let pid = newest_running(&app).expect("the app's process");
        let start = started_at(pid).expect("the process's start time");
        launches.push(end - start * 1000.0);
        page.push(duration);
        if i < 2 {
            let _ = s.client.clone().close().await;
            drop(s);
            tokio::time::sleep(Duration::from_millis(500)).await;
        } else {
            kept = Some((s, pid));
        }
    }
    let (s, pid) = kept.expect("the last session");
    let ms = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    println!(
        "launch to the first drawn workspace: {} ms (of which page start to drawn: {} ms)",
        ms(&launches),
        ms(&page)
    );

    // Memory idle, then after runs.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle = tree(pid);
    if let Some(blank) = tokio::task::spawn_blocking(blank_window)
        .await
        .ok()
        .flatten()
    {
        println!(
            "memory (RSS), an empty Tauri window: {}",
            describe(&blank.0)
        );
        match blank.1 {
            Some(ms) => println!(
                "an empty Tauri window asks for its page {ms:.0} ms after its process starts \
                 (Knot's page starts {} ms after its process)",
                launches
                    .iter()
                    .zip(&page)
                    .map(|(l, p)| format!("{:.0}", l - p))
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
            None => {
                println!("an empty Tauri window: the moment it asked for its page was not recorded")
            }
        }
    } else {
        println!("memory (RSS), an empty Tauri window: not measured (set KNOT_BLANK_BIN)");
    }
    println!("memory (RSS), Knot idle on the demo:  {}", describe(&idle));
    s.tick_order_details(&[
        "getOrderDetails.user",
        "getOrderDetails.user.name",
        "getOrderDetails.products",
        "getOrderDetails.products.name",
    ])
    .await;
    let mut after_ten = Vec::new();
    let started = Instant::now();
    for i in 0..100 {
        let before = s.latest_run().await;
        s.click("[data-testid=run]").await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while s.latest_run().await == before {
            if Instant::now() > deadline {
                s.fail(&format!("run {} did not finish", i + 1)).await;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        // The page draws the answer before the next click.
        s.until("the run button is back", || async {
            s.count("[data-testid=run]:not([disabled])").await == 1
        })
        .await;
        if i == 9 {
            tokio::time::sleep(Duration::from_secs(3)).await;
            after_ten = tree(pid);
        }
    }
    let runs_took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_hundred = tree(pid);
    println!(
        "memory (RSS), after 10 runs:          {}",
        describe(&after_ten)
    );
    println!(
        "memory (RSS), after 100 runs:         {} ({:+.1}% from idle, {:+.1}% from 10 runs; 100 runs took {:.1} s)",
        describe(&after_hundred),
        (total(&after_hundred) as f64 / total(&idle) as f64 - 1.0) * 100.0,
        (total(&after_hundred) as f64 / total(&after_ten) as f64 - 1.0) * 100.0,
        runs_took.as_secs_f64()
    );

    // A 500-node plan: 500 aliased root fields, each its own fetch, opened as a saved operation;
    // once written on one line (the editor then lays out one wrapped line of 15 KB in the same
    // update), once with a field per line as a person (or a formatter) writes it.
    let fields: Vec<String> = (0..500)
        .map(|i| format!("a{i}: getOrderDetails(id: \"{}\") {{ id }}", i % 10 + 1))
        .collect();
    let one_line = format!("query Big {{ {} }}", fields.join(" "));
    let per_line = format!("query BigLines {{\n  {}\n}}\n", fields.join("\n  "));
    s.edit_document(|doc| {
        doc["operations"]["Big"] = json!({"document": one_line});
        doc["operations"]["BigLines"] = json!({"document": per_line});
    })
    .await;
    // The page learns of a change made behind its back when it loads again (tabs are kept).
    s.client.refresh().await.ok();
    for (name, written) in [("Big", "on one line"), ("BigLines", "a field per line")] {
        let before = s.measures("plan-drawn").await.len();
        s.click("[data-testid=saved-ops-open]").await;
        s.click(&format!("[data-testid='saved-op-{name}']")).await;
        let (_, plan_ms, plan) = s
            .measured_since("plan-drawn", before, |d| {
                d["nodes"].as_u64().unwrap_or(0) >= 500
            })
            .await;
        println!(
            "fan-out graph, {} nodes and {} edges ({written}): laid out and drawn in {plan_ms:.0} ms",
            plan["nodes"], plan["edges"]
        );
        s.screenshot(&format!("plan-500-nodes-{name}")).await;
    }

    // The designer at 50 types: the demo's types and chained ones up to 50.
    let present = s.document().await["schema"]["types"]
        .as_object()
        .map_or(0, |t| t.len());
    s.edit_document(|doc| {
        let extra = 50usize.saturating_sub(present);
        for i in 0..extra {
            let next = if i + 1 < extra {
                format!("Extra{}", i + 1)
            } else {
                "Order".into()
            };
            doc["schema"]["types"][format!("Extra{i}")] = json!({"fields": {
                "id": {"type": "ID!"}, "name": {"type": "String"}, "count": {"type": "Int"},
                "tags": {"type": "[String!]"}, "next": {"type": next}}});
        }
    })
    .await;
    // Opened the first time after the page loads (ELK's worker starts as the pointer reaches
    // the button), then again after a visit to the Query screen (the worker is running).
    s.client.refresh().await.ok();
    for when in ["the first time", "again"] {
        let before = s.measures("designer-drawn").await.len();
        s.click("[data-testid=nav-designer]").await;
        // Drawn where ELK placed the boxes (they are hidden until then).
        s.wait("[data-arranged=elk] .react-flow__node").await;
        let (_, designer_ms, designer) = s
            .measured_since("designer-drawn", before, |d| {
                d["types"].as_u64().unwrap_or(0) >= 50
            })
            .await;
        println!(
            "designer, {} types and {} operations, opened {when}: drawn in {designer_ms:.0} ms",
            designer["types"], designer["operations"]
        );
        s.click("[data-testid=nav-query]").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    s.click("[data-testid=nav-designer]").await;
    s.wait("[data-arranged=elk] .react-flow__node").await;
    s.screenshot("designer-50-types").await;
    let _ = s.client.clone().close().await;
}
