//! `make screenshots`: every screen of the app on the demo workspace, in both themes, at
//! 1440x900 and 1024x700, written to `target/screenshots/SCREEN-WxH-THEME.png` for people to
//! look at. Ignored in `make test` (it asserts only that each screen is drawn; the other window
//! tests assert what they show): `make screenshots` runs it on its own.

use super::*;

/// Where the pictures go: `target/screenshots/` of this checkout (or `$CARGO_TARGET_DIR`).
fn screenshots_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("screenshots")
}

impl Session {
    async fn picture(&self, name: &str) {
        // Let the last change paint (a DOM change is not yet drawn).
        tokio::time::sleep(Duration::from_millis(400)).await;
        let dir = screenshots_dir();
        let _ = std::fs::create_dir_all(&dir);
        match self.client.screenshot().await {
            Ok(png) => {
                if let Err(e) = std::fs::write(dir.join(format!("{name}.png")), png) {
                    panic!("cannot write {name}.png: {e}");
                }
            }
            Err(e) => panic!("no screenshot of {name}: {e}"),
        }
    }

    async fn open_screen(&self, nav: &str, drawn: &str) {
        self.click(&format!("[data-testid=nav-{nav}]")).await;
        self.wait(drawn).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "make screenshots: pictures for people, not a check"]
async fn every_screen_in_both_themes_and_sizes() {
    let s = session("screenshots", 500..550).await;
    s.resize(1440, 900).await;
    s.wait("[data-testid='field-getOrderDetails']").await;
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            let at = |screen: &str| format!("{screen}-{w}x{h}-{theme}");
            // Query: a fresh tab before a run, then the shop query after one.
            s.open_screen("query", "[data-testid=query-tab-new]").await;
            // One empty tab (closing the last tab leaves an empty one).
            while s.count("[data-testid=query-tab]").await > 1
                || !s.body_text().await.contains("New query")
            {
                s.click("[data-testid=query-tab][data-active=true] [data-testid=query-tab-close]")
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
                // A tab with unsaved work asks first.
                if s.count("[data-testid=close-discard]").await > 0 {
                    s.click("[data-testid=close-discard]").await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            s.tick_order_details(&[
                "getOrderDetails.user",
                "getOrderDetails.user.name",
                "getOrderDetails.products",
                "getOrderDetails.products.name",
                "getOrderDetails.products.price",
            ])
            .await;
            s.plan_seen(3, "before the run").await;
            s.picture(&at("query-before-run")).await;
            s.click("[data-testid=run]").await;
            s.until("the run's waterfall", || async {
                s.count("[data-testid=waterfall-row]").await == 3
            })
            .await;
            s.picture(&at("query-after-run")).await;
            // Services: the list and a service's editor, then Send.
            s.open_screen("services", "[data-testid='service-edit-orders']")
                .await;
            s.click("[data-testid='service-edit-orders']").await;
            s.wait("[data-testid=source-editor]").await;
            s.picture(&at("services")).await;
            s.click("[data-testid='operation-orders-getOrder']").await;
            s.wait("[data-testid='send-input-id']")
                .await
                .send_keys("1")
                .await
                .ok();
            s.click("[data-testid=send]").await;
            s.wait("[data-testid=send-status]").await;
            s.picture(&at("send")).await;
            s.open_screen("schema", "[data-testid=sdl] .cm-content")
                .await;
            s.picture(&at("schema")).await;
            s.open_screen(
                "designer",
                "[data-arranged=elk] [data-testid='designer-type-Order']",
            )
            .await;
            tokio::time::sleep(Duration::from_millis(400)).await;
            s.picture(&at("designer")).await;
            s.open_screen("topology", "[data-testid=topology-graph] .react-flow__node")
                .await;
            s.picture(&at("topology")).await;
            s.open_screen("environments", "[data-testid=env-row]").await;
            s.picture(&at("envs")).await;
            s.open_screen("history", "[data-testid=history-entry]")
                .await;
            s.picture(&at("history")).await;
        }
    }
    eprintln!("screenshots in {}", screenshots_dir().display());
    let _ = s.client.clone().close().await;
}
