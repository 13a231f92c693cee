//! The store side of `knot run`: stored secrets in, one history row out.
//!
//! The main design choice: the store is optional here. [`RunRecorder::open`] never fails:
//! when the store cannot be opened (a read-only disk, a store from a newer Knot) the run
//! goes on with one warning on stderr, because a history row is never worth a failed
//! query. Stored secrets are given to a run only when the file being run is the one linked
//! to a store workspace: a downloaded file that merely shares a workspace's name gets
//! nothing.

use knot_execute::{Outcome, Request, Vars};
use knot_model::Workspace;
use knot_store::{NewRun, SecretRef, Store};
use std::path::Path;
use tokio::runtime::Runtime;

/// The store side of one `knot run`: stored secrets in, one history row out.
pub struct RunRecorder {
    store: Option<Store>,
    record: bool,
    workspace_id: Option<i64>,
    workspace: String,
    environment: Option<String>,
    secrets: Vec<SecretRef>,
}

impl RunRecorder {
    /// Opens the store for a run of `file`. When the file is linked to a store workspace,
    /// its stored secrets fill the ones `vars` lacks. Never fails: problems are warnings.
    pub fn open(
        rt: &Runtime,
        data_dir: Option<&Path>,
        file: &Path,
        ws: &Workspace,
        env: Option<&str>,
        vars: &mut Vars,
        record: bool,
    ) -> RunRecorder {
        let environment = ws
            .environment(env)
            .ok()
            .flatten()
            .map(|(n, _)| n.to_string());
        let mut recorder = RunRecorder {
            store: None,
            record,
            workspace_id: None,
            workspace: ws.name.clone(),
            environment: environment.clone(),
            secrets: Vec::new(),
        };
        let store = match rt.block_on(Store::open_default(data_dir)) {
            Ok(s) => s,
            Err(e) => {
                let what = if record {
                    "this run is not recorded and stored secrets are not used"
                } else {
                    "stored secrets are not used"
                };
                eprintln!("warning: the local store is not available, so {what}: {e}");
                return recorder;
            }
        };
        let linked = rt.block_on(linked_workspace(&store, file));
        if let (Some(id), Some(env_name)) = (linked, &environment) {
            match rt.block_on(store.secrets(id, Some(env_name))) {
                Ok(stored) => {
                    for s in stored {
                        if vars.get(&s.name).is_none() {
                            vars.set_secret(s.name.clone(), s.value.clone());
                        }
                    }
                }
                Err(e) => eprintln!("warning: cannot read stored secrets: {e}"),
            }
        }
        // Every value a secret variable has in this run, wherever it came from, is redacted
        // from the history row.
        if let Ok(Some((env_name, e))) = ws.environment(env) {
            for (name, var) in &e.variables {
                if let (true, Some(value)) = (var.is_secret(), vars.get(name)) {
                    recorder.secrets.push(SecretRef {
                        environment: env_name.to_string(),
                        name: name.clone(),
                        value: value.to_string(),
                    });
                }
            }
        }
        recorder.workspace_id = linked;
        recorder.store = Some(store);
        recorder
    }

    /// Records the run (unless --no-history); a failure is a warning.
    pub fn record(self, rt: &Runtime, request: &Request, outcome: &Outcome) {
        // A request refused before planning finished ran nothing: it took no time.
        let duration_ms = outcome.trace.as_ref().map(|t| t.duration_ms).unwrap_or(0.0);
        self.record_json(
            rt,
            request,
            outcome.response.value().clone(),
            outcome.trace_json(),
            duration_ms,
        );
    }

    /// Records a run given as its response and trace JSON (a federation run's trace in
    /// the engine's shape, so the history shows it like any run).
    pub fn record_json(
        self,
        rt: &Runtime,
        request: &Request,
        response: serde_json::Value,
        trace: serde_json::Value,
        duration_ms: f64,
    ) {
        let Some(store) = self.store else { return };
        if self.record {
            let run = NewRun {
                workspace_id: self.workspace_id,
                workspace: self.workspace,
                operation: request
                    .operation_name
                    .clone()
                    .or_else(|| knot_plan::sole_operation_name(&request.document)),
                document: request.document.clone(),
                variables: serde_json::Value::Object(request.variables.clone()),
                environment: self.environment,
                response,
                trace,
                started_at: knot_store::db::now_ms() - duration_ms as i64,
                duration_ms,
            };
            if let Err(e) = rt.block_on(store.record_run(&run, &self.secrets)) {
                eprintln!("warning: this run was not recorded in the history: {e}");
            }
        }
        rt.block_on(store.close());
    }
}

/// The store workspace linked to this file, if any.
async fn linked_workspace(store: &Store, file: &Path) -> Option<i64> {
    let abs = std::fs::canonicalize(file).ok()?;
    let all = store.list_workspaces().await.ok()?;
    all.into_iter()
        .find(|w| w.file.as_deref() == Some(abs.as_path()))
        .map(|w| w.id)
}
