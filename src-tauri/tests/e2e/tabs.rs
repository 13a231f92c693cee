//! Query tabs and saved operations end to end: a saved operation opens in a tab of its own, a
//! new tab's document is saved under a name and renamed, the tabs come back when the page is
//! loaded again (as at a relaunch), and reopening a run from History goes to the tab holding
//! its document instead of overwriting the tab in front.

use super::*;

impl Session {
    /// The titles of the open query tabs and the index of the active one.
    async fn tabs(&self) -> (Vec<String>, Option<usize>) {
        let v = self
            .client
            .execute(
                r#"const tabs = [...document.querySelectorAll("[data-testid=query-tab]")];
                   return { titles: tabs.map((t) => t.querySelector(".tab-name").textContent.trim()),
                            active: tabs.findIndex((t) => t.dataset.active === "true") };"#,
                vec![],
            )
            .await
            .unwrap_or_default();
        let titles = v["titles"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| t.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let active = v["active"].as_i64().and_then(|i| usize::try_from(i).ok());
        (titles, active)
    }

    async fn tabs_are(&self, want: &[&str], active: usize, when: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (titles, at) = self.tabs().await;
            if titles == want && at == Some(active) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{when}: tabs {titles:?} (active {at:?}), not {want:?} (active {active})"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The editor's text.
    async fn editor_text(&self) -> String {
        self.client
            .execute(
                "const c = document.querySelector('[data-testid=editor] .cm-content'); return c ? c.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn query_tabs_are_kept_and_saved_operations_open_save_and_rename() {
    let s = session("query-tabs", 450..500).await;
    s.tick_order_details(&["getOrderDetails.user", "getOrderDetails.user.name"])
        .await;
    s.tabs_are(&["getOrderDetails"], 0, "after ticking").await;
    // Run it, for History later.
    s.click("[data-testid=run]").await;
    s.until("the run's answer", || async {
        s.body_text().await.contains("Ada Lovelace")
    })
    .await;

    // A saved operation opens in a tab of its own.
    s.click("[data-testid=saved-ops-open]").await;
    s.see(
        "[data-testid='saved-op-PlaceOrder']",
        "the saved operations",
    )
    .await;
    s.click("[data-testid='saved-op-PlaceOrder']").await;
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder"],
        1,
        "after opening PlaceOrder",
    )
    .await;
    s.until("the editor holds PlaceOrder", || async {
        s.editor_text().await.contains("mutation PlaceOrder")
    })
    .await;

    // A new tab: typed, saved under a name, renamed.
    s.click("[data-testid=query-tab-new]").await;
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder", "New query"],
        2,
        "a new tab",
    )
    .await;
    // An empty editor shows its placeholder without a lint mark (once the linter has run).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    if s.count("[data-testid=editor] .cm-lintRange, [data-testid=editor] .cm-lint-marker")
        .await
        != 0
    {
        s.fail("the empty editor carries a lint mark").await;
    }
    let editor = s.wait("[data-testid=editor] .cm-content").await;
    editor.click().await.ok();
    editor
        .send_keys(r#"{ getOrderDetails(id: "2") { id "#)
        .await
        .ok();
    s.until("the editor holds the typed document", || async {
        s.editor_text()
            .await
            .contains(r#"getOrderDetails(id: "2")"#)
    })
    .await;
    s.click("[data-testid=save-op]").await;
    s.retype("[data-testid=save-op-name]", "OrderTwo").await;
    s.click("[data-testid=save-op-confirm]").await;
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder", "OrderTwo"],
        2,
        "after saving",
    )
    .await;
    let doc = s.document().await;
    let saved = doc["operations"]["OrderTwo"]["document"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !saved.contains(r#"getOrderDetails(id: "2")"#) {
        s.fail(&format!("the saved document is `{saved}`")).await;
    }
    s.click("[data-testid=saved-ops-open]").await;
    s.click("[data-testid='saved-op-rename-OrderTwo']").await;
    s.retype("[data-testid=saved-op-rename-name]", "OrderById")
        .await;
    s.click("[data-testid=saved-op-rename-confirm]").await;
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder", "OrderById"],
        2,
        "after renaming",
    )
    .await;
    // (Read in the page: WebDriver's JSON does not keep an object's key order.)
    let names = s
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               window.__TAURI_INTERNALS__.invoke("workspace_current", {}).then(
                 (ws) => done(Object.keys(ws.document.operations)), () => done(null));"#,
            vec![],
        )
        .await
        .unwrap_or_default();
    if names != json!(["OrderDetails", "PlaceOrder", "OrderById"]) {
        s.fail(&format!("saved operations after the rename: {names}"))
            .await;
    }
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            for css in [
                "[data-testid=query-tab-new]",
                "[data-testid=save-op]",
                "[data-testid=saved-ops-open]",
                "[data-testid=query-tab][data-active=true]",
            ] {
                s.see(css, &format!("at {w}x{h}, {theme}")).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("tabs-{w}x{h}-{theme}")).await;
        }
    }
    s.resize(1440, 900).await;

    // Loaded again: the same tabs, the same one in front, its document in the editor.
    s.client.refresh().await.ok();
    s.wait("[data-testid=nav-query]").await;
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder", "OrderById"],
        2,
        "after loading the page again",
    )
    .await;
    s.until("the editor holds the tab's document again", || async {
        s.editor_text()
            .await
            .contains(r#"getOrderDetails(id: "2")"#)
    })
    .await;

    // Reopening the first run from History goes to the tab that holds its document; the tab
    // in front keeps its own.
    s.click("[data-testid=nav-history]").await;
    s.wait("[data-testid=history-entry] td:nth-child(2)")
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click on the History row: {e}"));
    s.tabs_are(
        &["getOrderDetails", "PlaceOrder", "OrderById"],
        0,
        "after reopening from History",
    )
    .await;
    s.until("the reopened run's result", || async {
        s.body_text().await.contains("Ada Lovelace")
    })
    .await;
    s.click("[data-testid=query-tab]:nth-child(3) .tab-title")
        .await;
    s.until("the third tab kept its document", || async {
        s.editor_text()
            .await
            .contains(r#"getOrderDetails(id: "2")"#)
    })
    .await;

    // The History row says what ran, its status and its calls; deleted, it is gone.
    s.click("[data-testid=nav-history]").await;
    for (css, want) in [
        ("[data-testid=history-title]", "getOrderDetails"),
        ("[data-testid=history-call]", r#"getOrderDetails(id: "1")"#),
        ("[data-testid=history-status]", "OK"),
        ("[data-testid=history-calls]", "2 calls"),
    ] {
        s.see(css, "the History row").await;
        // (The page's own innerText: WebKitWebDriver's element text leaves out a line cut
        // with an ellipsis, though it is drawn: `see` checked that.)
        let text = s
            .client
            .execute(
                "return document.querySelector(arguments[0]).innerText.trim();",
                vec![json!(css)],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        if text != want {
            s.fail(&format!("`{css}` reads `{text}`, not `{want}`"))
                .await;
        }
    }
    s.screenshot("history").await;
    s.click("[data-testid=history-delete]").await;
    s.until("the deleted run is gone", || async {
        s.count("[data-testid=history-entry]").await == 0
    })
    .await;
    // Gone from the store too, not only from the list.
    s.click("[data-testid=nav-query]").await;
    s.click("[data-testid=nav-history]").await;
    s.until("History says there is no run", || async {
        s.body_text().await.contains("No run recorded yet")
    })
    .await;

    // Closing a tab with unsaved work asks first; a saved, unchanged one closes at once.
    s.click("[data-testid=nav-query]").await;
    s.click("[data-testid=query-tab-new]").await;
    let editor = s.wait("[data-testid=editor] .cm-content").await;
    editor.click().await.ok();
    editor
        .send_keys("{ getOrderDetails(id: \"3\") { id ")
        .await
        .ok();
    s.until("the new tab holds the typed document", || async {
        s.editor_text()
            .await
            .contains(r#"getOrderDetails(id: "3")"#)
    })
    .await;
    let open = s.count("[data-testid=query-tab]").await;
    let close_active = || async {
        s.click("[data-testid=query-tab][data-active=true] [data-testid=query-tab-close]")
            .await;
    };
    close_active().await;
    s.see("[data-testid=close-prompt]", "closing an unsaved tab")
        .await;
    s.screenshot("close-prompt").await;
    s.click("[data-testid=close-keep]").await;
    s.until("Keep it keeps the tab", || async {
        s.count("[data-testid=close-prompt]").await == 0
            && s.count("[data-testid=query-tab]").await == open
    })
    .await;
    close_active().await;
    s.click("[data-testid=close-discard]").await;
    s.until("Close without saving closes it", || async {
        s.count("[data-testid=query-tab]").await == open - 1
    })
    .await;
    // PlaceOrder, opened from the saved list and unchanged: no question.
    s.click("[data-testid=query-tab]:nth-child(2) .tab-title")
        .await;
    close_active().await;
    s.until("the saved tab closes at once", || async {
        s.count("[data-testid=query-tab]").await == open - 2
    })
    .await;
    if s.count("[data-testid=close-prompt]").await != 0 {
        s.fail("a saved, unchanged tab asked before closing").await;
    }
    let _ = s.client.clone().close().await;
}
