//! Semantic checks of a parsed workspace: every reference resolves, types agree, no binding
//! cycle. Each problem names the JSON path it belongs to; nothing here panics on any input.

use crate::problem::{JsonPath, Problem, ProblemCode as Code};
use crate::template;
use crate::typeref::{is_builtin_scalar, is_graphql_name, TypeRef};
use crate::workspace::*;
use indexmap::IndexMap;
use std::collections::BTreeSet;

/// Checks everything that can be checked without the network or the file system.
pub fn validate(ws: &Workspace) -> Vec<Problem> {
    let mut v = Validator {
        ws,
        problems: Vec::new(),
        env_names: BTreeSet::new(),
    };
    for env in ws.environments.values() {
        v.env_names.extend(env.variables.keys().cloned());
    }
    v.workspace();
    v.problems
}

struct Validator<'a> {
    ws: &'a Workspace,
    problems: Vec<Problem>,
    env_names: BTreeSet<String>,
}

fn list(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let v: Vec<String> = names
        .into_iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn is_source_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl<'a> Validator<'a> {
    fn push(&mut self, code: Code, path: JsonPath, msg: impl Into<String>) {
        self.problems.push(Problem::new(code, path, msg));
    }

    fn workspace(&mut self) {
        let root = JsonPath::root();
        if self.ws.name.trim().is_empty() {
            self.push(
                Code::InvalidName,
                root.key("name"),
                "the workspace needs a name",
            );
        }
        for (name, source) in &self.ws.sources {
            self.source(name, source, root.keys(["sources", name.as_str()]));
        }
        self.schema(root.key("schema"));
        for (name, op) in &self.ws.operations {
            self.saved_operation(name, op, root.keys(["operations", name.as_str()]));
        }
        self.environments(&root);
        self.trace_settings(&root);
    }

    /// A trace header's name alone would give every plan, URL and downstream answer to
    /// anyone who guesses it: it needs a token, and the token comes from a secret or the
    /// environment, never from the file.
    fn trace_settings(&mut self, root: &JsonPath) {
        let gateway = &self.ws.gateway;
        let at = root.keys(["gateway", "traceToken"]);
        match (&gateway.trace_header, &gateway.trace_token) {
            (Some(_), None) => self.push(
                Code::Shape,
                at,
                "`traceHeader` needs a `traceToken` (e.g. `{{secret.TRACE_TOKEN}}`): a header name alone is no secret",
            ),
            (_, Some(token)) => {
                self.templates(token, at.clone(), None);
                let referenced = token.contains("{{secret.") || token.contains("{{env.");
                if !referenced {
                    self.push(
                        Code::SecretInFile,
                        at,
                        "write the trace token as `{{secret.NAME}}` (or `{{env.NAME}}`), not its value",
                    );
                }
            }
            (None, None) => {}
        }
    }

    fn templates(&mut self, text: &str, path: JsonPath, inputs: Option<&IndexMap<String, String>>) {
        match template::parse(text) {
            Err(msg) => self.push(Code::InvalidTemplate, path, msg),
            Ok(parts) => {
                for part in parts {
                    match part {
                        template::Part::Env(name) | template::Part::Secret(name) => {
                            if !self.ws.environments.is_empty() && !self.env_names.contains(&name) {
                                self.push(
                                    Code::UnknownVariable,
                                    path.clone(),
                                    format!("`{name}` is not a variable of any environment (defined: {})", list(&self.env_names)),
                                );
                            }
                        }
                        template::Part::Input(name) => match inputs {
                            Some(inputs) if !inputs.contains_key(&name) => self.push(
                                Code::UnknownInput,
                                path.clone(),
                                format!("`{{{name}}}` is not an input of this operation (inputs: {})", list(inputs.keys())),
                            ),
                            None => self.push(
                                Code::InvalidTemplate,
                                path.clone(),
                                format!("`{{{name}}}` cannot be used here: only `{{{{env.NAME}}}}` and `{{{{secret.NAME}}}}`"),
                            ),
                            _ => {}
                        },
                        template::Part::Text(_) => {}
                    }
                }
            }
        }
    }

    fn inputs(&mut self, inputs: &IndexMap<String, String>, path: JsonPath) {
        for (name, ty) in inputs {
            let p = path.keys(["inputs", name.as_str()]);
            if !is_graphql_name(name) {
                self.push(
                    Code::InvalidName,
                    p.clone(),
                    format!("`{name}` is not a valid input name"),
                );
            }
            match TypeRef::parse(ty) {
                Err(e) => self.push(Code::TypeMismatch, p, e),
                Ok(t) if !is_builtin_scalar(t.named()) => self.push(
                    Code::UnknownType,
                    p,
                    format!("input type `{}` must be built from the scalars ID, String, Int, Float, Boolean, JSON", t.named()),
                ),
                Ok(_) => {}
            }
        }
    }

    fn source(&mut self, name: &str, source: &Source, path: JsonPath) {
        if !is_source_name(name) {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("source name `{name}` may use only letters, digits, `_` and `-`"),
            );
        }
        // Headers that describe the inbound connection, not the request, never travel on.
        const NOT_FORWARDED: [&str; 10] = [
            "host",
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "content-length",
            "proxy-authorization",
        ];
        let forwarded = match source {
            Source::Rest(s) => &s.forward_headers,
            Source::Grpc(s) => &s.forward_headers,
            Source::Graphql(s) => &s.forward_headers,
        };
        for (i, header) in forwarded.iter().enumerate() {
            let lower = header.trim().to_ascii_lowercase();
            if NOT_FORWARDED.contains(&lower.as_str()) {
                self.push(
                    Code::Shape,
                    path.key("forwardHeaders").index(i),
                    format!("`{header}` describes the inbound connection and cannot be forwarded"),
                );
            }
        }
        match source {
            Source::Rest(s) => {
                if s.base_url.trim().is_empty() {
                    self.push(
                        Code::Shape,
                        path.key("baseUrl"),
                        "a REST source needs a `baseUrl`",
                    );
                }
                self.templates(&s.base_url, path.key("baseUrl"), None);
                for (h, val) in &s.headers {
                    self.templates(val, path.keys(["headers", h.as_str()]), None);
                }
                for (op_name, op) in &s.operations {
                    let p = path.keys(["operations", op_name.as_str()]);
                    self.inputs(&op.inputs, p.clone());
                    if !op.path.starts_with('/') {
                        self.push(
                            Code::InvalidTemplate,
                            p.key("path"),
                            format!("path `{}` must start with `/`", op.path),
                        );
                    }
                    self.templates(&op.path, p.key("path"), Some(&op.inputs));
                    for (q, t) in &op.query {
                        self.templates(t, p.keys(["query", q.as_str()]), Some(&op.inputs));
                    }
                    for (h, t) in &op.headers {
                        self.templates(t, p.keys(["headers", h.as_str()]), Some(&op.inputs));
                    }
                    if let Some(body) = &op.body {
                        self.body_templates(body, p.key("body"), &op.inputs);
                    }
                }
            }
            Source::Grpc(s) => {
                if s.endpoint.trim().is_empty() {
                    self.push(
                        Code::Shape,
                        path.key("endpoint"),
                        "a gRPC source needs an `endpoint`",
                    );
                }
                self.templates(&s.endpoint, path.key("endpoint"), None);
                if s.proto_files.is_empty() && !s.reflection {
                    self.push(
                        Code::Proto,
                        path.clone(),
                        "a gRPC source needs `protoFiles` or `\"reflection\": true` to know its messages",
                    );
                }
                for (op_name, op) in &s.operations {
                    let p = path.keys(["operations", op_name.as_str()]);
                    self.inputs(&op.inputs, p.clone());
                    let ok = op.method.split_once('/').is_some_and(|(svc, m)| {
                        !svc.is_empty() && svc.split('.').all(is_graphql_name) && is_graphql_name(m)
                    });
                    if !ok {
                        self.push(
                            Code::Proto,
                            p.key("method"),
                            format!(
                                "`{}` is not a gRPC method; write `package.Service/Method`",
                                op.method
                            ),
                        );
                    }
                }
            }
            Source::Graphql(s) => {
                if s.url.trim().is_empty() {
                    self.push(
                        Code::Shape,
                        path.key("url"),
                        "a GraphQL source needs a `url`",
                    );
                }
                self.templates(&s.url, path.key("url"), None);
                for (op_name, op) in &s.operations {
                    let p = path.keys(["operations", op_name.as_str()]);
                    self.inputs(&op.inputs, p.clone());
                    if !is_graphql_name(&op.field) {
                        self.push(
                            Code::InvalidName,
                            p.key("field"),
                            format!("`{}` is not a GraphQL field name", op.field),
                        );
                    }
                }
            }
        }
        if let Some(0) = source.limits().max_concurrency {
            self.push(
                Code::Shape,
                path.key("maxConcurrency"),
                "`maxConcurrency` must be at least 1",
            );
        }
        if let Some(0) = source.limits().timeout_ms {
            self.push(
                Code::Shape,
                path.key("timeoutMs"),
                "`timeoutMs` must be at least 1",
            );
        }
    }

    fn body_templates(
        &mut self,
        body: &serde_json::Value,
        path: JsonPath,
        inputs: &IndexMap<String, String>,
    ) {
        match body {
            serde_json::Value::String(s) => self.templates(s, path, Some(inputs)),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.body_templates(item, path.index(i), inputs);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    self.body_templates(item, path.key(k.as_str()), inputs);
                }
            }
            _ => {}
        }
    }

    fn schema(&mut self, path: JsonPath) {
        let types = &self.ws.schema.types;
        // A workspace of Federation subgraphs gets its Query type from the supergraph.
        if !types.contains_key(QUERY_TYPE) && !self.ws.has_subgraphs() {
            self.push(
                Code::UnknownType,
                path.key("types"),
                "the unified schema needs a `Query` type",
            );
        }
        for (enum_name, def) in &self.ws.schema.enums {
            self.enum_type(enum_name, def, path.keys(["enums", enum_name.as_str()]));
        }
        for (input_name, def) in &self.ws.schema.inputs {
            self.input_object(input_name, def, path.keys(["inputs", input_name.as_str()]));
        }
        for (name, def) in &self.ws.schema.scalars {
            let sp = path.keys(["scalars", name.as_str()]);
            self.type_name(name, "scalar", sp);
            let _ = def;
        }
        for (name, def) in &self.ws.schema.interfaces {
            self.interface(name, def, path.keys(["interfaces", name.as_str()]));
        }
        for (name, def) in &self.ws.schema.unions {
            self.union(name, def, path.keys(["unions", name.as_str()]));
        }
        for (type_name, obj) in types {
            let tp = path.keys(["types", type_name.as_str()]);
            self.implements(type_name, obj, &tp);
            if !is_graphql_name(type_name) || type_name.starts_with("__") {
                self.push(
                    Code::InvalidName,
                    tp.clone(),
                    format!("`{type_name}` is not a valid type name"),
                );
            } else if is_builtin_scalar(type_name) {
                self.push(
                    Code::InvalidName,
                    tp.clone(),
                    format!("`{type_name}` is a built-in scalar and cannot be redefined"),
                );
            }
            if !obj.fields.values().any(|f| !f.private) {
                self.push(
                    Code::Shape,
                    tp.key("fields"),
                    format!("type `{type_name}` needs at least one public field"),
                );
            }
            for (field_name, field) in &obj.fields {
                self.field(
                    type_name,
                    field_name,
                    field,
                    tp.keys(["fields", field_name.as_str()]),
                );
            }
            self.cycles(type_name, obj, &tp);
        }
    }

    fn enum_type(&mut self, name: &str, def: &crate::EnumType, path: JsonPath) {
        if !is_graphql_name(name) || name.starts_with("__") {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{name}` is not a valid enum name"),
            );
        } else if is_builtin_scalar(name) {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{name}` is a built-in scalar and cannot be redefined"),
            );
        } else if self.ws.schema.types.contains_key(name) {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{name}` is both an object type and an enum: rename one"),
            );
        }
        if def.values.is_empty() {
            self.push(
                Code::Shape,
                path.key("values"),
                format!("enum `{name}` needs at least one value"),
            );
        }
        let mut spellings: IndexMap<&str, &str> = IndexMap::new();
        for (value, value_def) in &def.values {
            let vp = path.keys(["values", value.as_str()]);
            if !is_graphql_name(value) || matches!(value.as_str(), "true" | "false" | "null") {
                self.push(
                    Code::InvalidName,
                    vp.clone(),
                    format!("`{value}` is not a valid enum value (a GraphQL name other than true, false, null)"),
                );
            }
            let spelling = value_def.from.as_deref().unwrap_or(value);
            if let Some(other) = spellings.insert(spelling, value) {
                self.push(
                    Code::Shape,
                    if value_def.from.is_some() {
                        vp.key("from")
                    } else {
                        vp
                    },
                    format!(
                        "`{value}` and `{other}` both stand for the downstream value `{spelling}`"
                    ),
                );
            }
        }
    }

    /// A field name: a GraphQL name not starting with `__`.
    fn field_name(&mut self, field_name: &str, path: &JsonPath) {
        if !is_graphql_name(field_name) || field_name.starts_with("__") {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{field_name}` is not a valid field name"),
            );
        }
    }

    /// Whether `name` may be the type of an argument or input field.
    fn is_input_type(&self, name: &str) -> bool {
        is_builtin_scalar(name)
            || self.ws.schema.enums.contains_key(name)
            || self.ws.schema.inputs.contains_key(name)
            || self.ws.schema.scalars.contains_key(name)
    }

    /// Whether `name` may be the type of a field: an object type, an interface, a union, an
    /// enum or a scalar.
    fn is_output_type(&self, name: &str) -> bool {
        let s = &self.ws.schema;
        is_builtin_scalar(name)
            || s.is_composite(name)
            || s.enums.contains_key(name)
            || s.scalars.contains_key(name)
    }

    /// Every named output type, for "declared types" lists.
    fn output_type_names(&self) -> String {
        let s = &self.ws.schema;
        list(
            s.types
                .keys()
                .chain(s.interfaces.keys())
                .chain(s.unions.keys())
                .chain(s.enums.keys())
                .chain(s.scalars.keys()),
        )
    }

    /// A valid, unique name for an interface, union or custom scalar.
    fn type_name(&mut self, name: &str, what: &str, path: JsonPath) {
        let s = &self.ws.schema;
        if !is_graphql_name(name) || name.starts_with("__") {
            self.push(
                Code::InvalidName,
                path,
                format!("`{name}` is not a valid {what} name"),
            );
            return;
        }
        if is_builtin_scalar(name) {
            self.push(
                Code::InvalidName,
                path,
                format!("`{name}` is a built-in scalar and cannot be redefined"),
            );
            return;
        }
        let uses = [
            s.types.contains_key(name),
            s.enums.contains_key(name),
            s.inputs.contains_key(name),
            s.interfaces.contains_key(name),
            s.unions.contains_key(name),
            s.scalars.contains_key(name),
        ];
        if uses.iter().filter(|u| **u).count() > 1 {
            self.push(
                Code::InvalidName,
                path,
                format!("`{name}` is already the name of another type: rename one"),
            );
        }
    }

    fn interface(&mut self, name: &str, def: &crate::InterfaceType, path: JsonPath) {
        self.type_name(name, "interface", path.clone());
        if def.fields.is_empty() {
            self.push(
                Code::Shape,
                path.key("fields"),
                format!("interface `{name}` needs at least one field"),
            );
        }
        for (field_name, field) in &def.fields {
            let fp = path.keys(["fields", field_name.as_str()]);
            self.field_name(field_name, &fp);
            match TypeRef::parse(&field.ty) {
                Err(e) => self.push(Code::TypeMismatch, fp.key("type"), e),
                Ok(t) if !self.is_output_type(t.named()) => self.push(
                    Code::UnknownType,
                    fp.key("type"),
                    format!(
                        "unknown type `{}` (declared types: {})",
                        t.named(),
                        self.output_type_names()
                    ),
                ),
                Ok(_) => {}
            }
            for (arg_name, arg) in &field.arguments {
                self.argument_type(arg_name, arg, fp.keys(["arguments", arg_name.as_str()]));
            }
        }
        if self.ws.schema.possible_types(name).is_empty() {
            self.push(
                Code::Shape,
                path.clone(),
                format!(
                    "no object type implements interface `{name}`: add it to a type's `implements`"
                ),
            );
        }
        if let Some(d) = &def.discriminator {
            self.discriminator(name, d, path.key("discriminator"));
        }
    }

    fn union(&mut self, name: &str, def: &crate::UnionType, path: JsonPath) {
        self.type_name(name, "union", path.clone());
        if def.types.is_empty() {
            self.push(
                Code::Shape,
                path.key("types"),
                format!("union `{name}` needs at least one member type"),
            );
        }
        for (i, member) in def.types.iter().enumerate() {
            if !self.ws.schema.types.contains_key(member) {
                self.push(
                    Code::UnknownType,
                    path.key("types").index(i),
                    format!(
                        "union members are object types; `{member}` is not one (object types: {})",
                        list(self.ws.schema.types.keys())
                    ),
                );
            } else if def.types[..i].contains(member) {
                self.push(
                    Code::Shape,
                    path.key("types").index(i),
                    format!("`{member}` is listed twice in union `{name}`"),
                );
            }
        }
        if let Some(d) = &def.discriminator {
            self.discriminator(name, d, path.key("discriminator"));
        }
    }

    fn discriminator(&mut self, name: &str, d: &crate::Discriminator, path: JsonPath) {
        if d.field.trim().is_empty() || d.field.split('.').any(str::is_empty) {
            self.push(
                Code::Shape,
                path.key("field"),
                "the discriminator needs the dot path of a field of the downstream objects",
            );
        }
        let possible = self.ws.schema.possible_types(name);
        for type_name in d.values.keys() {
            if !possible.contains(&type_name.as_str()) {
                self.push(
                    Code::UnknownType,
                    path.keys(["values", type_name.as_str()]),
                    format!(
                        "`{type_name}` is not a possible type of `{name}` (possible types: {})",
                        list(&possible)
                    ),
                );
            }
        }
        let mut seen: IndexMap<&str, &str> = IndexMap::new();
        for t in &possible {
            let value = d.value_for(t);
            if let Some(other) = seen.insert(value, t) {
                self.push(
                    Code::Shape,
                    path.keys(["values", *t]),
                    format!("`{t}` and `{other}` both have the discriminator value `{value}`"),
                );
            }
        }
    }

    /// An object type's `implements`: each an interface whose every field it has, with a
    /// type at least as specific.
    fn implements(&mut self, type_name: &str, obj: &ObjectType, tp: &JsonPath) {
        for (i, iface_name) in obj.implements.iter().enumerate() {
            let ip = tp.key("implements").index(i);
            let Some(iface) = self.ws.schema.interfaces.get(iface_name) else {
                self.push(
                    Code::UnknownType,
                    ip,
                    format!(
                        "`{iface_name}` is not an interface (interfaces: {})",
                        list(self.ws.schema.interfaces.keys())
                    ),
                );
                continue;
            };
            for (field_name, ifield) in &iface.fields {
                let Some(field) = obj.fields.get(field_name).filter(|f| !f.private) else {
                    self.push(
                        Code::UnknownField,
                        ip.clone(),
                        format!("`{type_name}` implements `{iface_name}` but has no public field `{field_name}`"),
                    );
                    continue;
                };
                let (Ok(want), Ok(have)) = (TypeRef::parse(&ifield.ty), TypeRef::parse(&field.ty))
                else {
                    continue;
                };
                if !self.covariant(&have, &want) {
                    self.push(
                        Code::TypeMismatch,
                        tp.keys(["fields", field_name.as_str(), "type"]),
                        format!("`{type_name}.{field_name}` is `{have}`, but interface `{iface_name}` declares it `{want}`"),
                    );
                }
            }
        }
    }

    /// Whether a field of type `have` may implement an interface field of type `want`.
    fn covariant(&self, have: &TypeRef, want: &TypeRef) -> bool {
        match (have, want) {
            (TypeRef::NonNull(h), TypeRef::NonNull(w)) => self.covariant(h, w),
            (TypeRef::NonNull(h), w) => self.covariant(h, w),
            (TypeRef::List(h), TypeRef::List(w)) => self.covariant(h, w),
            (TypeRef::Named(h), TypeRef::Named(w)) => h == w || self.ws.schema.applies(w, h),
            _ => false,
        }
    }

    fn argument_type(&mut self, arg_name: &str, arg: &crate::ArgumentDef, ap: JsonPath) {
        if !is_graphql_name(arg_name) {
            self.push(
                Code::InvalidName,
                ap.clone(),
                format!("`{arg_name}` is not a valid argument name"),
            );
        }
        match TypeRef::parse(&arg.ty) {
            Err(e) => self.push(Code::TypeMismatch, ap.key("type"), e),
            Ok(t) if !self.is_input_type(t.named()) => self.push(
                Code::UnknownType,
                ap.key("type"),
                format!(
                    "argument type `{}` must be built from scalars, enums and input types",
                    t.named()
                ),
            ),
            Ok(_) => {}
        }
    }

    fn input_object(&mut self, name: &str, def: &crate::InputObjectType, path: JsonPath) {
        if !is_graphql_name(name) || name.starts_with("__") {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{name}` is not a valid input type name"),
            );
        } else if is_builtin_scalar(name)
            || self.ws.schema.types.contains_key(name)
            || self.ws.schema.enums.contains_key(name)
        {
            self.push(
                Code::InvalidName,
                path.clone(),
                format!("`{name}` is already the name of another type: rename one"),
            );
        }
        if def.fields.is_empty() {
            self.push(
                Code::Shape,
                path.key("fields"),
                format!("input type `{name}` needs at least one field"),
            );
        }
        for (field_name, field) in &def.fields {
            let fp = path.keys(["fields", field_name.as_str()]);
            self.field_name(field_name, &fp);
            match TypeRef::parse(&field.ty) {
                Err(e) => self.push(Code::TypeMismatch, fp.key("type"), e),
                Ok(t) if !self.is_input_type(t.named()) => self.push(
                    Code::UnknownType,
                    fp.key("type"),
                    format!(
                        "input field type `{}` must be built from scalars, enums and input types",
                        t.named()
                    ),
                ),
                Ok(_) => {}
            }
        }
    }

    /// An enum type as the text its values travel as downstream, and an input object as the
    /// JSON value it is sent as (for input compatibility).
    fn enum_as_text(&self, ty: TypeRef) -> TypeRef {
        match ty {
            TypeRef::Named(n) if self.ws.schema.enums.contains_key(&n) => {
                TypeRef::Named("String".into())
            }
            TypeRef::Named(n)
                if n == crate::DATE_TIME && self.ws.schema.scalars.contains_key(&n) =>
            {
                TypeRef::Named("String".into())
            }
            TypeRef::Named(n)
                if self.ws.schema.inputs.contains_key(&n)
                    || self.ws.schema.scalars.contains_key(&n) =>
            {
                TypeRef::Named("JSON".into())
            }
            TypeRef::NonNull(inner) => TypeRef::NonNull(Box::new(self.enum_as_text(*inner))),
            TypeRef::List(inner) => TypeRef::List(Box::new(self.enum_as_text(*inner))),
            other => other,
        }
    }

    fn field(&mut self, type_name: &str, field_name: &str, field: &FieldDef, path: JsonPath) {
        self.field_name(field_name, &path);
        let ty = match TypeRef::parse(&field.ty) {
            Ok(t) => t,
            Err(e) => {
                self.push(Code::TypeMismatch, path.key("type"), e);
                return;
            }
        };
        if self.ws.schema.inputs.contains_key(ty.named()) {
            self.push(
                Code::TypeMismatch,
                path.key("type"),
                format!(
                    "`{}` is an input type: a field returns an object type, an enum or a scalar",
                    ty.named()
                ),
            );
        } else if !self.is_output_type(ty.named()) {
            self.push(
                Code::UnknownType,
                path.key("type"),
                format!(
                    "unknown type `{}` (declared types: {})",
                    ty.named(),
                    self.output_type_names()
                ),
            );
        }
        for (arg_name, arg) in &field.arguments {
            self.argument_type(arg_name, arg, path.keys(["arguments", arg_name.as_str()]));
        }
        if let Some(aggregate) = &field.aggregate {
            self.aggregate(type_name, field_name, field, &ty, aggregate, &path);
            return;
        }
        match &field.binding {
            None => {
                if type_name == QUERY_TYPE || type_name == MUTATION_TYPE {
                    self.push(
                        Code::Shape,
                        path.clone(),
                        format!("`{type_name}.{field_name}` has no parent data: bind it to an operation"),
                    );
                }
            }
            Some(binding) => {
                if field.from.is_some() {
                    self.push(
                        Code::Shape,
                        path.key("from"),
                        "a bound field takes its value from its binding; remove `from`",
                    );
                }
                self.binding(
                    type_name,
                    field_name,
                    field,
                    &ty,
                    binding,
                    path.key("binding"),
                );
            }
        }
    }

    /// The type at `rest` (a dot path of input-object fields) inside a value of type `ty`;
    /// reports a path that names no field.
    fn input_path_type(
        &mut self,
        ty: &str,
        rest: &str,
        whole: &str,
        path: JsonPath,
    ) -> Option<TypeRef> {
        let mut current = TypeRef::parse(ty).ok()?;
        for segment in rest.split('.') {
            let named = current.named().to_string();
            let Some(input) = self.ws.schema.inputs.get(&named) else {
                self.push(
                    Code::UnknownField,
                    path,
                    format!("`{whole}`: `{named}` is not an input type with fields"),
                );
                return None;
            };
            let Some(def) = input.fields.get(segment) else {
                self.push(
                    Code::UnknownField,
                    path,
                    format!(
                        "`{whole}`: input type `{named}` has no field `{segment}` (fields: {})",
                        list(input.fields.keys())
                    ),
                );
                return None;
            };
            current = TypeRef::parse(&def.ty).ok()?;
        }
        Some(current)
    }

    /// An aggregated write: a `Mutation` field, its targets each checked like a binding, its
    /// type `Boolean` or an object type reading the outcome.
    fn aggregate(
        &mut self,
        type_name: &str,
        field_name: &str,
        field: &FieldDef,
        ty: &TypeRef,
        aggregate: &crate::Aggregate,
        path: &JsonPath,
    ) {
        let ap = path.key("aggregate");
        if type_name != MUTATION_TYPE {
            self.push(
                Code::Shape,
                ap.clone(),
                format!("`{type_name}.{field_name}`: an aggregated write is a field of `Mutation`"),
            );
        }
        if field.binding.is_some() {
            self.push(
                Code::Shape,
                path.key("binding"),
                "a field is either bound to one operation or aggregates several: remove `binding` or `aggregate`",
            );
        }
        if aggregate.targets.is_empty() {
            self.push(
                Code::Shape,
                ap.key("targets"),
                "an aggregated write needs at least one target",
            );
        }
        for (label, target) in &aggregate.targets {
            let tp = ap.keys(["targets", label.as_str()]);
            if label.trim().is_empty() || label.chars().count() > 64 {
                self.push(
                    Code::InvalidName,
                    tp.clone(),
                    "a target's label is its public name: 1 to 64 characters, not blank",
                );
            }
            if target.timeout_ms == Some(0) {
                self.push(
                    Code::Shape,
                    tp.key("timeoutMs"),
                    "`timeoutMs` must be at least 1",
                );
            }
            let binding = target.as_binding();
            self.binding(type_name, field_name, field, ty, &binding, tp);
        }
        let named = ty.named();
        if ty.is_list() {
            self.push(
                Code::TypeMismatch,
                path.key("type"),
                "an aggregated write returns `Boolean` or one outcome object, not a list",
            );
        } else if named == "Boolean" {
        } else if let Some(obj) = self.ws.schema.types.get(named) {
            for (name, f) in &obj.fields {
                let raw = f.from.as_deref().unwrap_or(name);
                let first = raw.split('.').next().unwrap_or_default();
                if f.binding.is_none() && !matches!(first, "ok" | "status" | "targets") {
                    self.push(
                        Code::UnknownField,
                        path.key("type"),
                        format!("`{named}.{name}` reads `{raw}`, but an aggregated write's outcome has only `ok`, `status` and `targets`"),
                    );
                }
            }
        } else {
            self.push(
                Code::TypeMismatch,
                path.key("type"),
                format!("an aggregated write returns `Boolean` or an object type reading its outcome (`ok`, `status`, `targets`), not `{named}`"),
            );
        }
    }

    fn parent_field_type(
        &mut self,
        type_name: &str,
        name: &str,
        path: JsonPath,
    ) -> Option<TypeRef> {
        if type_name == QUERY_TYPE || type_name == MUTATION_TYPE {
            self.push(
                Code::UnknownField,
                path,
                format!(
                    "fields of `{type_name}` have no parent object, so `{name}` cannot come from one"
                ),
            );
            return None;
        }
        let obj = self.ws.schema.types.get(type_name)?;
        match obj.fields.get(name) {
            None => {
                self.push(
                    Code::UnknownField,
                    path,
                    format!("`{type_name}` has no field `{name}` (fields: {}); declare it, private if it should stay hidden", list(obj.fields.keys())),
                );
                None
            }
            Some(f) => TypeRef::parse(&f.ty).ok(),
        }
    }

    fn binding(
        &mut self,
        type_name: &str,
        field_name: &str,
        field: &FieldDef,
        field_ty: &TypeRef,
        b: &Binding,
        path: JsonPath,
    ) {
        let Some(source) = self.ws.sources.get(&b.source) else {
            self.push(
                Code::UnknownSource,
                path.key("source"),
                format!(
                    "unknown source `{}` (sources: {})",
                    b.source,
                    list(self.ws.sources.keys())
                ),
            );
            return;
        };
        if !source.has_operation(&b.operation) {
            self.push(
                Code::UnknownOperation,
                path.key("operation"),
                format!(
                    "source `{}` has no operation `{}` (operations: {})",
                    b.source,
                    b.operation,
                    list(source.operation_names())
                ),
            );
            return;
        }
        let inputs = source
            .operation_inputs(&b.operation)
            .cloned()
            .unwrap_or_default();
        // gRPC operations may leave their inputs to the proto; then names are checked later.
        let declared = !inputs.is_empty() || !matches!(source, Source::Grpc(_));
        let input_type = |name: &str| inputs.get(name).and_then(|t| TypeRef::parse(t).ok());
        let mut provided: BTreeSet<&str> = BTreeSet::new();

        if let Some(key) = &b.key {
            provided.insert(key.input.as_str());
            let kp = path.key("key");
            if declared && !inputs.contains_key(&key.input) {
                self.push(
                    Code::UnknownInput,
                    kp.key("input"),
                    format!(
                        "operation `{}` has no input `{}` (inputs: {})",
                        b.operation,
                        key.input,
                        list(inputs.keys())
                    ),
                );
            }
            if let Some(key_ty) = self.parent_field_type(type_name, &key.parent, kp.key("parent")) {
                if key_ty.is_list() && !field_ty.is_list() {
                    self.push(
                        Code::TypeMismatch,
                        kp.key("parent"),
                        format!("key `{}` is a list ({key_ty}), so `{type_name}.{field_name}` must be a list type, not `{field_ty}`", key.parent),
                    );
                }
                let key_item = key_ty
                    .list_item()
                    .cloned()
                    .unwrap_or_else(|| key_ty.nullable().clone());
                if let Some(in_ty) = input_type(&key.input) {
                    if b.batch.is_some() {
                        match in_ty.list_item() {
                            None => self.push(Code::TypeMismatch, kp.key("input"), format!("a batch binding sends a list of keys, but input `{}` is `{in_ty}`", key.input)),
                            Some(item) if !compatible(&key_item, item) => self.push(
                                Code::TypeMismatch,
                                kp.clone(),
                                format!("key `{}` ({key_item}) does not fit input `{}` ({in_ty})", key.parent, key.input),
                            ),
                            _ => {}
                        }
                    } else if in_ty.is_list() {
                        self.push(Code::TypeMismatch, kp.key("input"), format!("input `{}` takes a list (`{in_ty}`); add `batch` to send all keys in one call", key.input));
                    } else if !compatible(&key_item, &in_ty) {
                        self.push(
                            Code::TypeMismatch,
                            kp.clone(),
                            format!(
                                "key `{}` ({key_item}) does not fit input `{}` ({in_ty})",
                                key.parent, key.input
                            ),
                        );
                    }
                }
            }
        }
        if let Some(batch) = &b.batch {
            let bp = path.key("batch");
            if b.key.is_none() {
                self.push(
                    Code::Shape,
                    bp.clone(),
                    "a batch binding needs a `key`: the parent field whose values are batched",
                );
            }
            if let MatchBy::Field(mf) = &batch.match_by {
                let first = mf.split('.').next().unwrap_or_default();
                match self.ws.schema.types.get(field_ty.named()) {
                    None => self.push(
                        Code::TypeMismatch,
                        bp.key("match"),
                        format!("results are matched by field `{mf}`, but `{field_ty}` is not an object type"),
                    ),
                    Some(obj) if !obj.fields.contains_key(first) => self.push(
                        Code::UnknownField,
                        bp.key("match"),
                        format!("`{}` has no field `{first}` to match results by (fields: {})", field_ty.named(), list(obj.fields.keys())),
                    ),
                    _ => {}
                }
            }
            if batch.max_batch_size == Some(0) {
                self.push(
                    Code::Shape,
                    bp.key("maxBatchSize"),
                    "`maxBatchSize` must be at least 1",
                );
            }
        }
        for (input, value) in &b.args {
            provided.insert(input.as_str());
            let ap = path.keys(["args", input.as_str()]);
            if declared && !inputs.contains_key(input) {
                self.push(
                    Code::UnknownInput,
                    ap.clone(),
                    format!(
                        "operation `{}` has no input `{input}` (inputs: {})",
                        b.operation,
                        list(inputs.keys())
                    ),
                );
            }
            let from_ty = match value {
                ArgValue::Parent(p) => self.parent_field_type(type_name, p, ap.key("parent")),
                ArgValue::Argument(a) => {
                    let (name, rest) = a.split_once('.').unwrap_or((a.as_str(), ""));
                    match field.arguments.get(name) {
                        None => {
                            self.push(
                            Code::UnknownArgument,
                            ap.key("argument"),
                            format!("`{type_name}.{field_name}` has no argument `{name}` (arguments: {})", list(field.arguments.keys())),
                        );
                            None
                        }
                        Some(def) if rest.is_empty() => TypeRef::parse(&def.ty).ok(),
                        Some(def) => self.input_path_type(&def.ty, rest, a, ap.key("argument")),
                    }
                }
                ArgValue::Env(name) => {
                    if !self.ws.environments.is_empty() && !self.env_names.contains(name) {
                        self.push(
                            Code::UnknownVariable,
                            ap.key("env"),
                            format!(
                                "`{name}` is not a variable of any environment (defined: {})",
                                list(&self.env_names)
                            ),
                        );
                    }
                    None
                }
                ArgValue::Value(_) => None,
            };
            if let (Some(from), Some(to)) = (from_ty, input_type(input)) {
                let from = self.enum_as_text(from);
                if !compatible(&from, &to) {
                    self.push(
                        Code::TypeMismatch,
                        ap,
                        format!("a `{from}` value does not fit input `{input}` of type `{to}`"),
                    );
                }
            }
        }
        if declared {
            for (input, ty) in &inputs {
                let required = TypeRef::parse(ty).map(|t| t.is_non_null()).unwrap_or(false);
                if required && !provided.contains(input.as_str()) {
                    self.push(
                        Code::MissingInput,
                        path.clone(),
                        format!("required input `{input}` of operation `{}` gets no value: add it to `args` or `key`", b.operation),
                    );
                }
            }
        }
    }

    /// Bound fields whose key or arguments read a bound sibling must not form a cycle.
    fn cycles(&mut self, type_name: &str, obj: &ObjectType, tp: &JsonPath) {
        let deps = |f: &FieldDef| -> Vec<String> {
            let mut out = Vec::new();
            if let Some(b) = &f.binding {
                if let Some(k) = &b.key {
                    out.push(k.parent.clone());
                }
                for v in b.args.values() {
                    if let ArgValue::Parent(p) = v {
                        out.push(p.clone());
                    }
                }
            }
            out.retain(|d| obj.fields.get(d).is_some_and(|f| f.binding.is_some()));
            out
        };
        let names: Vec<&String> = obj.fields.keys().collect();
        // 0 = unvisited, 1 = on stack, 2 = done
        let mut state: IndexMap<&str, u8> = names.iter().map(|n| (n.as_str(), 0u8)).collect();
        let mut reported: BTreeSet<Vec<String>> = BTreeSet::new();
        for start in &names {
            let mut stack: Vec<(String, Vec<String>, usize)> = Vec::new();
            if state.get(start.as_str()) != Some(&0) {
                continue;
            }
            let first_deps = obj.fields.get(*start).map(deps).unwrap_or_default();
            stack.push(((*start).clone(), first_deps, 0));
            state.insert(start.as_str(), 1);
            while let Some((node, node_deps, i)) = stack.last_mut() {
                if *i >= node_deps.len() {
                    let n = node.clone();
                    stack.pop();
                    if let Some(s) = state.get_mut(n.as_str()) {
                        *s = 2;
                    }
                    continue;
                }
                let next = node_deps[*i].clone();
                *i += 1;
                match state.get(next.as_str()).copied() {
                    Some(1) => {
                        let pos = stack.iter().position(|(n, _, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[pos..].iter().map(|(n, _, _)| n.clone()).collect();
                        let mut canon = cycle.clone();
                        canon.sort();
                        if reported.insert(canon) {
                            cycle.push(next.clone());
                            let named: Vec<String> =
                                cycle.iter().map(|n| format!("{type_name}.{n}")).collect();
                            self.push(
                                Code::BindingCycle,
                                tp.keys(["fields", next.as_str(), "binding"]),
                                format!("binding cycle: {}", named.join(" -> ")),
                            );
                        }
                    }
                    Some(0) => {
                        let d = obj.fields.get(&next).map(deps).unwrap_or_default();
                        if let Some(key) = state.get_key_value(next.as_str()).map(|(k, _)| *k) {
                            state.insert(key, 1);
                        }
                        stack.push((next, d, 0));
                    }
                    _ => {}
                }
            }
        }
    }

    fn saved_operation(&mut self, name: &str, op: &SavedOperation, path: JsonPath) {
        let doc = match crate::document::parse_query(&op.document) {
            Ok(doc) => doc,
            Err(e) => {
                self.push(
                    Code::InvalidDocument,
                    path.key("document"),
                    format!("operation `{name}` does not parse: {e}"),
                );
                return;
            }
        };
        let ops: Vec<(Option<String>, Vec<String>)> = doc
            .operations
            .iter()
            .map(|(n, o)| {
                let vars = o
                    .node
                    .variable_definitions
                    .iter()
                    .map(|v| v.node.name.node.to_string())
                    .collect();
                (n.map(|n| n.to_string()), vars)
            })
            .collect();
        let chosen = match &op.operation_name {
            Some(wanted) => ops
                .iter()
                .find(|(n, _)| n.as_deref() == Some(wanted.as_str())),
            None if ops.len() == 1 => ops.first(),
            None => {
                self.push(
                    Code::InvalidDocument,
                    path.clone(),
                    "the document holds several operations: set `operationName`",
                );
                None
            }
        };
        let Some((_, vars)) = chosen else {
            if let Some(wanted) = &op.operation_name {
                self.push(
                    Code::InvalidDocument,
                    path.key("operationName"),
                    format!("the document has no operation named `{wanted}`"),
                );
            }
            return;
        };
        if let Some(grpc) = &op.grpc {
            self.grpc_numbers(grpc, &path.keys(["grpc", "fields"]));
        }
        if let Some(rest) = &op.rest {
            let rp = path.keys(["rest", "path"]);
            if !rest.path.starts_with('/') {
                self.push(
                    Code::InvalidTemplate,
                    rp.clone(),
                    format!("endpoint path `{}` must start with `/`", rest.path),
                );
            }
            for seg in rest.path.split('/') {
                if let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if !vars.iter().any(|v| v == param) {
                        self.push(
                            Code::UnknownVariable,
                            rp.clone(),
                            format!("path parameter `{{{param}}}` is not a variable of the operation (variables: {})", list(vars)),
                        );
                    }
                }
            }
        }
    }

    /// Recorded gRPC field numbers: valid protobuf numbers, each given once per message.
    fn grpc_numbers(&mut self, grpc: &crate::GrpcMethod, path: &JsonPath) {
        let mut seen: std::collections::HashMap<(&str, u32), &str> =
            std::collections::HashMap::new();
        for (field, &number) in &grpc.fields {
            let at = path.key(field.as_str());
            let (message, _) = field.rsplit_once('.').unwrap_or(("", field));
            if !(message == "request" || message == "response" || message.starts_with("response."))
            {
                self.push(
                    Code::Shape,
                    at,
                    format!("`{field}` names no field: use `request.VARIABLE` or `response.KEY` (`response.KEY.KEY` inside a nested selection)"),
                );
                continue;
            }
            if number == 0 || number > 536_870_911 || (19_000..=19_999).contains(&number) {
                self.push(
                    Code::Proto,
                    at,
                    format!("{number} is not a usable protobuf field number (1 to 536870911, not 19000 to 19999)"),
                );
                continue;
            }
            if let Some(other) = seen.insert((message, number), field) {
                self.push(
                    Code::Proto,
                    at,
                    format!(
                        "number {number} is given to both `{other}` and `{field}` in one message"
                    ),
                );
            }
        }
    }

    fn environments(&mut self, root: &JsonPath) {
        if let Some(d) = &self.ws.default_environment {
            if !self.ws.environments.contains_key(d) {
                self.push(
                    Code::UnknownVariable,
                    root.key("defaultEnvironment"),
                    format!(
                        "no environment named `{d}` (environments: {})",
                        list(self.ws.environments.keys())
                    ),
                );
            }
        }
        for (env_name, env) in &self.ws.environments {
            for (var, value) in &env.variables {
                let p = root.keys(["environments", env_name.as_str(), "variables", var.as_str()]);
                if !is_graphql_name(var) {
                    self.push(
                        Code::InvalidName,
                        p.clone(),
                        format!("variable name `{var}` may use only letters, digits and `_`"),
                    );
                }
                if let EnvVariable::Detailed(d) = value {
                    if d.secret && d.value.is_some() {
                        self.push(Code::SecretInFile, p, format!("secret `{var}` has its value in the file; keep secrets in the local store or KNOT_SECRET_{var}"));
                    }
                }
            }
        }
    }
}

/// Whether a value of type `from` may be passed where `to` is expected (nullability is a
/// run-time check). IDs accept strings and integers; JSON accepts and gives anything.
pub fn compatible(from: &TypeRef, to: &TypeRef) -> bool {
    let (from, to) = (from.nullable(), to.nullable());
    match (from, to) {
        (TypeRef::List(a), TypeRef::List(b)) => compatible(a, b),
        (_, TypeRef::Named(t)) if t == "JSON" => true,
        (TypeRef::Named(f), _) if f == "JSON" => true,
        (TypeRef::Named(f), TypeRef::Named(t)) => {
            f == t
                || (t == "ID" && (f == "String" || f == "Int"))
                || (t == "String" && f == "ID")
                || (t == "Float" && f == "Int")
        }
        _ => false,
    }
}
