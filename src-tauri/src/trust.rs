//! Stored secrets and a linked file that changed: a workspace file is shared (a `git pull`
//! may rewrite it), so a source's URL can change without the person doing it, and the stored
//! secrets would then go to the new address with the next run.
//!
//! The main design choice: the app remembers, per workspace and environment, the URL of each
//! source (its template with the environment's variables filled in) as the person last
//! confirmed it, in the store's settings. While a linked workspace with stored secrets has a
//! source whose URL differs, the secrets are withheld: the runtime is built without them and a
//! run fails naming those sources, until the person confirms (`workspace_confirm_sources`).
//! Changes made in the app itself (a source added, a URL edited) are the person's own and are
//! confirmed as they are made; only what changed on disk waits. With no record yet (first use,
//! or a store from before this), the current URLs are recorded.

use knot_app_api::dto::UnconfirmedSourceView;
use knot_model::{Source, Workspace};
use knot_runtime::Vars;
use std::collections::BTreeMap;

/// Source name -> URL with `{{env.NAME}}` filled in.
pub type Targets = BTreeMap<String, String>;

/// The settings key of the confirmed URLs of workspace `id` in environment `env`.
pub fn setting_key(id: i64, env: &str) -> String {
    format!("app.confirmedSources.{id}.{env}")
}

/// Every source's URL, environment variables filled in.
pub fn targets(ws: &Workspace, vars: &Vars) -> Targets {
    ws.sources
        .iter()
        .map(|(name, source)| {
            let url = match source {
                Source::Rest(s) => &s.base_url,
                Source::Grpc(s) => &s.endpoint,
                Source::Graphql(s) => &s.url,
            };
            (name.clone(), fill_env(url, vars))
        })
        .collect()
}

/// `{{env.NAME}}` (spaces allowed inside the braces) replaced by the variable's value; other
/// text, and references to unknown variables, left as they are.
fn fill_env(template: &str, vars: &Vars) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        match inner.strip_prefix("env.").and_then(|n| vars.get(n.trim())) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The sources whose URL is not the confirmed one (new sources included), by name, each with
/// the URL last confirmed and the current one.
pub fn unconfirmed(confirmed: &Targets, current: &Targets) -> Vec<UnconfirmedSourceView> {
    current
        .iter()
        .filter(|(name, url)| confirmed.get(*name) != Some(*url))
        .map(|(name, url)| UnconfirmedSourceView {
            name: name.clone(),
            confirmed_url: confirmed.get(name).cloned(),
            url: url.clone(),
        })
        .collect()
}

/// `confirmed` after edits made in the app: every source whose URL differs from `before`
/// (what the app had built before the edit) is the person's own change.
pub fn with_own_edits(mut confirmed: Targets, before: &Targets, current: &Targets) -> Targets {
    for (name, url) in current {
        if before.get(name) != Some(url) {
            confirmed.insert(name.clone(), url.clone());
        }
    }
    confirmed
}

/// Records a change the app itself made to a stored workspace (`before` -> `after`, e.g. the
/// demo's URLs written at launch) as confirmed, in every environment that has a record.
pub async fn record_own_edit(
    store: &knot_store::Store,
    id: i64,
    before: &Workspace,
    after: &Workspace,
) {
    for env in after.environments.keys() {
        let key = setting_key(id, env);
        let Some(recorded) = store
            .setting(&key)
            .await
            .ok()
            .flatten()
            .and_then(|v| serde_json::from_value::<Targets>(v).ok())
        else {
            continue;
        };
        let (Ok(old_vars), Ok(new_vars)) = (
            Vars::from_workspace(before, Some(env)),
            Vars::from_workspace(after, Some(env)),
        ) else {
            continue;
        };
        let confirmed = with_own_edits(
            recorded,
            &targets(before, &old_vars),
            &targets(after, &new_vars),
        );
        if let Ok(value) = serde_json::to_value(&confirmed) {
            let _ = store.set_setting(&key, &value).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pairs: &[(&str, &str)]) -> Targets {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_changed_or_new_url_is_unconfirmed() {
        let confirmed = t(&[("a", "http://1"), ("b", "http://2")]);
        let now = t(&[("a", "http://1"), ("b", "http://evil"), ("c", "http://3")]);
        let changed = unconfirmed(&confirmed, &now);
        let names: Vec<&str> = changed.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["b", "c"]);
        assert_eq!(changed[0].confirmed_url.as_deref(), Some("http://2"));
        assert_eq!(changed[0].url, "http://evil");
        assert_eq!(changed[1].confirmed_url, None);
        assert!(unconfirmed(&now, &now).is_empty());
    }

    #[test]
    fn edits_made_in_the_app_confirm_only_what_they_changed() {
        let confirmed = t(&[("a", "http://1"), ("b", "http://2")]);
        // On disk b changed (unconfirmed); in the app the person then edits a.
        let before = t(&[("a", "http://1"), ("b", "http://evil")]);
        let after = t(&[("a", "http://new"), ("b", "http://evil")]);
        let c = with_own_edits(confirmed, &before, &after);
        let names: Vec<String> = unconfirmed(&c, &after)
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, vec!["b"]);
    }
}
