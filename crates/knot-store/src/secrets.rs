//! Secrets: the values of environment variables marked `secret`, kept only in the local
//! store and referenced everywhere else as `{{secret.NAME}}`.
//!
//! The main design choice: secret values live in their own database file (`secrets.db`,
//! created owner-only, `secure_delete` on), never in `knot.db`. Whatever reads, copies or
//! attaches the main database (a bug report, a backup, the history view) cannot see a
//! value, and the guarantee is checkable: search the bytes of `knot.db` and its WAL. A
//! workspace saved with a secret's value inline has the value moved here and stripped from
//! the row, and every history row passes through a [`Redactor`] that replaces any value
//! (raw, JSON-escaped or percent-encoded) with its reference before it is written.
//! In `secrets.db` each value is sealed (`sealing.rs`); the key is unlocked on the first read
//! or write of a value, never for listing names.

use crate::error::{db_error, Result, StoreError};
use crate::sealing::value_aad;
use crate::workspaces::WorkspaceId;
use crate::{db::now_ms, Store};
use knot_model::{EnvVariable, Workspace};
use serde_json::Value;

/// A secret's name and value (the value is only ever used to run a request or to redact).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub environment: String,
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretRef({}.{} = ***)", self.environment, self.name)
    }
}

/// Splits a workspace into its secret-free form and the secret values it carried inline.
pub fn split(ws: &Workspace) -> (Workspace, Vec<SecretRef>) {
    let mut clean = ws.clone();
    let mut values = Vec::new();
    for (env_name, env) in clean.environments.iter_mut() {
        for (name, var) in env.variables.iter_mut() {
            if let EnvVariable::Detailed(d) = var {
                if d.secret {
                    if let Some(value) = d.value.take() {
                        values.push(SecretRef {
                            environment: env_name.clone(),
                            name: name.clone(),
                            value,
                        });
                    }
                }
            }
        }
    }
    (clean, values)
}

impl Store {
    /// Stores a secret's value. The variable must be declared `secret` in that environment
    /// of the workspace.
    pub async fn set_secret(
        &self,
        id: WorkspaceId,
        environment: &str,
        name: &str,
        value: &str,
    ) -> Result<()> {
        let ws = self.workspace(id).await?;
        let declared = ws
            .workspace
            .environments
            .get(environment)
            .and_then(|e| e.variables.get(name))
            .is_some_and(EnvVariable::is_secret);
        if !declared {
            return Err(StoreError::NotASecret {
                workspace: ws.info.name,
                message: format!(
                    "environment `{environment}` declares no secret variable `{name}` (mark it {{\"secret\": true}} first)"
                ),
            });
        }
        self.put_secrets(
            id,
            &[SecretRef {
                environment: environment.into(),
                name: name.into(),
                value: value.into(),
            }],
        )
        .await
    }

    pub(crate) async fn put_secrets(&self, id: WorkspaceId, values: &[SecretRef]) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        let key = self.secret_key().await?;
        let err = db_error(&self.secrets_path, "storing a secret");
        let mut tx = self
            .secrets
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&err)?;
        for s in values {
            let sealed = key.seal(&value_aad(id, &s.environment, &s.name), s.value.as_bytes())?;
            sqlx::query(
                "INSERT INTO secrets (workspace_id, environment, name, value, sealed, updated_at) VALUES (?, ?, ?, '', ?, ?)
                 ON CONFLICT (workspace_id, environment, name) DO UPDATE SET value = '', sealed = excluded.sealed, updated_at = excluded.updated_at",
            )
            .bind(id)
            .bind(&s.environment)
            .bind(&s.name)
            .bind(&sealed)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        tx.commit().await.map_err(&err)
    }

    /// Removes one secret's value.
    pub async fn delete_secret(
        &self,
        id: WorkspaceId,
        environment: &str,
        name: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM secrets WHERE workspace_id = ? AND environment = ? AND name = ?")
            .bind(id)
            .bind(environment)
            .bind(name)
            .execute(&self.secrets)
            .await
            .map(drop)
            .map_err(db_error(&self.secrets_path, "deleting a secret"))
    }

    pub(crate) async fn delete_all_secrets(&self, id: WorkspaceId) -> Result<()> {
        sqlx::query("DELETE FROM secrets WHERE workspace_id = ?")
            .bind(id)
            .execute(&self.secrets)
            .await
            .map(drop)
            .map_err(db_error(&self.secrets_path, "deleting secrets"))
    }

    /// Which secrets have a stored value: `(environment, name)`, never the values.
    pub async fn secret_names(&self, id: WorkspaceId) -> Result<Vec<(String, String)>> {
        sqlx::query_as("SELECT environment, name FROM secrets WHERE workspace_id = ? ORDER BY environment, name")
            .bind(id)
            .fetch_all(&self.secrets)
            .await
            .map_err(db_error(&self.secrets_path, "listing secrets"))
    }

    /// The stored secret values of a workspace (all environments when `environment` is
    /// None), to run requests and to redact.
    pub async fn secrets(
        &self,
        id: WorkspaceId,
        environment: Option<&str>,
    ) -> Result<Vec<SecretRef>> {
        let rows: Vec<(String, String, String, Option<Vec<u8>>)> = sqlx::query_as(
            "SELECT environment, name, value, sealed FROM secrets WHERE workspace_id = ? AND (? IS NULL OR environment = ?)
             ORDER BY environment, name",
        )
        .bind(id)
        .bind(environment)
        .bind(environment)
        .fetch_all(&self.secrets)
        .await
        .map_err(db_error(&self.secrets_path, "reading secrets"))?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // Unlocking also seals values stored before sealing: read them again after it.
        let key = self.secret_key().await?;
        let rows = if rows.iter().any(|r| r.3.is_none()) {
            sqlx::query_as(
                "SELECT environment, name, value, sealed FROM secrets WHERE workspace_id = ? AND (? IS NULL OR environment = ?)
                 ORDER BY environment, name",
            )
            .bind(id)
            .bind(environment)
            .bind(environment)
            .fetch_all(&self.secrets)
            .await
            .map_err(db_error(&self.secrets_path, "reading secrets"))?
        } else {
            rows
        };
        rows.into_iter()
            .map(|(environment, name, value, sealed)| {
                let value = match sealed {
                    None => value,
                    Some(sealed) => key
                        .open(&value_aad(id, &environment, &name), &sealed)
                        .and_then(|plain| String::from_utf8(plain).ok())
                        .ok_or_else(|| StoreError::SecretKey {
                            message: format!(
                                "the stored value of secret `{name}` (environment `{environment}`) \
                                 does not open with {}: it was changed or sealed with another key",
                                key.home()
                            ),
                        })?,
                };
                Ok(SecretRef {
                    environment,
                    name,
                    value,
                })
            })
            .collect()
    }
}

/// Replaces secret values with `{{secret.NAME}}` in text and JSON.
#[derive(Clone, Default)]
pub struct Redactor {
    /// (form of the value, reference), longest first so a secret containing another is
    /// replaced whole.
    pairs: Vec<(String, String)>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} forms)", self.pairs.len())
    }
}

impl Redactor {
    /// A redactor for these secrets. Empty values are ignored (there is nothing to hide).
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Redactor {
        let mut pairs = Vec::new();
        for (name, value) in secrets {
            if value.is_empty() {
                continue;
            }
            let reference = format!("{{{{secret.{name}}}}}");
            let escaped = serde_json::to_string(value).unwrap_or_default();
            let escaped = escaped
                .trim_start_matches('"')
                .trim_end_matches('"')
                .to_string();
            for form in [value.to_string(), escaped, percent_encode(value)] {
                if !form.is_empty() && !pairs.iter().any(|(f, _)| *f == form) {
                    pairs.push((form, reference.clone()));
                }
            }
        }
        pairs.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
        Redactor { pairs }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The text with every secret form replaced.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (form, reference) in &self.pairs {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), reference);
            }
        }
        out
    }

    /// The JSON value with every string (and object key) redacted.
    pub fn json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.text(k), self.json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The JSON value serialised, redacted in its tree and again in its text (a value split
    /// across escapes, or inside a number's text, cannot survive either pass).
    pub fn json_text(&self, value: &Value) -> String {
        let text = serde_json::to_string(&self.json(value)).unwrap_or_else(|_| "null".into());
        self.text(&text)
    }
}

fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_form_of_a_secret_becomes_its_reference() {
        let r = Redactor::new([("KEY", "s3cr\"t/value")]);
        let v = json!({
            "raw": "Bearer s3cr\"t/value",
            "url": "http://x/?k=s3cr%22t%2Fvalue",
            "s3cr\"t/value": 1,
            "nested": ["a s3cr\"t/value b"],
        });
        let text = r.json_text(&v);
        assert!(!text.contains("s3cr"), "{text}");
        assert_eq!(text.matches("{{secret.KEY}}").count(), 4, "{text}");
    }

    #[test]
    fn empty_secrets_are_ignored() {
        let r = Redactor::new([("EMPTY", "")]);
        assert!(r.is_empty());
        assert_eq!(r.text("abc"), "abc");
    }
}
