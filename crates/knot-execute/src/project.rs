//! Projection, the one for every plan: the data tree, shaped into exactly the response the
//! document asked for. Aliases, renamed fields, fragments with type conditions, `__typename`,
//! abstract types (the concrete type from `__typename`), enums, `@skip`/`@include` left to
//! run time, hidden types and values, scalar coercion and GraphQL's null propagation happen
//! here, and each failure marker becomes one public error at its exact path. Public messages
//! are only the fixed ones of each category; the detail goes to the trace.
//!
//! What the projection needs to know about the schema comes through [`Types`]: the
//! orchestration planner's workspaces answer with [`WorkspaceTypes`], the federation front
//! end with its supergraph.

use crate::run::ExecError;
use crate::trace::TraceError;
use crate::tree::{Leaf, Tree};
use knot_connect::Category;
use knot_model::TypeRef;
use knot_plan::{Selection, SelectionKind};
use serde_json::{json, Map, Value};

/// What a named type is, as far as projection cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// An object type: its fields are selected.
    Object,
    /// An interface or union: the value's `__typename` names its concrete type.
    Abstract,
    /// An enum: the value must be one of its (public) values.
    Enum,
    /// A scalar: built-in scalars are coerced, others pass through.
    Scalar,
}

/// The schema facts projection needs, over raw trees of type `T` (JSON values for the
/// orchestration executor, [`crate::tree::Node`]s for the federation executor).
pub trait Types<T: Tree = Value> {
    fn kind(&self, type_name: &str) -> TypeKind;
    /// Whether an object of concrete type `concrete` matches the type condition `condition`.
    fn matches(&self, concrete: &str, condition: &str) -> bool {
        concrete == condition
    }
    /// Whether the public schema shows this type (a `__typename` naming a hidden type makes
    /// the object null).
    fn is_public(&self, _type_name: &str) -> bool {
        true
    }
    /// The public enum value a raw value of the enum `enum_name` stands for (a downstream
    /// spelling mapped to the value's name), or `None` when it stands for none.
    fn enum_value<'v>(&'v self, enum_name: &str, raw: &'v T) -> Option<&'v str>;
    /// The type of `field` on the concrete type `type_name`, when it can differ from the
    /// type the selection was planned with (a field selected through an interface).
    fn field_type(&self, _type_name: &str, _field: &str) -> Option<&TypeRef> {
        None
    }
    /// The concrete object type of a raw value of the abstract type `abstract_name`, or
    /// `None` when the value names none of its possible types. By default the value's
    /// `__typename` (the abstract type itself when it has none).
    fn concrete_type<'v>(&'v self, abstract_name: &'v str, raw: &'v T) -> Option<&'v str> {
        Some(raw.typename().unwrap_or(abstract_name))
    }
    /// Result coercion of a scalar (built-in scalars coerced, custom ones passed through);
    /// `None` when the value cannot be one.
    fn scalar(&self, name: &str, raw: &T) -> Option<Value> {
        scalar(name, raw)
    }
}

/// The types of a workspace's orchestrated schema: built-in scalars, enums (with their
/// downstream spellings) and object types.
pub struct WorkspaceTypes<'w>(pub &'w knot_model::Workspace);

impl Types for WorkspaceTypes<'_> {
    fn kind(&self, type_name: &str) -> TypeKind {
        let schema = &self.0.schema;
        if knot_model::typeref::is_builtin_scalar(type_name)
            || schema.scalars.contains_key(type_name)
        {
            TypeKind::Scalar
        } else if schema.enums.contains_key(type_name) {
            TypeKind::Enum
        } else if schema.is_abstract(type_name) {
            TypeKind::Abstract
        } else {
            TypeKind::Object
        }
    }

    fn matches(&self, concrete: &str, condition: &str) -> bool {
        self.0.schema.applies(condition, concrete)
    }

    fn concrete_type<'v>(&'v self, abstract_name: &'v str, raw: &'v Value) -> Option<&'v str> {
        self.0.schema.concrete_type(abstract_name, raw)
    }

    fn scalar(&self, name: &str, raw: &Value) -> Option<Value> {
        if name == knot_model::DATE_TIME && self.0.schema.scalars.contains_key(name) {
            return raw
                .as_str()
                .filter(|s| knot_model::typeref::is_rfc3339(s))
                .map(|_| raw.clone());
        }
        scalar(name, raw)
    }

    fn enum_value<'v>(&'v self, enum_name: &str, raw: &'v Value) -> Option<&'v str> {
        self.0.schema.enums.get(enum_name)?.value_of(raw)
    }
}

pub struct Projection<'a, T: Tree = Value> {
    errors: &'a [ExecError],
    types: &'a dyn Types<T>,
    variables: Option<&'a Map<String, Value>>,
    /// Paths of errors reported before projection (an empty path covers the whole answer):
    /// a null under one of them is already explained and gets no second error.
    prior: Vec<Vec<Value>>,
    pub public_errors: Vec<Value>,
    pub trace_errors: Vec<TraceError>,
}

/// A null that must propagate to the nearest nullable parent (already reported).
struct Bubble;

/// One step of the walk's position; turned into JSON only for an error.
#[derive(Clone, Copy)]
enum Seg<'s> {
    Key(&'s str),
    Index(usize),
}

impl Seg<'_> {
    fn to_value(self) -> Value {
        match self {
            Seg::Key(k) => Value::String(k.to_owned()),
            Seg::Index(i) => Value::from(i),
        }
    }

    fn is(self, v: &Value) -> bool {
        match (self, v) {
            (Seg::Key(k), Value::String(s)) => k == s,
            (Seg::Index(i), Value::Number(n)) => n.as_u64() == Some(i as u64),
            _ => false,
        }
    }
}

impl<'a, T: Tree> Projection<'a, T> {
    /// A projection over a raw tree whose failure markers index `errors`, with the schema
    /// facts of `types`.
    pub fn new(errors: &'a [ExecError], types: &'a dyn Types<T>) -> Self {
        Projection {
            errors,
            types,
            variables: None,
            prior: Vec::new(),
            public_errors: Vec::new(),
            trace_errors: Vec::new(),
        }
    }

    /// The request's variables, for `@skip`/`@include` left to run time.
    pub fn with_variables(mut self, variables: &'a Map<String, Value>) -> Self {
        self.variables = Some(variables);
        self
    }

    /// Paths of errors already reported (an empty path: the whole answer).
    pub fn with_prior_errors(mut self, paths: Vec<Vec<Value>>) -> Self {
        self.prior = paths;
        self
    }

    fn report(
        &mut self,
        path: &[Seg<'_>],
        category: Category,
        detail: String,
        node: Option<usize>,
        span: Option<usize>,
    ) {
        let path: Vec<Value> = path.iter().map(|s| s.to_value()).collect();
        self.public_errors.push(json!({
            "message": category.public_message(),
            "path": path,
            "extensions": { "category": category.as_str() },
        }));
        self.trace_errors.push(TraceError {
            path,
            category,
            detail,
            node,
            span,
        });
    }

    /// Whether an error at or above (or below) `path` is already reported.
    fn covered(&self, path: &[Seg<'_>]) -> bool {
        self.prior
            .iter()
            .chain(self.trace_errors.iter().map(|e| &e.path))
            .any(|p| p.iter().zip(path).all(|(a, b)| b.is(a)))
    }

    /// Projects the root selections over the root raw object; null when a non-null root
    /// field was null.
    pub fn root(&mut self, selections: &[Selection], raw: &T, type_name: &str) -> Value {
        let mut path = Vec::new();
        match self.object(selections, raw, type_name, &mut path) {
            Ok(v) => v,
            Err(Bubble) => Value::Null,
        }
    }

    fn included(&self, sel: &Selection) -> bool {
        if sel.skip_if.is_empty() && sel.include_if.is_empty() {
            return true;
        }
        let flag = |name: &String| {
            matches!(
                self.variables.and_then(|v| v.get(name)),
                Some(Value::Bool(true))
            )
        };
        !sel.skip_if.iter().any(flag) && sel.include_if.iter().all(flag)
    }

    fn object<'s>(
        &mut self,
        selections: &'s [Selection],
        raw: &T,
        type_name: &str,
        path: &mut Vec<Seg<'s>>,
    ) -> Result<Value, Bubble> {
        let mut out = Map::with_capacity(selections.len());
        let null = T::from_value(Value::Null);
        let types = self.types;
        for sel in selections {
            if !self.included(sel) || !sel.on.iter().all(|c| types.matches(type_name, c)) {
                continue;
            }
            path.push(Seg::Key(&sel.response_key));
            let ty = types.field_type(type_name, &sel.field).unwrap_or(&sel.ty);
            let value = match &sel.kind {
                SelectionKind::Typename => Ok(Value::String(type_name.to_string())),
                SelectionKind::Plain(from) => {
                    let v = from
                        .iter()
                        .try_fold(raw, |cur, k| cur.get(k))
                        .unwrap_or(&null);
                    self.value(sel, type_name, ty, v, path, false)
                }
                SelectionKind::Bound { storage_key, .. } => {
                    let v = raw.get(storage_key).unwrap_or(&null);
                    self.value(sel, type_name, ty, v, path, true)
                }
                SelectionKind::Verbatim(key) => {
                    Ok(raw.get(key).map(Tree::to_value).unwrap_or(Value::Null))
                }
                SelectionKind::Aggregate(targets) => {
                    self.aggregate(sel, type_name, ty, raw, targets, path)
                }
            };
            path.pop();
            let value = match value {
                Ok(v) => v,
                // A reported null stops at the nearest nullable position.
                Err(Bubble) if ty.is_non_null() => return Err(Bubble),
                Err(Bubble) => Value::Null,
            };
            // The same response key from two fragments: one value, both selections merged.
            match out.entry(sel.response_key.as_str()) {
                serde_json::map::Entry::Occupied(existing) => merge(existing.into_mut(), value),
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
            }
        }
        Ok(Value::Object(out))
    }

    /// The value of `raw` as `ty`. `Err(Bubble)` means "null, and the error is reported";
    /// callers turn it into null at the first nullable position.
    #[allow(clippy::too_many_arguments)]
    fn value<'s>(
        &mut self,
        sel: &'s Selection,
        parent: &str,
        ty: &TypeRef,
        raw: &T,
        path: &mut Vec<Seg<'s>>,
        bound: bool,
    ) -> Result<Value, Bubble> {
        if bound {
            if let Some(i) = raw.marker() {
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
                let v = self.value(sel, parent, inner, raw, path, bound)?;
                if v.is_null() {
                    if !self.covered(path) {
                        self.report(
                            path,
                            Category::Dependency,
                            format!(
                                "Cannot return null for non-nullable field {parent}.{}.",
                                sel.field
                            ),
                            None,
                            None,
                        );
                    }
                    return Err(Bubble);
                }
                Ok(v)
            }
            _ if raw.is_null() => Ok(Value::Null),
            TypeRef::List(inner) => {
                let Some(items) = raw.items() else {
                    return self.wrong(path, parent, sel, "a list", raw);
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    let r = self.value(sel, parent, inner, item, path, bound);
                    path.pop();
                    match r {
                        Ok(v) => out.push(v),
                        Err(Bubble) if inner.is_non_null() => return Err(Bubble),
                        Err(Bubble) => out.push(Value::Null),
                    }
                }
                Ok(Value::Array(out))
            }
            TypeRef::Named(name) => match self.types.kind(name) {
                TypeKind::Object | TypeKind::Abstract if !raw.is_object() => {
                    self.wrong(path, parent, sel, "an object", raw)
                }
                TypeKind::Object => self.object(&sel.children, raw, name, path),
                TypeKind::Abstract => {
                    let types = self.types;
                    let Some(concrete) = types.concrete_type(name, raw) else {
                        self.report(
                            path,
                            Category::Dependency,
                            format!(
                                "{parent}.{}: the dependency's object names none of the possible types of {name}",
                                sel.field
                            ),
                            None,
                            None,
                        );
                        return Err(Bubble);
                    };
                    // An object of a type the public schema hides is not shown.
                    if concrete != name && !types.is_public(concrete) {
                        return Ok(Value::Null);
                    }
                    self.object(&sel.children, raw, concrete, path)
                }
                TypeKind::Enum => match self.types.enum_value(name, raw) {
                    Some(v) => Ok(Value::String(v.to_owned())),
                    None => {
                        self.report(
                            path,
                            Category::Dependency,
                            format!(
                                "{parent}.{}: the dependency gave {}, not a public value of \
                                 enum {name}",
                                sel.field,
                                raw.kind_of()
                            ),
                            None,
                            None,
                        );
                        Err(Bubble)
                    }
                },
                TypeKind::Scalar => match self.types.scalar(name, raw) {
                    Some(v) => Ok(v),
                    None => self.wrong(path, parent, sel, name, raw),
                },
            },
        }
    }

    /// The outcome of an aggregated write, from each target's answer or failure marker:
    /// `{ok, status, targets: [{label, status, category, message}]}` read by the field's
    /// type (or `true`/`false` for `Boolean`). A failed target is told by its label, its
    /// category and the category's fixed message; its source and detail go to the trace
    /// only. A failed `required` target fails the field.
    fn aggregate<'s>(
        &mut self,
        sel: &'s Selection,
        parent: &str,
        ty: &TypeRef,
        obj: &T,
        targets: &[knot_plan::AggregateSlot],
        path: &mut Vec<Seg<'s>>,
    ) -> Result<Value, Bubble> {
        let mut outcomes = Vec::with_capacity(targets.len());
        let mut failed = 0;
        let mut required_failure: Option<(Category, String, Option<usize>, Option<usize>)> = None;
        for t in targets {
            let marker = obj.get(&t.storage_key).and_then(Tree::marker);
            match marker {
                None => outcomes.push(json!({
                    "label": t.label, "status": "SUCCEEDED", "category": null, "message": null,
                })),
                Some(i) => {
                    failed += 1;
                    let (category, detail, node, span) = match self.errors.get(i) {
                        Some(e) => (e.category, e.detail.clone(), Some(e.node), e.span),
                        None => (Category::Dependency, "unknown failure".into(), None, None),
                    };
                    outcomes.push(json!({
                        "label": t.label,
                        "status": "FAILED",
                        "category": category.as_str(),
                        "message": category.public_message(),
                    }));
                    let detail = format!("target `{}`: {detail}", t.label);
                    if t.required && required_failure.is_none() {
                        required_failure = Some((category, detail, node, span));
                    } else {
                        // Told in the outcome; the explorer still sees why.
                        self.trace_errors.push(TraceError {
                            path: path.iter().map(|s| s.to_value()).collect(),
                            category,
                            detail,
                            node,
                            span,
                        });
                    }
                }
            }
        }
        if let Some((category, detail, node, span)) = required_failure {
            self.report(path, category, detail, node, span);
            return Err(Bubble);
        }
        let ok = failed == 0;
        if ty.named() == "Boolean" {
            return Ok(Value::Bool(ok));
        }
        let status = match failed {
            0 => "SUCCEEDED",
            n if n == targets.len() => "FAILED",
            _ => "PARTIAL",
        };
        let raw = T::from_value(json!({"ok": ok, "status": status, "targets": outcomes}));
        self.value(sel, parent, ty, &raw, path, false)
    }

    /// A value of the wrong kind: reported (naming only what kind of value came, never the
    /// value) and null.
    fn wrong(
        &mut self,
        path: &[Seg<'_>],
        parent: &str,
        sel: &Selection,
        expected: &str,
        raw: &T,
    ) -> Result<Value, Bubble> {
        self.report(
            path,
            Category::Dependency,
            format!(
                "{parent}.{} expects {expected}, the dependency gave {}",
                sel.field,
                raw.kind_of()
            ),
            None,
            None,
        );
        Err(Bubble)
    }
}

/// Merges `from` into `into`: objects key by key, lists item by item, anything else replaced.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                merge(x, y);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Result coercion of built-in scalars (GraphQL's result coercion: an `ID` or `String`
/// from a number, an `Int` from an integral float or numeric text, …); `None` when the
/// value cannot be one. Custom scalars pass through. One rule for every projection.
pub fn coerce_scalar(name: &str, v: &Value) -> Option<Value> {
    scalar(name, v)
}

fn scalar<T: Tree>(name: &str, v: &T) -> Option<Value> {
    let leaf = v.leaf();
    match name {
        "ID" => match leaf {
            Leaf::String(s) => Some(Value::String(s.to_owned())),
            Leaf::Number(n) if n.is_i64() || n.is_u64() => Some(Value::String(n.to_string())),
            _ => None,
        },
        "String" => match leaf {
            Leaf::String(s) => Some(Value::String(s.to_owned())),
            Leaf::Number(n) => Some(Value::String(n.to_string())),
            Leaf::Bool(b) => Some(Value::String(b.to_string())),
            _ => None,
        },
        "Int" => match leaf {
            Leaf::Number(n) => {
                let i = n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?;
                (i >= i64::from(i32::MIN) && i <= i64::from(i32::MAX)).then(|| Value::from(i))
            }
            Leaf::String(s) => s.parse::<i32>().ok().map(Value::from),
            _ => None,
        },
        "Float" => match leaf {
            Leaf::Number(n) => Some(Value::Number(n.clone())),
            Leaf::String(s) => s
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            _ => None,
        },
        "Boolean" => match leaf {
            Leaf::Bool(b) => Some(Value::Bool(b)),
            _ => None,
        },
        _ => Some(v.to_value()),
    }
}
