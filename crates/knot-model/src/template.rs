//! Templates in URLs, headers, paths and bodies: `{input}` names an operation input,
//! `{{env.NAME}}` an environment variable and `{{secret.NAME}}` a secret. `{{` and `}}`
//! never mean a literal brace; a lone `{` that does not open a name is an error.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Text(String),
    Input(String),
    Env(String),
    Secret(String),
}

/// Splits a template into parts, or says what is wrong with it.
pub fn parse(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    let mut literal = String::new();
    while let Some(open) = rest.find('{') {
        literal.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(inner_start) = after.strip_prefix("{{") {
            let Some(close) = inner_start.find("}}") else {
                return Err(format!("`{{{{` without a closing `}}}}` in \"{text}\""));
            };
            let inner = inner_start[..close].trim();
            let part = if let Some(name) = inner.strip_prefix("env.") {
                Part::Env(name.to_string())
            } else if let Some(name) = inner.strip_prefix("secret.") {
                Part::Secret(name.to_string())
            } else {
                return Err(format!("`{{{{{inner}}}}}` should be `{{{{env.NAME}}}}` or `{{{{secret.NAME}}}}` in \"{text}\""));
            };
            if let Part::Env(n) | Part::Secret(n) = &part {
                if !crate::typeref::is_graphql_name(n) {
                    return Err(format!("`{n}` is not a variable name in \"{text}\""));
                }
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(part);
            rest = &inner_start[close + 2..];
        } else {
            let Some(close) = after.find('}') else {
                return Err(format!("`{{` without a closing `}}` in \"{text}\""));
            };
            let name = &after[1..close];
            if !crate::typeref::is_graphql_name(name) {
                return Err(format!("`{{{name}}}` is not an input name in \"{text}\""));
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            parts.push(Part::Input(name.to_string()));
            rest = &after[close + 1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    Ok(parts)
}

/// Renders a template. `lookup` gives the text of each non-literal part (already encoded as
/// the caller needs); a `None` fails the render with that part's description.
pub fn render(
    parts: &[Part],
    mut lookup: impl FnMut(&Part) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            other => match lookup(other) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(match other {
                        Part::Input(n) => format!("input `{n}` has no value"),
                        Part::Env(n) => format!("environment variable `{n}` is not set"),
                        Part::Secret(n) => format!("secret `{n}` is not set"),
                        Part::Text(_) => String::new(),
                    })
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_inputs_env_and_secrets() {
        let parts = parse("{{env.BASE}}/orders/{id}?k={{secret.KEY}}").unwrap();
        assert_eq!(
            parts,
            vec![
                Part::Env("BASE".into()),
                Part::Text("/orders/".into()),
                Part::Input("id".into()),
                Part::Text("?k=".into()),
                Part::Secret("KEY".into()),
            ]
        );
    }

    #[test]
    fn rejects_unclosed_and_unknown_templates() {
        for bad in [
            "/orders/{id",
            "{{env.X",
            "{{other.X}}",
            "/{not a name}",
            "{{env.}}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn render_reports_the_missing_part() {
        let parts = parse("/u/{id}").unwrap();
        assert_eq!(
            render(&parts, |_| None).unwrap_err(),
            "input `id` has no value"
        );
        assert_eq!(render(&parts, |_| Some("7".into())).unwrap(), "/u/7");
    }
}
