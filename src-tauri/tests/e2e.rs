//! End-to-end tests in the real app window: Xvfb, tauri-driver and WebKitWebDriver drive the
//! `knot-app` binary as a person would. Each test saves a screenshot when it fails
//! (`target/e2e-screenshots/`). The test starts its own Xvfb display and tauri-driver on
//! free ports, and gives the app a temporary data folder. The binary is built with the
//! test-only `e2e-dialog` feature (the dev-dependency in Cargo.toml): its native file dialogs
//! answer with the path a test passes to [`session_with_dialog`] (`KNOT_E2E_DIALOG`).

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child, &'static str);

impl Drop for Killed {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver too (see RECIPES).
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
        eprintln!("{} had to be killed", self.1);
    }
}

/// tauri-driver's log for one test: target/e2e-screenshots/NAME-driver.log.
fn driver_log(name: &str) -> Stdio {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    match std::fs::File::create(dir.join(format!("{name}-driver.log"))) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    }
}

/// A virtual X display from `displays` that no other test holds, ready for windows: its
/// number and the Xvfb process (killed when dropped).
fn start_xvfb(displays: &mut std::ops::Range<u32>) -> (u32, Killed) {
    let display = displays
        .find(|n| {
            !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display");
    let xvfb = Command::new("Xvfb")
        .args([
            format!(":{display}"),
            "-screen".into(),
            "0".into(),
            // Room for the 1440x900 screenshots of the window.
            "1600x1000x24".into(),
            "-nolisten".into(),
            "tcp".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts (apt-get install xvfb)");
    let xvfb = Killed(xvfb, "Xvfb");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::path::Path::new(&format!("/tmp/.X11-unix/X{display}")).exists() {
        assert!(Instant::now() < deadline, "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (display, xvfb)
}

/// The app the window tests drive: this build's, or the one KNOT_APP_BIN names.
fn app_binary() -> String {
    std::env::var("KNOT_APP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_knot-app").to_string())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    let p = home.join("bin/tauri-driver");
    if p.exists() {
        p
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Xvfb on a free display number, tauri-driver on a free port, and a WebDriver session
/// on the app.
struct Session {
    client: Client,
    _driver: Killed,
    _xvfb: Killed,
    _data: tempfile::TempDir,
    name: &'static str,
    display: u32,
}

/// `displays`: the X display numbers this test may use (tests run in parallel, each in its
/// own range so two never race for one display).
async fn session(name: &'static str, displays: std::ops::Range<u32>) -> Session {
    session_with_dialog(name, displays, None).await
}

/// A session whose file dialogs (Open, Save as, folders, exports) all answer with `dialog`.
async fn session_with_dialog(
    name: &'static str,
    mut displays: std::ops::Range<u32>,
    dialog: Option<&std::path::Path>,
) -> Session {
    let (display, xvfb) = start_xvfb(&mut displays);
    let data = tempfile::tempdir().expect("temp dir");
    let (port, native) = (free_port(), free_port());
    let mut driver = Command::new(tauri_driver());
    match dialog {
        Some(path) => driver.env("KNOT_E2E_DIALOG", path),
        None => driver.env_remove("KNOT_E2E_DIALOG"),
    };
    let driver = driver
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", format!(":{display}"))
        .env("KNOT_DATA_DIR", data.path())
        // The throwaway store's secrets key goes to a key file in it, never to the keyring
        // of a desktop session the tests may run in.
        .env("KNOT_KEYRING", "off")
        .stdout(Stdio::null())
        // A file, not this test's stderr: WebKitWebDriver (its child) may outlive it briefly.
        .stderr(driver_log(name))
        .spawn()
        .expect("tauri-driver starts (cargo install tauri-driver)");
    let driver = Killed(driver, "tauri-driver");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        // KNOT_APP_BIN: another build of the app (`make bench-app` drives the optimised one).
        json!({ "application": app_binary() }),
    );
    caps.insert("browserName".into(), json!("wry"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("no WebDriver session: {e}"),
        }
    };
    Session {
        client,
        _driver: driver,
        _xvfb: xvfb,
        _data: data,
        name,
        display,
    }
}

impl Session {
    /// The open workspace's name as the top bar shows it.
    async fn workspace_name(&self) -> String {
        match self
            .client
            .find(Locator::Css("[data-testid=workspace-name]"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Calls a command the way script in the page can (`__TAURI_INTERNALS__.invoke`, what
    /// `@tauri-apps/api` wraps): `Ok(answer)` or `Err(rejection)`.
    async fn invoke(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let answer = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
                   (v) => done({ ok: v === undefined ? null : v }),
                   (e) => done({ err: e === undefined ? null : e }));",
                vec![json!(command), args],
            )
            .await
            .expect("the script runs");
        match answer.get("ok") {
            Some(v) => Ok(v.clone()),
            None => Err(answer
                .get("err")
                .cloned()
                .unwrap_or(serde_json::Value::Null)),
        }
    }

    /// Whether `script` (which returns a boolean) holds in the page; false when it cannot run.
    async fn holds(&self, script: &str, args: Vec<serde_json::Value>) -> bool {
        self.client
            .execute(script, args)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    async fn wait(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                return e;
            }
            if Instant::now() > deadline {
                self.fail(&format!("`{css}` never appeared")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sets the window's size and waits until the page's layout has followed it (its
    /// viewport the same over two polls, each after two animation frames): a click right
    /// after a resize could otherwise land where an element was a frame before, and miss.
    async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.ok();
        let mut last = None;
        for _ in 0..50 {
            let size = self
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     requestAnimationFrame(() => requestAnimationFrame(() =>
                       done([window.innerWidth, window.innerHeight])));",
                    vec![],
                )
                .await
                .ok();
            if size.is_some() && size == last {
                return;
            }
            last = size;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.fail(&format!("the page never settled at {width}x{height}"))
            .await;
    }

    /// Waits for `css` and clicks it.
    async fn click(&self, css: &str) {
        self.wait(css).await.click().await.ok();
    }

    /// On the Query screen, ticks `getOrderDetails` with id "1" and then each explorer path.
    async fn tick_order_details(&self, paths: &[&str]) {
        self.click("[data-testid=nav-query]").await;
        self.click("[data-testid='field-getOrderDetails']").await;
        self.wait("[data-testid='arg-getOrderDetails-id']")
            .await
            .send_keys("1")
            .await
            .ok();
        for path in paths {
            let el = self.wait(&format!("[data-testid='field-{path}']")).await;
            if !el.is_selected().await.unwrap_or(false) {
                el.click().await.ok();
            }
        }
    }

    async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Waits until `probe` holds, or fails with a screenshot.
    async fn until<F, Fut>(&self, what: &str, mut probe: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !probe().await {
            if Instant::now() > deadline {
                self.fail(what).await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn fail(&self, what: &str) -> ! {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{}.png", self.name));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(&path, png);
        }
        panic!("{}: {what} (screenshot: {})", self.name, path.display());
    }

    /// Saves a screenshot for people to look at (target/e2e-screenshots/NAME-LABEL.png).
    async fn screenshot(&self, label: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{}-{label}.png", self.name)), png);
        }
    }

    /// What a person sees of the fan-out graph: `Ok(n)` when its `n` plan nodes are all
    /// visible (computed visibility, opacity of the node and its ancestors), of non-zero
    /// size, inside the graph panel, overlapping no other node, and every text in them is
    /// drawn at least 11 px high (computed font size times the view's zoom, and the label's
    /// rendered box); `Err(what is wrong)` otherwise.
    async fn plan_as_seen(&self) -> Result<usize, String> {
        let probe = r#"
            const panel = document.querySelector("[data-testid=plan-graph]");
            if (!panel) return { error: "no graph panel" };
            const p = panel.getBoundingClientRect();
            const nodes = [...document.querySelectorAll("[data-testid=plan-node]")].map((el) => {
                const r = el.getBoundingClientRect();
                const cs = getComputedStyle(el);
                let opacity = 1;
                for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
                // The view's zoom: drawn width over layout width.
                const scale = el.offsetWidth > 0 ? r.width / el.offsetWidth : 0;
                const texts = [...el.querySelectorAll(".label, .meta, .chip")].map((t) =>
                    parseFloat(getComputedStyle(t).fontSize) * scale);
                const label = el.querySelector(".label");
                return {
                    text: el.innerText.replace(/\s+/g, " ").trim(),
                    visibility: cs.visibility, opacity,
                    x: r.left, y: r.top, w: r.width, h: r.height,
                    minTextPx: texts.length ? Math.min(...texts) : 0,
                    labelPx: label ? label.getBoundingClientRect().height : 0,
                };
            });
            return { panel: { x: p.left, y: p.top, w: p.width, h: p.height }, nodes };
        "#;
        let seen = self
            .client
            .execute(probe, vec![])
            .await
            .map_err(|e| format!("script: {e}"))?;
        if let Some(e) = seen.get("error").and_then(|e| e.as_str()) {
            return Err(e.to_string());
        }
        let f = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64()).unwrap_or(0.0);
        let panel = &seen["panel"];
        let (px, py, pw, ph) = (f(panel, "x"), f(panel, "y"), f(panel, "w"), f(panel, "h"));
        let nodes = seen["nodes"].as_array().cloned().unwrap_or_default();
        if nodes.is_empty() {
            return Err("no plan nodes".into());
        }
        for n in &nodes {
            let name = n["text"]
                .as_str()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect::<String>();
            if n["visibility"] != "visible" {
                return Err(format!("`{name}` has visibility {}", n["visibility"]));
            }
            if f(n, "opacity") <= 0.0 {
                return Err(format!("`{name}` is transparent"));
            }
            let (x, y, w, h) = (f(n, "x"), f(n, "y"), f(n, "w"), f(n, "h"));
            if w < 1.0 || h < 1.0 {
                return Err(format!("`{name}` is {w}x{h}"));
            }
            if x < px - 0.5 || y < py - 0.5 || x + w > px + pw + 0.5 || y + h > py + ph + 0.5 {
                return Err(format!(
                    "`{name}` at ({x},{y}) {w}x{h} is not inside the panel ({px},{py}) {pw}x{ph}"
                ));
            }
            // (11 px within rounding: the fitted zoom may be exactly 11/12.)
            if f(n, "minTextPx") < 10.99 || f(n, "labelPx") < 10.99 {
                return Err(format!(
                    "`{name}` has text {:.1} px high (label box {:.1} px)",
                    f(n, "minTextPx"),
                    f(n, "labelPx")
                ));
            }
        }
        for (i, a) in nodes.iter().enumerate() {
            for b in &nodes[i + 1..] {
                let ox =
                    (f(a, "x") + f(a, "w")).min(f(b, "x") + f(b, "w")) - f(a, "x").max(f(b, "x"));
                let oy =
                    (f(a, "y") + f(a, "h")).min(f(b, "y") + f(b, "h")) - f(a, "y").max(f(b, "y"));
                if ox > 0.5 && oy > 0.5 {
                    return Err(format!("`{}` overlaps `{}`", a["text"], b["text"]));
                }
            }
        }
        Ok(nodes.len())
    }

    /// Waits until the fan-out graph shows `n` nodes as a person should see them
    /// (`plan_as_seen`), or fails with a screenshot naming what is wrong.
    async fn plan_seen(&self, n: usize, when: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let seen = self.plan_as_seen().await;
            match seen {
                Ok(m) if m == n => return,
                _ if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(150)).await
                }
                Ok(m) => self.fail(&format!("{when}: {m} plan nodes, not {n}")).await,
                Err(e) => self.fail(&format!("{when}: {e}")).await,
            }
        }
    }

    /// Switches the theme with the top bar's toggle (it cycles auto -> light -> dark).
    async fn set_theme(&self, theme: &str) {
        for _ in 0..3 {
            let title = self
                .wait("[data-testid=theme-toggle]")
                .await
                .attr("title")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if title.contains(&format!("Theme: {theme}")) {
                return;
            }
            self.click("[data-testid=theme-toggle]").await;
        }
    }

    async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn shop_query_built_by_ticking_fields_runs_and_shows_plan_result_and_waterfall() {
    let s = session("shop-query", 100..150).await;
    // The app opens on the demo workspace.
    s.click("[data-testid=nav-query]").await;
    s.wait("[data-testid='field-getOrderDetails']").await;
    // Every screen's icon is drawn (inline SVG shapes, not a font glyph that may be missing).
    s.until("every navigation icon is drawn", || async {
        s.holds(r#"const icons = [...document.querySelectorAll("nav [data-testid^=nav-] svg.icon")];
                   return icons.length === 7 && icons.every((i) => {
                       const r = i.getBoundingClientRect();
                       return r.width >= 12 && r.height >= 12 && i.querySelector("path, rect, circle, ellipse");
                   });"#, vec![]).await
    })
    .await;

    // Register a REST service by URL: a demo Users service of the test's own.
    let demo = knot_demo::Demo::start(knot_demo::DemoConfig {
        ports: knot_demo::DemoPorts::ephemeral(),
        ..Default::default()
    })
    .await
    .expect("demo");
    s.click("[data-testid=nav-services]").await;
    s.wait("[data-testid=rest-name]")
        .await
        .send_keys("people")
        .await
        .ok();
    s.wait("[data-testid=rest-base-url]")
        .await
        .send_keys(&demo.url(knot_demo::Service::Users))
        .await
        .ok();
    s.wait("[data-testid=rest-op-name]")
        .await
        .send_keys("getPerson")
        .await
        .ok();
    s.wait("[data-testid=rest-op-path]")
        .await
        .send_keys("/users/{id}")
        .await
        .ok();
    s.click("[data-testid=rest-add]").await;
    s.wait("[data-testid='service-people']").await;

    // Build the shop query by ticking fields.
    s.tick_order_details(&[
        "getOrderDetails.user",
        "getOrderDetails.user.name",
        "getOrderDetails.products",
        "getOrderDetails.products.name",
        "getOrderDetails.products.price",
    ])
    .await;
    // The fan-out graph shows the three fetches before anything runs.
    s.until("three plan nodes", || async {
        s.count("[data-testid=plan-node]").await == 3
    })
    .await;
    s.plan_seen(3, "before the run").await;
    // Run it, several times: after every run each node stays drawn as a person sees it
    // (it once went blank, `visibility: hidden`, after most runs).
    for round in 1..=4 {
        s.until("the run button is enabled", || async {
            match s.client.find(Locator::Css("[data-testid=run]")).await {
                Ok(b) => b.is_enabled().await.unwrap_or(false),
                Err(_) => false,
            }
        })
        .await;
        s.click("[data-testid=run]").await;
        s.until("the result shows the user's name", || async {
            s.body_text().await.contains("Ada Lovelace")
        })
        .await;
        s.until("the run's figures on the graph", || async {
            s.count("[data-testid=plan-node].done").await == 3
        })
        .await;
        s.plan_seen(3, &format!("after run {round}")).await;
        // Still drawn a moment later (nothing hides it once it has settled).
        tokio::time::sleep(Duration::from_millis(600)).await;
        s.plan_seen(3, &format!("after run {round}, settled")).await;
    }
    let tree = s
        .wait("[data-testid=result-tree]")
        .await
        .text()
        .await
        .unwrap_or_default();
    for product in ["Mechanical Keyboard", "Ergonomic Mouse", "4K Monitor"] {
        if !tree.contains(product) {
            s.fail(&format!("result tree lacks {product}: {tree}"))
                .await;
        }
    }
    s.until("the waterfall lists the three calls", || async {
        s.count("[data-testid=waterfall-row]").await == 3
    })
    .await;
    s.screenshot("final").await;
    // The Query screen after the run and the designer, for people to look at, in both
    // themes at both window sizes; the graph stays drawn as a person sees it in each.
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            s.click("[data-testid=nav-query]").await;
            s.plan_seen(3, &format!("at {w}x{h}, {theme}")).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("query-{w}x{h}-{theme}")).await;
            s.click("[data-testid=nav-designer]").await;
            // Drawn where ELK placed the boxes (they are hidden until then).
            s.wait("[data-arranged=elk] .react-flow__node").await;
            s.wait("[data-testid='designer-type-Order']").await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            s.screenshot(&format!("designer-{w}x{h}-{theme}")).await;
        }
    }
    let _ = s.client.clone().close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_shows_the_workspace_and_highlights_what_a_source_reaches() {
    // Where the person saves the SVG export in the Save dialog (the test seam's answer).
    let out = tempfile::tempdir().expect("temp dir");
    let picture = out.path().join("shop-topology.svg");
    let s = session_with_dialog("topology", 150..200, Some(&picture)).await;
    s.click("[data-testid=nav-topology]").await;
    s.wait("[data-testid=topology-graph]").await;
    // shop: 4 sources, 5 object types (Query, Mutation, Order, User, Product), 2 saved
    // operations.
    s.until("eleven topology nodes", || async {
        s.count("[data-testid=topo-node]").await == 11
    })
    .await;
    // Selecting the users source dims what it neither reaches nor is reached by.
    s.click("[data-testid=topo-node][data-id='source:users']")
        .await;
    s.until("some nodes dimmed", || async {
        s.count("[data-testid=topo-node].dim").await > 0
    })
    .await;
    let dimmed = s.count("[data-testid=topo-node].dim").await;
    if dimmed >= 11 {
        s.fail("everything dimmed").await;
    }
    // The SVG export is written where the Save dialog says (never into the working folder).
    s.click("[data-testid=export-svg]").await;
    s.until("the SVG file is written", || async {
        std::fs::read_to_string(&picture)
            .map(|t| t.starts_with("<svg") && t.contains("orders"))
            .unwrap_or(false)
    })
    .await;
    s.wait("[data-testid=export-saved]").await;
    // The DOT export is the core's text.
    s.click("[data-testid=export-dot]").await;
    s.until("the DOT text", || async {
        match s
            .client
            .find(Locator::Css("[data-testid=export-text]"))
            .await
        {
            Ok(e) => e
                .prop("value")
                .await
                .ok()
                .flatten()
                .unwrap_or_default()
                .contains("\"source:orders\" -> \"type:Order\""),
            Err(_) => false,
        }
    })
    .await;
    s.screenshot("final").await;
    let _ = s.client.clone().close().await;
}

/// Script in the page is held to the capability and never chooses a file (issue 14). It
/// calls commands the way `@tauri-apps/api` does, through `__TAURI_INTERNALS__.invoke`:
/// - `app_info` is an app command the shell registers (the command tests and other hosts use
///   it) but the UI does not, so `src-tauri/capabilities/default.json` does not grant it; it
///   would tell the page where the data folder (the store and `secrets.db`) is. It is
///   refused, while a granted command (`workspace_current`) answers.
/// - `plugin:dialog|open` is the dialog plugin's own command: the plugin is registered (the
///   app opens its dialogs from Rust) but none of its permissions is granted, so the page
///   cannot open a dialog and learn a path by itself.
/// - A workspace file the page names is refused by `workspace_open_recent` (it is on no
///   recent list), and `workspace_save_as` takes no path: the file written is the one chosen
///   in the Save dialog, and the path the page slipped in is never created. The chosen file
///   is then on the recent list, so opening it from there works.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_is_refused_commands_outside_its_capability_and_paths_it_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chosen = dir.path().join("chosen.knot.json");
    let planted = dir.path().join("planted.knot.json");
    let hijack = dir.path().join("hijack.knot.json");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::copy(examples.join("trading.knot.json"), &planted).expect("copy");
    let s = session_with_dialog("refusals", 300..350, Some(&chosen)).await;
    s.until("the demo workspace is open", || async {
        !s.workspace_name().await.is_empty()
    })
    .await;
    let name = s.workspace_name().await;

    let current = s.invoke("workspace_current", json!({})).await;
    if current.as_ref().map(|w| w["name"] == json!(name)) != Ok(true) {
        s.fail(&format!("a granted command did not answer: {current:?}"))
            .await;
    }
    for (command, args) in [
        ("app_info", json!({})),
        ("plugin:dialog|open", json!({ "options": {} })),
    ] {
        match s.invoke(command, args).await {
            Err(e) if e.to_string().contains("not allowed") => {}
            other => {
                s.fail(&format!("{command} was not refused: {other:?}"))
                    .await
            }
        }
    }

    let planted_text = planted.display().to_string();
    match s
        .invoke("workspace_open_recent", json!({ "path": planted_text }))
        .await
    {
        Err(e) if e["code"] == json!("invalidInput") => {}
        other => {
            s.fail(&format!("a path the page named was opened: {other:?}"))
                .await
        }
    }
    if s.workspace_name().await != name {
        s.fail("the open workspace changed").await;
    }

    let saved = s
        .invoke(
            "workspace_save_as",
            json!({ "path": hijack.display().to_string() }),
        )
        .await;
    let chosen_text = chosen.display().to_string();
    if saved.as_ref().map(|w| w["file"] == json!(chosen_text)) != Ok(true) {
        s.fail(&format!("save as did not write the chosen file: {saved:?}"))
            .await;
    }
    if !chosen.exists() || hijack.exists() {
        s.fail("the page's path was written, or the chosen one was not")
            .await;
    }
    match s
        .invoke("workspace_open_recent", json!({ "path": chosen_text }))
        .await
    {
        Ok(w) if w["file"] == json!(chosen_text) => {}
        other => {
            s.fail(&format!("a recent file did not open: {other:?}"))
                .await
        }
    }

    // What replaced the typed paths, as a person sees it: the Open modal's "Choose file…"
    // button and recent files, and the gRPC import's "folder of .proto files" choice.
    s.client.refresh().await.ok();
    for theme in ["light", "dark"] {
        s.set_theme(theme).await;
        s.click("button[title='Open a workspace']").await;
        let choose = s.wait("[data-testid=open-file]").await;
        if !choose.is_displayed().await.unwrap_or(false) {
            s.fail("the Choose file button is not visible").await;
        }
        s.until("the recent file is listed", || async {
            s.body_text().await.contains("chosen.knot.json")
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.screenshot(&format!("open-{theme}")).await;
        s.click(".modal button[aria-label=Close]").await;
        s.click("[data-testid=nav-services]").await;
        s.click("[data-testid=add-grpc]").await;
        let toggle = s.wait("[data-testid=grpc-from-protos]").await;
        if !toggle.is_selected().await.unwrap_or(false) {
            toggle.click().await.ok();
        }
        s.until(
            "the import button says it will ask for a folder",
            || async { s.body_text().await.contains("Choose folder and import") },
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.screenshot(&format!("grpc-import-{theme}")).await;
    }
    s.screenshot("final").await;
    let _ = s.client.clone().close().await;
}

/// Without the test seam's variable, "Choose file…" opens the real native dialog (GTK's file
/// chooser, drawn by the app's Rust side as a window of its own, outside the page): the X
/// display then has a window titled as `paths.rs` names it. A picture of the whole display is
/// saved as `native-dialog-display.png`.
#[tokio::test(flavor = "multi_thread")]
async fn choose_file_opens_the_native_open_dialog() {
    let s = session("native-dialog", 350..400).await;
    s.click("button[title='Open a workspace']").await;
    s.click("[data-testid=open-file]").await;
    let display = format!(":{}", s.display);
    s.until(
        "a native window titled \"Open a Knot workspace\"",
        || async {
            Command::new("xwininfo")
                .args(["-root", "-tree", "-display", &display])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("Open a Knot workspace"))
                .unwrap_or(false)
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
    let _ = Command::new("import")
        .args(["-display", &display, "-window", "root"])
        .arg(dir.join("native-dialog-display.png"))
        .status();
    let _ = s.client.clone().close().await;
}

/// A linked file changed on disk (as by a `git pull`) so that a source points elsewhere: the
/// app says so above every screen, naming the source, and holds stored secrets back until
/// the person trusts the new URL; then the notice goes.
#[tokio::test(flavor = "multi_thread")]
async fn a_source_url_changed_on_disk_is_shown_until_the_person_trusts_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let linked = dir.path().join("linked.knot.json");
    let s = session_with_dialog("unconfirmed", 400..450, Some(&linked)).await;
    s.until("the demo workspace is open", || async {
        !s.workspace_name().await.is_empty()
    })
    .await;
    // Linked (Save as) with a stored secret, through the UI's own commands.
    s.click("[data-testid=save-as]").await;
    s.until("the file is written", || async { linked.exists() })
        .await;
    let envs = s.invoke("environment_list", json!({})).await;
    let mut variables: Vec<serde_json::Value> = envs
        .ok()
        .and_then(|e| e[0]["variables"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|v| json!({ "name": v["name"], "value": v["value"], "secret": false }))
        .collect();
    variables.push(json!({ "name": "TOKEN", "value": "e2e-secret", "secret": true }));
    if let Err(e) = s
        .invoke(
            "environment_save",
            json!({ "name": "local", "variables": variables }),
        )
        .await
    {
        s.fail(&format!("the secret was not saved: {e}")).await;
    }
    // The file changes on disk: the orders source now points at another address, a long one
    // (the notice must wrap it, not overflow the window).
    let text = std::fs::read_to_string(&linked).expect("read");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let was = doc["environments"]["local"]["variables"]["ORDERS_URL"]
        .as_str()
        .or_else(|| doc["environments"]["local"]["variables"]["ORDERS_URL"]["value"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(was.starts_with("http://"), "the demo's orders URL: {was:?}");
    let now =
        "http://127.0.0.1:9/collector/a-rather-long-path-someone-slipped-into-the-shared-file/\
               with-more-segments-than-fit-on-one-line/v1";
    doc["environments"]["local"]["variables"]["ORDERS_URL"] = json!(now);
    std::fs::write(&linked, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    // Reopened from the recent files.
    s.click("button[title='Open a workspace']").await;
    s.click(".modal .list-button.mono").await;
    s.until("the notice names the orders source", || async {
        match s
            .client
            .find(Locator::Css("[data-testid=unconfirmed-sources]"))
            .await
        {
            Ok(e) => {
                e.is_displayed().await.unwrap_or(false)
                    && e.text().await.unwrap_or_default().contains("orders")
            }
            Err(_) => false,
        }
    })
    .await;
    // Both URLs are shown for the orders source, each drawn inside the window, and the notice
    // does not overflow it, at both window sizes and in both themes.
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let seen = s
                .client
                .execute(
                    r#"
                    const notice = document.querySelector("[data-testid=unconfirmed-sources]");
                    const row = document.querySelector("[data-testid=unconfirmed-source-orders]");
                    if (!notice || !row) return { error: "no notice row for orders" };
                    const box = (el) => { const r = el.getBoundingClientRect();
                        return { x: r.left, y: r.top, w: r.width, h: r.height,
                                 visible: getComputedStyle(el).visibility === "visible" }; };
                    const was = row.querySelector("[data-testid=confirmed-url]");
                    const now = row.querySelector("[data-testid=new-url]");
                    const button = document.querySelector("[data-testid=confirm-sources]");
                    return {
                        was: was.innerText, now: now.innerText.replace(/\s+/g, ""),
                        boxes: [box(notice), box(was), box(now), box(button)],
                        overflow: notice.scrollWidth - notice.clientWidth,
                        win: { w: document.documentElement.clientWidth, h: window.innerHeight },
                    };
                "#,
                    vec![],
                )
                .await
                .unwrap_or_default();
            let at = format!("at {w}x{h}, {theme}");
            if let Some(e) = seen.get("error") {
                s.fail(&format!("{at}: {e}")).await;
            }
            assert_eq!(seen["was"], json!(was), "{at}: the confirmed URL is shown");
            assert_eq!(
                seen["now"].as_str().unwrap_or_default(),
                now.replace(' ', ""),
                "{at}: the new URL is shown whole"
            );
            assert!(
                seen["overflow"].as_f64().unwrap_or(1.0) <= 0.5,
                "{at}: the notice overflows sideways: {seen}"
            );
            let win_w = seen["win"]["w"].as_f64().unwrap_or(0.0);
            let win_h = seen["win"]["h"].as_f64().unwrap_or(0.0);
            for b in seen["boxes"].as_array().cloned().unwrap_or_default() {
                let f = |k: &str| b[k].as_f64().unwrap_or(-1.0);
                assert!(
                    b["visible"] == json!(true)
                        && f("w") > 0.0
                        && f("h") > 0.0
                        && f("x") >= 0.0
                        && f("y") >= 0.0
                        && f("x") + f("w") <= win_w + 0.5
                        && f("y") + f("h") <= win_h + 0.5,
                    "{at}: a part of the notice is not drawn inside the window: {b} ({seen})"
                );
            }
            s.screenshot(&format!("notice-{w}x{h}-{theme}")).await;
        }
    }
    s.click("[data-testid=confirm-sources]").await;
    s.until("the notice is gone", || async {
        s.count("[data-testid=unconfirmed-sources]").await == 0
    })
    .await;
    // The Envs screen says where the key of the stored secret is: the tests' stores have no
    // keyring (KNOT_KEYRING=off), so the key file beside the store (named, but not its path:
    // the page is never told where the data folder is).
    s.click("[data-testid=nav-environments]").await;
    s.until("the Envs screen names the secrets key file", || async {
        match s
            .client
            .find(Locator::Css("[data-testid=secrets-key]"))
            .await
        {
            Ok(e) => {
                e.is_displayed().await.unwrap_or(false)
                    && e.text()
                        .await
                        .unwrap_or_default()
                        .contains("No system keyring was found")
                    && e.text().await.unwrap_or_default().contains("secrets.key")
                    && !e.text().await.unwrap_or_default().contains("/tmp/")
            }
            Err(_) => false,
        }
    })
    .await;
    let inside = s
        .client
        .execute(
            r#"const r = document.querySelector("[data-testid=secrets-key]").getBoundingClientRect();
               return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
                   && r.right <= document.documentElement.clientWidth + 0.5
                   && r.bottom <= window.innerHeight + 0.5;"#,
            vec![],
        )
        .await
        .unwrap_or_default();
    assert_eq!(
        inside,
        json!(true),
        "the key's note is drawn inside the window"
    );
    for theme in ["light", "dark"] {
        s.set_theme(theme).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.screenshot(&format!("envs-key-1024x700-{theme}")).await;
    }
    s.screenshot("final").await;
    let _ = s.client.clone().close().await;
}

// The schema designer's test (its own file to keep this one short).
/// A Federation workspace is explored, planned and drawn like any other: the explorer shows
/// the supergraph's public schema, and the fan-out graph has one node per subgraph fetch
/// and one for the REST binding, each labelled with its kind, visible inside the window.
#[tokio::test(flavor = "multi_thread")]
async fn a_federation_workspace_is_explored_and_planned_like_any_other() {
    // A copy of the fleet example (the app links the file it opens and may write it).
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.path().join("fleet")).expect("fleet dir");
    for file in [
        "fleet.knot.json",
        "fleet/device.graphql",
        "fleet/safety.graphql",
    ] {
        std::fs::copy(examples.join(file), dir.path().join(file)).expect("copy");
    }
    let path = dir.path().join("fleet.knot.json");
    // The person chooses the file in the Open dialog (here: the test seam answers with it).
    let s = session_with_dialog("fleet-plan", 200..250, Some(&path)).await;
    s.click("[data-testid=nav-query]").await;
    s.click("button[title='Open a workspace']").await;
    s.click("[data-testid=open-file]").await;
    s.until("the fleet workspace is open", || async {
        s.workspace_name().await == "Fleet"
    })
    .await;
    // The explorer's root fields are the supergraph's.
    s.click("[data-testid='field-device']").await;
    s.wait("[data-testid='arg-device-id']")
        .await
        .send_keys("1")
        .await
        .ok();
    for path in [
        "device.name",
        "device.camera",
        "device.camera.cameraLocation",
        "device.camera.cameraLocation.street",
        "device.maintenance",
        "device.maintenance.technician",
    ] {
        let el = s.wait(&format!("[data-testid='field-{path}']")).await;
        if !el.is_selected().await.unwrap_or(false) {
            el.click().await.ok();
        }
    }
    // device root, safety `_entities`, the maintenance REST call, device `_entities`.
    s.until("four plan nodes", || async {
        s.count("[data-testid=plan-node]").await == 4
    })
    .await;
    // Every node drawn as a person sees it (visible, inside the panel, no overlap, text at
    // least 11 px), each with a chip naming its kind.
    s.plan_seen(4, "the federation plan").await;
    s.until("each node's chip names its kind", || async {
        // innerText: WebKitWebDriver's element text leaves out the one-line (ellipsis) rows
        // inside React Flow's transformed view, though they are drawn.
        let texts: Vec<String> = s
            .client
            .execute(
                "return [...document.querySelectorAll('[data-testid=plan-node]')].map((e) => e.innerText);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let mut chips = Vec::new();
        for chip in s
            .client
            .find_all(Locator::Css("[data-testid=plan-node] .chip"))
            .await
            .unwrap_or_default()
        {
            chips.push(chip.text().await.unwrap_or_default());
        }
        let n = |t: &str| chips.iter().filter(|c| c.as_str() == t).count();
        let ok = n("subgraph") == 1
            && n("entities") == 2
            && n("rest") == 1
            && texts.iter().any(|t| t.contains("maintenance · byDevices"));
        if !ok {
            eprintln!("chips {chips:?} texts {texts:?}");
        }
        ok
    })
    .await;
    // The other screens a federation workspace changed, seen as a person sees them: the
    // Schema screen shows the supergraph's public schema, the topology its subgraphs' types,
    // and the designer has no false problem.
    s.click("[data-testid=nav-schema]").await;
    s.until(
        "the Schema screen shows the composed public schema",
        || async {
            let sdl = match s.client.find(Locator::Css("[data-testid=sdl]")).await {
                Ok(e) if e.is_displayed().await.unwrap_or(false) => {
                    e.text().await.unwrap_or_default()
                }
                _ => return false,
            };
            sdl.contains("cameraLocation")
                && sdl.contains("device(id: ID!)")
                && !sdl.contains("join__")
        },
    )
    .await;
    s.click("[data-testid=nav-topology]").await;
    s.until("the topology shows the subgraphs' types", || async {
        let mut shown = 0;
        for id in [
            "type:Camera",
            "type:Location",
            "source:safety",
            "source:maintenance",
        ] {
            if let Ok(e) = s
                .client
                .find(Locator::Css(&format!(
                    "[data-testid=topo-node][data-id='{id}']"
                )))
                .await
            {
                if e.is_displayed().await.unwrap_or(false) {
                    shown += 1;
                }
            }
        }
        shown == 4
    })
    .await;
    s.click("[data-testid=nav-designer]").await;
    s.until("the designer finds no problem", || async {
        match s
            .client
            .find(Locator::Css("[data-testid=designer-status]"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default().contains("no problems"),
            Err(_) => false,
        }
    })
    .await;
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            for screen in ["query", "schema", "topology", "designer"] {
                s.click(&format!("[data-testid=nav-{screen}]")).await;
                tokio::time::sleep(Duration::from_millis(400)).await;
                s.screenshot(&format!("{screen}-{w}x{h}-{theme}")).await;
            }
        }
    }
    let _ = s.client.clone().close().await;
}

#[path = "e2e/designer.rs"]
mod designer;

/// A mutation typed in the editor: its fan-out graph draws the order of the mutation fields
/// as "then" edges (the second placeOrder waits for the first and its nested user call),
/// labelled at both window sizes and in both themes.
#[tokio::test(flavor = "multi_thread")]
async fn a_mutation_plan_shows_its_fields_running_one_after_another() {
    let s = session("mutation-plan", 250..300).await;
    s.click("[data-testid=nav-query]").await;
    let editor = s.wait("[data-testid=editor] .cm-content").await;
    editor.click().await.ok();
    // Select everything and type the document over it (the editor closes brackets and
    // quotes as they are typed, and types over the closing ones).
    editor.send_keys("\u{E009}a").await.ok();
    editor.send_keys("\u{E017}").await.ok();
    editor
        .send_keys(
            r#"mutation { a: placeOrder(input: {userId: "1", productIds: ["1"]}) { id user { name } } b: placeOrder(input: {userId: "2", productIds: ["2"]}) { id } }"#,
        )
        .await
        .ok();
    // a, a.user, then b; the two placeOrder fetches are told apart by their aliases.
    s.plan_seen(3, "the mutation plan").await;
    let labels = s
        .client
        .execute(
            r#"return [...document.querySelectorAll("[data-testid=plan-node] .label")].map((l) => l.textContent).sort();"#,
            vec![],
        )
        .await
        .unwrap_or_default();
    if labels
        != json!([
            "Order.user",
            "a: Mutation.placeOrder",
            "b: Mutation.placeOrder"
        ])
    {
        s.fail(&format!("the mutation's nodes read {labels}")).await;
    }
    let thens = || async {
        s.client
            .execute(
                r#"return [...document.querySelectorAll(".react-flow__edge-text")]
                     .filter((t) => t.textContent === "then")
                     .filter((t) => { const r = t.getBoundingClientRect(); return r.width > 0 && r.height >= 8; })
                     .length;"#,
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0)
    };
    // No edge runs behind a node and no 'then' label lies on one: the a -> b edge skips
    // stage 2 and goes around Order.user (it ran straight through it before).
    let hidden = || async {
        s.client
            .execute(
                r#"const boxes = [...document.querySelectorAll("[data-testid=plan-node]")]
                     .map((n) => n.getBoundingClientRect());
                   const inside = (x, y) => boxes.some((b) =>
                     x > b.left + 2 && x < b.right - 2 && y > b.top + 2 && y < b.bottom - 2);
                   const wrong = [];
                   document.querySelectorAll(".react-flow__edge").forEach((edge) => {
                     const path = edge.querySelector(".react-flow__edge-path");
                     if (!path) return;
                     const length = path.getTotalLength(), m = path.getScreenCTM();
                     for (let i = 3; i <= 47; i++) {
                       const p = path.getPointAtLength((length * i) / 50).matrixTransform(m);
                       if (inside(p.x, p.y)) { wrong.push(`edge ${edge.getAttribute("data-id") || edge.getAttribute("data-testid")} behind a node`); break; }
                     }
                   });
                   document.querySelectorAll(".react-flow__edge-text").forEach((t) => {
                     const r = t.getBoundingClientRect();
                     if (boxes.some((b) => r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top))
                       wrong.push(`label '${t.textContent}' on a node`);
                   });
                   return wrong;"#,
                vec![],
            )
            .await
            .unwrap_or_default()
    };
    s.until("both 'then' edges drawn", || async { thens().await == 2 })
        .await;
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            s.plan_seen(3, &format!("at {w}x{h}, {theme}")).await;
            if thens().await != 2 {
                s.fail(&format!(
                    "at {w}x{h}, {theme}: the 'then' edges are not drawn"
                ))
                .await;
            }
            // The graph eases into its new size after a resize or theme change; what
            // counts is the drawing once it settles (within 5 s), not a frame in between.
            let settle = Instant::now() + Duration::from_secs(5);
            loop {
                let wrong = hidden().await;
                if wrong.as_array().is_some_and(|a| a.is_empty()) {
                    break;
                }
                if Instant::now() > settle {
                    s.fail(&format!("at {w}x{h}, {theme}: {wrong}")).await;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("mutation-{w}x{h}-{theme}")).await;
        }
    }
    let _ = s.client.clone().close().await;
}

#[path = "e2e/services.rs"]
mod services;

#[path = "e2e/panes.rs"]
mod panes;

#[path = "e2e/tabs.rs"]
mod tabs;

#[path = "e2e/screenshots.rs"]
mod screenshots;

#[path = "e2e/calls.rs"]
mod calls;

#[path = "e2e/bench.rs"]
mod bench;
