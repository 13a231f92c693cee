//! Introspection of the one public schema (`Runtime::public_sdl`, the same for every
//! workspace). The SDL is rebuilt as an async-graphql dynamic schema whose resolvers are
//! never used: it only answers `__schema` / `__type`, so introspection is exactly the
//! public SDL (private fields absent) and spec-complete.

use async_graphql::dynamic::{
    Field, FieldFuture, InputValue, Object, Scalar, Schema, TypeRef as DynType,
};
use knot_model::QUERY_TYPE;

/// Whether the operation's root selects introspection fields, and whether it selects
/// anything else (`__typename` counts as neither).
pub fn root_kinds(
    doc: &async_graphql_parser::types::ExecutableDocument,
    operation: Option<&str>,
) -> (bool, bool) {
    use async_graphql_parser::types::Selection;
    let mut introspection = false;
    let mut data = false;
    for (name, op) in doc.operations.iter() {
        if operation.is_some() && name.map(|n| n.as_str()) != operation {
            continue;
        }
        for item in &op.node.selection_set.node.items {
            match &item.node {
                Selection::Field(f) => match f.node.name.node.as_str() {
                    "__schema" | "__type" => introspection = true,
                    "__typename" => {}
                    _ => data = true,
                },
                _ => data = true,
            }
        }
    }
    (introspection, data)
}

/// The size of an introspection document (depth, aliases, fields, fragments expanded,
/// spreads bounded), measured before any work so the gateway's [`knot_runtime::Limits`]
/// apply to it as to every request: thousands of aliased `__schema` selections cost a
/// parse and a walk, not an answer.
pub fn size(
    doc: &async_graphql_parser::types::ExecutableDocument,
    operation: Option<&str>,
) -> knot_runtime::Size {
    use async_graphql_parser::types::{Selection, SelectionSet};
    struct Walk<'d> {
        doc: &'d async_graphql_parser::types::ExecutableDocument,
        size: knot_runtime::Size,
        spreads: usize,
    }
    impl<'d> Walk<'d> {
        fn walk(&mut self, set: &'d SelectionSet, depth: usize) {
            for item in &set.items {
                if self.size.fields > 1_000_000 {
                    return;
                }
                match &item.node {
                    Selection::Field(f) => {
                        self.size.fields += 1;
                        self.size.depth = self.size.depth.max(depth);
                        if f.node.alias.is_some() {
                            self.size.aliases += 1;
                        }
                        self.walk(&f.node.selection_set.node, depth + 1);
                    }
                    Selection::InlineFragment(inline) => {
                        self.walk(&inline.node.selection_set.node, depth)
                    }
                    Selection::FragmentSpread(spread) => {
                        // Every spread is expanded; a bound on spreads stops cycles and
                        // fragment bombs alike.
                        self.spreads += 1;
                        if self.spreads > 10_000 {
                            self.size.fields = usize::MAX / 2;
                            return;
                        }
                        if let Some(fragment) =
                            self.doc.fragments.get(&spread.node.fragment_name.node)
                        {
                            self.walk(&fragment.node.selection_set.node, depth);
                        }
                    }
                }
            }
        }
    }
    let mut walk = Walk {
        doc,
        size: knot_runtime::Size::default(),
        spreads: 0,
    };
    for (name, op) in doc.operations.iter() {
        if operation.is_some() && name.map(|n| n.as_str()) != operation {
            continue;
        }
        walk.walk(&op.node.selection_set.node, 1);
    }
    walk.size
}

/// The dynamic schema of a public SDL: every object,
/// interface, union, enum, input object and custom scalar, with descriptions,
/// arguments and defaults. Root types are `Query` and, when present, `Mutation`.
pub fn schema_from_sdl(sdl: &str) -> Result<Schema, String> {
    use async_graphql::dynamic::{Enum, EnumItem, InputObject, Interface, InterfaceField, Union};
    use async_graphql_parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

    fn dyn_of(t: &Type) -> DynType {
        let base = match &t.base {
            BaseType::Named(n) => DynType::Named(n.to_string().into()),
            BaseType::List(inner) => DynType::List(Box::new(dyn_of(inner))),
        };
        if t.nullable {
            base
        } else {
            DynType::NonNull(Box::new(base))
        }
    }
    fn input(def: &async_graphql_parser::types::InputValueDefinition) -> InputValue {
        let mut value = InputValue::new(def.name.node.as_str(), dyn_of(&def.ty.node));
        if let Some(d) = &def.description {
            value = value.description(d.node.as_str());
        }
        if let Some(default) = &def.default_value {
            value = value.default_value(default.node.clone());
        }
        value
    }

    let document = async_graphql_parser::parse_schema(sdl).map_err(|e| e.to_string())?;
    let mut has_mutation = false;
    let mut types = Vec::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(t) = definition {
            if t.node.name.node == "Mutation" {
                has_mutation = true;
            }
            types.push(&t.node);
        }
    }
    let mut builder = Schema::build(QUERY_TYPE, has_mutation.then_some("Mutation"), None);
    const BUILT_IN: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];
    for t in types {
        let name = t.name.node.as_str();
        if name.starts_with("__") {
            continue;
        }
        let description = t.description.as_ref().map(|d| d.node.as_str());
        match &t.kind {
            TypeKind::Scalar => {
                if BUILT_IN.contains(&name) {
                    continue;
                }
                let mut scalar = Scalar::new(name);
                if let Some(d) = description {
                    scalar = scalar.description(d);
                }
                builder = builder.register(scalar);
            }
            TypeKind::Object(object_type) => {
                let mut object = Object::new(name);
                if let Some(d) = description {
                    object = object.description(d);
                }
                for i in &object_type.implements {
                    object = object.implement(i.node.as_str());
                }
                for f in &object_type.fields {
                    let f = &f.node;
                    // `__schema` / `__type` come with the dynamic schema itself.
                    if f.name.node.starts_with("__") {
                        continue;
                    }
                    let mut field = Field::new(f.name.node.as_str(), dyn_of(&f.ty.node), |_| {
                        FieldFuture::new(async { Ok(None::<async_graphql::Value>) })
                    });
                    if let Some(d) = &f.description {
                        field = field.description(d.node.as_str());
                    }
                    if let Some(reason) = deprecation(&f.directives) {
                        field = field.deprecation(reason.as_deref());
                    }
                    for a in &f.arguments {
                        field = field.argument(input(&a.node));
                    }
                    object = object.field(field);
                }
                builder = builder.register(object);
            }
            TypeKind::Interface(interface_type) => {
                let mut interface = Interface::new(name);
                if let Some(d) = description {
                    interface = interface.description(d);
                }
                for i in &interface_type.implements {
                    interface = interface.implement(i.node.as_str());
                }
                for f in &interface_type.fields {
                    let f = &f.node;
                    let mut field = InterfaceField::new(f.name.node.as_str(), dyn_of(&f.ty.node));
                    if let Some(d) = &f.description {
                        field = field.description(d.node.as_str());
                    }
                    for a in &f.arguments {
                        field = field.argument(input(&a.node));
                    }
                    interface = interface.field(field);
                }
                builder = builder.register(interface);
            }
            TypeKind::Union(union_type) => {
                let mut union = Union::new(name);
                if let Some(d) = description {
                    union = union.description(d);
                }
                for m in &union_type.members {
                    union = union.possible_type(m.node.as_str());
                }
                builder = builder.register(union);
            }
            TypeKind::Enum(enum_type) => {
                let mut e = Enum::new(name);
                if let Some(d) = description {
                    e = e.description(d);
                }
                for v in &enum_type.values {
                    let mut item = EnumItem::new(v.node.value.node.as_str());
                    if let Some(d) = &v.node.description {
                        item = item.description(d.node.as_str());
                    }
                    if let Some(reason) = deprecation(&v.node.directives) {
                        item = item.deprecation(reason.as_deref());
                    }
                    e = e.item(item);
                }
                builder = builder.register(e);
            }
            TypeKind::InputObject(input_type) => {
                let mut object = InputObject::new(name);
                if let Some(d) = description {
                    object = object.description(d);
                }
                for f in &input_type.fields {
                    object = object.field(input(&f.node));
                }
                builder = builder.register(object);
            }
        }
    }
    builder.finish().map_err(|e| e.to_string())
}

/// `@deprecated` among `directives`: `Some(reason)` (the reason itself optional).
fn deprecation(
    directives: &[async_graphql_parser::Positioned<async_graphql_parser::types::ConstDirective>],
) -> Option<Option<String>> {
    let directive = directives
        .iter()
        .find(|d| d.node.name.node.as_str() == "deprecated")?;
    let reason = directive
        .node
        .get_argument("reason")
        .and_then(|v| match &v.node {
            async_graphql::Value::String(s) => Some(s.clone()),
            _ => None,
        });
    Some(reason)
}
