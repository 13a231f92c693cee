//! What the one projection (`knot_execute::project`) needs from a supergraph: the client's
//! normalized operation as a `knot_plan::Selection` tree (built once per prepared
//! operation), and the schema facts of [`Types`]: which types are objects, abstract types or
//! enums, which types and enum values the public schema shows, what a type condition
//! matches, and each field's type on each concrete type.

// The projection asks these maps for every field of every object: a fast hash (the keys are
// the supergraph's own type and field names, not the client's).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use hive_router_query_planner::ast::selection_item::SelectionItem;
use hive_router_query_planner::ast::selection_set::SelectionSet;
use hive_router_query_planner::state::supergraph_state::{
    SupergraphDefinition, SupergraphState, TypeNode,
};
use knot_execute::project::{TypeKind, Types};
use knot_execute::tree::Node;
use knot_model::TypeRef;
use knot_plan::{Selection, SelectionKind};

use crate::supergraph::Supergraph;

/// The supergraph's types as projection sees them, computed once per supergraph.
#[derive(Debug, Default)]
pub(crate) struct ProjectionTypes {
    kinds: HashMap<String, TypeKind>,
    /// Field types by type, then field.
    fields: HashMap<String, HashMap<String, TypeRef>>,
    /// Members of each interface and union.
    members: HashMap<String, HashSet<String>>,
    /// Every value of each enum.
    enum_values: HashMap<String, HashSet<String>>,
    /// Enum values of the public schema (`@inaccessible` ones left out), by enum.
    pub(crate) public_enum_values: HashMap<String, HashSet<String>>,
    /// Type names of the public schema (`@inaccessible` types left out).
    pub(crate) public_types: HashSet<String>,
    /// Fields of the workspace's own types (those its bindings return) whose raw value is at
    /// another path (`from`), by type, then field: the bindings' raw answers sit in the data
    /// tree as the downstream gave them, and projection reads them like in any plan.
    renames: HashMap<String, HashMap<String, Vec<String>>>,
    /// Object types with a field whose type differs from the same field's type in an
    /// interface they implement: only for these can a selection planned through the
    /// interface have another type on the object (most schemas have none).
    covariant: HashSet<String>,
}

fn type_ref(node: &TypeNode) -> TypeRef {
    match node {
        TypeNode::Named(name) => TypeRef::Named(name.clone()),
        TypeNode::List(inner) => TypeRef::List(Box::new(type_ref(inner))),
        TypeNode::NonNull(inner) => TypeRef::NonNull(Box::new(type_ref(inner))),
    }
}

impl ProjectionTypes {
    pub(crate) fn new(state: &SupergraphState) -> ProjectionTypes {
        let mut out = ProjectionTypes::default();
        for (name, definition) in &state.definitions {
            let kind = match definition {
                SupergraphDefinition::Object(_) => TypeKind::Object,
                SupergraphDefinition::Interface(_) => {
                    if let Some(members) = state.interface_members(name) {
                        out.members
                            .insert(name.clone(), members.iter().cloned().collect());
                    }
                    TypeKind::Abstract
                }
                SupergraphDefinition::Union(union) => {
                    out.members
                        .insert(name.clone(), union.types.iter().cloned().collect());
                    TypeKind::Abstract
                }
                SupergraphDefinition::Enum(e) => {
                    out.enum_values.insert(
                        name.clone(),
                        e.values.iter().map(|v| v.name.clone()).collect(),
                    );
                    TypeKind::Enum
                }
                SupergraphDefinition::Scalar(_) | SupergraphDefinition::InputObject(_) => {
                    TypeKind::Scalar
                }
            };
            out.kinds.insert(name.clone(), kind);
            if definition.is_composite_type() {
                out.fields.insert(
                    name.clone(),
                    definition
                        .fields()
                        .iter()
                        .map(|(field, def)| (field.clone(), type_ref(&def.field_type)))
                        .collect(),
                );
            }
        }
        for (interface, members) in &out.members {
            let Some(own) = out.fields.get(interface) else {
                continue;
            };
            for member in members {
                let Some(theirs) = out.fields.get(member) else {
                    continue;
                };
                if own
                    .iter()
                    .any(|(f, t)| theirs.get(f).is_some_and(|m| m != t))
                {
                    out.covariant.insert(member.clone());
                }
            }
        }
        out
    }

    /// Does an object of type `concrete` match the type condition `condition` (itself, or an
    /// interface or union it belongs to)?
    pub(crate) fn matches(&self, concrete: &str, condition: &str) -> bool {
        concrete == condition
            || self
                .members
                .get(condition)
                .is_some_and(|members| members.contains(concrete))
    }

    /// Records the `from` paths of the workspace types its bindings return.
    pub(crate) fn set_renames(&mut self, ws: &knot_model::Workspace) {
        for (type_name, object) in &ws.schema.types {
            for (field_name, field) in &object.fields {
                if let Some(from) = &field.from {
                    self.renames.entry(type_name.clone()).or_default().insert(
                        field_name.clone(),
                        from.split('.').map(str::to_owned).collect(),
                    );
                }
            }
        }
    }

    /// The client's normalized operation as the projection's selection tree: fields under
    /// their response keys (the data tree of subgraph answers is keyed by them), fragments
    /// flattened into type conditions, `@skip`/`@include` by variable kept for run time.
    pub(crate) fn selections(&self, root_type: &str, set: &SelectionSet) -> Vec<Selection> {
        let mut out = Vec::with_capacity(set.items.len());
        self.collect(root_type, set, &Context::default(), &mut out);
        out
    }

    fn collect(
        &self,
        type_name: &str,
        set: &SelectionSet,
        context: &Context,
        out: &mut Vec<Selection>,
    ) {
        for item in &set.items {
            match item {
                SelectionItem::Field(field) => {
                    if field.omit_from_response {
                        continue;
                    }
                    let key = field.alias.as_deref().unwrap_or(&field.name);
                    let field_type = self.fields.get(type_name).and_then(|f| f.get(&field.name));
                    let mut selection = if field.name == "__typename" {
                        Selection::new(
                            key,
                            "__typename",
                            TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
                            SelectionKind::Typename,
                            Vec::new(),
                        )
                    } else if let Some(ty) = field_type {
                        let children = if field.selections.items.is_empty() {
                            Vec::new()
                        } else {
                            self.selections(ty.named(), &field.selections)
                        };
                        let raw = match self.renames.get(type_name).and_then(|r| r.get(&field.name))
                        {
                            Some(from) => from.clone(),
                            None => vec![key.to_owned()],
                        };
                        Selection::new(
                            key,
                            field.name.as_str(),
                            ty.clone(),
                            SelectionKind::Plain(raw),
                            children,
                        )
                    } else {
                        // Not in the schema (introspection the gateway answered): as it is.
                        Selection::new(
                            key,
                            field.name.as_str(),
                            TypeRef::Named("JSON".into()),
                            SelectionKind::Verbatim(key.to_owned()),
                            Vec::new(),
                        )
                    };
                    selection.on = context.on.clone();
                    selection.skip_if = context.skip_if.clone();
                    selection.skip_if.extend(field.skip_if.iter().cloned());
                    selection.include_if = context.include_if.clone();
                    selection
                        .include_if
                        .extend(field.include_if.iter().cloned());
                    out.push(selection);
                }
                SelectionItem::InlineFragment(fragment) => {
                    let mut inner = context.clone();
                    if fragment.type_condition != type_name {
                        inner.on.push(fragment.type_condition.clone());
                    }
                    inner.skip_if.extend(fragment.skip_if.iter().cloned());
                    inner.include_if.extend(fragment.include_if.iter().cloned());
                    // Fields inside are looked up on the condition's type when it has fields.
                    let lookup = if self.fields.contains_key(&fragment.type_condition) {
                        fragment.type_condition.as_str()
                    } else {
                        type_name
                    };
                    self.collect(lookup, &fragment.selections, &inner, out);
                }
                // Normalization inlines every fragment spread.
                SelectionItem::FragmentSpread(_) => {}
            }
        }
    }
}

/// The fragments around a selection.
#[derive(Clone, Default)]
struct Context {
    on: Vec<String>,
    skip_if: Vec<String>,
    include_if: Vec<String>,
}

impl Types<Node> for Supergraph {
    fn kind(&self, type_name: &str) -> TypeKind {
        // Most values are of a built-in scalar, which no schema can redefine: no lookup.
        if matches!(type_name, "String" | "ID" | "Int" | "Float" | "Boolean") {
            return TypeKind::Scalar;
        }
        self.projection_types()
            .kinds
            .get(type_name)
            .copied()
            .unwrap_or(TypeKind::Scalar)
    }

    fn matches(&self, concrete: &str, condition: &str) -> bool {
        self.projection_types().matches(concrete, condition)
    }

    fn is_public(&self, type_name: &str) -> bool {
        self.projection_types().public_types.contains(type_name)
    }

    fn enum_value<'v>(&'v self, enum_name: &str, raw: &'v Node) -> Option<&'v str> {
        let value = raw.as_str()?;
        let types = self.projection_types();
        let known = types
            .enum_values
            .get(enum_name)
            .is_none_or(|values| values.contains(value))
            && types
                .public_enum_values
                .get(enum_name)
                .is_none_or(|values| values.contains(value));
        known.then_some(value)
    }

    fn field_type(&self, type_name: &str, field: &str) -> Option<&TypeRef> {
        let types = self.projection_types();
        // Anywhere else the type the selection was planned with is the field's type.
        if types.covariant.is_empty() || !types.covariant.contains(type_name) {
            return None;
        }
        types.fields.get(type_name)?.get(field)
    }
}

#[cfg(test)]
mod tests {
    use knot_execute::project::Projection;
    use knot_execute::tree::Node;
    use serde_json::{json, Map, Value};

    fn project(query: &str, data: Value) -> (Value, Vec<knot_execute::TraceError>) {
        let supergraph = crate::fleet_supergraph();
        let prepared = supergraph.prepare(query, None).expect("prepares");
        let variables = Map::new();
        let mut projection = Projection::new(&[], &supergraph).with_variables(&variables);
        let out = projection.root(&prepared.selections, &Node::from(data), &prepared.root);
        (out, projection.trace_errors)
    }

    #[test]
    fn built_in_scalars_are_coerced_and_checked_like_every_projection() {
        // An ID from a number is its text; a String from a boolean likewise.
        let (projected, errors) = project(
            r#"{ device(id: "1") { id name } }"#,
            json!({"device": {"id": 7, "name": true}}),
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(projected["device"], json!({"id": "7", "name": "true"}));
        // An object is no ID: an error at its path, and the null bubbles up through the
        // non-null element and list (`devices: [Device!]!`) to `data`.
        let (projected, errors) = project(
            "{ devices { id } }",
            json!({"devices": [{"id": "1"}, {"id": {"secret": "not an id"}}]}),
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].path,
            vec![json!("devices"), json!(1), json!("id")]
        );
        assert!(!errors[0].detail.contains("secret"), "{}", errors[0].detail);
        assert_eq!(projected, Value::Null);
    }

    #[test]
    fn skip_and_include_by_variable_and_aliases_come_from_the_one_projection() {
        let supergraph = crate::fleet_supergraph();
        let query = r#"query($s: Boolean!, $i: Boolean!) {
            a: device(id: "1") { name @skip(if: $s) label: id @include(if: $i) __typename }
        }"#;
        let prepared = supergraph.prepare(query, None).expect("prepares");
        let data = Node::from(json!({"a": {"name": "Cam", "label": "1", "__typename": "Device"}}));
        let run = |s: bool, i: bool| {
            let variables: Map<String, Value> =
                serde_json::from_value(json!({"s": s, "i": i})).expect("object");
            let mut projection = Projection::new(&[], &supergraph).with_variables(&variables);
            projection.root(&prepared.selections, &data, &prepared.root)
        };
        assert_eq!(
            run(false, true),
            json!({"a": {"name": "Cam", "label": "1", "__typename": "Device"}})
        );
        assert_eq!(run(true, false), json!({"a": {"__typename": "Device"}}));
    }
}
