//! Projection: the raw data tree, shaped into exactly the response the document asked for.
//! Aliases, renamed fields, `__typename`, scalar coercion and GraphQL's null propagation
//! happen here, and each failure marker becomes one public error at its exact path.

use crate::run::{marker_index, ExecError};
use crate::trace::TraceError;
use knot_connect::Category;
use knot_model::TypeRef;
use knot_plan::{Selection, SelectionKind};
use serde_json::{json, Map, Value};

pub struct Projection<'a> {
    pub errors: &'a [ExecError],
    pub public_errors: Vec<Value>,
    pub trace_errors: Vec<TraceError>,
}

/// A null that must propagate to the nearest nullable parent (already reported).
struct Bubble;

impl<'a> Projection<'a> {
    pub fn new(errors: &'a [ExecError]) -> Self {
        Projection {
            errors,
            public_errors: Vec::new(),
            trace_errors: Vec::new(),
        }
    }

    fn report(
        &mut self,
        path: &[Value],
        category: Category,
        detail: String,
        node: Option<usize>,
        span: Option<usize>,
    ) {
        self.public_errors.push(json!({
            "message": category.public_message(),
            "path": path,
            "extensions": { "category": category.as_str() },
        }));
        self.trace_errors.push(TraceError {
            path: path.to_vec(),
            category,
            detail,
            node,
            span,
        });
    }

    /// Projects the root selections over the root raw object; `None` when a non-null root
    /// field was null (then `data` is null).
    pub fn root(&mut self, selections: &[Selection], raw: &Value, type_name: &str) -> Value {
        let mut path = Vec::new();
        match self.object(selections, raw, type_name, &mut path) {
            Ok(v) => v,
            Err(Bubble) => Value::Null,
        }
    }

    fn object(
        &mut self,
        selections: &[Selection],
        raw: &Value,
        type_name: &str,
        path: &mut Vec<Value>,
    ) -> Result<Value, Bubble> {
        let mut out = Map::new();
        let empty = Map::new();
        let obj = raw.as_object().unwrap_or(&empty);
        for sel in selections {
            path.push(Value::String(sel.response_key.clone()));
            let value = match &sel.kind {
                SelectionKind::Typename => Ok(Value::String(type_name.to_string())),
                SelectionKind::Plain(from) => {
                    let v = from
                        .iter()
                        .try_fold(raw, |cur, k| cur.as_object()?.get(k))
                        .unwrap_or(&Value::Null);
                    self.value(sel, &sel.ty, v, path, false)
                }
                SelectionKind::Bound { storage_key, .. } => {
                    let v = obj.get(storage_key).unwrap_or(&Value::Null);
                    self.value(sel, &sel.ty, v, path, true)
                }
            };
            path.pop();
            match value {
                Ok(v) => {
                    out.insert(sel.response_key.clone(), v);
                }
                // A reported null stops at the nearest nullable position.
                Err(Bubble) if sel.ty.is_non_null() => return Err(Bubble),
                Err(Bubble) => {
                    out.insert(sel.response_key.clone(), Value::Null);
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// The value of `raw` as `ty`. `Err(Bubble)` means "null, and the error is reported";
    /// callers turn it into null at the first nullable position.
    fn value(
        &mut self,
        sel: &Selection,
        ty: &TypeRef,
        raw: &Value,
        path: &mut Vec<Value>,
        bound: bool,
    ) -> Result<Value, Bubble> {
        if bound {
            if let Some(i) = marker_index(raw) {
                let (category, detail, node, span) = match self.errors.get(i) {
                    Some(e) => (e.category, e.detail.clone(), Some(e.node), e.span),
                    None => (Category::Dependency, "unknown failure".into(), None, None),
                };
                self.report(path, category, detail, node, span);
                return Err(Bubble);
            }
        }
        match ty {
            TypeRef::NonNull(inner) => {
                let v = self.value(sel, inner, raw, path, bound)?;
                if v.is_null() {
                    self.report(
                        path,
                        Category::Dependency,
                        format!("null for non-null field `{}` ({ty})", sel.field),
                        None,
                        None,
                    );
                    return Err(Bubble);
                }
                Ok(v)
            }
            _ if raw.is_null() => Ok(Value::Null),
            TypeRef::List(inner) => {
                let Some(items) = raw.as_array() else {
                    self.report(
                        path,
                        Category::Dependency,
                        format!("expected a list for `{}`, got {}", sel.field, short(raw)),
                        None,
                        None,
                    );
                    return Err(Bubble);
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(Value::from(i));
                    let r = self.value(sel, inner, item, path, bound);
                    path.pop();
                    match r {
                        Ok(v) => out.push(v),
                        Err(Bubble) if inner.is_non_null() => return Err(Bubble),
                        Err(Bubble) => out.push(Value::Null),
                    }
                }
                Ok(Value::Array(out))
            }
            TypeRef::Named(name) => {
                if !sel.children.is_empty() || !knot_model::typeref::is_builtin_scalar(name) {
                    if !raw.is_object() {
                        self.report(
                            path,
                            Category::Dependency,
                            format!("expected an object for `{}`, got {}", sel.field, short(raw)),
                            None,
                            None,
                        );
                        return Err(Bubble);
                    }
                    return self.object(&sel.children, raw, name, path);
                }
                match scalar(name, raw) {
                    Some(v) => Ok(v),
                    None => {
                        self.report(
                            path,
                            Category::Dependency,
                            format!(
                                "`{}` expects {name}, the dependency gave {}",
                                sel.field,
                                short(raw)
                            ),
                            None,
                            None,
                        );
                        Err(Bubble)
                    }
                }
            }
        }
    }
}

/// Result coercion of built-in scalars (GraphQL's result coercion: an `ID` or `String`
/// from a number, an `Int` from an integral float or numeric text, …); `None` when the
/// value cannot be one. Custom scalars pass through. One rule for every projection.
pub fn coerce_scalar(name: &str, v: &Value) -> Option<Value> {
    scalar(name, v)
}

fn scalar(name: &str, v: &Value) -> Option<Value> {
    match name {
        "ID" => match v {
            Value::String(_) => Some(v.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(Value::String(n.to_string())),
            _ => None,
        },
        "String" => match v {
            Value::String(_) => Some(v.clone()),
            Value::Number(n) => Some(Value::String(n.to_string())),
            Value::Bool(b) => Some(Value::String(b.to_string())),
            _ => None,
        },
        "Int" => match v {
            Value::Number(n) => {
                let i = n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?;
                (i >= i64::from(i32::MIN) && i <= i64::from(i32::MAX)).then(|| Value::from(i))
            }
            Value::String(s) => s.parse::<i32>().ok().map(Value::from),
            _ => None,
        },
        "Float" => match v {
            Value::Number(_) => Some(v.clone()),
            Value::String(s) => s
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            _ => None,
        },
        "Boolean" => v.as_bool().map(Value::Bool),
        _ => Some(v.clone()),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(80).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}
