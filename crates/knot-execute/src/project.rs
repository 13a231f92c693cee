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
    /// Result coercion of a scalar (built-in scalars coerced, custom ones passed through),
    /// written as JSON at the end of `out`; false (nothing written) when the value cannot
    /// be one.
    fn write_scalar(&self, name: &str, raw: &T, out: &mut Vec<u8>) -> bool {
        write_scalar(name, raw, out)
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

    fn write_scalar(&self, name: &str, raw: &Value, out: &mut Vec<u8>) -> bool {
        if name == knot_model::DATE_TIME && self.0.schema.scalars.contains_key(name) {
            return match raw.as_str() {
                Some(s) if knot_model::typeref::is_rfc3339(s) => {
                    write_str(out, s);
                    true
                }
                _ => false,
            };
        }
        write_scalar(name, raw, out)
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
    /// Selection sets (by address) and whether two of their fields share a response key.
    merged_sets: Vec<(usize, bool)>,
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
            merged_sets: Vec::new(),
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
        let mut out = Vec::new();
        self.root_into(selections, raw, type_name, &mut out);
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }

    /// [`Projection::root`] written as JSON text at the end of `out`: the answer is never
    /// built as a tree of its own.
    pub fn root_into(
        &mut self,
        selections: &[Selection],
        raw: &T,
        type_name: &str,
        out: &mut Vec<u8>,
    ) {
        let start = out.len();
        let mut path = Vec::new();
        let r = self.object(selections, raw, type_name, &mut path, out);
        // `data` itself is nullable: nothing passes further up.
        let _ = settle(r, false, out, start);
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

    /// Whether `sel` is part of an object of type `type_name`: included by its `@skip` and
    /// `@include` and matching every type condition around it.
    fn applies(&self, sel: &Selection, type_name: &str) -> bool {
        self.included(sel) && sel.on.iter().all(|c| self.types.matches(type_name, c))
    }

    /// Whether two selections of the set share a response key (fields from two fragments
    /// that merge into one value). Worked out once per set and request.
    fn merges(&mut self, selections: &[Selection]) -> bool {
        let id = selections.as_ptr() as usize;
        if let Some((_, m)) = self.merged_sets.iter().find(|(s, _)| *s == id) {
            return *m;
        }
        let m = selections.iter().enumerate().any(|(i, a)| {
            selections[..i]
                .iter()
                .any(|b| b.response_key == a.response_key)
        });
        self.merged_sets.push((id, m));
        m
    }

    /// An object: each included field's response key and value, written in order. A
    /// field's reported null stops at the nearest nullable position: the field itself, or
    /// (`Err`) the object, whose caller drops what was written of it.
    fn object<'s>(
        &mut self,
        selections: &'s [Selection],
        raw: &T,
        type_name: &str,
        path: &mut Vec<Seg<'s>>,
        out: &mut Vec<u8>,
    ) -> Result<(), Bubble> {
        if self.merges(selections) {
            return self.merged_object(selections, raw, type_name, path, out);
        }
        let types = self.types;
        out.push(b'{');
        let mut first = true;
        let mut hint = 0;
        for sel in selections {
            if !self.applies(sel, type_name) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_str(out, &sel.response_key);
            out.push(b':');
            let at = out.len();
            let ty = types.field_type(type_name, &sel.field).unwrap_or(&sel.ty);
            path.push(Seg::Key(&sel.response_key));
            let r = self.field(sel, type_name, ty, raw, &mut hint, path, out);
            path.pop();
            settle(r, ty.is_non_null(), out, at)?;
        }
        out.push(b'}');
        Ok(())
    }

    /// An object some of whose fields share a response key: each field projected on its
    /// own, the values of one key merged (objects key by key), then written.
    fn merged_object<'s>(
        &mut self,
        selections: &'s [Selection],
        raw: &T,
        type_name: &str,
        path: &mut Vec<Seg<'s>>,
        out: &mut Vec<u8>,
    ) -> Result<(), Bubble> {
        let types = self.types;
        let mut fields: Vec<(&str, Value)> = Vec::with_capacity(selections.len());
        let mut buf = Vec::new();
        let mut hint = 0;
        for sel in selections {
            if !self.applies(sel, type_name) {
                continue;
            }
            let ty = types.field_type(type_name, &sel.field).unwrap_or(&sel.ty);
            buf.clear();
            path.push(Seg::Key(&sel.response_key));
            let r = self.field(sel, type_name, ty, raw, &mut hint, path, &mut buf);
            path.pop();
            let value = match r {
                Ok(()) => serde_json::from_slice(&buf).unwrap_or(Value::Null),
                Err(Bubble) if ty.is_non_null() => return Err(Bubble),
                Err(Bubble) => Value::Null,
            };
            match fields.iter_mut().find(|(k, _)| *k == sel.response_key) {
                Some((_, existing)) => merge(existing, value),
                None => fields.push((&sel.response_key, value)),
            }
        }
        out.push(b'{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, key);
            out.push(b':');
            write_json(out, value);
        }
        out.push(b'}');
        Ok(())
    }

    /// One field's value. `hint`: where the object's last field read was found (fields
    /// are usually read in the order the answer has them).
    #[allow(clippy::too_many_arguments)]
    fn field<'s>(
        &mut self,
        sel: &'s Selection,
        type_name: &str,
        ty: &TypeRef,
        raw: &T,
        hint: &mut usize,
        path: &mut Vec<Seg<'s>>,
        out: &mut Vec<u8>,
    ) -> Result<(), Bubble> {
        match &sel.kind {
            SelectionKind::Typename => {
                write_str(out, type_name);
                Ok(())
            }
            SelectionKind::Plain(from) => {
                let found = match from.split_first() {
                    Some((first, rest)) => raw
                        .get_near(first, hint)
                        .and_then(|v| rest.iter().try_fold(v, |cur, k| cur.get(k))),
                    None => Some(raw),
                };
                match found {
                    Some(v) => self.value(sel, type_name, ty, v, path, false, out),
                    None => self.value(sel, type_name, ty, &T::null(), path, false, out),
                }
            }
            SelectionKind::Bound { storage_key, .. } => match raw.get_near(storage_key, hint) {
                Some(v) => self.value(sel, type_name, ty, v, path, true, out),
                None => self.value(sel, type_name, ty, &T::null(), path, true, out),
            },
            SelectionKind::Verbatim(key) => {
                match raw.get(key) {
                    Some(v) => v.write_json(out),
                    None => out.extend_from_slice(b"null"),
                }
                Ok(())
            }
            SelectionKind::Aggregate(targets) => {
                self.aggregate(sel, type_name, ty, raw, targets, path, out)
            }
        }
    }

    /// The value of `raw` as `ty`, written at the end of `out`. `Err(Bubble)` means "null,
    /// and the error is reported": callers drop what was written and put null at the first
    /// nullable position.
    #[allow(clippy::too_many_arguments)]
    fn value<'s>(
        &mut self,
        sel: &'s Selection,
        parent: &str,
        ty: &TypeRef,
        raw: &T,
        path: &mut Vec<Seg<'s>>,
        bound: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), Bubble> {
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
                let at = out.len();
                self.value(sel, parent, inner, raw, path, bound, out)?;
                if &out[at..] == b"null" {
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
                Ok(())
            }
            _ if raw.is_null() => {
                out.extend_from_slice(b"null");
                Ok(())
            }
            TypeRef::List(inner) => {
                let Some(items) = raw.items() else {
                    return self.wrong(path, parent, sel, "a list", raw);
                };
                out.push(b'[');
                // The items two places ahead are loaded while this one is written (a list
                // of objects read one after the other otherwise waits on each).
                for item in items.iter().take(2) {
                    item.prefetch();
                }
                for (i, item) in items.iter().enumerate() {
                    if let Some(ahead) = items.get(i + 2) {
                        ahead.prefetch();
                    }
                    if i > 0 {
                        out.push(b',');
                    }
                    let at = out.len();
                    path.push(Seg::Index(i));
                    let r = self.value(sel, parent, inner, item, path, bound, out);
                    path.pop();
                    settle(r, inner.is_non_null(), out, at)?;
                }
                out.push(b']');
                Ok(())
            }
            TypeRef::Named(name) => match self.types.kind(name) {
                TypeKind::Object | TypeKind::Abstract if !raw.is_object() => {
                    self.wrong(path, parent, sel, "an object", raw)
                }
                TypeKind::Object => self.object(&sel.children, raw, name, path, out),
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
                        out.extend_from_slice(b"null");
                        return Ok(());
                    }
                    self.object(&sel.children, raw, concrete, path, out)
                }
                TypeKind::Enum => match self.types.enum_value(name, raw) {
                    Some(v) => {
                        write_str(out, v);
                        Ok(())
                    }
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
                TypeKind::Scalar => {
                    if self.types.write_scalar(name, raw, out) {
                        Ok(())
                    } else {
                        self.wrong(path, parent, sel, name, raw)
                    }
                }
            },
        }
    }

    /// The outcome of an aggregated write, from each target's answer or failure marker:
    /// `{ok, status, targets: [{label, status, category, message}]}` read by the field's
    /// type (or `true`/`false` for `Boolean`). A failed target is told by its label, its
    /// category and the category's fixed message; its source and detail go to the trace
    /// only. A failed `required` target fails the field.
    #[allow(clippy::too_many_arguments)]
    fn aggregate<'s>(
        &mut self,
        sel: &'s Selection,
        parent: &str,
        ty: &TypeRef,
        obj: &T,
        targets: &[knot_plan::AggregateSlot],
        path: &mut Vec<Seg<'s>>,
        out: &mut Vec<u8>,
    ) -> Result<(), Bubble> {
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
            out.extend_from_slice(if ok { b"true" } else { b"false" });
            return Ok(());
        }
        let status = match failed {
            0 => "SUCCEEDED",
            n if n == targets.len() => "FAILED",
            _ => "PARTIAL",
        };
        let raw = T::from_value(json!({"ok": ok, "status": status, "targets": outcomes}));
        self.value(sel, parent, ty, &raw, path, false, out)
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
    ) -> Result<(), Bubble> {
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

/// The outcome of one position written from `at`: on a reported null, a nullable position
/// drops what was written of it and holds `null`; a non-null one passes the null up to its
/// caller (which drops it in turn).
fn settle(
    r: Result<(), Bubble>,
    non_null: bool,
    out: &mut Vec<u8>,
    at: usize,
) -> Result<(), Bubble> {
    match r {
        Err(Bubble) if non_null => Err(Bubble),
        Err(Bubble) => {
            out.truncate(at);
            out.extend_from_slice(b"null");
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// A string as JSON text (quoted, escaped) at the end of `out`.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Most keys and values need no escape: copied as they are.
    if !needs_escape(bytes) {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // Writing into a Vec cannot fail, nor can serialising a str.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Whether JSON text needs an escape for `bytes`: a control character, `"` or `\`. Eight
/// bytes are checked at a time (a byte below 0x20, or equal to one of the two, anywhere in
/// the word sets a high bit; the test is exact for the word as a whole).
pub fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Some byte of `v` is below `n` (n <= 0x80).
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        if below(v, 0x20) | below(v ^ (ONES * 0x22), 1) | below(v ^ (ONES * 0x5c), 1) != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// A JSON value as text at the end of `out`.
pub fn write_json<V: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &V) {
    // Writing into a Vec cannot fail; a JSON tree (string keys) always serialises.
    let _ = serde_json::to_writer(&mut *out, value);
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
    let mut out = Vec::new();
    if !write_scalar(name, v, &mut out) {
        return None;
    }
    serde_json::from_slice(&out).ok()
}

/// [`coerce_scalar`] written as JSON at the end of `out`; false, with nothing written, when
/// the value cannot be one.
fn write_scalar<T: Tree>(name: &str, v: &T, out: &mut Vec<u8>) -> bool {
    let leaf = v.leaf();
    match name {
        "ID" => match leaf {
            Leaf::String(s) => write_str(out, s),
            Leaf::Number(n) if n.is_i64() || n.is_u64() => {
                out.push(b'"');
                write_json(out, n);
                out.push(b'"');
            }
            _ => return false,
        },
        "String" => match leaf {
            Leaf::String(s) => write_str(out, s),
            Leaf::Number(n) => {
                out.push(b'"');
                write_json(out, n);
                out.push(b'"');
            }
            Leaf::Bool(b) => out.extend_from_slice(if b { b"\"true\"" } else { b"\"false\"" }),
            _ => return false,
        },
        "Int" => {
            let i = match leaf {
                Leaf::Number(n) => n
                    .as_i64()
                    .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Leaf::String(s) => s.parse::<i32>().ok().map(i64::from),
                _ => None,
            };
            match i {
                Some(i) if i >= i64::from(i32::MIN) && i <= i64::from(i32::MAX) => {
                    write_json(out, &i)
                }
                _ => return false,
            }
        }
        "Float" => match leaf {
            Leaf::Number(n) => write_json(out, n),
            Leaf::String(s) => match s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(n) => write_json(out, &n),
                None => return false,
            },
            _ => return false,
        },
        "Boolean" => match leaf {
            Leaf::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            _ => return false,
        },
        _ => v.write_json(out),
    }
    true
}
