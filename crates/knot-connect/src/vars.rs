//! Resolved environment variables and secrets, and rendering of templates with them.
//! A secret's value is used for the real request and never for anything recorded: the
//! recorded form of a template keeps `{{secret.NAME}}`.

use knot_model::template::{self, Part};
use knot_model::{EnvVariable, Workspace};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
}

impl Vars {
    /// Variables of the chosen environment; secrets and unset values come from the process
    /// environment (`KNOT_SECRET_<NAME>` for secrets, `KNOT_VAR_<NAME>` overrides any).
    pub fn from_workspace(ws: &Workspace, env: Option<&str>) -> Result<Vars, String> {
        let mut vars = Vars::default();
        if let Some((_, environment)) = ws.environment(env)? {
            for (name, var) in &environment.variables {
                match var {
                    EnvVariable::Detailed(d) if d.secret => {
                        if let Ok(v) = std::env::var(format!("KNOT_SECRET_{name}")) {
                            vars.secrets.insert(name.clone(), v);
                        }
                    }
                    other => {
                        if let Some(v) = other.file_value() {
                            vars.values.insert(name.clone(), v.to_string());
                        }
                    }
                }
            }
        }
        for (k, v) in std::env::vars() {
            if let Some(name) = k.strip_prefix("KNOT_VAR_") {
                vars.values.insert(name.to_string(), v);
            }
        }
        Ok(vars)
    }

    /// Sets (or overrides) a plain variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Sets a secret's value (from the local store or a prompt).
    pub fn set_secret(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.secrets.insert(name.into(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .or_else(|| self.secrets.get(name))
            .map(String::as_str)
    }

    /// `text` with every secret value replaced by `{{secret.NAME}}` (longest values first,
    /// so a secret containing another is replaced whole).
    pub fn redact(&self, text: &str) -> String {
        let mut secrets: Vec<(&String, &String)> =
            self.secrets.iter().filter(|(_, v)| !v.is_empty()).collect();
        if secrets.is_empty() {
            return text.to_string();
        }
        secrets.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        let mut out = text.to_string();
        for (name, value) in secrets {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &format!("{{{{secret.{name}}}}}"));
            }
        }
        out
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.secrets.contains_key(name) && !self.values.contains_key(name)
    }

    /// Renders env/secret parts; `input` renders `{input}` parts (None = not allowed here).
    /// Returns the real text and the text safe to record.
    pub fn render(
        &self,
        text: &str,
        mut input: impl FnMut(&str) -> Option<String>,
    ) -> Result<(String, String), String> {
        let parts = template::parse(text)?;
        let real = template::render(&parts, |p| match p {
            Part::Env(n) => self
                .values
                .get(n)
                .cloned()
                .or_else(|| self.secrets.get(n).cloned()),
            Part::Secret(n) => self.secrets.get(n).cloned(),
            Part::Input(n) => input(n),
            Part::Text(_) => None,
        })?;
        let shown = template::render(&parts, |p| match p {
            Part::Env(n) if self.is_secret(n) => Some(format!("{{{{secret.{n}}}}}")),
            Part::Env(n) => self.values.get(n).cloned(),
            Part::Secret(n) => Some(format!("{{{{secret.{n}}}}}")),
            Part::Input(n) => input(n),
            Part::Text(_) => None,
        })?;
        Ok((real, shown))
    }
}
