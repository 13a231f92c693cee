//! The Services screen end to end: Send checks required inputs before anything is sent, then
//! shows status, time and size and the request as a cURL command; an operation is renamed (its
//! binding follows) and a service is deleted after the screen said which binding it breaks.
//! And the explorer's Mutation root: an input object filled in as a nested form, an enum
//! argument picked from its values, the mutation run.

use super::*;

impl Session {
    /// Whether `css` is drawn as a person sees it: visible, non-zero size, wholly inside the
    /// window, and not clipped by a scrolling ancestor. `Err(what is wrong)` otherwise.
    pub(crate) async fn seen(&self, css: &str) -> Result<(), String> {
        let probe = r#"
            const el = document.querySelector(arguments[0]);
            if (!el) return "missing";
            const r = el.getBoundingClientRect();
            const cs = getComputedStyle(el);
            if (cs.visibility !== "visible" || cs.display === "none") return "hidden";
            if (r.width < 1 || r.height < 1) return `${r.width}x${r.height}`;
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
                return `at (${r.left},${r.top})-(${r.right},${r.bottom}) outside the ${innerWidth}x${innerHeight} window`;
            for (let p = el.parentElement; p; p = p.parentElement) {
                const ps = getComputedStyle(p);
                if (ps.overflow === "visible" && ps.overflowX === "visible" && ps.overflowY === "visible") continue;
                const q = p.getBoundingClientRect();
                if (r.left < q.left - 0.5 || r.right > q.right + 0.5 || r.top < q.top - 0.5 || r.bottom > q.bottom + 0.5)
                    return `clipped by ${p.className || p.tagName}`;
            }
            return "ok";
        "#;
        let answer = self
            .client
            .execute(probe, vec![json!(css)])
            .await
            .map_err(|e| format!("script: {e}"))?;
        match answer.as_str() {
            Some("ok") => Ok(()),
            Some(other) => Err(other.to_string()),
            None => Err(format!("{answer}")),
        }
    }

    /// Waits until `css` is seen (`seen`), scrolling it into view first, or fails.
    pub(crate) async fn see(&self, css: &str, when: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let _ = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({block: 'nearest'});",
                    vec![json!(css)],
                )
                .await;
            match self.seen(css).await {
                Ok(()) => return,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(150)).await
                }
                Err(e) => self.fail(&format!("{when}: `{css}` {e}")).await,
            }
        }
    }

    /// The open workspace's document (`workspace_current`).
    pub(crate) async fn document(&self) -> serde_json::Value {
        self.invoke("workspace_current", json!({}))
            .await
            .map(|w| w["document"].clone())
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn services_send_checks_required_inputs_then_renames_and_deletes_with_their_bindings() {
    let s = session("services-edit", 300..350).await;
    s.click("[data-testid=nav-services]").await;
    s.click("[data-testid='operation-users-getUser']").await;
    // The request builder shows the path parameter where it goes.
    s.see(
        "[data-testid=send-group-path] [data-testid='send-input-id']",
        "the builder",
    )
    .await;
    // An empty required input: marked where it is, nothing sent.
    s.click("[data-testid=send]").await;
    s.see("[data-testid='send-missing-id']", "the missing input")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if s.count("[data-testid=send-status]").await != 0 {
        s.fail("a request was sent with the required input empty")
            .await;
    }
    // Filled in: sent, with status, time and size, and the request as a cURL command.
    s.wait("[data-testid='send-input-id']")
        .await
        .send_keys("1")
        .await
        .ok();
    s.until(
        "the missing mark goes once the input is filled in",
        || async { s.count("[data-testid='send-missing-id']").await == 0 },
    )
    .await;
    s.click("[data-testid=send]").await;
    s.until("the call's status", || async {
        match s
            .client
            .find(Locator::Css("[data-testid=send-status]"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default() == "200",
            Err(_) => false,
        }
    })
    .await;
    for css in ["[data-testid=send-time]", "[data-testid=send-size]"] {
        s.see(css, "after Send").await;
    }
    let size = s
        .wait("[data-testid=send-size]")
        .await
        .text()
        .await
        .unwrap_or_default();
    if !size.ends_with(" B") || size.starts_with("0 ") {
        s.fail(&format!("the response size reads `{size}`")).await;
    }
    if !s.body_text().await.contains("Ada Lovelace") {
        s.fail("the response body is not shown").await;
    }
    s.click("[data-testid=send-view-curl]").await;
    s.see("[data-testid=send-command]", "the cURL view").await;
    let command = s
        .wait("[data-testid=send-command]")
        .await
        .text()
        .await
        .unwrap_or_default();
    if !command.starts_with("curl ") || !command.contains("/users/1") {
        s.fail(&format!("the cURL command is `{command}`")).await;
    }
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            for css in [
                "[data-testid=send]",
                "[data-testid=send-status]",
                "[data-testid=send-size]",
                "[data-testid=operation-rename-open]",
                "[data-testid=operation-delete]",
            ] {
                s.see(css, &format!("at {w}x{h}, {theme}")).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("send-{w}x{h}-{theme}")).await;
        }
    }
    s.resize(1440, 900).await;

    // Its request line edited: a path parameter that is no input is refused in words; a good
    // path is saved, and the next Send goes there.
    s.click("[data-testid=operation-request-open]").await;
    s.retype("[data-testid=operation-request-path]", "/users/{userId}")
        .await;
    s.click("[data-testid=operation-request-save]").await;
    s.until("the refusal names the parameter", || async {
        s.body_text()
            .await
            .contains("`{userId}` in the path is not an input of users.getUser")
    })
    .await;
    s.screenshot("request-line-refused").await;
    s.retype("[data-testid=operation-request-path]", "/v2/users/{id}")
        .await;
    s.click("[data-testid=operation-request-save]").await;
    s.until("the new path is saved", || async {
        s.document().await["sources"]["users"]["operations"]["getUser"]["path"] == "/v2/users/{id}"
    })
    .await;
    s.click("[data-testid=send]").await;
    s.click("[data-testid=send-view-curl]").await;
    s.until("the next Send goes to the new path", || async {
        s.text_of("[data-testid=send-command]")
            .await
            .contains("/v2/users/1")
    })
    .await;
    // And back, for what follows.
    s.click("[data-testid=operation-request-open]").await;
    s.retype("[data-testid=operation-request-path]", "/users/{id}")
        .await;
    s.click("[data-testid=operation-request-save]").await;
    s.until("the path is back", || async {
        s.document().await["sources"]["users"]["operations"]["getUser"]["path"] == "/users/{id}"
    })
    .await;

    // Rename the operation: the screen says which binding follows, and it does.
    s.click("[data-testid=operation-rename-open]").await;
    s.retype("[data-testid=operation-name]", "fetchUser").await;
    s.see("[data-testid=operation-rename-note]", "the rename's note")
        .await;
    let note = s
        .wait("[data-testid=operation-rename-note]")
        .await
        .text()
        .await
        .unwrap_or_default();
    if !note.contains("Order.user") {
        s.fail(&format!("the rename note reads `{note}`")).await;
    }
    s.click("[data-testid=operation-rename]").await;
    s.wait("[data-testid='operation-users-fetchUser']").await;
    let doc = s.document().await;
    if doc["sources"]["users"]["operations"]["fetchUser"].is_null()
        || doc["schema"]["types"]["Order"]["fields"]["user"]["binding"]["operation"] != "fetchUser"
    {
        s.fail(&format!(
            "after the rename: {} / {}",
            doc["sources"]["users"], doc["schema"]["types"]["Order"]["fields"]["user"]
        ))
        .await;
    }

    // Delete the service: the confirmation names the binding it breaks; confirmed, the service
    // and the binding are gone, the field stays.
    s.click("[data-testid='service-edit-users']").await;
    s.see("[data-testid=source-editor]", "the service editor")
        .await;
    s.click("[data-testid=source-delete]").await;
    s.see("[data-testid=delete-breaks]", "the delete confirmation")
        .await;
    let breaks = s
        .wait("[data-testid=delete-breaks]")
        .await
        .text()
        .await
        .unwrap_or_default();
    if !breaks.contains("Order.user") {
        s.fail(&format!("the confirmation lists `{breaks}`")).await;
    }
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            s.see(
                "[data-testid=delete-confirm-yes]",
                &format!("at {w}x{h}, {theme}"),
            )
            .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("service-delete-{w}x{h}-{theme}"))
                .await;
        }
    }
    s.click("[data-testid=delete-confirm-yes]").await;
    s.until("the service is gone from the list", || async {
        s.count("[data-testid='service-users']").await == 0
    })
    .await;
    s.see("[data-testid=services-message]", "the delete's message")
        .await;
    let doc = s.document().await;
    let user = &doc["schema"]["types"]["Order"]["fields"]["user"];
    if !doc["sources"]["users"].is_null() || user.is_null() || !user["binding"].is_null() {
        s.fail(&format!(
            "after the delete: sources {} / Order.user {user}",
            doc["sources"]
        ))
        .await;
    }
    let _ = s.client.clone().close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn explorer_builds_a_mutation_with_a_nested_input_form_and_an_enum_picker() {
    let s = session("explorer-mutation", 350..400).await;
    s.click("[data-testid=nav-query]").await;
    s.wait("[data-testid='field-getOrderDetails']").await;
    // An enum argument to pick from: the test gives getOrderDetails an optional `status`
    // (edited in the page, so the document keeps its key order).
    let updated = s
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const invoke = window.__TAURI_INTERNALS__.invoke;
               invoke("workspace_current", {}).then((ws) => {
                 const doc = ws.document;
                 doc.schema.types.Query.fields.getOrderDetails.arguments.status = { type: "OrderStatus" };
                 return invoke("workspace_update", { document: doc });
               }).then(() => done(true), (e) => done(String(e && e.message || e)));"#,
            vec![],
        )
        .await
        .unwrap_or_default();
    if updated != json!(true) {
        s.fail(&format!(
            "the workspace did not take the argument: {updated}"
        ))
        .await;
    }
    // The app shows the updated workspace after a reload of the view.
    s.client.refresh().await.ok();
    s.click("[data-testid=nav-query]").await;
    let picker = s.wait("[data-testid='arg-getOrderDetails-status']").await;
    if picker.tag_name().await.unwrap_or_default() != "select" {
        s.fail("the enum argument is not a picker").await;
    }
    let options = s
        .client
        .execute(
            "return [...document.querySelectorAll(\"[data-testid='arg-getOrderDetails-status'] option\")].map((o) => o.value).filter(Boolean);",
            vec![],
        )
        .await
        .unwrap_or_default();
    if options != json!(["PLACED", "SHIPPED", "DELIVERED"]) {
        s.fail(&format!("the picker offers {options}")).await;
    }
    picker
        .select_by_value("SHIPPED")
        .await
        .unwrap_or_else(|e| panic!("select: {e}"));
    s.until("the document takes the enum value bare", || async {
        s.body_text().await.contains("status: SHIPPED")
    })
    .await;

    // A union: a fragment per possible type, its fields ticked under `… on T` (in a document
    // of its own: getOrderDetails is unticked first).
    s.click("[data-testid='field-getOrderDetails']").await;
    s.until("getOrderDetails leaves the document", || async {
        !s.body_text().await.contains("status: SHIPPED")
    })
    .await;
    s.click("[data-testid='field-search']").await;
    s.wait("[data-testid='arg-search-text']")
        .await
        .send_keys("o")
        .await
        .ok();
    for path in ["search.@User.name", "search.@Product.price"] {
        s.see(
            &format!("[data-testid='field-{path}']"),
            "the union's fragments",
        )
        .await;
        s.click(&format!("[data-testid='field-{path}']")).await;
    }
    s.until("the editor holds both fragments", || async {
        let text = s.body_text().await;
        text.contains("... on User {") && text.contains("... on Product {")
    })
    .await;
    s.click("[data-testid=run]").await;
    s.until("users and products in the result", || async {
        let tree = match s
            .client
            .find(Locator::Css("[data-testid=result-tree]"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        tree.contains("Ada Lovelace") && tree.contains("46.99") && tree.contains("\"Product\"")
    })
    .await;
    s.screenshot("union-ran").await;

    // The Mutation root: placeOrder's input object as a nested form.
    s.click("[data-testid='explorer-root-Mutation']").await;
    s.see(
        "[data-testid='arg-placeOrder-input-form']",
        "the input form",
    )
    .await;
    s.wait("[data-testid='arg-placeOrder-input.userId']")
        .await
        .send_keys("2")
        .await
        .ok();
    s.wait("[data-testid='arg-placeOrder-input.productIds']")
        .await
        .send_keys("1, 3")
        .await
        .ok();
    for path in ["placeOrder.id", "placeOrder.status", "placeOrder.user"] {
        s.click(&format!("[data-testid='field-{path}']")).await;
    }
    s.click("[data-testid='field-placeOrder.user.name']").await;
    s.until("the editor holds the mutation", || async {
        s.body_text()
            .await
            .contains(r#"placeOrder(input: {userId: "2", productIds: ["1", "3"]})"#)
    })
    .await;
    s.plan_seen(2, "the mutation's plan").await;
    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            for css in [
                "[data-testid='explorer-root-Mutation']",
                "[data-testid='arg-placeOrder-input.userId']",
                "[data-testid='arg-placeOrder-input.productIds']",
                "[data-testid=run]",
            ] {
                s.see(css, &format!("at {w}x{h}, {theme}")).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("mutation-form-{w}x{h}-{theme}"))
                .await;
        }
    }
    s.resize(1440, 900).await;
    s.click("[data-testid=run]").await;
    s.until("the placed order in the result", || async {
        let tree = match s
            .client
            .find(Locator::Css("[data-testid=result-tree]"))
            .await
        {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        tree.contains("PLACED") && tree.contains("Grace Hopper")
    })
    .await;
    s.screenshot("mutation-ran").await;
    let _ = s.client.clone().close().await;
}

/// Send's request builder: a body edited in the JSON editor (refused in words while it is not
/// JSON, nothing sent), headers of the call's own and a bearer token; the request as sent
/// shows them, and the answer's headers are listed. Looked at in both themes and sizes.
#[tokio::test(flavor = "multi_thread")]
async fn send_builds_a_request_with_its_own_body_headers_and_auth_and_shows_the_answers_headers() {
    let s = session("send-builder", 700..750).await;
    s.click("[data-testid=nav-services]").await;
    s.click("[data-testid='operation-orders-placeOrder']").await;
    s.see("[data-testid='send-input-order']", "the inputs tab")
        .await;
    // The request line says where the call goes in the active environment: the demo's orders
    // service on loopback.
    s.until("the address in the environment is shown", || async {
        let at = s.text_of("[data-testid=send-resolved]").await;
        at.starts_with("→ http://127.0.0.1:") && at.ends_with("/orders")
    })
    .await;

    // The body tab starts from the operation's template.
    s.click("[data-testid=send-tab-body]").await;
    s.see("[data-testid=send-body] .cm-content", "the body editor")
        .await;
    s.until("the template is shown", || async {
        s.text_of("[data-testid=send-body] .cm-content")
            .await
            .contains("\"{order}\"")
    })
    .await;
    let editor = s.wait("[data-testid=send-body] .cm-content").await;
    editor.click().await.ok();
    // Select all, delete, then type (the editor closes brackets and quotes as they are
    // typed and types over the closing ones). A trailing comma first: not JSON.
    editor.send_keys("\u{E009}a").await.ok();
    editor.send_keys("\u{E017}").await.ok();
    editor
        .send_keys(r#"{"userId": "1", "productIds": ["2",]}"#)
        .await
        .ok();
    s.click("[data-testid=send]").await;
    s.see("[data-testid=send-problems]", "the body refused")
        .await;
    let problem = s.text_of("[data-testid=send-problems]").await;
    if !problem.contains("Body: line 1, column") || !problem.contains("Nothing was sent") {
        s.fail(&format!("the body problem reads `{problem}`")).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    if s.count("[data-testid=send-status]").await != 0 {
        s.fail("a body that is not JSON was sent").await;
    }
    s.screenshot("send-body-refused").await;
    editor.click().await.ok();
    editor.send_keys("\u{E009}a").await.ok();
    editor.send_keys("\u{E017}").await.ok();
    editor
        .send_keys(r#"{"userId": "1", "productIds": ["2", "3"]}"#)
        .await
        .ok();
    if !s
        .text_of("[data-testid=send-tab-body]")
        .await
        .contains("edited")
    {
        s.fail("the body tab does not say it is edited").await;
    }

    // A header of its own (a blank row appears for the next) and a bearer token.
    s.click("[data-testid=send-tab-headers]").await;
    s.retype("[data-testid=send-header-name-0]", "x-trace")
        .await;
    s.retype("[data-testid=send-header-value-0]", "e2e-42")
        .await;
    s.see("[data-testid=send-header-name-1]", "a new blank row")
        .await;
    s.click("[data-testid=send-tab-auth]").await;
    s.client
        .execute(
            "const el = document.querySelector('[data-testid=send-auth-kind]'); \
             const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set; \
             set.call(el, 'bearer'); el.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await
        .ok();
    s.retype("[data-testid=send-auth-token]", "tok-123").await;
    // The token is hidden until shown.
    let token_type = || async {
        s.client
            .execute(
                "return document.querySelector('[data-testid=send-auth-token]').type;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    if token_type().await != "password" {
        s.fail("the token is shown in clear before Show").await;
    }
    s.click("[data-testid=send-auth-token-show]").await;
    s.until("Show shows the token", || async {
        token_type().await == "text"
    })
    .await;

    // Sent with Ctrl+Enter from the token field: no input is missing (the edited body names
    // none), the order is placed.
    s.wait("[data-testid=send-auth-token]")
        .await
        .send_keys("\u{E009}\u{E007}\u{E000}")
        .await
        .ok();
    s.until("the order is placed", || async {
        s.text_of("[data-testid=send-status]").await == "201"
    })
    .await;
    s.click("[data-testid=send-view-request]").await;
    let request = s.body_text().await;
    for words in ["x-trace", "e2e-42", "Bearer tok-123", "productIds"] {
        if !request.contains(words) {
            s.fail(&format!("the request as sent does not show `{words}`"))
                .await;
        }
    }
    s.click("[data-testid=send-view-headers]").await;
    s.see(
        "[data-testid=send-response-headers]",
        "the answer's headers",
    )
    .await;
    if !s
        .text_of("[data-testid=send-response-headers]")
        .await
        .contains("content-type")
    {
        s.fail("the answer's headers do not list content-type")
            .await;
    }
    if s.count("[data-testid=send-stale]").await != 0 {
        s.fail("a response just sent is marked as edited since sent")
            .await;
    }

    for (w, h) in [(1440, 900), (1024, 700)] {
        s.resize(w, h).await;
        for theme in ["light", "dark"] {
            s.set_theme(theme).await;
            s.click("[data-testid=send-tab-headers]").await;
            for css in [
                "[data-testid=send-header-value-0]",
                "[data-testid=send-header-remove-0]",
                "[data-testid=send-view-headers]",
            ] {
                s.see(css, &format!("headers at {w}x{h}, {theme}")).await;
            }
            s.screenshot(&format!("send-headers-{w}x{h}-{theme}")).await;
            s.click("[data-testid=send-tab-auth]").await;
            s.see(
                "[data-testid=send-auth-token]",
                &format!("auth at {w}x{h}, {theme}"),
            )
            .await;
            s.screenshot(&format!("send-auth-{w}x{h}-{theme}")).await;
            s.click("[data-testid=send-tab-body]").await;
            s.see(
                "[data-testid=send-body] .cm-content",
                &format!("body at {w}x{h}, {theme}"),
            )
            .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.screenshot(&format!("send-body-{w}x{h}-{theme}")).await;
        }
    }
    s.resize(1440, 900).await;

    // The header switched off stays in the table and is no longer sent.
    s.click("[data-testid=send-tab-headers]").await;
    s.click("[data-testid=send-header-on-0]").await;
    s.see("[data-testid=send-stale]", "the stale mark after an edit")
        .await;
    s.click("[data-testid=send]").await;
    s.until("sent again, without the header", || async {
        s.count("[data-testid=send-stale]").await == 0
            && s.text_of("[data-testid=send-status]").await == "201"
    })
    .await;
    s.click("[data-testid=send-view-request]").await;
    let request = s.body_text().await;
    if request.contains("e2e-42") || !request.contains("Bearer tok-123") {
        s.fail("the header switched off was sent (or the token was not)")
            .await;
    }

    // Reset: the operation's own body again.
    s.click("[data-testid=send-tab-body]").await;
    s.click("[data-testid=send-body-reset]").await;
    s.until("the template is back", || async {
        s.text_of("[data-testid=send-body] .cm-content")
            .await
            .contains("\"{order}\"")
    })
    .await;
    // The body changed after the 201 came: the response says it is from an earlier request.
    s.see("[data-testid=send-stale]", "the stale mark").await;

    // After the page loads again (as after a relaunch): the header is kept, the token typed
    // in clear is not (only `{{secret.NAME}}` references are).
    s.client.refresh().await.ok();
    s.click("[data-testid=nav-services]").await;
    s.click("[data-testid='operation-orders-placeOrder']").await;
    s.click("[data-testid=send-tab-headers]").await;
    let session = &s;
    let value_of = |css: &'static str| async move {
        session
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                vec![json!(css)],
            )
            .await
            .unwrap_or_default()
    };
    s.until("the header is kept, switched off", || async {
        value_of("[data-testid=send-header-value-0]").await == json!("e2e-42")
            && session.holds("const e = document.querySelector('[data-testid=send-header-on-0]'); return !!e && !e.checked;", vec![]).await
    })
    .await;
    s.click("[data-testid=send-tab-auth]").await;
    s.see("[data-testid=send-auth-token]", "the bearer kind is kept")
        .await;
    if value_of("[data-testid=send-auth-token]").await != json!("") {
        s.fail("a token typed in clear was kept across a reload")
            .await;
    }
    let _ = s.client.clone().close().await;
}
