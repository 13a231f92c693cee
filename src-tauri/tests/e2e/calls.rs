//! A saved operation side by side as GraphQL, REST and gRPC, in the real window: the demo's
//! OrderDetails shows its endpoint and method with the commands to copy; a new saved operation
//! gets a REST endpoint and a gRPC method from the same view, and the commands follow.

use super::*;

impl Session {
    /// Opens the side-by-side view of saved operation `name` from the saved operations list.
    async fn open_calls(&self, name: &str) {
        self.click("[data-testid=saved-ops-open]").await;
        let button = format!("[data-testid='saved-op-calls-{name}']");
        self.see(&button, "the saved operations").await;
        self.screenshot("saved-list").await;
        self.click(&button).await;
        self.see("[data-testid=calls-rest]", "the side-by-side view")
            .await;
    }

    /// Closes the side-by-side view with Escape, if it is open.
    async fn close_calls(&self) {
        if self.count("[data-testid=operation-calls]").await == 0 {
            return;
        }
        self.client
            .execute(
                "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
                vec![],
            )
            .await
            .ok();
        self.until("the view closes on Escape", || async {
            self.count("[data-testid=operation-calls]").await == 0
        })
        .await;
    }
    /// Waits until the element `css` reads something containing `want`.
    async fn reads(&self, css: &str, want: &str, when: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text_of(css).await;
            if text.contains(want) {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{when}: `{css}` reads {text:?}, not {want:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_operation_is_shown_as_graphql_rest_and_grpc_and_served_more_ways_from_there() {
    let s = session("operation-calls", 600..650).await;
    s.click("[data-testid=nav-query]").await;
    s.open_calls("OrderDetails").await;
    s.reads(
        "[data-testid=calls-rest-endpoint]",
        "GET /composite-order-details/{id}",
        "OrderDetails",
    )
    .await;
    s.reads(
        "[data-testid=calls-grpc-method]",
        "knot.shop.ShopService/OrderDetails",
        "OrderDetails",
    )
    .await;
    s.reads(
        "[data-testid=calls-rest-curl]",
        "curl http://127.0.0.1:4000/composite-order-details/1",
        "OrderDetails",
    )
    .await;
    s.reads(
        "[data-testid=calls-grpcurl]",
        r#"-d '{"id":"1"}'"#,
        "OrderDetails",
    )
    .await;
    s.reads(
        "[data-testid=calls-grpc-messages]",
        "message OrderDetailsRequest {",
        "OrderDetails",
    )
    .await;
    s.reads("[data-testid=calls-examples]", "$id", "OrderDetails")
        .await;
    s.reads(
        "[data-testid=calls-serve]",
        "--grpc-port 50051",
        "OrderDetails",
    )
    .await;
    // Copy as grpcurl puts the command on the clipboard (or says why it cannot).
    s.click("[data-testid=copy-grpcurl]").await;
    s.until("the copy is acknowledged", || async {
        let t = s.text_of("[data-testid=calls-grpc]").await;
        t.contains("Copied.") || t.contains("No clipboard here")
    })
    .await;
    if s.text_of("[data-testid=calls-grpc]")
        .await
        .contains("Copied.")
    {
        let pasted = s
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   navigator.clipboard.readText().then(done, () => done(null));"#,
                vec![],
            )
            .await
            .unwrap_or_default();
        if let Some(text) = pasted.as_str() {
            if !text.contains("knot.shop.ShopService/OrderDetails") {
                s.fail(&format!("the clipboard holds {text:?}")).await;
            }
        }
    }
    // Every command and button is inside the window at both sizes and themes (the theme is
    // switched with the view closed: its backdrop covers the top bar, as it should).
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.close_calls().await;
            s.set_theme(theme).await;
            s.open_calls("OrderDetails").await;
            for css in [
                "[data-testid=operation-calls] h2",
                "[data-testid=calls-graphql-curl]",
                "[data-testid=copy-graphql-curl]",
                "[data-testid=calls-rest-curl]",
                "[data-testid=copy-rest-curl]",
                "[data-testid=calls-grpcurl]",
                "[data-testid=copy-grpcurl]",
            ] {
                s.see(css, &format!("at {w}x{h}, {theme}")).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("calls-{w}x{h}-{theme}")).await;
        }
    }
    s.resize(1440, 900).await;
    s.close_calls().await;
    s.set_theme("light").await;

    // A new saved operation: no endpoint, no method; both are added from the view.
    s.click("[data-testid=query-tab-new]").await;
    let editor = s.wait("[data-testid=editor] .cm-content").await;
    editor.click().await.ok();
    editor
        .send_keys("query UserOf($id: ID!) { getOrderDetails(id: $id) { user { name ")
        .await
        .ok();
    s.click("[data-testid=save-op]").await;
    s.retype("[data-testid=save-op-name]", "UserOf").await;
    s.click("[data-testid=save-op-confirm]").await;
    s.click("[data-testid=calls-open]").await;
    s.see(
        "[data-testid=calls-rest-path]",
        "UserOf without an endpoint",
    )
    .await;
    // A path parameter that is not a variable is refused, in words.
    s.retype("[data-testid=calls-rest-path]", "/orders/{orderId}/user")
        .await;
    s.click("[data-testid=calls-rest-add]").await;
    s.reads(
        "[data-testid=calls-edit-error]",
        "`{orderId}` in the path is not a variable of UserOf",
        "a wrong path",
    )
    .await;
    s.retype("[data-testid=calls-rest-path]", "/orders/{id}/user")
        .await;
    s.click("[data-testid=calls-rest-add]").await;
    s.reads(
        "[data-testid=calls-rest-curl]",
        "curl http://127.0.0.1:4000/orders/1/user",
        "after adding the endpoint",
    )
    .await;
    s.click("[data-testid=calls-grpc-add]").await;
    s.reads(
        "[data-testid=calls-grpcurl]",
        "knot.shop.ShopService/UserOf",
        "after serving over gRPC",
    )
    .await;
    let doc = s.document().await;
    let op = &doc["operations"]["UserOf"];
    if op["rest"] != json!({"method": "GET", "path": "/orders/{id}/user"})
        || !op["grpc"].is_object()
    {
        s.fail(&format!("UserOf in the workspace: {op}")).await;
    }
    s.screenshot("calls-added").await;
    let _ = s.client.clone().close().await;
}
