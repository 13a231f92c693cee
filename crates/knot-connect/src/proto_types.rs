//! The types of a gRPC service's descriptors, as unified-schema types a workspace can use
//! beside the operations `reflect::operations_from_pool` brings: the messages unary methods
//! answer (and the messages inside them) become object types with their proto3 JSON field
//! names (what Knot's gRPC calls give back), proto enums become enums (by value name, as
//! proto3 JSON spells them), and the messages inside requests become input objects
//! (`Limit` -> `LimitInput`). `oneof` members are nullable fields (only the one set is
//! present); 64-bit integers are `String` (proto3 JSON); `google.protobuf.Timestamp` is the
//! `DateTime` scalar, the wrapper messages their scalar, other well-known types and maps
//! `JSON`.

use indexmap::IndexMap;
use knot_model::{
    EnumType, EnumValueDef, FieldDef, InputFieldDef, InputObjectType, ObjectType, ScalarType,
    UnifiedSchema,
};
use prost_reflect::{DescriptorPool, FieldDescriptor, Kind, MessageDescriptor};

/// The schema types of the unary methods of every service in `pool` (no `Query`).
pub fn types_from_pool(pool: &DescriptorPool) -> UnifiedSchema {
    let mut t = Types {
        out: UnifiedSchema::default(),
        names: IndexMap::new(),
    };
    let methods: Vec<_> = pool
        .services()
        .filter(|s| {
            !s.full_name().starts_with("google.") && !s.full_name().starts_with("grpc.reflection.")
        })
        .flat_map(|s| s.methods().collect::<Vec<_>>())
        .filter(|m| !m.is_client_streaming() && !m.is_server_streaming())
        .collect();
    for m in &methods {
        t.object(&m.output());
    }
    for m in &methods {
        for f in m.input().fields() {
            if let Kind::Message(msg) = f.kind() {
                if !f.is_map() && well_known(&msg).is_none() {
                    t.input(&msg);
                }
            }
        }
    }
    t.out.types.retain(|_, o| !o.fields.is_empty());
    t.out
}

struct Types {
    out: UnifiedSchema,
    /// Full proto name -> GraphQL type name (short names, the full one on a clash).
    names: IndexMap<String, String>,
}

/// What a well-known message is as GraphQL: `Some(type)`, or `None` for ordinary messages.
fn well_known(msg: &MessageDescriptor) -> Option<&'static str> {
    match msg.full_name() {
        "google.protobuf.Timestamp" => Some(knot_model::DATE_TIME),
        "google.protobuf.StringValue" | "google.protobuf.BytesValue" => Some("String"),
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => Some("String"),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => Some("Int"),
        "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => Some("Float"),
        "google.protobuf.BoolValue" => Some("Boolean"),
        name if name.starts_with("google.") => Some("JSON"),
        _ => None,
    }
}

impl Types {
    /// The GraphQL name of a proto message or enum: its short name, unless another type
    /// already has it (then its full name with `_` for dots).
    fn name_of(&mut self, full: &str, short: &str, suffix: &str) -> String {
        let key = format!("{full}{suffix}");
        if let Some(n) = self.names.get(&key) {
            return n.clone();
        }
        let wanted = format!("{short}{suffix}");
        let taken = self.names.values().any(|n| *n == wanted);
        let name = if taken {
            format!("{}{suffix}", full.replace('.', "_"))
        } else {
            wanted
        };
        self.names.insert(key, name.clone());
        name
    }

    /// The GraphQL type of a field, for answers (`input: false`) or requests.
    fn field_type(&mut self, f: &FieldDescriptor, input: bool) -> String {
        if f.is_map() {
            return "JSON".into();
        }
        let base = match f.kind() {
            Kind::String | Kind::Bytes => "String".to_string(),
            Kind::Bool => "Boolean".into(),
            Kind::Int32 | Kind::Uint32 | Kind::Sint32 | Kind::Fixed32 | Kind::Sfixed32 => {
                "Int".into()
            }
            Kind::Int64 | Kind::Uint64 | Kind::Sint64 | Kind::Fixed64 | Kind::Sfixed64 => {
                "String".into()
            }
            Kind::Float | Kind::Double => "Float".into(),
            Kind::Enum(e) => self.enumeration(&e),
            Kind::Message(msg) => match well_known(&msg) {
                Some(t) if t == knot_model::DATE_TIME => {
                    self.out
                        .scalars
                        .entry(t.to_string())
                        .or_insert_with(|| ScalarType {
                            description: "An RFC 3339 date-time.".into(),
                        });
                    t.to_string()
                }
                Some(t) => t.to_string(),
                None if input => self.input(&msg),
                None => self.object(&msg),
            },
        };
        if f.is_list() {
            format!("[{base}!]")
        } else {
            base
        }
    }

    fn enumeration(&mut self, e: &prost_reflect::EnumDescriptor) -> String {
        let name = self.name_of(e.full_name(), e.name(), "");
        if !self.out.enums.contains_key(&name) {
            let values = e
                .values()
                .map(|v| (v.name().to_string(), EnumValueDef::default()))
                .collect();
            self.out.enums.insert(
                name.clone(),
                EnumType {
                    description: String::new(),
                    values,
                },
            );
        }
        name
    }

    /// The object type of an answer message (created once; recursive messages refer to
    /// themselves).
    fn object(&mut self, msg: &MessageDescriptor) -> String {
        let name = self.name_of(msg.full_name(), msg.name(), "");
        if self.out.types.contains_key(&name) {
            return name;
        }
        self.out.types.insert(
            name.clone(),
            ObjectType {
                description: String::new(),
                implements: Vec::new(),
                fields: IndexMap::new(),
            },
        );
        let mut fields = IndexMap::new();
        for f in msg.fields() {
            let ty = self.field_type(&f, false);
            fields.insert(
                f.json_name().to_string(),
                FieldDef {
                    ty,
                    description: String::new(),
                    arguments: IndexMap::new(),
                    private: false,
                    from: None,
                    binding: None,
                    deprecated: None,
                    aggregate: None,
                },
            );
        }
        if let Some(o) = self.out.types.get_mut(&name) {
            o.fields = fields;
        }
        name
    }

    /// The input object of a request message (created once).
    fn input(&mut self, msg: &MessageDescriptor) -> String {
        let name = self.name_of(msg.full_name(), msg.name(), "Input");
        if self.out.inputs.contains_key(&name) {
            return name;
        }
        self.out.inputs.insert(
            name.clone(),
            InputObjectType {
                description: String::new(),
                fields: IndexMap::new(),
            },
        );
        let mut fields = IndexMap::new();
        for f in msg.fields() {
            let ty = self.field_type(&f, true);
            fields.insert(
                f.name().to_string(),
                InputFieldDef {
                    ty,
                    description: String::new(),
                    default: None,
                    allow_blank: false,
                },
            );
        }
        if let Some(i) = self.out.inputs.get_mut(&name) {
            i.fields = fields;
        }
        name
    }
}
