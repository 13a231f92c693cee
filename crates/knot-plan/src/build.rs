//! From an operation document to a plan: select the operation, coerce variables, validate
//! every field against the public schema while normalising the selection (fragments,
//! `@skip`/`@include`, merged fields), and create one fetch node per bound field per path.

use crate::input::{check_not_blank_with, coerce_with, EnumOut, InputTypes};
use crate::types::*;
use crate::{Limits, PlanError};
use async_graphql_parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection as AstSelection,
    SelectionSet,
};
use async_graphql_parser::{Pos, Positioned};
use indexmap::IndexMap;
use knot_model::{
    ArgValue, Binding, FieldDef, MatchBy, Source, TypeRef, Workspace, MUTATION_TYPE, QUERY_TYPE,
};
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Deepest selection nesting accepted (a guard against hostile documents).
pub const MAX_DEPTH: usize = 32;

pub(crate) struct Builder<'a> {
    ws: &'a Workspace,
    doc: &'a ExecutableDocument,
    variables: Map<String, Value>,
    graph: DiGraph<FetchNode, Dependency>,
    /// (parent locator, storage key) -> node.
    nodes: HashMap<(Vec<String>, String, Option<String>), NodeIndex>,
    /// Raw paths each GraphQL-source node must ask for, relative to its result value.
    needs: HashMap<NodeIndex, BTreeSet<Vec<String>>>,
    errors: Vec<PlanError>,
    limits: crate::Limits,
    fields_seen: usize,
    aliases_seen: usize,
    limit_hit: bool,
}

/// The fetch node a part of the tree belongs to, and the raw path below its result.
#[derive(Clone)]
struct Scope {
    locator: Vec<String>,
    node: Option<NodeIndex>,
    below_node: Vec<String>,
    response_path: Vec<String>,
    /// Parent filters of fetches planned here (under abstract-typed fields).
    only: Vec<TypeFilter>,
    /// The concrete type fields are planned for under an abstract-typed field: fetches of
    /// different concrete types at one path are different nodes.
    concrete: Option<String>,
}

impl Scope {
    /// A scope of the root data object (no fetch above it, no filters), answering at
    /// `response_path`: the operation's root, and an aggregated write's outcome.
    fn detached(response_path: Vec<String>) -> Scope {
        Scope {
            locator: Vec::new(),
            node: None,
            below_node: Vec::new(),
            response_path,
            only: Vec::new(),
            concrete: None,
        }
    }
}

/// A response key's merged occurrences.
struct FieldGroup<'d> {
    name: String,
    pos: Pos,
    arguments: &'d [(
        Positioned<async_graphql_value::Name>,
        Positioned<async_graphql_value::Value>,
    )],
    sets: Vec<&'d SelectionSet>,
}

fn err(pos: Pos, message: impl Into<String>) -> PlanError {
    PlanError {
        message: message.into(),
        locations: vec![(pos.line, pos.column)],
    }
}

impl<'a> Builder<'a> {
    pub(crate) fn new(
        ws: &'a Workspace,
        doc: &'a ExecutableDocument,
        limits: crate::Limits,
    ) -> Self {
        Builder {
            ws,
            doc,
            variables: Map::new(),
            graph: DiGraph::new(),
            nodes: HashMap::new(),
            needs: HashMap::new(),
            errors: Vec::new(),
            limits,
            fields_seen: 0,
            aliases_seen: 0,
            limit_hit: false,
        }
    }

    fn limit(&mut self, message: String) {
        if !self.limit_hit {
            self.limit_hit = true;
            self.errors.push(PlanError {
                message,
                locations: Vec::new(),
            });
        }
    }

    pub(crate) fn build(
        mut self,
        operation_name: Option<&str>,
        variables: &Map<String, Value>,
    ) -> Result<Plan, Vec<PlanError>> {
        let (name, op) = match (&self.doc.operations, operation_name) {
            (DocumentOperations::Single(op), None) => (None, op),
            (DocumentOperations::Single(op), Some(wanted)) => {
                let _ = op;
                return Err(vec![PlanError::plain(format!(
                    "the document has no operation named `{wanted}`"
                ))]);
            }
            (DocumentOperations::Multiple(ops), Some(wanted)) => match ops.get(wanted) {
                Some(op) => (Some(wanted.to_string()), op),
                None => {
                    return Err(vec![PlanError::plain(format!(
                        "the document has no operation named `{wanted}`"
                    ))])
                }
            },
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
                match ops.iter().next() {
                    Some((n, op)) => (Some(n.to_string()), op),
                    None => return Err(vec![PlanError::plain("the document has no operation")]),
                }
            }
            (DocumentOperations::Multiple(_), None) => {
                return Err(vec![PlanError::plain(
                    "the document holds several operations: name the one to run",
                )])
            }
        };
        let root_type = match op.node.ty {
            OperationType::Query => QUERY_TYPE,
            OperationType::Mutation if self.ws.schema.types.contains_key(MUTATION_TYPE) => {
                MUTATION_TYPE
            }
            OperationType::Mutation => {
                return Err(vec![err(
                    op.pos,
                    "the unified schema has no `Mutation` type: declare one with fields bound to operations that change data",
                )])
            }
            OperationType::Subscription => {
                return Err(vec![err(op.pos, "subscriptions are not supported")])
            }
        };
        // Variables: declared types, defaults, coercion, blank checks.
        let mut declared = HashSet::new();
        for def in &op.node.variable_definitions {
            let vname = def.node.name.node.to_string();
            declared.insert(vname.clone());
            let ty = match TypeRef::parse(&def.node.var_type.node.to_string()) {
                Ok(t) => t,
                Err(e) => {
                    self.errors
                        .push(err(def.pos, format!("variable `${vname}`: {e}")));
                    continue;
                }
            };
            if !knot_model::typeref::is_builtin_scalar(ty.named())
                && !self.ws.schema.scalars.contains_key(ty.named())
                && !self.ws.schema.enums.contains_key(ty.named())
                && !self.ws.schema.inputs.contains_key(ty.named())
            {
                self.errors.push(err(
                    def.pos,
                    format!("variable `${vname}` has type `{ty}`, which is not an input type"),
                ));
                continue;
            }
            let given = variables.get(&vname).cloned();
            let raw = match (given, &def.node.default_value) {
                (Some(v), _) => v,
                (None, Some(d)) => d.node.clone().into_json().unwrap_or(Value::Null),
                (None, None) => Value::Null,
            };
            let what = format!("variable `${vname}`");
            let types = InputTypes::of(self.ws);
            match coerce_with(&raw, &ty, &what, &types, EnumOut::Name)
                .and_then(|v| check_not_blank_with(&v, &ty, &what, &types).map(|_| v))
            {
                Ok(v) => {
                    self.variables.insert(vname, v);
                }
                Err(e) => self.errors.push(err(def.pos, e)),
            }
        }
        for given in variables.keys() {
            if !declared.contains(given) {
                self.errors.push(PlanError::plain(format!(
                    "variable `${given}` is not declared by the operation"
                )));
            }
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let scope = Scope::detached(Vec::new());
        let selections = self.selection_set(root_type, &[&op.node.selection_set.node], &scope, 1);
        self.finish_graphql_selections();
        if !self.errors.is_empty() {
            // A mistake under an abstract type is found once per concrete type: report it once.
            let mut seen = HashSet::new();
            self.errors
                .retain(|e| seen.insert((e.message.clone(), e.locations.clone())));
            return Err(self.errors);
        }
        if root_type == MUTATION_TYPE {
            self.serialize_mutation_fields(&selections);
        }
        Ok(Plan {
            root_type: root_type.to_owned(),
            operation_name: name,
            graph: self.graph,
            selections,
            variables: self.variables,
        })
    }

    /// Top-level mutation fields run one after another in document order: each one's
    /// fetch waits for every fetch of the field before it (its nested ones included).
    fn serialize_mutation_fields(&mut self, selections: &[Selection]) {
        let root_nodes = |sel: &Selection| match &sel.kind {
            SelectionKind::Bound { node, .. } => vec![NodeIndex::new(*node)],
            SelectionKind::Aggregate(targets) => {
                targets.iter().map(|t| NodeIndex::new(t.node)).collect()
            }
            _ => Vec::new(),
        };
        let roots: Vec<(String, Vec<NodeIndex>)> = selections
            .iter()
            .map(|sel| (sel.response_key.clone(), root_nodes(sel)))
            .filter(|(_, nodes)| !nodes.is_empty())
            .collect();
        for pair in roots.windows(2) {
            let [(before, _), (_, next)] = pair else {
                continue;
            };
            let under_before: Vec<NodeIndex> = self
                .graph
                .node_indices()
                .filter(|n| self.graph[*n].path.first() == Some(before))
                .collect();
            for n in under_before {
                for m in next {
                    self.graph.update_edge(n, *m, Dependency::Sequence);
                }
            }
        }
    }

    fn field_def(&self, type_name: &str, field: &str) -> Option<&'a FieldDef> {
        self.ws
            .schema
            .types
            .get(type_name)?
            .fields
            .get(field)
            .filter(|f| !f.private)
    }

    /// Evaluates `@skip(if:)` / `@include(if:)`.
    fn included(
        &mut self,
        directives: &[Positioned<async_graphql_parser::types::Directive>],
    ) -> bool {
        for d in directives {
            let name = d.node.name.node.as_str();
            if name != "skip" && name != "include" {
                self.errors
                    .push(err(d.pos, format!("unknown directive `@{name}`")));
                continue;
            }
            let cond = d
                .node
                .get_argument("if")
                .map(|v| self.resolve_value(&v.node));
            let cond = match cond {
                Some(Ok(Value::Bool(b))) => b,
                _ => {
                    self.errors.push(err(
                        d.pos,
                        format!("`@{name}` needs a Boolean `if` argument"),
                    ));
                    continue;
                }
            };
            if (name == "skip" && cond) || (name == "include" && !cond) {
                return false;
            }
        }
        true
    }

    fn resolve_value(&self, v: &async_graphql_value::Value) -> Result<Value, String> {
        let vars = &self.variables;
        let c = v.clone().into_const_with(|name| {
            vars.get(name.as_str())
                .cloned()
                .ok_or_else(|| format!("variable `${name}` is not declared"))
                .and_then(|j| {
                    async_graphql_value::ConstValue::from_json(j).map_err(|e| e.to_string())
                })
        })?;
        c.into_json().map_err(|e| e.to_string())
    }

    /// Flattens fragments and merges fields by response key: the fields that apply to an
    /// object of type `concrete`, selected where the enclosing type is `scope_type` (the
    /// parent's type, or a fragment's type condition).
    fn collect<'d>(
        &mut self,
        scope_type: &str,
        concrete: &str,
        sets: &[&'d SelectionSet],
        out: &mut IndexMap<String, FieldGroup<'d>>,
        seen_fragments: &mut Vec<String>,
    ) where
        'a: 'd,
    {
        for set in sets {
            for item in &set.items {
                if self.limit_hit {
                    return;
                }
                match &item.node {
                    AstSelection::Field(f) => {
                        if !self.included(&f.node.directives) {
                            continue;
                        }
                        if scope_type != concrete && !self.abstract_has(scope_type, f) {
                            continue;
                        }
                        self.add_field(f, out);
                    }
                    AstSelection::InlineFragment(frag) => {
                        let mut inner_type = scope_type.to_string();
                        if let Some(cond) = &frag.node.type_condition {
                            let on = cond.node.on.node.as_str();
                            match self.condition(on, scope_type, concrete) {
                                Err(message) => {
                                    self.errors.push(err(cond.pos, message));
                                    continue;
                                }
                                Ok(false) => continue,
                                Ok(true) => inner_type = on.to_string(),
                            }
                        }
                        if !self.included(&frag.node.directives) {
                            continue;
                        }
                        self.collect(
                            &inner_type,
                            concrete,
                            &[&frag.node.selection_set.node],
                            out,
                            seen_fragments,
                        );
                    }
                    AstSelection::FragmentSpread(spread) => {
                        let fname = spread.node.fragment_name.node.to_string();
                        if !self.included(&spread.node.directives) {
                            continue;
                        }
                        let doc: &'d ExecutableDocument = self.doc;
                        let Some(frag) = doc.fragments.get(spread.node.fragment_name.node.as_str())
                        else {
                            self.errors
                                .push(err(spread.pos, format!("unknown fragment `{fname}`")));
                            continue;
                        };
                        if seen_fragments.contains(&fname) {
                            self.errors.push(err(
                                spread.pos,
                                format!("fragment `{fname}` spreads itself"),
                            ));
                            continue;
                        }
                        let on = frag.node.type_condition.node.on.node.as_str();
                        match self.condition(on, scope_type, concrete) {
                            Err(_) => {
                                self.errors.push(err(
                                    spread.pos,
                                    format!("fragment `{fname}` is on `{on}` and cannot apply to `{scope_type}`"),
                                ));
                                continue;
                            }
                            Ok(false) => continue,
                            Ok(true) => {}
                        }
                        seen_fragments.push(fname);
                        self.collect(
                            on,
                            concrete,
                            &[&frag.node.selection_set.node],
                            out,
                            seen_fragments,
                        );
                        seen_fragments.pop();
                    }
                }
            }
        }
    }

    /// Whether a fragment on `on`, written where the type is `scope_type`, applies to an
    /// object of type `concrete`; an error when it can apply to no object there.
    fn condition(&self, on: &str, scope_type: &str, concrete: &str) -> Result<bool, String> {
        let schema = &self.ws.schema;
        if !schema.is_composite(on) {
            return Err(format!("unknown type `{on}` in a type condition"));
        }
        let here = schema.possible_types(scope_type);
        if !schema.possible_types(on).iter().any(|t| here.contains(t)) {
            return Err(format!(
                "a fragment on `{on}` cannot apply to `{scope_type}`"
            ));
        }
        Ok(schema.applies(on, concrete))
    }

    /// A field selected directly on an interface or union: only the interface's own fields
    /// and `__typename` (a union has no fields of its own). Reports anything else.
    fn abstract_has(&mut self, scope_type: &str, f: &Positioned<Field>) -> bool {
        let name = f.node.name.node.as_str();
        if name == "__typename" {
            return true;
        }
        let schema = &self.ws.schema;
        if let Some(iface) = schema.interfaces.get(scope_type) {
            if iface.fields.contains_key(name) {
                return true;
            }
            self.errors
                .push(err(f.pos, format!("`{scope_type}` has no field `{name}`")));
            return false;
        }
        if schema.unions.contains_key(scope_type) {
            self.errors.push(err(
                f.pos,
                format!("`{scope_type}` is a union: select `{name}` inside a fragment on one of its types (`... on {}`)", schema.possible_types(scope_type).join(" | ... on ")),
            ));
            return false;
        }
        true
    }

    fn add_field<'d>(
        &mut self,
        f: &'d Positioned<Field>,
        out: &mut IndexMap<String, FieldGroup<'d>>,
    ) {
        self.fields_seen += 1;
        if f.node.alias.is_some() {
            self.aliases_seen += 1;
        }
        if self.fields_seen > self.limits.max_fields {
            self.limit(self.limits.fields_message());
            return;
        }
        if self.aliases_seen > self.limits.max_aliases {
            self.limit(self.limits.aliases_message());
            return;
        }
        let key = f.node.response_key().node.to_string();
        let name = f.node.name.node.to_string();
        match out.get_mut(&key) {
            Some(group) => {
                if group.name != name {
                    self.errors.push(err(
                        f.pos,
                        format!(
                            "`{key}` selects both `{}` and `{name}`; use different aliases",
                            group.name
                        ),
                    ));
                    return;
                }
                let same_args = group.arguments.len() == f.node.arguments.len()
                    && group
                        .arguments
                        .iter()
                        .zip(&f.node.arguments)
                        .all(|(a, b)| a.0.node == b.0.node && a.1.node == b.1.node);
                if !same_args {
                    self.errors.push(err(f.pos, format!("`{key}` is selected twice with different arguments; use different aliases")));
                    return;
                }
                group.sets.push(&f.node.selection_set.node);
            }
            None => {
                out.insert(
                    key,
                    FieldGroup {
                        name,
                        pos: f.pos,
                        arguments: &f.node.arguments,
                        sets: vec![&f.node.selection_set.node],
                    },
                );
            }
        }
    }

    fn selection_set(
        &mut self,
        type_name: &str,
        sets: &[&SelectionSet],
        scope: &Scope,
        depth: usize,
    ) -> Vec<Selection> {
        if depth > self.limits.max_depth.min(MAX_DEPTH) {
            let limits = Limits {
                max_depth: self.limits.max_depth.min(MAX_DEPTH),
                ..self.limits
            };
            self.limit(limits.depth_message());
            return Vec::new();
        }
        if self.limit_hit {
            return Vec::new();
        }
        if self.ws.schema.is_abstract(type_name) {
            return self.abstract_selection_set(type_name, sets, scope, depth);
        }
        let mut groups = IndexMap::new();
        self.collect(type_name, type_name, sets, &mut groups, &mut Vec::new());
        let mut out = Vec::new();
        for (key, group) in groups {
            if let Some(sel) = self.field(type_name, &key, &group, scope, depth) {
                out.push(sel);
            }
        }
        out
    }

    /// The selections of an interface- or union-typed field: planned once per possible
    /// concrete type (each type says where its fields come from), each selection applying
    /// only to objects of its type, each fetch only to parents of its type.
    fn abstract_selection_set(
        &mut self,
        abstract_name: &str,
        sets: &[&SelectionSet],
        scope: &Scope,
        depth: usize,
    ) -> Vec<Selection> {
        let schema = &self.ws.schema;
        let discriminator = schema.discriminator(abstract_name);
        let path: Vec<String> = match discriminator {
            Some(d) => d.field.split('.').map(str::to_string).collect(),
            None => vec!["__typename".to_string()],
        };
        // The concrete type must come back with every object.
        self.need(scope, &path);
        let mut out = Vec::new();
        for concrete in schema.possible_types(abstract_name) {
            let mut groups = IndexMap::new();
            self.collect(abstract_name, concrete, sets, &mut groups, &mut Vec::new());
            if groups.is_empty() {
                continue;
            }
            let value = match discriminator {
                Some(d) => d.value_for(concrete).to_string(),
                None => concrete.to_string(),
            };
            let mut child = scope.clone();
            child.only.push(TypeFilter {
                at: scope.locator.len(),
                path: path.clone(),
                values: vec![value],
            });
            child.concrete = Some(concrete.to_string());
            if discriminator.is_none() {
                // A GraphQL source is asked for each type's fields in a fragment on it.
                child.below_node.push(format!("... on {concrete}"));
            }
            for (key, group) in groups {
                if let Some(mut sel) = self.field(concrete, &key, &group, &child, depth) {
                    sel.on = vec![concrete.to_string()];
                    out.push(sel);
                }
            }
        }
        out
    }

    fn field(
        &mut self,
        type_name: &str,
        key: &str,
        group: &FieldGroup<'_>,
        scope: &Scope,
        depth: usize,
    ) -> Option<Selection> {
        let has_children = group.sets.iter().any(|s| !s.items.is_empty());
        if group.name == "__typename" {
            if has_children {
                self.errors
                    .push(err(group.pos, "`__typename` has no fields to select"));
            }
            return Some(Selection::new(
                key,
                group.name.clone(),
                TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
                SelectionKind::Typename,
                Vec::new(),
            ));
        }
        if group.name.starts_with("__") {
            self.errors.push(err(
                group.pos,
                format!(
                    "`{}` (introspection) is not available here; `knot schema` prints the schema",
                    group.name
                ),
            ));
            return None;
        }
        let Some(def) = self.field_def(type_name, &group.name) else {
            self.errors.push(err(
                group.pos,
                format!("`{type_name}` has no field `{}`", group.name),
            ));
            return None;
        };
        let ty = match TypeRef::parse(&def.ty) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(err(group.pos, e));
                return None;
            }
        };
        let args = self.arguments(type_name, &group.name, def, group)?;
        let is_object = self.ws.schema.is_composite(ty.named());
        if is_object && !has_children {
            self.errors.push(err(
                group.pos,
                format!(
                    "`{type_name}.{}` is of type `{ty}`: select its fields",
                    group.name
                ),
            ));
            return None;
        }
        if !is_object && has_children {
            self.errors.push(err(
                group.pos,
                format!(
                    "`{type_name}.{}` is a `{ty}` and has no fields to select",
                    group.name
                ),
            ));
            return None;
        }
        let mut response_path = scope.response_path.clone();
        response_path.push(key.to_string());
        if let Some(aggregate) = &def.aggregate {
            return self.aggregate(
                type_name,
                key,
                group,
                def,
                aggregate,
                ty,
                args,
                scope,
                response_path,
                depth,
            );
        }
        match &def.binding {
            None => {
                let raw: Vec<String> = def
                    .from
                    .as_deref()
                    .unwrap_or(group.name.as_str())
                    .split('.')
                    .map(str::to_string)
                    .collect();
                self.need(scope, &raw);
                let children = if is_object {
                    let mut locator = scope.locator.clone();
                    locator.extend(raw.iter().cloned());
                    let mut below = scope.below_node.clone();
                    below.extend(raw.iter().cloned());
                    let child_scope = Scope {
                        locator,
                        node: scope.node,
                        below_node: below,
                        response_path,
                        only: scope.only.clone(),
                        concrete: scope.concrete.clone(),
                    };
                    self.selection_set(ty.named(), &group.sets, &child_scope, depth + 1)
                } else {
                    Vec::new()
                };
                Some(Selection::new(
                    key,
                    group.name.clone(),
                    ty,
                    SelectionKind::Plain(raw),
                    children,
                ))
            }
            Some(binding) => {
                let storage_key = if def.arguments.is_empty() {
                    format!("$${}", group.name)
                } else {
                    format!("${key}")
                };
                let node = self.fetch_node(
                    type_name,
                    &group.name,
                    binding,
                    &ty,
                    &storage_key,
                    args,
                    scope,
                    response_path.clone(),
                    false,
                )?;
                let children = if is_object {
                    let mut locator = scope.locator.clone();
                    locator.push(storage_key.clone());
                    let child_scope = Scope {
                        locator,
                        node: Some(node),
                        below_node: Vec::new(),
                        response_path,
                        only: Vec::new(),
                        concrete: None,
                    };
                    self.selection_set(ty.named(), &group.sets, &child_scope, depth + 1)
                } else {
                    Vec::new()
                };
                Some(Selection::new(
                    key,
                    group.name.clone(),
                    ty,
                    SelectionKind::Bound {
                        storage_key,
                        node: node.index(),
                    },
                    children,
                ))
            }
        }
    }

    /// An aggregated write: one fetch node per target, all at the field's path with no edge
    /// between them (one stage); the selection reads the outcome the projection assembles
    /// from them.
    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        type_name: &str,
        key: &str,
        group: &FieldGroup<'_>,
        def: &FieldDef,
        aggregate: &knot_model::Aggregate,
        ty: TypeRef,
        args: Map<String, Value>,
        scope: &Scope,
        response_path: Vec<String>,
        depth: usize,
    ) -> Option<Selection> {
        let _ = def;
        let mut targets = Vec::with_capacity(aggregate.targets.len());
        for (label, target) in &aggregate.targets {
            let storage_key = format!("${key}@{label}");
            let node = self.fetch_node(
                type_name,
                &group.name,
                &target.as_binding(),
                &ty,
                &storage_key,
                args.clone(),
                scope,
                response_path.clone(),
                false,
            )?;
            let n = &mut self.graph[node];
            n.label = format!("{type_name}.{} [{label}]", group.name);
            n.timeout_ms = target.timeout_ms;
            n.idempotency_key = aggregate.idempotency_key;
            targets.push(AggregateSlot {
                label: label.clone(),
                storage_key,
                node: node.index(),
                required: target.required,
            });
        }
        let children = if self.ws.schema.types.contains_key(ty.named()) {
            // The outcome is a value of its own: its fields are read from it, not fetched.
            let child_scope = Scope::detached(response_path);
            self.selection_set(ty.named(), &group.sets, &child_scope, depth + 1)
        } else {
            Vec::new()
        };
        Some(Selection::new(
            key,
            group.name.clone(),
            ty,
            SelectionKind::Aggregate(targets),
            children,
        ))
    }

    /// Records that the GraphQL node owning `scope` must fetch `raw` (relative to `scope`).
    fn need(&mut self, scope: &Scope, raw: &[String]) {
        if let Some(node) = scope.node {
            let mut p = scope.below_node.clone();
            p.extend(raw.iter().cloned());
            self.needs.entry(node).or_default().insert(p);
        }
    }

    fn arguments(
        &mut self,
        type_name: &str,
        field: &str,
        def: &FieldDef,
        group: &FieldGroup<'_>,
    ) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        let mut ok = true;
        for (name, value) in group.arguments {
            if !def.arguments.contains_key(name.node.as_str()) {
                self.errors.push(err(
                    name.pos,
                    format!("`{type_name}.{field}` has no argument `{}`", name.node),
                ));
                ok = false;
            }
            let _ = value;
        }
        for (arg_name, arg_def) in &def.arguments {
            let Ok(ty) = TypeRef::parse(&arg_def.ty) else {
                continue;
            };
            let given = group
                .arguments
                .iter()
                .find(|(n, _)| n.node.as_str() == arg_name);
            let raw = match given {
                Some((_, v)) if self.quoted_enum(&v.node, &ty) => {
                    self.errors.push(err(
                        v.pos,
                        format!("argument `{arg_name}` of `{type_name}.{field}`: an enum value is written without quotes (`{}`)", ty.named()),
                    ));
                    ok = false;
                    continue;
                }
                Some((_, v)) => match self.resolve_value(&v.node) {
                    Ok(v) => v,
                    Err(e) => {
                        self.errors.push(err(v.pos, e));
                        ok = false;
                        continue;
                    }
                },
                None => arg_def.default.clone().unwrap_or(Value::Null),
            };
            let what = format!("argument `{arg_name}` of `{type_name}.{field}`");
            let pos = given.map(|(_, v)| v.pos).unwrap_or(group.pos);
            let types = InputTypes::of(self.ws);
            match coerce_with(&raw, &ty, &what, &types, EnumOut::Spelling) {
                Ok(v) => {
                    if !arg_def.allow_blank {
                        if let Err(e) = check_not_blank_with(&v, &ty, &what, &types) {
                            self.errors.push(err(pos, e));
                            ok = false;
                            continue;
                        }
                    }
                    out.insert(arg_name.clone(), v);
                }
                Err(e) => {
                    self.errors.push(err(pos, e));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Whether a literal gives a string where the type wants an enum value (GraphQL writes
    /// enum values bare: `side: BUY`, never `side: "BUY"`), at any depth of lists and input
    /// objects. Variables are JSON and carry enum values as strings; they are not literals.
    fn quoted_enum(&self, v: &async_graphql_value::Value, ty: &TypeRef) -> bool {
        use async_graphql_value::Value as V;
        let schema = &self.ws.schema;
        match (v, ty) {
            (_, TypeRef::NonNull(inner)) => self.quoted_enum(v, inner),
            (V::List(items), TypeRef::List(inner)) => {
                items.iter().any(|i| self.quoted_enum(i, inner))
            }
            (single, TypeRef::List(inner)) => self.quoted_enum(single, inner),
            (V::String(_), TypeRef::Named(n)) => schema.enums.contains_key(n),
            (V::Object(fields), TypeRef::Named(n)) => match schema.inputs.get(n) {
                Some(def) => fields.iter().any(|(k, fv)| {
                    def.fields
                        .get(k.as_str())
                        .and_then(|f| TypeRef::parse(&f.ty).ok())
                        .is_some_and(|fty| self.quoted_enum(fv, &fty))
                }),
                None => false,
            },
            _ => false,
        }
    }

    /// The raw path of a parent field and, when it is bound, the node that produces it.
    fn parent_ref(
        &mut self,
        type_name: &str,
        field: &str,
        scope: &Scope,
    ) -> Option<(Vec<String>, Option<NodeIndex>)> {
        let def = self.ws.schema.types.get(type_name)?.fields.get(field)?;
        match &def.binding {
            None => {
                let raw: Vec<String> = def
                    .from
                    .as_deref()
                    .unwrap_or(field)
                    .split('.')
                    .map(str::to_string)
                    .collect();
                self.need(scope, &raw);
                Some((raw, None))
            }
            Some(binding) => {
                let ty = TypeRef::parse(&def.ty).ok()?;
                let storage_key = format!("$${field}");
                if def
                    .arguments
                    .values()
                    .any(|a| a.ty.ends_with('!') && a.default.is_none())
                {
                    self.errors.push(PlanError::plain(format!(
                        "`{type_name}.{field}` is used as a key but needs arguments"
                    )));
                    return None;
                }
                let mut resp = scope.response_path.clone();
                resp.push(field.to_string());
                let node = self.fetch_node(
                    type_name,
                    field,
                    binding,
                    &ty,
                    &storage_key,
                    Map::new(),
                    scope,
                    resp,
                    true,
                )?;
                Some((vec![storage_key], Some(node)))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch_node(
        &mut self,
        type_name: &str,
        field: &str,
        binding: &Binding,
        ty: &TypeRef,
        storage_key: &str,
        args: Map<String, Value>,
        scope: &Scope,
        response_path: Vec<String>,
        hidden: bool,
    ) -> Option<NodeIndex> {
        let map_key = (
            scope.locator.clone(),
            storage_key.to_string(),
            scope.concrete.clone(),
        );
        if let Some(existing) = self.nodes.get(&map_key) {
            if !hidden {
                self.graph[*existing].hidden = false;
            }
            return Some(*existing);
        }
        let source = self.ws.sources.get(&binding.source);
        let Some(source) = source else {
            self.errors.push(PlanError::plain(format!(
                "`{type_name}.{field}` is bound to unknown source `{}`",
                binding.source
            )));
            return None;
        };
        // Reserve the node first so that cycles through `parent_ref` find it.
        let id = self.graph.node_count();
        let node = self.graph.add_node(FetchNode {
            id,
            kind: NodeKind::Bound,
            label: format!("{type_name}.{field}"),
            path: response_path,
            parent_type: type_name.to_string(),
            field: field.to_string(),
            source: binding.source.clone(),
            source_kind: source.kind_name().to_string(),
            operation: binding.operation.clone(),
            mode: if binding.batch.is_some() {
                FetchMode::Batch
            } else {
                FetchMode::Single
            },
            parent_locator: scope.locator.clone(),
            storage_key: storage_key.to_string(),
            key: None,
            inputs: Vec::new(),
            match_by: binding
                .batch
                .as_ref()
                .map(|b| self.raw_match(&b.match_by, ty)),
            max_batch_size: binding.batch.as_ref().and_then(|b| b.max_batch_size),
            result_path: binding
                .result
                .as_deref()
                .map(|r| r.split('.').map(str::to_string).collect())
                .unwrap_or_default(),
            selection: None,
            hidden,
            only: scope.only.clone(),
            timeout_ms: None,
            idempotency_key: false,
        });
        self.nodes.insert(map_key, node);
        if let Some(parent) = scope.node {
            self.graph.update_edge(parent, node, Dependency::Parent);
        }
        if let Some(key) = &binding.key {
            if let Some((raw, producer)) = self.parent_ref(type_name, &key.parent, scope) {
                if let Some(p) = producer {
                    self.graph.update_edge(p, node, Dependency::Requires);
                }
                self.graph[node].key = Some(KeySpec {
                    parent: raw,
                    input: key.input.clone(),
                });
            }
        }
        let mut inputs = Vec::new();
        for (input, value) in &binding.args {
            let src = match value {
                ArgValue::Argument(a) => {
                    // `input` or a dot path into it (`input.email`).
                    let mut parts = a.split('.');
                    let first = parts.next().unwrap_or_default();
                    let value = args
                        .get(first)
                        .and_then(|start| parts.try_fold(start, |cur, k| cur.get(k)))
                        .cloned()
                        .unwrap_or(Value::Null);
                    InputSource::Value(value)
                }
                ArgValue::Value(v) => InputSource::Value(v.clone()),
                ArgValue::Env(n) => InputSource::Env(n.clone()),
                ArgValue::Parent(p) => match self.parent_ref(type_name, p, scope) {
                    Some((raw, producer)) => {
                        if let Some(pr) = producer {
                            self.graph.update_edge(pr, node, Dependency::Requires);
                        }
                        InputSource::Parent(raw)
                    }
                    None => continue,
                },
            };
            inputs.push((input.clone(), src));
        }
        self.graph[node].inputs = inputs;
        if let (Some(MatchBy::Field(f)), Source::Graphql(_)) = (&self.graph[node].match_by, source)
        {
            let path: Vec<String> = f.split('.').map(str::to_string).collect();
            self.needs.entry(node).or_default().insert(path);
        }
        if matches!(source, Source::Graphql(_)) {
            self.needs.entry(node).or_default();
        }
        let _ = ty;
        if petgraph::algo::is_cyclic_directed(&self.graph) {
            self.errors.push(PlanError::plain(format!(
                "`{type_name}.{field}` is part of a binding cycle"
            )));
            return None;
        }
        Some(node)
    }

    /// `match.field` names a field of the result type; results are matched on raw data, so
    /// follow that field's `from` (a renamed field keeps matching what the service sends).
    fn raw_match(&self, m: &MatchBy, ty: &TypeRef) -> MatchBy {
        let MatchBy::Field(path) = m else {
            return m.clone();
        };
        let (first, rest) = path
            .split_once('.')
            .map(|(a, b)| (a, Some(b)))
            .unwrap_or((path.as_str(), None));
        let raw = self
            .ws
            .schema
            .types
            .get(ty.named())
            .and_then(|t| t.fields.get(first))
            .and_then(|f| f.from.clone())
            .unwrap_or_else(|| first.to_string());
        MatchBy::Field(match rest {
            Some(r) => format!("{raw}.{r}"),
            None => raw,
        })
    }

    /// For each GraphQL-source node: the selection to send, from the raw paths needed.
    fn finish_graphql_selections(&mut self) {
        let needs = std::mem::take(&mut self.needs);
        for (node, paths) in needs {
            let result_path = self.graph[node].result_path.clone();
            let mut tree = SelTree::default();
            for p in &paths {
                let mut full = result_path.clone();
                full.extend(p.iter().cloned());
                tree.insert(&full);
            }
            if !result_path.is_empty() || !paths.is_empty() {
                self.graph[node].selection = Some(tree.render());
            }
        }
    }
}

#[derive(Default)]
struct SelTree(IndexMap<String, SelTree>);

impl SelTree {
    fn insert(&mut self, path: &[String]) {
        if let Some((first, rest)) = path.split_first() {
            self.0.entry(first.clone()).or_default().insert(rest);
        }
    }
    fn render(&self) -> String {
        let inner: Vec<String> = self
            .0
            .iter()
            .map(|(k, sub)| {
                if sub.0.is_empty() {
                    k.clone()
                } else {
                    format!("{k} {}", sub.render())
                }
            })
            .collect();
        format!("{{ {} }}", inner.join(" "))
    }
}
