//! Input coercion and validation: variables and arguments are checked against their types,
//! and required `ID`/`String` values must not be empty or whitespace, all before any call.

use indexmap::IndexMap;
use knot_model::{EnumType, InputObjectType, ScalarType, TypeRef};
use serde_json::Value;

/// Coerces a JSON input value to `ty` (GraphQL input coercion: a single value where a list
/// is expected becomes a list of one; IDs accept integers). `what` names the input in errors.
pub fn coerce(value: &Value, ty: &TypeRef, what: &str) -> Result<Value, String> {
    coerce_with(value, ty, what, &InputTypes::default(), EnumOut::Name)
}

/// The enums and input objects an input may use.
#[derive(Clone, Copy, Default)]
pub struct InputTypes<'a> {
    pub enums: Option<&'a IndexMap<String, EnumType>>,
    pub inputs: Option<&'a IndexMap<String, InputObjectType>>,
    /// Custom scalars: any JSON value, except a declared `DateTime` (RFC 3339 text).
    pub scalars: Option<&'a IndexMap<String, ScalarType>>,
}

impl<'a> InputTypes<'a> {
    pub fn of(ws: &'a knot_model::Workspace) -> Self {
        InputTypes {
            enums: Some(&ws.schema.enums),
            inputs: Some(&ws.schema.inputs),
            scalars: Some(&ws.schema.scalars),
        }
    }

    fn is_custom_scalar(&self, name: &str) -> bool {
        self.scalars.is_some_and(|s| s.contains_key(name))
    }

    fn enum_type(&self, name: &str) -> Option<&'a EnumType> {
        self.enums?.get(name)
    }

    fn input_object(&self, name: &str) -> Option<&'a InputObjectType> {
        self.inputs?.get(name)
    }
}

/// What an enum value becomes once checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EnumOut {
    /// Its GraphQL name (variables: checked, not yet sent anywhere).
    Name,
    /// The downstream spelling (`from`) of the value: arguments on their way to a call.
    Spelling,
}

/// [`coerce`] knowing the workspace's enums and input objects: an enum value must be one of
/// the enum's names (a string, as JSON variables and enum literals both arrive); an input
/// object must be an object with only its declared fields, each coerced, defaults filled in.
pub fn coerce_with(
    value: &Value,
    ty: &TypeRef,
    what: &str,
    types: &InputTypes<'_>,
    out: EnumOut,
) -> Result<Value, String> {
    match ty {
        TypeRef::NonNull(inner) => {
            if value.is_null() {
                return Err(format!("{what} is required (type `{ty}`) but got null"));
            }
            coerce_with(value, inner, what, types, out)
        }
        _ if value.is_null() => Ok(Value::Null),
        TypeRef::List(inner) => match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| coerce_with(v, inner, &format!("{what}[{i}]"), types, out))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            single => Ok(Value::Array(vec![coerce_with(
                single, inner, what, types, out,
            )?])),
        },
        TypeRef::Named(name) => {
            if let Some(def) = types.enum_type(name) {
                let given = value.as_str();
                return match given.and_then(|v| def.spelling_of(v)) {
                    Some(spelling) if out == EnumOut::Spelling => {
                        Ok(Value::String(spelling.to_owned()))
                    }
                    Some(_) => Ok(value.clone()),
                    None => Err(format!(
                        "{what} expects a value of enum `{name}` ({}), got {}",
                        def.values.keys().cloned().collect::<Vec<_>>().join(", "),
                        describe(value)
                    )),
                };
            }
            if let Some(def) = types.input_object(name) {
                let Value::Object(given) = value else {
                    return Err(format!(
                        "{what} expects an object of input type `{name}`, got {}",
                        describe(value)
                    ));
                };
                if let Some(unknown) = given.keys().find(|k| !def.fields.contains_key(*k)) {
                    return Err(format!(
                        "{what}: input type `{name}` has no field `{unknown}` (fields: {})",
                        def.fields.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                }
                let mut object = serde_json::Map::new();
                for (field, field_def) in &def.fields {
                    let field_ty = TypeRef::parse(&field_def.ty)
                        .map_err(|e| format!("{what}, field `{field}`: {e}"))?;
                    let raw = match given.get(field) {
                        Some(v) => v.clone(),
                        None => match &field_def.default {
                            Some(d) => d.clone(),
                            // Absent and nullable: left out, as the client sent it.
                            None if !field_ty.is_non_null() => continue,
                            None => Value::Null,
                        },
                    };
                    let v = coerce_with(
                        &raw,
                        &field_ty,
                        &format!("{what}, field `{field}`"),
                        types,
                        out,
                    )?;
                    object.insert(field.clone(), v);
                }
                return Ok(Value::Object(object));
            }
            if types.is_custom_scalar(name) {
                return match value {
                    Value::String(text) if name == knot_model::DATE_TIME => {
                        if knot_model::typeref::is_rfc3339(text) {
                            Ok(value.clone())
                        } else {
                            Err(format!(
                                "{what} expects a `DateTime` (RFC 3339, e.g. 2026-11-30T12:00:00Z), got {}",
                                describe(value)
                            ))
                        }
                    }
                    _ if name == knot_model::DATE_TIME => Err(format!(
                        "{what} expects a `DateTime` (RFC 3339 text), got {}",
                        describe(value)
                    )),
                    _ => Ok(value.clone()),
                };
            }
            coerce_scalar(value, name, what)
        }
    }
}

/// [`check_not_blank`] inside input objects too (fields that allow blank values skipped).
pub fn check_not_blank_with(
    value: &Value,
    ty: &TypeRef,
    what: &str,
    types: &InputTypes<'_>,
) -> Result<(), String> {
    check_not_blank(value, ty, what)?;
    match (ty.nullable(), value) {
        (TypeRef::List(item), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_not_blank_with(v, item, &format!("{what}[{i}]"), types)?;
            }
            Ok(())
        }
        (TypeRef::Named(name), Value::Object(given)) => {
            let Some(def) = types.input_object(name) else {
                return Ok(());
            };
            for (field, field_def) in &def.fields {
                if field_def.allow_blank {
                    continue;
                }
                let (Some(v), Ok(field_ty)) = (given.get(field), TypeRef::parse(&field_def.ty))
                else {
                    continue;
                };
                check_not_blank_with(v, &field_ty, &format!("{what}, field `{field}`"), types)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn coerce_scalar(value: &Value, name: &str, what: &str) -> Result<Value, String> {
    let bad = || format!("{what} expects `{name}`, got {}", describe(value));
    match name {
        "ID" => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Value::String(n.to_string())),
            _ => Err(bad()),
        },
        "String" => match value {
            Value::String(_) => Ok(value.clone()),
            _ => Err(bad()),
        },
        "Int" => match value.as_i64() {
            Some(i) if i >= i64::from(i32::MIN) && i <= i64::from(i32::MAX) => Ok(value.clone()),
            _ => Err(bad()),
        },
        "Float" => match value {
            Value::Number(_) => Ok(value.clone()),
            _ => Err(bad()),
        },
        "Boolean" => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(bad()),
        },
        "JSON" => Ok(value.clone()),
        other => Err(format!(
            "{what} has type `{other}`, which is not an input type"
        )),
    }
}

/// Checks the discipline rule: required `ID`/`String` inputs are not empty or whitespace.
pub fn check_not_blank(value: &Value, ty: &TypeRef, what: &str) -> Result<(), String> {
    match ty {
        TypeRef::NonNull(inner) => match (inner.as_ref(), value) {
            (TypeRef::Named(n), Value::String(s))
                if (n == "ID" || n == "String") && s.trim().is_empty() =>
            {
                Err(format!("{what} must not be empty or blank"))
            }
            (TypeRef::List(item), Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    check_not_blank(v, item, &format!("{what}[{i}]"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        },
        TypeRef::List(item) => match value {
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    check_not_blank(v, item, &format!("{what}[{i}]"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        },
        TypeRef::Named(_) => Ok(()),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() > 40 => {
            format!("a string of {} characters", s.chars().count())
        }
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> TypeRef {
        TypeRef::parse(s).unwrap()
    }

    #[test]
    fn coerces_ids_lists_and_rejects_wrong_types() {
        assert_eq!(coerce(&json!(7), &t("ID!"), "id").unwrap(), json!("7"));
        assert_eq!(
            coerce(&json!("a"), &t("[ID!]"), "ids").unwrap(),
            json!(["a"])
        );
        assert!(coerce(&json!(null), &t("ID!"), "id").is_err());
        assert!(coerce(&json!(1.5), &t("Int"), "n").is_err());
        assert!(coerce(&json!(3_000_000_000i64), &t("Int"), "n").is_err());
        assert!(coerce(&json!({"a": 1}), &t("String"), "s").is_err());
    }

    #[test]
    fn blank_required_ids_are_refused() {
        assert!(check_not_blank(&json!("  "), &t("ID!"), "id").is_err());
        assert!(check_not_blank(&json!(""), &t("String!"), "s").is_err());
        assert!(check_not_blank(&json!(["1", " "]), &t("[ID!]!"), "ids").is_err());
        assert!(check_not_blank(&json!("  "), &t("String"), "s").is_ok());
        assert!(check_not_blank(&json!("1"), &t("ID!"), "id").is_ok());
    }
}
