//! The `.proto` of a workspace's gRPC service: one method per saved operation marked for
//! gRPC (`"grpc": {}`), its request message made of the operation's variables and its
//! response message of the root field's value (an object's fields directly; a list or a
//! scalar as the one field named by the root key).
//!
//! Types: non-null scalars are plain (`ID`/`String` string, `Int` int32, `Float` double,
//! `Boolean` bool), nullable ones the `google.protobuf` wrappers, `JSON` and custom scalars
//! `google.protobuf.Value`; lists are `repeated` (a null item is left out); objects nested
//! messages named after their key; enums top-level enums whose values carry the enum's name
//! (`ORDER_STATUS_PLACED`, 0 being `ORDER_STATUS_UNSPECIFIED`, which also stands for null);
//! input objects top-level messages.
//!
//! Field numbers of request and response messages come from the workspace
//! (`GrpcMethod::fields`, keyed `request.VAR`, `response.KEY`, `response.KEY.KEY`): a
//! recorded number is kept, a new field gets one more than the highest number its message
//! ever had, and the number of a field no longer selected is `reserved`, never given again.
//! [`record_numbers`] writes the new ones into the workspace. Enum values and input object
//! fields are numbered in declaration order (add new ones at the end).

use crate::shape::{self, Kind, Member, Operation, Schema, Shape, ShapeError, Variable};
use indexmap::{IndexMap, IndexSet};
use knot_model::Workspace;
use std::fmt::Write;

/// A generated `.proto` and what a server needs to answer its methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Proto {
    /// The file's text.
    pub text: String,
    /// The file's name (`knot/shop.proto`).
    pub file_name: String,
    pub package: String,
    /// The service's name (without the package).
    pub service: String,
    pub methods: Vec<Method>,
}

/// One method of the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    /// The saved operation's name, also the method's.
    pub name: String,
    /// Full names of the request and response messages (`knot.shop.OrderDetailsRequest`).
    pub input: String,
    pub output: String,
    /// The root field whose object is the response message itself; `None` when the
    /// response's fields are the root fields.
    pub unwrap: Option<String>,
}

/// The `.proto` of `ws`'s gRPC methods, typed by `public_sdl`; `None` when no saved operation
/// is marked for gRPC.
pub fn proto(ws: &Workspace, public_sdl: &str) -> Result<Option<Proto>, ShapeError> {
    let schema = Schema::parse(public_sdl)?;
    let ops = shape::operations(&schema, ws, |op| op.grpc.is_some())?;
    if ops.is_empty() {
        return Ok(None);
    }
    let package = format!("knot.{}", snake(&ws.name));
    let service = format!("{}Service", pascal(&ws.name));
    let mut gen = Gen {
        enums: IndexSet::new(),
        inputs: IndexSet::new(),
        wrappers: false,
        any_value: false,
        top: IndexMap::new(),
    };
    let mut methods = Vec::new();
    let mut bodies = String::new();
    for (op, saved) in &ops {
        let recorded = saved
            .grpc
            .as_ref()
            .map(|g| g.fields.clone())
            .unwrap_or_default();
        let numbers = numbers(op, &recorded);
        let request = format!("{}Request", op.name);
        let response = format!("{}Response", op.name);
        if !is_ident(&op.name) {
            return Err(ShapeError(format!(
                "operation `{}`: its name is not a valid gRPC method name",
                op.name
            )));
        }
        for name in [&request, &response] {
            gen.claim(name, &format!("the message of operation `{}`", op.name))?;
        }
        let fields = request_fields(&op.variables);
        bodies.push_str(&gen.message(&request, &fields, "request", &numbers, "", "")?);
        let (fields, unwrap) = response_fields(op);
        bodies.push_str(&gen.message(&response, &fields, "response", &numbers, "", "")?);
        methods.push(Method {
            name: op.name.clone(),
            input: format!("{package}.{request}"),
            output: format!("{package}.{response}"),
            unwrap,
        });
    }
    // Input objects reach other input objects: print until no new one appears.
    let mut printed = 0;
    let mut inputs_text = String::new();
    while printed < gen.inputs.len() {
        let name = gen.inputs.get_index(printed).cloned().unwrap_or_default();
        printed += 1;
        gen.claim(&name, "an input object")?;
        let fields: Vec<Field> = schema
            .inputs()
            .find(|(n, _, _)| *n == name)
            .map(|(_, fields, _)| {
                fields
                    .iter()
                    .map(|f| Field {
                        key: f.name.clone(),
                        shape: f.shape.clone(),
                        description: f.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut positional = IndexMap::new();
        for (i, f) in fields.iter().enumerate() {
            positional.insert(
                format!("input.{}", f.key),
                u32::try_from(i + 1).unwrap_or(u32::MAX),
            );
        }
        let description = schema.description(&name).to_string();
        inputs_text.push_str(&gen.message(
            &name,
            &fields,
            "input",
            &positional,
            "",
            &description,
        )?);
    }
    let mut enums_text = String::new();
    let enum_names: Vec<String> = gen.enums.iter().cloned().collect();
    for name in enum_names {
        gen.claim(&name, "an enum")?;
        let Some((_, values, description)) = schema.enums().find(|(n, _, _)| *n == name) else {
            continue;
        };
        comment(&mut enums_text, description, "");
        let _ = writeln!(enums_text, "enum {name} {{");
        let _ = writeln!(
            enums_text,
            "  {} = 0;",
            enum_value_name(&name, "UNSPECIFIED")
        );
        for (i, (value, description)) in values.iter().enumerate() {
            comment(&mut enums_text, description, "  ");
            let _ = writeln!(
                enums_text,
                "  {} = {};",
                enum_value_name(&name, value),
                i + 1
            );
        }
        enums_text.push_str("}\n\n");
    }
    let file_name = format!("knot/{}.proto", snake(&ws.name));
    let mut text = String::new();
    let _ = writeln!(
        text,
        "// Generated by `knot export proto` from the workspace `{}`.",
        ws.name
    );
    text.push_str("// Field numbers are recorded in the workspace's saved operations (\"grpc\": {\"fields\"}).\n");
    text.push_str("syntax = \"proto3\";\n\n");
    let _ = writeln!(text, "package {package};\n");
    if gen.any_value {
        text.push_str("import \"google/protobuf/struct.proto\";\n");
    }
    if gen.wrappers {
        text.push_str("import \"google/protobuf/wrappers.proto\";\n");
    }
    if gen.any_value || gen.wrappers {
        text.push('\n');
    }
    comment(&mut text, &ws.description, "");
    let _ = writeln!(text, "service {service} {{");
    for (m, (op, _)) in methods.iter().zip(&ops) {
        comment(&mut text, &op.description, "  ");
        let short = |full: &str| full.rsplit('.').next().unwrap_or_default().to_string();
        let _ = writeln!(
            text,
            "  rpc {}({}) returns ({});",
            m.name,
            short(&m.input),
            short(&m.output)
        );
    }
    text.push_str("}\n\n");
    text.push_str(&bodies);
    text.push_str(&inputs_text);
    text.push_str(&enums_text);
    while text.ends_with("\n\n") {
        text.pop();
    }
    Ok(Some(Proto {
        text,
        file_name,
        package,
        service,
        methods,
    }))
}

impl Proto {
    /// The `rpc` line and the top-level messages named `input` and `output` (full names), as
    /// the file declares them: what a caller of that one method needs to read.
    pub fn messages_of(&self, input: &str, output: &str) -> String {
        let short = |full: &str| full.rsplit('.').next().unwrap_or_default().to_string();
        let (input, output) = (short(input), short(output));
        let mut out = String::new();
        if let Some(rpc) = self.text.lines().find(|l| {
            l.trim_start().starts_with("rpc ")
                && l.contains(&format!("({input}) returns ({output})"))
        }) {
            out.push_str(rpc.trim());
            out.push('\n');
        }
        for name in [input, output] {
            let head = format!("message {name} {{");
            let mut lines = self.text.lines().skip_while(|l| *l != head);
            let mut block = Vec::new();
            for line in lines.by_ref() {
                block.push(line);
                if line == "}" {
                    break;
                }
            }
            if !block.is_empty() {
                out.push('\n');
                out.push_str(&block.join("\n"));
                out.push('\n');
            }
        }
        out
    }

    /// The file compiled (protox), with the well-known files it imports: the encoded
    /// `FileDescriptorSet` a server answers with and reflection serves.
    pub fn descriptor_set(&self) -> Result<Vec<u8>, ShapeError> {
        let mut resolver = protox::file::ChainFileResolver::new();
        resolver.add(OneFile {
            name: self.file_name.clone(),
            text: self.text.clone(),
        });
        resolver.add(protox::file::GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        compiler
            .open_file(&self.file_name)
            .map_err(|e| ShapeError(format!("the generated .proto does not compile: {e}")))?;
        Ok(compiler.encode_file_descriptor_set())
    }
}

/// The generated file, served to the compiler from memory.
struct OneFile {
    name: String,
    text: String,
}

impl protox::file::FileResolver for OneFile {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == self.name {
            protox::file::File::from_source(name, &self.text)
        } else {
            Err(protox::Error::file_not_found(name))
        }
    }
}

/// Records in `ws` the field numbers of every gRPC method's fields that have none yet (as
/// [`proto`] gives them). Returns whether anything was added.
pub fn record_numbers(ws: &mut Workspace, public_sdl: &str) -> Result<bool, ShapeError> {
    let schema = Schema::parse(public_sdl)?;
    let ops = shape::operations(&schema, ws, |op| op.grpc.is_some())?;
    let mut changed = false;
    for (op, _) in ops {
        let Some(saved) = ws.operations.get_mut(&op.name) else {
            continue;
        };
        let Some(grpc) = saved.grpc.as_mut() else {
            continue;
        };
        let all = numbers(&op, &grpc.fields);
        if all.len() != grpc.fields.len() {
            changed = true;
            grpc.fields = all;
        }
    }
    Ok(changed)
}

/// The proto name of a GraphQL enum value: `OrderStatus`, `PLACED` -> `ORDER_STATUS_PLACED`.
pub fn enum_value_name(enum_name: &str, value: &str) -> String {
    format!("{}_{value}", snake(enum_name).to_ascii_uppercase())
}

/// A field of a message to print.
#[derive(Debug, Clone)]
struct Field {
    key: String,
    shape: Shape,
    description: String,
}

fn request_fields(vars: &[Variable]) -> Vec<Field> {
    vars.iter()
        .map(|v| Field {
            key: v.name.clone(),
            shape: v.shape.clone(),
            description: String::new(),
        })
        .collect()
}

fn member_fields(members: &[Member]) -> Vec<Field> {
    members
        .iter()
        .map(|m| Field {
            key: m.key.clone(),
            shape: m.shape.clone(),
            description: m.description.clone(),
        })
        .collect()
}

/// The response's fields: the root object's own when the operation asks for one object,
/// else the root fields themselves.
fn response_fields(op: &Operation) -> (Vec<Field>, Option<String>) {
    match op.root.as_slice() {
        [one] => match &one.shape.kind {
            Kind::Object { fields, .. } => (member_fields(fields), Some(one.key.clone())),
            _ => (member_fields(&op.root), None),
        },
        many => (member_fields(many), None),
    }
}

/// Every field path of an operation's messages with its number: `recorded` ones kept,
/// new ones numbered after the highest their message ever had, in selection order.
pub fn numbers(op: &Operation, recorded: &IndexMap<String, u32>) -> IndexMap<String, u32> {
    let mut out = recorded.clone();
    let mut paths = Vec::new();
    for v in &op.variables {
        paths.push(format!("request.{}", v.name));
    }
    let (fields, _) = response_fields(op);
    collect_paths("response", &fields, &mut paths);
    for path in paths {
        if out.contains_key(&path) {
            continue;
        }
        let message = parent(&path);
        let highest = out
            .iter()
            .filter(|(p, _)| parent(p) == message)
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(0);
        out.insert(path, highest.saturating_add(1));
    }
    out
}

fn collect_paths(prefix: &str, fields: &[Field], out: &mut Vec<String>) {
    for f in fields {
        let path = format!("{prefix}.{}", f.key);
        out.push(path.clone());
        if let Some(inner) = object_members(&f.shape) {
            collect_paths(&path, &member_fields(inner), out);
        }
    }
}

/// The fields of an object value, through lists.
fn object_members(shape: &Shape) -> Option<&[Member]> {
    match &shape.kind {
        Kind::Object { fields, .. } => Some(fields),
        Kind::List(inner) => object_members(inner),
        _ => None,
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

struct Gen {
    enums: IndexSet<String>,
    inputs: IndexSet<String>,
    wrappers: bool,
    any_value: bool,
    /// Top-level names given so far, and what took them.
    top: IndexMap<String, String>,
}

impl Gen {
    fn claim(&mut self, name: &str, what: &str) -> Result<(), ShapeError> {
        if let Some(before) = self.top.get(name) {
            return Err(ShapeError(format!(
                "the name `{name}` is taken twice in the gRPC service: by {before} and by {what}"
            )));
        }
        self.top.insert(name.to_string(), what.to_string());
        Ok(())
    }

    /// A message named `name` (indented by `indent`), its nested messages inside it.
    fn message(
        &mut self,
        name: &str,
        fields: &[Field],
        path: &str,
        numbers: &IndexMap<String, u32>,
        indent: &str,
        description: &str,
    ) -> Result<String, ShapeError> {
        let mut out = String::new();
        comment(&mut out, description, indent);
        let _ = writeln!(out, "{indent}message {name} {{");
        let inner = format!("{indent}  ");
        let mut nested_names: IndexSet<String> = IndexSet::new();
        let mut lines = String::new();
        for f in fields {
            let field_path = format!("{path}.{}", f.key);
            let number = numbers
                .get(&field_path)
                .copied()
                .ok_or_else(|| ShapeError(format!("no field number for `{field_path}`")))?;
            let (repeated, item) = match &f.shape.kind {
                Kind::List(item) => {
                    if matches!(item.kind, Kind::List(_)) {
                        return Err(ShapeError(format!(
                            "`{field_path}`: a list of lists has no gRPC form"
                        )));
                    }
                    (true, item.as_ref())
                }
                _ => (false, &f.shape),
            };
            let ty = match &item.kind {
                Kind::Object {
                    fields: members, ..
                } => {
                    let mut nested = pascal(&f.key);
                    let base = nested.clone();
                    let mut n = 2;
                    while nested_names.contains(&nested) {
                        nested = format!("{base}{n}");
                        n += 1;
                    }
                    nested_names.insert(nested.clone());
                    let text = self.message(
                        &nested,
                        &member_fields(members),
                        &field_path,
                        numbers,
                        &inner,
                        "",
                    )?;
                    lines.push_str(&text);
                    nested
                }
                kind => self.scalar_type(kind, item.nullable && !repeated),
            };
            comment(&mut lines, &f.description, &inner);
            let label = if repeated { "repeated " } else { "" };
            // protobuf's JSON name drops underscores (`__typename` -> `Typename`): keep the
            // GraphQL key as the JSON name, so the JSON of a message is the REST answer's.
            let json_name = if f.key.contains('_') {
                format!(" [json_name = \"{}\"]", f.key)
            } else {
                String::new()
            };
            let _ = writeln!(lines, "{inner}{label}{ty} {} = {number}{json_name};", f.key);
        }
        // Numbers this message had for fields no longer there: never given again.
        let gone: Vec<(&String, &u32)> = numbers
            .iter()
            .filter(|(p, _)| {
                parent(p) == path && !fields.iter().any(|f| format!("{path}.{}", f.key) == **p)
            })
            .collect();
        if !gone.is_empty() {
            let list: Vec<String> = gone.iter().map(|(_, n)| n.to_string()).collect();
            let _ = writeln!(lines, "{inner}reserved {};", list.join(", "));
            let names: Vec<String> = gone
                .iter()
                .map(|(p, _)| format!("\"{}\"", p.rsplit('.').next().unwrap_or_default()))
                .collect();
            let _ = writeln!(lines, "{inner}reserved {};", names.join(", "));
        }
        out.push_str(&lines);
        let _ = writeln!(out, "{indent}}}");
        if indent.is_empty() {
            out.push('\n');
        }
        Ok(out)
    }

    /// A leaf type: scalar (plain, or its wrapper when nullable), enum or input message.
    fn scalar_type(&mut self, kind: &Kind, nullable: bool) -> String {
        match kind {
            Kind::Enum(name) => {
                self.enums.insert(name.clone());
                name.clone()
            }
            Kind::Input(name) => {
                self.inputs.insert(name.clone());
                name.clone()
            }
            Kind::Scalar(name) => {
                let (plain, wrapper) = match name.as_str() {
                    "ID" | "String" => ("string", "google.protobuf.StringValue"),
                    "Int" => ("int32", "google.protobuf.Int32Value"),
                    "Float" => ("double", "google.protobuf.DoubleValue"),
                    "Boolean" => ("bool", "google.protobuf.BoolValue"),
                    _ => {
                        self.any_value = true;
                        return "google.protobuf.Value".into();
                    }
                };
                if nullable {
                    self.wrappers = true;
                    wrapper.into()
                } else {
                    plain.into()
                }
            }
            Kind::List(_) | Kind::Object { .. } => "google.protobuf.Value".into(),
        }
    }
}

fn comment(out: &mut String, text: &str, indent: &str) {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let _ = writeln!(out, "{indent}// {}", line.trim_end());
    }
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `Shop Orders` -> `shop_orders`, `OrderStatus` -> `order_status`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("w{out}")
    } else {
        out
    }
}

/// `shop orders` -> `ShopOrders`, `cameraLocation` -> `CameraLocation`.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("W{out}")
    } else {
        out
    }
}
