//! The environment editor's commands: list, save and delete a workspace's environments.
//!
//! The main design choice: a secret's value never enters the workspace document, not even
//! for a moment. The document gets `{"secret": true}` (no value) and is saved through the
//! store like any edit (which also rewrites the linked file); the value then goes straight
//! to the store's secret file with `Store::set_secret`, and the engine is rebuilt by the
//! same `build_engine` that already merges stored secrets for `{{secret.NAME}}`. Stored
//! values of secrets that were removed, renamed or made plain are deleted.

use crate::errors::store_error;
use crate::state::{non_blank, AppState};
use knot_app_api::{ApiError, EnvVariableInput, EnvVariableView, EnvironmentView, WorkspaceView};
use knot_model::{EnvVariable, EnvVariableDetail, Environment};
use std::collections::BTreeSet;

impl AppState {
    /// The open workspace's environments, secrets without their values.
    pub async fn environment_list(&self) -> Result<Vec<EnvironmentView>, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let with_value: BTreeSet<(String, String)> = self
            .store()
            .secret_names(id)
            .await
            .map_err(store_error)?
            .into_iter()
            .collect();
        Ok(stored
            .workspace
            .environments
            .iter()
            .map(|(env, e)| EnvironmentView {
                name: env.clone(),
                variables: e
                    .variables
                    .iter()
                    .map(|(name, v)| EnvVariableView {
                        name: name.clone(),
                        value: v.file_value().unwrap_or_default().to_string(),
                        secret: v.is_secret(),
                        stored: v.is_secret() && with_value.contains(&(env.clone(), name.clone())),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Creates or replaces environment `name` with these variables (in this order).
    pub async fn environment_save(
        &self,
        name: &str,
        variables: &[EnvVariableInput],
    ) -> Result<WorkspaceView, ApiError> {
        let env_name = non_blank(name, "name")?.to_string();
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let mut ws = stored.workspace;
        let previous = ws.environments.get(&env_name).cloned().unwrap_or_default();
        let mut env = Environment::default();
        for input in variables {
            let var = non_blank(&input.name, "variable name")?.to_string();
            if env.variables.contains_key(&var) {
                return Err(ApiError::invalid_input(format!(
                    "variable `{var}` is listed twice"
                )));
            }
            let description = match previous.variables.get(&var) {
                Some(EnvVariable::Detailed(d)) => d.description.clone(),
                _ => String::new(),
            };
            let value = if input.secret {
                EnvVariable::Detailed(EnvVariableDetail {
                    value: None,
                    secret: true,
                    description,
                })
            } else if description.is_empty() {
                EnvVariable::Plain(input.value.clone())
            } else {
                EnvVariable::Detailed(EnvVariableDetail {
                    value: Some(input.value.clone()),
                    secret: false,
                    description,
                })
            };
            env.variables.insert(var, value);
        }
        ws.environments.insert(env_name.clone(), env);
        self.store()
            .update_workspace(id, &ws)
            .await
            .map_err(store_error)?;
        for input in variables.iter().filter(|v| v.secret && !v.value.is_empty()) {
            self.store()
                .set_secret(id, &env_name, input.name.trim(), &input.value)
                .await
                .map_err(store_error)?;
        }
        let keep: BTreeSet<&str> = variables
            .iter()
            .filter(|v| v.secret)
            .map(|v| v.name.trim())
            .collect();
        self.forget_secrets(id, &env_name, &keep).await?;
        self.rebuild(id, None).await?;
        self.view(id).await
    }

    /// Removes environment `name` and its stored secret values. When it was the chosen
    /// one, the workspace falls back to its default environment.
    pub async fn environment_delete(&self, name: &str) -> Result<WorkspaceView, ApiError> {
        let id = self.open_workspace_id().await?;
        let stored = self.store().workspace(id).await.map_err(store_error)?;
        let mut ws = stored.workspace;
        if ws.environments.shift_remove(name).is_none() {
            return Err(ApiError::not_found(format!(
                "the workspace has no environment `{name}`"
            )));
        }
        if ws.default_environment.as_deref() == Some(name) {
            ws.default_environment = None;
        }
        self.store()
            .update_workspace(id, &ws)
            .await
            .map_err(store_error)?;
        self.forget_secrets(id, name, &BTreeSet::new()).await?;
        let chosen = self.open_environment().await;
        let environment = if chosen.as_deref() == Some(name) {
            Some(None)
        } else {
            None
        };
        self.rebuild(id, environment).await?;
        self.view(id).await
    }

    /// Deletes the stored values of environment `env`'s secrets not in `keep`.
    async fn forget_secrets(
        &self,
        id: knot_store::WorkspaceId,
        env: &str,
        keep: &BTreeSet<&str>,
    ) -> Result<(), ApiError> {
        let names = self.store().secret_names(id).await.map_err(store_error)?;
        for (e, n) in names {
            if e == env && !keep.contains(n.as_str()) {
                self.store()
                    .delete_secret(id, &e, &n)
                    .await
                    .map_err(store_error)?;
            }
        }
        Ok(())
    }
}
