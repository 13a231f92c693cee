//! The types of a GraphQL service, from its introspection answer, as unified-schema types a
//! workspace can use beside the operations `introspect` brings: objects (their `implements`
//! kept), interfaces, unions (resolved by `__typename`, which Knot asks GraphQL sources for),
//! enums, input objects and custom scalars, under their own names. Root types and `__` types
//! are left out, and so are fields that need arguments (a field of the unified schema reads
//! its parent's data; bind such a field to an operation instead).

use indexmap::IndexMap;
use knot_model::{
    ArgumentDef, EnumType, EnumValueDef, FieldDef, InputFieldDef, InputObjectType,
    InterfaceFieldDef, InterfaceType, ObjectType, ScalarType, UnifiedSchema, UnionType,
};
use serde_json::Value;

use crate::error::ImportError;

const BUILT_IN: [&str; 5] = ["ID", "String", "Int", "Float", "Boolean"];

/// The schema types of an introspection answer (`{"data":{"__schema":…}}` or `__schema`).
pub fn types_from_introspection(answer: &Value) -> Result<UnifiedSchema, ImportError> {
    let invalid = |message: &str| ImportError::Invalid {
        what: "introspection answer".into(),
        message: message.into(),
    };
    let schema = answer
        .pointer("/data/__schema")
        .or_else(|| answer.get("__schema"))
        .ok_or_else(|| invalid("no `data.__schema`"))?;
    let types = schema
        .get("types")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("`types` is missing or not a list"))?;
    let roots: Vec<&str> = ["queryType", "mutationType", "subscriptionType"]
        .iter()
        .filter_map(|k| {
            schema
                .pointer(&format!("/{k}/name"))
                .and_then(Value::as_str)
        })
        .collect();
    let mut out = UnifiedSchema::default();
    for t in types {
        let Some(name) = t.get("name").and_then(Value::as_str) else {
            continue;
        };
        if name.starts_with("__") || roots.contains(&name) || BUILT_IN.contains(&name) {
            continue;
        }
        let description = text(t, "description");
        match t.get("kind").and_then(Value::as_str) {
            Some("OBJECT") => {
                let fields: IndexMap<String, FieldDef> = plain_fields(t, &roots)
                    .map(|(n, ty, d, dep)| {
                        (
                            n,
                            FieldDef {
                                ty,
                                description: d,
                                arguments: IndexMap::new(),
                                private: false,
                                from: None,
                                binding: None,
                                deprecated: dep,
                                aggregate: None,
                            },
                        )
                    })
                    .collect();
                if fields.is_empty() {
                    continue;
                }
                let implements = names(t.get("interfaces"));
                out.types.insert(
                    name.into(),
                    ObjectType {
                        description,
                        implements,
                        fields,
                    },
                );
            }
            Some("INTERFACE") => {
                let fields: IndexMap<String, InterfaceFieldDef> = plain_fields(t, &roots)
                    .map(|(n, ty, d, dep)| {
                        (
                            n,
                            InterfaceFieldDef {
                                ty,
                                description: d,
                                arguments: IndexMap::<String, ArgumentDef>::new(),
                                deprecated: dep,
                            },
                        )
                    })
                    .collect();
                if !fields.is_empty() {
                    out.interfaces.insert(
                        name.into(),
                        InterfaceType {
                            description,
                            fields,
                            discriminator: None,
                        },
                    );
                }
            }
            Some("UNION") => {
                out.unions.insert(
                    name.into(),
                    UnionType {
                        description,
                        types: names(t.get("possibleTypes")),
                        discriminator: None,
                    },
                );
            }
            Some("ENUM") => {
                let values = t
                    .get("enumValues")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|v| {
                        let n = v.get("name")?.as_str()?;
                        Some((
                            n.to_string(),
                            EnumValueDef {
                                description: text(v, "description"),
                                deprecated: deprecation(v),
                                from: None,
                            },
                        ))
                    })
                    .collect();
                out.enums.insert(
                    name.into(),
                    EnumType {
                        description,
                        values,
                    },
                );
            }
            Some("INPUT_OBJECT") => {
                let fields = t
                    .get("inputFields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|f| {
                        let n = f.get("name")?.as_str()?;
                        let ty = type_text(f.get("type")?, 0)?;
                        let default = f
                            .get("defaultValue")
                            .and_then(Value::as_str)
                            .and_then(|d| serde_json::from_str(d).ok());
                        Some((
                            n.to_string(),
                            InputFieldDef {
                                ty,
                                description: text(f, "description"),
                                default,
                                allow_blank: false,
                            },
                        ))
                    })
                    .collect();
                out.inputs.insert(
                    name.into(),
                    InputObjectType {
                        description,
                        fields,
                    },
                );
            }
            Some("SCALAR") => {
                out.scalars.insert(name.into(), ScalarType { description });
            }
            _ => {}
        }
    }
    // Implemented interfaces that were left out (no plain field) are dropped from
    // `implements`, and members of unions must be object types we kept.
    let interfaces: Vec<String> = out.interfaces.keys().cloned().collect();
    for t in out.types.values_mut() {
        t.implements.retain(|i| interfaces.contains(i));
    }
    let objects: Vec<String> = out.types.keys().cloned().collect();
    for u in out.unions.values_mut() {
        u.types.retain(|m| objects.contains(m));
    }
    out.unions.retain(|_, u| !u.types.is_empty());
    // A field of a type that was left out travels as JSON.
    let known = |ty: &str, input: bool| {
        let named = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
        BUILT_IN.contains(&named)
            || out.enums.contains_key(named)
            || out.scalars.contains_key(named)
            || if input {
                out.inputs.contains_key(named)
            } else {
                out.is_composite(named)
            }
    };
    let widen = |ty: &str| {
        let named = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
        ty.replacen(named, "JSON", 1)
    };
    let mut fixes = Vec::new();
    for (tn, t) in &out.types {
        for (fname, f) in &t.fields {
            if !known(&f.ty, false) {
                fixes.push((tn.clone(), fname.clone(), widen(&f.ty), false));
            }
        }
    }
    for (tn, t) in &out.interfaces {
        for (fname, f) in &t.fields {
            if !known(&f.ty, false) {
                fixes.push((tn.clone(), fname.clone(), widen(&f.ty), true));
            }
        }
    }
    let mut input_fixes = Vec::new();
    for (tn, t) in &out.inputs {
        for (fname, f) in &t.fields {
            if !known(&f.ty, true) {
                input_fixes.push((tn.clone(), fname.clone(), widen(&f.ty)));
            }
        }
    }
    for (tn, fname, ty, interface) in fixes {
        let slot = if interface {
            out.interfaces
                .get_mut(&tn)
                .and_then(|t| t.fields.get_mut(&fname))
                .map(|f| &mut f.ty)
        } else {
            out.types
                .get_mut(&tn)
                .and_then(|t| t.fields.get_mut(&fname))
                .map(|f| &mut f.ty)
        };
        if let Some(slot) = slot {
            *slot = ty;
        }
    }
    for (tn, fname, ty) in input_fixes {
        if let Some(f) = out
            .inputs
            .get_mut(&tn)
            .and_then(|t| t.fields.get_mut(&fname))
        {
            f.ty = ty;
        }
    }
    Ok(out)
}

/// `(name, type, description, deprecation)` of each field that needs no argument and does not
/// return a root type.
fn plain_fields<'a>(
    t: &'a Value,
    roots: &'a [&'a str],
) -> impl Iterator<Item = (String, String, String, Option<String>)> + 'a {
    t.get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(move |f| {
            let name = f.get("name")?.as_str()?;
            let needs_args = f
                .get("args")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            if needs_args || name.starts_with("__") {
                return None;
            }
            let ty = type_text(f.get("type")?, 0)?;
            let named = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
            if roots.contains(&named) {
                return None;
            }
            Some((name.to_string(), ty, text(f, "description"), deprecation(f)))
        })
}

/// A `__Type` reference as type text, names kept.
fn type_text(ty: &Value, depth: usize) -> Option<String> {
    if depth > 32 {
        return None;
    }
    match ty.get("kind")?.as_str()? {
        "NON_NULL" => Some(format!("{}!", type_text(ty.get("ofType")?, depth + 1)?)),
        "LIST" => Some(format!("[{}]", type_text(ty.get("ofType")?, depth + 1)?)),
        _ => ty.get("name")?.as_str().map(str::to_string),
    }
}

fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name")?.as_str().map(str::to_string))
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn deprecation(v: &Value) -> Option<String> {
    (v.get("isDeprecated").and_then(Value::as_bool) == Some(true))
        .then(|| text(v, "deprecationReason"))
}
