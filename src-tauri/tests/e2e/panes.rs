//! The Query screen's panes end to end: splitters dragged with the mouse resize the explorer,
//! the right column and the graph; the sizes are kept when the page is loaded again (as at a
//! relaunch: they live in the page's storage); at 1024x700 every control of the screen is
//! inside the window.

use super::*;

impl Session {
    /// Width and height of `css` as drawn.
    async fn size_of(&self, css: &str) -> (f64, f64) {
        let v = self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); if (!e) return null; const r = e.getBoundingClientRect(); return [r.width, r.height];",
                vec![json!(css)],
            )
            .await
            .unwrap_or_default();
        (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0))
    }

    /// Presses the mouse on the middle of `css`, moves it by (dx, dy) in steps and releases.
    pub(crate) async fn drag_by(&self, css: &str, dx: f64, dy: f64) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        let v = self
            .client
            .execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2];",
                vec![json!(css)],
            )
            .await
            .unwrap_or_default();
        let (x, y) = (
            v[0].as_f64().unwrap_or(0.0).round(),
            v[1].as_f64().unwrap_or(0.0).round(),
        );
        let step = Duration::from_millis(40);
        let mut mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: Some(step),
                x,
                y,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            });
        for i in 1..=5 {
            let t = f64::from(i) / 5.0;
            mouse = mouse.then(PointerAction::MoveTo {
                duration: Some(step),
                x: (x + dx * t).round(),
                y: (y + dy * t).round(),
            });
        }
        mouse = mouse.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        if let Err(e) = self.client.perform_actions(mouse).await {
            eprintln!("panes: pointer actions failed: {e}");
        }
        let _ = self.client.release_actions().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn query_panes_resize_with_the_mouse_are_kept_and_fit_a_small_window() {
    let s = session("panes", 400..450).await;
    s.resize(1440, 900).await;
    s.tick_order_details(&["getOrderDetails.user", "getOrderDetails.user.name"])
        .await;
    s.plan_seen(2, "before resizing").await;
    let explorer = "section.explorer";
    let right = "[data-testid=plan-graph]";
    let (w0, _) = s.size_of(explorer).await;
    let (r0, g0) = s.size_of(right).await;
    s.drag_by("[data-testid=splitter-explorer]", 100.0, 0.0)
        .await;
    s.drag_by("[data-testid=splitter-right]", -80.0, 0.0).await;
    s.drag_by("[data-testid=splitter-graph]", 0.0, 90.0).await;
    let (w1, _) = s.size_of(explorer).await;
    let (r1, g1) = s.size_of(right).await;
    let near = |a: f64, b: f64| (a - b).abs() <= 6.0;
    if !near(w1, w0 + 100.0) || !near(r1, r0 + 80.0) || !near(g1, g0 + 90.0) {
        s.fail(&format!(
            "after dragging: explorer {w0} -> {w1} (+100), right column {r0} -> {r1} (+80), graph {g0} -> {g1} (+90)"
        ))
        .await;
    }
    s.plan_seen(2, "after resizing").await;
    // Loaded again (the sizes are the person's, kept across launches).
    s.client.refresh().await.ok();
    s.wait("[data-testid='field-getOrderDetails']").await;
    s.until("the sizes are kept", || async {
        let (w2, _) = s.size_of(explorer).await;
        let (r2, _) = s.size_of(right).await;
        near(w2, w1) && near(r2, r1)
    })
    .await;
    s.screenshot("resized-1440x900").await;

    // A small window: the saved sizes shrink to fit, and no control is clipped.
    s.tick_order_details(&["getOrderDetails.user", "getOrderDetails.user.name"])
        .await;
    s.resize(1024, 700).await;
    for theme in ["light", "dark"] {
        s.set_theme(theme).await;
        s.plan_seen(2, &format!("at 1024x700, {theme}")).await;
        for css in [
            "[data-testid=run]",
            "[data-testid='field-getOrderDetails']",
            "[data-testid='arg-getOrderDetails-id']",
            "[data-testid=variables]",
            "[data-testid=splitter-explorer]",
            "[data-testid=splitter-right]",
            "[data-testid=splitter-graph]",
            "[data-testid=nav-environments]",
            "[data-testid=theme-toggle]",
        ] {
            s.see(css, &format!("at 1024x700, {theme}")).await;
        }
        // The explorer's type names are drawn whole (not cut off by the panel's edge).
        let clipped = s
            .client
            .execute(
                r#"const body = document.querySelector(".explorer .panel-body").getBoundingClientRect();
                   return [...document.querySelectorAll(".explorer .field-row .type")]
                     .filter((t) => t.getBoundingClientRect().width > 0)
                     .filter((t) => t.scrollWidth > t.clientWidth + 1 || t.getBoundingClientRect().right > body.right + 0.5)
                     .map((t) => t.textContent);"#,
                vec![],
            )
            .await
            .unwrap_or_default();
        if clipped.as_array().is_some_and(|a| !a.is_empty()) {
            s.fail(&format!(
                "at 1024x700, {theme}: explorer types cut: {clipped}"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.screenshot(&format!("query-1024x700-{theme}")).await;
    }
    let _ = s.client.clone().close().await;
}
