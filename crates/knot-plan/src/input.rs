//! Input coercion and validation: variables and arguments are checked against their types,
//! and required `ID`/`String` values must not be empty or whitespace, all before any call.

use indexmap::IndexMap;
use knot_model::{EnumType, TypeRef};
use serde_json::Value;

/// Coerces a JSON input value to `ty` (GraphQL input coercion: a single value where a list
/// is expected becomes a list of one; IDs accept integers). `what` names the input in errors.
pub fn coerce(value: &Value, ty: &TypeRef, what: &str) -> Result<Value, String> {
    coerce_with(value, ty, what, &Enums::default(), EnumOut::Name)
}

/// The enums an input may use.
pub type Enums = IndexMap<String, EnumType>;

/// What an enum value becomes once checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum EnumOut {
    /// Its GraphQL name (variables: checked, not yet sent anywhere).
    Name,
    /// The downstream spelling (`from`) of the value: arguments on their way to a call.
    Spelling,
}

/// [`coerce`] knowing the workspace's enums: an enum value must be one of the enum's names
/// (a string, as JSON variables and enum literals both arrive).
pub fn coerce_with(
    value: &Value,
    ty: &TypeRef,
    what: &str,
    enums: &Enums,
    out: EnumOut,
) -> Result<Value, String> {
    match ty {
        TypeRef::NonNull(inner) => {
            if value.is_null() {
                return Err(format!("{what} is required (type `{ty}`) but got null"));
            }
            coerce_with(value, inner, what, enums, out)
        }
        _ if value.is_null() => Ok(Value::Null),
        TypeRef::List(inner) => match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| coerce_with(v, inner, &format!("{what}[{i}]"), enums, out))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            single => Ok(Value::Array(vec![coerce_with(
                single, inner, what, enums, out,
            )?])),
        },
        TypeRef::Named(name) => match enums.get(name) {
            Some(def) => {
                let given = value.as_str();
                match given.and_then(|v| def.spelling_of(v)) {
                    Some(spelling) if out == EnumOut::Spelling => {
                        Ok(Value::String(spelling.to_owned()))
                    }
                    Some(_) => Ok(value.clone()),
                    None => Err(format!(
                        "{what} expects a value of enum `{name}` ({}), got {}",
                        def.values.keys().cloned().collect::<Vec<_>>().join(", "),
                        describe(value)
                    )),
                }
            }
            None => coerce_scalar(value, name, what),
        },
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
