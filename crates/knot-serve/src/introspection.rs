//! Introspection of the unified schema. The public schema is rebuilt as an async-graphql
//! dynamic schema whose resolvers are never used: it only answers `__schema` / `__type`, so
//! introspection is exactly the public SDL (private fields absent) and spec-complete.

use async_graphql::dynamic::{
    Field, FieldFuture, InputValue, Object, Scalar, Schema, TypeRef as DynType,
};
use knot_model::{TypeRef, Workspace, QUERY_TYPE};

fn dyn_type(t: &TypeRef) -> DynType {
    match t {
        TypeRef::Named(n) => DynType::Named(n.clone().into()),
        TypeRef::List(inner) => DynType::List(Box::new(dyn_type(inner))),
        TypeRef::NonNull(inner) => DynType::NonNull(Box::new(dyn_type(inner))),
    }
}

/// The dynamic schema mirroring the public schema, or why it cannot be built.
pub fn schema(ws: &Workspace) -> Result<Schema, String> {
    let mut builder = Schema::build(QUERY_TYPE, None, None);
    let uses_json = ws
        .schema
        .types
        .values()
        .flat_map(|t| t.fields.values())
        .any(|f| f.ty.contains("JSON"))
        || ws
            .schema
            .types
            .values()
            .flat_map(|t| t.fields.values())
            .flat_map(|f| f.arguments.values())
            .any(|a| a.ty.contains("JSON"));
    if uses_json {
        builder = builder.register(Scalar::new("JSON").description("Any JSON value."));
    }
    for (type_name, obj) in &ws.schema.types {
        let mut object = Object::new(type_name.as_str());
        if !obj.description.is_empty() {
            object = object.description(obj.description.as_str());
        }
        for (field_name, field) in obj.fields.iter().filter(|(_, f)| !f.private) {
            let ty =
                TypeRef::parse(&field.ty).map_err(|e| format!("{type_name}.{field_name}: {e}"))?;
            let mut f = Field::new(field_name.as_str(), dyn_type(&ty), |_| {
                FieldFuture::new(async { Ok(None::<async_graphql::Value>) })
            });
            if !field.description.is_empty() {
                f = f.description(field.description.as_str());
            }
            for (arg_name, arg) in &field.arguments {
                let aty = TypeRef::parse(&arg.ty)
                    .map_err(|e| format!("{type_name}.{field_name}({arg_name}): {e}"))?;
                let mut input = InputValue::new(arg_name.as_str(), dyn_type(&aty));
                if let Some(d) = &arg.default {
                    if let Ok(v) = async_graphql::Value::from_json(d.clone()) {
                        input = input.default_value(v);
                    }
                }
                f = f.argument(input);
            }
            object = object.field(f);
        }
        builder = builder.register(object);
    }
    builder.finish().map_err(|e| e.to_string())
}

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
