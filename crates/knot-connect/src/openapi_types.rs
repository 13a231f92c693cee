//! The types of an OpenAPI document, as unified-schema types a workspace can use beside the
//! operations `openapi::import_openapi` brings: `components.schemas` objects become object
//! types, string enums become enums (values in GraphQL spelling, the document's spelling kept
//! as `from`), `oneOf`/`anyOf` of referenced objects with a `discriminator` become unions
//! with that discriminator, and the objects request bodies take become input objects
//! (`NewOrder` -> `NewOrderInput`, nested ones too). What has no GraphQL shape (inline
//! objects, unions without a discriminator, `allOf`) is typed `JSON`. Names the document
//! spells otherwise are made GraphQL names (with `from` on renamed fields).

use indexmap::IndexMap;
use knot_model::{
    Discriminator, EnumType, EnumValueDef, FieldDef, InputFieldDef, InputObjectType, ObjectType,
    ScalarType, UnifiedSchema, UnionType,
};
use serde_json::Value;

use crate::error::ImportError;

/// The schema types of an OpenAPI 3.x document (no `Query`: bind root fields to the
/// imported operations yourself, or expose them in the designer).
pub fn import_openapi_types(text: &str, origin: &str) -> Result<UnifiedSchema, ImportError> {
    let doc = crate::openapi::parse(text, origin)?;
    let empty = serde_json::Map::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut t = Types {
        schemas,
        out: UnifiedSchema::default(),
    };
    // Enums and unions first: object fields refer to them by kind.
    for (name, schema) in schemas {
        if let Some(e) = enum_of(schema) {
            t.out.enums.insert(type_name(name), e);
        }
    }
    for (name, schema) in schemas {
        if is_object(schema) {
            t.out.types.insert(
                type_name(name),
                ObjectType {
                    description: text_of(schema, "description"),
                    implements: Vec::new(),
                    fields: IndexMap::new(),
                },
            );
        }
    }
    for (name, schema) in schemas {
        if let Some(u) = t.union_of(schema) {
            t.out.unions.insert(type_name(name), u);
        }
    }
    for (name, schema) in schemas {
        if is_object(schema) {
            let fields = t.fields(schema);
            if let Some(obj) = t.out.types.get_mut(&type_name(name)) {
                obj.fields = fields;
            }
        }
    }
    // Drop object types with no field (GraphQL needs one).
    t.out.types.retain(|_, o| !o.fields.is_empty());
    // Input objects for the request bodies that name a component.
    let mut bodies = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                let schema = op.pointer("/requestBody/content/application~1json/schema");
                if let Some(name) = schema.and_then(ref_name) {
                    bodies.push(name.to_string());
                }
            }
        }
    }
    for name in bodies {
        t.input(&name, 0);
    }
    Ok(t.out)
}

struct Types<'d> {
    schemas: &'d serde_json::Map<String, Value>,
    out: UnifiedSchema,
}

impl Types<'_> {
    /// The output type of a property (without `!`).
    fn output_type(&mut self, schema: &Value) -> String {
        if let Some(name) = ref_name(schema) {
            let n = type_name(name);
            let known = self.out.types.contains_key(&n)
                || self.out.enums.contains_key(&n)
                || self.out.unions.contains_key(&n);
            return if known {
                n
            } else {
                self.schemas
                    .get(name)
                    .map(|s| self.scalar_or_list(s, false))
                    .unwrap_or_else(|| "JSON".into())
            };
        }
        self.scalar_or_list(schema, false)
    }

    /// A scalar or a list by the schema's `type`; `JSON` otherwise. `input` picks input
    /// objects for referenced items of a list.
    fn scalar_or_list(&mut self, schema: &Value, input: bool) -> String {
        match type_of(schema) {
            Some("string") if text_of(schema, "format") == "date-time" => {
                self.out
                    .scalars
                    .entry(knot_model::DATE_TIME.to_string())
                    .or_insert_with(|| ScalarType {
                        description: "An RFC 3339 date-time.".into(),
                    });
                knot_model::DATE_TIME.to_string()
            }
            Some("string") => "String".into(),
            Some("integer") => "Int".into(),
            Some("number") => "Float".into(),
            Some("boolean") => "Boolean".into(),
            Some("array") => {
                let item = match schema.get("items") {
                    Some(items) if input => self.input_type(items),
                    Some(items) => self.output_type(items),
                    None => "JSON".into(),
                };
                format!("[{item}!]")
            }
            _ => "JSON".into(),
        }
    }

    fn fields(&mut self, schema: &Value) -> IndexMap<String, FieldDef> {
        let required = required_of(schema);
        let mut fields = IndexMap::new();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return fields;
        };
        for (prop, prop_schema) in props {
            let name = field_name(prop);
            let base = self.output_type(prop_schema);
            let ty = if required.contains(&prop.as_str()) {
                format!("{base}!")
            } else {
                base
            };
            fields.insert(
                name.clone(),
                FieldDef {
                    ty,
                    description: text_of(prop_schema, "description"),
                    arguments: IndexMap::new(),
                    private: false,
                    from: (name != *prop).then(|| prop.clone()),
                    binding: None,
                    deprecated: prop_schema
                        .get("deprecated")
                        .and_then(Value::as_bool)
                        .filter(|d| *d)
                        .map(|_| String::new()),
                    aggregate: None,
                },
            );
        }
        fields
    }

    /// A union for `oneOf`/`anyOf` of referenced object schemas with a discriminator.
    fn union_of(&self, schema: &Value) -> Option<UnionType> {
        let members = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))?
            .as_array()?;
        let property = schema.pointer("/discriminator/propertyName")?.as_str()?;
        let mut types = Vec::new();
        for m in members {
            let name = ref_name(m)?;
            let n = type_name(name);
            if !self.out.types.contains_key(&n) {
                return None;
            }
            types.push((name.to_string(), n));
        }
        // `mapping: {value: "#/components/schemas/Name"}`; without one a member's value is
        // its schema name.
        let mut values = IndexMap::new();
        let mapping = schema
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object);
        for (schema_name, gname) in &types {
            let value = mapping
                .and_then(|m| {
                    m.iter().find_map(|(value, target)| {
                        (target.as_str().and_then(|t| t.rsplit('/').next()) == Some(schema_name))
                            .then(|| value.clone())
                    })
                })
                .unwrap_or_else(|| schema_name.clone());
            if value != *gname {
                values.insert(gname.clone(), value);
            }
        }
        Some(UnionType {
            description: text_of(schema, "description"),
            types: types.into_iter().map(|(_, n)| n).collect(),
            discriminator: Some(Discriminator {
                field: property.to_string(),
                values,
            }),
        })
    }

    /// The input type of a request-body property (without `!`).
    fn input_type(&mut self, schema: &Value) -> String {
        if let Some(name) = ref_name(schema) {
            let n = type_name(name);
            if self.out.enums.contains_key(&n) {
                return n;
            }
            if let Some(s) = self.schemas.get(name) {
                if is_object(s) {
                    return self.input(name, 1).unwrap_or_else(|| "JSON".into());
                }
                return self.scalar_or_list(s, true);
            }
            return "JSON".into();
        }
        self.scalar_or_list(schema, true)
    }

    /// The input object made of the component `name` (created once), or `None` when it is
    /// not an object with properties.
    fn input(&mut self, name: &str, depth: usize) -> Option<String> {
        let input_name = format!("{}Input", type_name(name));
        if self.out.inputs.contains_key(&input_name) {
            return Some(input_name);
        }
        if depth > 16 {
            return None;
        }
        let schema = self.schemas.get(name)?;
        let props = schema.get("properties")?.as_object()?;
        // Reserve the name first: a schema that contains itself refers to its own input.
        self.out.inputs.insert(
            input_name.clone(),
            InputObjectType {
                description: text_of(schema, "description"),
                fields: IndexMap::new(),
            },
        );
        let required = required_of(schema);
        let mut fields = IndexMap::new();
        for (prop, prop_schema) in props {
            if prop_schema.get("readOnly").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let base = self.input_type(prop_schema);
            let ty = if required.contains(&prop.as_str()) {
                format!("{base}!")
            } else {
                base
            };
            fields.insert(
                field_name(prop),
                InputFieldDef {
                    ty,
                    description: text_of(prop_schema, "description"),
                    default: prop_schema.get("default").cloned(),
                    allow_blank: false,
                },
            );
        }
        if fields.is_empty() {
            self.out.inputs.shift_remove(&input_name);
            return None;
        }
        if let Some(def) = self.out.inputs.get_mut(&input_name) {
            def.fields = fields;
        }
        Some(input_name)
    }
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn is_object(schema: &Value) -> bool {
    (type_of(schema) == Some("object") || schema.get("properties").is_some())
        && schema.get("oneOf").is_none()
        && schema.get("anyOf").is_none()
}

fn enum_of(schema: &Value) -> Option<EnumType> {
    if type_of(schema) != Some("string") {
        return None;
    }
    let values = schema.get("enum")?.as_array()?;
    let mut out = IndexMap::new();
    for v in values {
        let spelling = v.as_str()?;
        let name = enum_value_name(spelling);
        if out.contains_key(&name) {
            return None;
        }
        out.insert(
            name.clone(),
            EnumValueDef {
                description: String::new(),
                deprecated: None,
                from: (name != spelling).then(|| spelling.to_string()),
            },
        );
    }
    (!out.is_empty()).then(|| EnumType {
        description: text_of(schema, "description"),
        values: out,
    })
}

fn required_of(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn text_of(schema: &Value, key: &str) -> String {
    schema
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `order-line` -> `OrderLine`, `2fa` -> `_2fa`.
fn type_name(raw: &str) -> String {
    let mut out = String::new();
    for part in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A field name: other characters become `_`.
fn field_name(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || name.starts_with("__") {
        name.insert(0, 'f');
    }
    name
}

/// `in-transit` -> `IN_TRANSIT`, `placed` -> `PLACED`.
fn enum_value_name(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}
