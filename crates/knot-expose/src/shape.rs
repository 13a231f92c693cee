//! One saved operation as a caller outside GraphQL sees it: its variables (the request) and
//! the typed tree its selection set answers (the response), both typed by the public SDL.
//!
//! Fragments are flattened into the fields they add (a fragment on another type of an
//! abstract field adds its fields as conditional ones), aliases are the keys, and a field
//! under `@skip`/`@include` is conditional: it may be missing from an answer.

use async_graphql_parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet, Type,
    TypeKind, TypeSystemDefinition,
};
use indexmap::IndexMap;
use knot_model::SavedOperation;
use serde_json::Value;

/// A problem that keeps an operation from being described.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

/// What a named type of the public schema is.
#[derive(Debug, Clone)]
pub enum TypeDef {
    Scalar {
        description: String,
    },
    /// An object or an interface: its fields and their types.
    Object {
        description: String,
        fields: IndexMap<String, Type>,
        abstract_type: bool,
    },
    /// A union: only `__typename` is common to its members.
    Union {
        description: String,
    },
    Enum {
        description: String,
        values: Vec<(String, String)>,
    },
    Input {
        description: String,
        fields: Vec<InputField>,
    },
}

/// A field of an input object.
#[derive(Debug, Clone)]
pub struct InputField {
    pub name: String,
    pub shape: Shape,
    pub description: String,
    /// Non-null without a default: a caller must give it.
    pub required: bool,
}

/// The public schema, indexed by type name.
#[derive(Debug, Clone)]
pub struct Schema {
    types: IndexMap<String, TypeDef>,
    query: String,
    mutation: String,
}

/// A value's type in a request or an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub nullable: bool,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar by name (`ID`, `String`, `Int`, `Float`, `Boolean`, `JSON` or custom).
    Scalar(String),
    Enum(String),
    /// An input object (in requests), by name: its fields are the schema's.
    Input(String),
    List(Box<Shape>),
    /// The fields a selection set picks on an object (or abstract) type.
    Object {
        type_name: String,
        fields: Vec<Member>,
    },
}

/// One key of an answer object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub shape: Shape,
    /// Under `@skip`/`@include` or a fragment on another type: may be absent.
    pub conditional: bool,
    pub description: String,
}

/// One variable of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub shape: Shape,
    /// Non-null without a default.
    pub required: bool,
    pub default: Option<Value>,
}

/// A saved operation as callers outside GraphQL see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The saved operation's name in the workspace.
    pub name: String,
    pub description: String,
    pub mutation: bool,
    pub variables: Vec<Variable>,
    /// The root fields it asks for (a REST endpoint of one root field answers its value).
    pub root: Vec<Member>,
}

impl Schema {
    /// Reads a public SDL.
    pub fn parse(sdl: &str) -> Result<Schema, ShapeError> {
        let doc = async_graphql_parser::parse_schema(sdl)
            .map_err(|e| ShapeError(format!("the public schema does not parse: {e}")))?;
        let mut types = IndexMap::new();
        let mut query = "Query".to_string();
        let mut mutation = "Mutation".to_string();
        let text = |d: &Option<async_graphql_parser::Positioned<String>>| {
            d.as_ref().map(|d| d.node.clone()).unwrap_or_default()
        };
        for def in doc.definitions {
            match def {
                TypeSystemDefinition::Schema(s) => {
                    if let Some(q) = &s.node.query {
                        query = q.node.to_string();
                    }
                    if let Some(m) = &s.node.mutation {
                        mutation = m.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let description = text(&t.description);
                    let def = match t.kind {
                        TypeKind::Scalar => TypeDef::Scalar { description },
                        TypeKind::Object(o) => TypeDef::Object {
                            description,
                            fields: o
                                .fields
                                .into_iter()
                                .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                                .collect(),
                            abstract_type: false,
                        },
                        TypeKind::Interface(i) => TypeDef::Object {
                            description,
                            fields: i
                                .fields
                                .into_iter()
                                .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                                .collect(),
                            abstract_type: true,
                        },
                        TypeKind::Union(_) => TypeDef::Union { description },
                        TypeKind::Enum(e) => TypeDef::Enum {
                            description,
                            values: e
                                .values
                                .into_iter()
                                .map(|v| (v.node.value.node.to_string(), text(&v.node.description)))
                                .collect(),
                        },
                        TypeKind::InputObject(i) => TypeDef::Input {
                            description,
                            fields: Vec::new(),
                        }
                        .with_input_fields(i.fields.into_iter().map(|f| {
                            let f = f.node;
                            (
                                f.name.node.to_string(),
                                f.ty.node,
                                text(&f.description),
                                f.default_value.is_some(),
                            )
                        })),
                    };
                    types.insert(t.name.node.to_string(), def);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        let mut schema = Schema {
            types,
            query,
            mutation,
        };
        // Input fields were read before every type was known: give them their kinds now.
        let names: Vec<String> = schema.types.keys().cloned().collect();
        for name in names {
            if let Some(TypeDef::Input { fields, .. }) = schema.types.get(&name).cloned() {
                let fields = fields
                    .into_iter()
                    .map(|mut f| {
                        f.shape = schema.resolve_input(&f.shape);
                        f
                    })
                    .collect();
                if let Some(TypeDef::Input { fields: slot, .. }) = schema.types.get_mut(&name) {
                    *slot = fields;
                }
            }
        }
        Ok(schema)
    }

    /// A named type.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// Every enum of the schema, in schema order.
    pub fn enums(&self) -> impl Iterator<Item = (&str, &[(String, String)], &str)> {
        self.types.iter().filter_map(|(n, t)| match t {
            TypeDef::Enum {
                values,
                description,
            } => Some((n.as_str(), values.as_slice(), description.as_str())),
            _ => None,
        })
    }

    /// Every input object of the schema, in schema order.
    pub fn inputs(&self) -> impl Iterator<Item = (&str, &[InputField], &str)> {
        self.types.iter().filter_map(|(n, t)| match t {
            TypeDef::Input {
                fields,
                description,
            } => Some((n.as_str(), fields.as_slice(), description.as_str())),
            _ => None,
        })
    }

    /// The description of a named type ("" when none).
    pub fn description(&self, name: &str) -> &str {
        match self.types.get(name) {
            Some(
                TypeDef::Scalar { description }
                | TypeDef::Object { description, .. }
                | TypeDef::Union { description }
                | TypeDef::Enum { description, .. }
                | TypeDef::Input { description, .. },
            ) => description,
            None => "",
        }
    }

    /// A placeholder shape with the named type as a scalar: resolved by `resolve_input`.
    fn raw(ty: &Type) -> Shape {
        Shape {
            nullable: ty.nullable,
            kind: match &ty.base {
                BaseType::Named(n) => Kind::Scalar(n.to_string()),
                BaseType::List(inner) => Kind::List(Box::new(Schema::raw(inner))),
            },
        }
    }

    /// Gives a request-side shape its kinds (enum, input object, scalar) from the schema.
    fn resolve_input(&self, shape: &Shape) -> Shape {
        let kind = match &shape.kind {
            Kind::Scalar(n) => match self.types.get(n) {
                Some(TypeDef::Enum { .. }) => Kind::Enum(n.clone()),
                Some(TypeDef::Input { .. }) => Kind::Input(n.clone()),
                _ => Kind::Scalar(n.clone()),
            },
            Kind::List(inner) => Kind::List(Box::new(self.resolve_input(inner))),
            other => other.clone(),
        };
        Shape {
            nullable: shape.nullable,
            kind,
        }
    }

    /// The shape of a saved operation: its chosen operation's variables and root fields.
    pub fn operation(&self, name: &str, saved: &SavedOperation) -> Result<Operation, ShapeError> {
        let fail = |m: String| ShapeError(format!("operation `{name}`: {m}"));
        let doc = knot_model::document::parse_query(&saved.document)
            .map_err(|e| fail(format!("the document does not parse: {e}")))?;
        let chosen = match (&doc.operations, &saved.operation_name) {
            (DocumentOperations::Single(o), _) => Some(o),
            (DocumentOperations::Multiple(m), Some(n)) => m.get(n.as_str()),
            (DocumentOperations::Multiple(m), None) if m.len() == 1 => m.values().next(),
            (DocumentOperations::Multiple(_), None) => None,
        };
        let Some(chosen) = chosen else {
            return Err(fail(
                "no single operation to run (set `operationName`)".into(),
            ));
        };
        let op = &chosen.node;
        let root_type = match op.ty {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => {
                return Err(fail("subscriptions are not served".into()));
            }
        };
        let variables = op
            .variable_definitions
            .iter()
            .map(|v| {
                let v = &v.node;
                let shape = self.resolve_input(&Schema::raw(&v.var_type.node));
                Variable {
                    name: v.name.node.to_string(),
                    required: !shape.nullable && v.default_value.is_none(),
                    default: v
                        .default_value
                        .as_ref()
                        .and_then(|d| d.node.clone().into_json().ok()),
                    shape,
                }
            })
            .collect();
        let walk = Walk {
            schema: self,
            doc: &doc,
        };
        let root = walk
            .members(root_type, &op.selection_set.node, 0)
            .map_err(fail)?;
        Ok(Operation {
            name: name.to_string(),
            description: saved.description.clone(),
            mutation: op.ty == OperationType::Mutation,
            variables,
            root,
        })
    }
}

impl TypeDef {
    fn with_input_fields(
        self,
        fields: impl Iterator<Item = (String, Type, String, bool)>,
    ) -> TypeDef {
        match self {
            TypeDef::Input { description, .. } => TypeDef::Input {
                description,
                fields: fields
                    .map(|(name, ty, description, has_default)| InputField {
                        required: !ty.nullable && !has_default,
                        shape: Schema::raw(&ty),
                        name,
                        description,
                    })
                    .collect(),
            },
            other => other,
        }
    }
}

/// Deepest selection nesting followed (the parser refuses deeper ones anyway).
const MAX_DEPTH: usize = 64;

struct Walk<'a> {
    schema: &'a Schema,
    doc: &'a ExecutableDocument,
}

impl Walk<'_> {
    /// The members a selection set picks on `type_name`, fragments flattened.
    fn members(
        &self,
        type_name: &str,
        set: &SelectionSet,
        depth: usize,
    ) -> Result<Vec<Member>, String> {
        let mut out: IndexMap<String, Member> = IndexMap::new();
        self.collect(type_name, type_name, set, false, depth, &mut out)?;
        Ok(out.into_values().collect())
    }

    fn collect(
        &self,
        parent: &str,
        on: &str,
        set: &SelectionSet,
        conditional: bool,
        depth: usize,
        out: &mut IndexMap<String, Member>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("the selection is nested too deeply".into());
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let key = f.response_key().node.to_string();
                    let name = f.name.node.as_str();
                    let cond = conditional || has_condition(&f.directives);
                    let (shape, description) = if name == "__typename" {
                        (
                            Shape {
                                nullable: false,
                                kind: Kind::Scalar("String".into()),
                            },
                            String::new(),
                        )
                    } else {
                        let ty = self.field_type(on, name)?;
                        (
                            self.output(&ty, &f.selection_set.node, depth + 1)?,
                            String::new(),
                        )
                    };
                    match out.get_mut(&key) {
                        Some(existing) => {
                            existing.conditional &= cond;
                            merge(&mut existing.shape, shape);
                        }
                        None => {
                            out.insert(
                                key.clone(),
                                Member {
                                    key,
                                    shape,
                                    conditional: cond,
                                    description,
                                },
                            );
                        }
                    }
                }
                Selection::InlineFragment(frag) => {
                    let frag = &frag.node;
                    let target = frag
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| on.to_string());
                    let cond = conditional || has_condition(&frag.directives) || target != parent;
                    self.collect(
                        parent,
                        &target,
                        &frag.selection_set.node,
                        cond,
                        depth + 1,
                        out,
                    )?;
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let Some(frag) = self.doc.fragments.get(&spread.fragment_name.node) else {
                        return Err(format!(
                            "fragment `{}` is not defined",
                            spread.fragment_name.node
                        ));
                    };
                    let target = frag.node.type_condition.node.on.node.to_string();
                    let cond = conditional || has_condition(&spread.directives) || target != parent;
                    self.collect(
                        parent,
                        &target,
                        &frag.node.selection_set.node,
                        cond,
                        depth + 1,
                        out,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn field_type(&self, on: &str, name: &str) -> Result<Type, String> {
        match self.schema.types.get(on) {
            Some(TypeDef::Object { fields, .. }) => fields
                .get(name)
                .cloned()
                .ok_or_else(|| format!("type `{on}` has no field `{name}`")),
            Some(_) => Err(format!("type `{on}` has no field `{name}`")),
            None => Err(format!("unknown type `{on}`")),
        }
    }

    fn output(&self, ty: &Type, set: &SelectionSet, depth: usize) -> Result<Shape, String> {
        let kind = match &ty.base {
            BaseType::List(inner) => Kind::List(Box::new(self.output(inner, set, depth)?)),
            BaseType::Named(n) => match self.schema.types.get(n.as_str()) {
                Some(TypeDef::Enum { .. }) => Kind::Enum(n.to_string()),
                Some(TypeDef::Object { .. } | TypeDef::Union { .. }) => Kind::Object {
                    type_name: n.to_string(),
                    fields: self.members(n, set, depth)?,
                },
                Some(TypeDef::Input { .. }) => {
                    return Err(format!("input type `{n}` cannot be an answer"))
                }
                Some(TypeDef::Scalar { .. }) | None => Kind::Scalar(n.to_string()),
            },
        };
        Ok(Shape {
            nullable: ty.nullable,
            kind,
        })
    }
}

/// The same key selected twice (`user { id } user { name }`): one object with both sets.
fn merge(into: &mut Shape, other: Shape) {
    match (&mut into.kind, other.kind) {
        (Kind::Object { fields, .. }, Kind::Object { fields: more, .. }) => {
            for m in more {
                match fields.iter_mut().find(|f| f.key == m.key) {
                    Some(f) => {
                        f.conditional &= m.conditional;
                        merge(&mut f.shape, m.shape);
                    }
                    None => fields.push(m),
                }
            }
        }
        (Kind::List(a), Kind::List(b)) => merge(a, *b),
        _ => {}
    }
}

fn has_condition(
    directives: &[async_graphql_parser::Positioned<async_graphql_parser::types::Directive>],
) -> bool {
    directives
        .iter()
        .any(|d| matches!(d.node.name.node.as_str(), "skip" | "include"))
}

/// The operations of a workspace that a host exposes, described, in file order; `pick`
/// chooses which (those with a REST endpoint, those marked for gRPC).
pub fn operations(
    schema: &Schema,
    ws: &knot_model::Workspace,
    pick: impl Fn(&SavedOperation) -> bool,
) -> Result<Vec<(Operation, SavedOperation)>, ShapeError> {
    ws.operations
        .iter()
        .filter(|(_, op)| pick(op))
        .map(|(name, op)| Ok((schema.operation(name, op)?, op.clone())))
        .collect()
}
