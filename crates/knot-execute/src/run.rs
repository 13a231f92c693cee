//! Running a plan: nodes start as soon as the nodes they depend on are done, calls of one
//! node go out concurrently (each source bounds its own concurrency), results are matched
//! back to keys and written into the raw data tree. Everything runs inside the caller's
//! future: dropping it cancels every call in flight.

use crate::trace::{NodeRun, Span};
use knot_connect::{CallResult, Category, Connectors};
use knot_model::MatchBy;
use knot_plan::{FetchMode, FetchNode, InputSource, Plan};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Instant;

/// The key of a failure stored in the raw tree where a value should be (projection turns it
/// into a GraphQL error at the exact response path): `$knotError-` and a number drawn at
/// random once per process. Downstream answers share the raw tree, so a fixed key would let
/// a downstream object such as `{"$knotError": 0}` pass for a failure of Knot's own.
fn marker_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(std::process::id().into());
        format!("$knotError-{:016x}", hasher.finish())
    })
}

#[derive(Clone, Debug)]
pub struct ExecError {
    pub category: Category,
    pub detail: String,
    pub node: usize,
    pub span: Option<usize>,
}

/// One step into the raw tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

pub struct RawRun {
    pub data: Value,
    pub errors: Vec<ExecError>,
    pub spans: Vec<Span>,
    pub nodes: Vec<NodeRun>,
}

fn marker(i: usize) -> Value {
    let mut m = Map::new();
    m.insert(marker_key().into(), Value::from(i));
    Value::Object(m)
}

/// The error index of `v` if it is a marker, or of the first marker in a list `v` holds.
fn first_marker(v: &Value) -> Option<usize> {
    match v {
        Value::Array(items) => items.iter().find_map(first_marker),
        other => marker_index(other),
    }
}

/// The error index behind a marker, if `v` is one.
pub fn marker_index(v: &Value) -> Option<usize> {
    match v {
        Value::Object(m) if m.len() == 1 => m
            .get(marker_key())
            .and_then(Value::as_u64)
            .map(|i| i as usize),
        _ => None,
    }
}

fn get_path<'v>(v: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(v, |cur, k| cur.as_object()?.get(k))
}

/// Every object reachable from the root along `locator`, lists flattened, in order; where
/// the path crosses an abstract-typed field, only the objects the node's filters admit.
fn parents(root: &Value, locator: &[String], only: &[knot_plan::TypeFilter]) -> Vec<Vec<Step>> {
    let mut current: Vec<Vec<Step>> = vec![Vec::new()];
    for (depth, key) in locator.iter().enumerate() {
        for filter in only.iter().filter(|f| f.at == depth && depth > 0) {
            current.retain(|p| resolve(root, p).is_some_and(|o| filter.admits(o)));
        }
        let mut next = Vec::new();
        for path in current {
            let Some(Value::Object(obj)) = resolve(root, &path) else {
                continue;
            };
            let Some(child) = obj.get(key) else { continue };
            let mut base = path.clone();
            base.push(Step::Key(key.clone()));
            flatten(child, base, &mut next);
        }
        current = next;
    }
    for filter in only.iter().filter(|f| f.at == locator.len()) {
        current.retain(|p| resolve(root, p).is_some_and(|o| filter.admits(o)));
    }
    current.retain(
        |p| matches!(resolve(root, p), Some(Value::Object(o)) if !o.contains_key(marker_key())),
    );
    current
}

fn flatten(v: &Value, path: Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push(Step::Index(i));
                flatten(item, p, out);
            }
        }
        Value::Object(_) => out.push(path),
        _ => {}
    }
}

fn resolve<'v>(root: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(root, |cur, s| match s {
        Step::Key(k) => cur.as_object()?.get(k),
        Step::Index(i) => cur.as_array()?.get(*i),
    })
}

fn resolve_mut<'v>(root: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(root, |cur, s| match s {
        Step::Key(k) => cur.as_object_mut()?.get_mut(k),
        Step::Index(i) => cur.as_array_mut()?.get_mut(*i),
    })
}

/// A key's identity for deduplication and matching: IDs compare as text.
fn key_id(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// What one parent object receives once the node's calls are back.
enum Slot {
    Null,
    /// One value from call `call` (single mode) or key `key` (batch mode).
    One(usize),
    /// A list, one element per key.
    Many(Vec<Option<usize>>),
}

struct Prepared {
    parents: Vec<(Vec<Step>, Slot)>,
    /// Per call: the inputs and the keys it carries (indexes into `keys`).
    calls: Vec<(Map<String, Value>, Vec<usize>)>,
    keys: Vec<Value>,
}

/// Builds the calls of one node from the current data.
fn prepare(node: &FetchNode, data: &Value, vars: &knot_connect::Vars) -> Result<Prepared, String> {
    let parent_paths = parents(data, &node.parent_locator, &node.only);
    let mut calls: Vec<(Map<String, Value>, Vec<usize>)> = Vec::new();
    let mut call_ids: HashMap<String, usize> = HashMap::new();
    let mut keys: Vec<Value> = Vec::new();
    let mut key_ids: HashMap<(String, String), usize> = HashMap::new();
    let mut open_batch: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(parent_paths.len());
    for path in parent_paths {
        let parent = resolve(data, &path).unwrap_or(&Value::Null);
        let mut inputs = Map::new();
        for (name, src) in &node.inputs {
            let v = match src {
                InputSource::Value(v) => v.clone(),
                InputSource::Env(n) => match vars.get(n) {
                    Some(v) => Value::String(v.to_string()),
                    None => return Err(format!("environment variable `{n}` is not set")),
                },
                InputSource::Parent(p) => get_path(parent, p).cloned().unwrap_or(Value::Null),
            };
            inputs.insert(name.clone(), v);
        }
        let key_value = node
            .key
            .as_ref()
            .map(|k| get_path(parent, &k.parent).cloned().unwrap_or(Value::Null));
        let group = serde_json::to_string(&inputs).unwrap_or_default();
        let slot = match (&node.mode, key_value) {
            (_, Some(Value::Null)) => Slot::Null,
            (_, Some(v)) if marker_index(&v).is_some() => Slot::Null,
            (FetchMode::Single, None) => {
                let id = *call_ids.entry(group).or_insert_with(|| {
                    calls.push((inputs.clone(), Vec::new()));
                    calls.len() - 1
                });
                Slot::One(id)
            }
            (FetchMode::Batch, None) => return Err("a batch fetch needs a key".into()),
            (mode, Some(kv)) => {
                let key_input = node
                    .key
                    .as_ref()
                    .map(|k| k.input.clone())
                    .unwrap_or_default();
                let mut one = |k: &Value| -> Option<usize> {
                    if k.is_null() {
                        return None;
                    }
                    let kid = (group.clone(), key_id(k));
                    if let Some(i) = key_ids.get(&kid) {
                        return Some(*i);
                    }
                    keys.push(k.clone());
                    let ki = keys.len() - 1;
                    key_ids.insert(kid, ki);
                    match mode {
                        FetchMode::Single => {
                            let mut call_inputs = inputs.clone();
                            call_inputs.insert(key_input.clone(), k.clone());
                            calls.push((call_inputs, vec![ki]));
                        }
                        FetchMode::Batch => {
                            let limit = node.max_batch_size.unwrap_or(usize::MAX).max(1);
                            // The call of this group still taking keys, if any.
                            match open_batch.get(&group).copied() {
                                Some(c) if calls[c].1.len() < limit => calls[c].1.push(ki),
                                _ => {
                                    calls.push((inputs.clone(), vec![ki]));
                                    open_batch.insert(group.clone(), calls.len() - 1);
                                }
                            }
                        }
                    }
                    Some(ki)
                };
                match &kv {
                    Value::Array(items) => Slot::Many(items.iter().map(&mut one).collect()),
                    single => match one(single) {
                        Some(k) => Slot::One(k),
                        None => Slot::Null,
                    },
                }
            }
        };
        out.push((path, slot));
    }
    // Batch calls carry their key list in the key input.
    if node.mode == FetchMode::Batch {
        if let Some(k) = &node.key {
            for (inputs, ks) in &mut calls {
                inputs.insert(
                    k.input.clone(),
                    Value::Array(ks.iter().map(|i| keys[*i].clone()).collect()),
                );
            }
        }
    }
    Ok(Prepared {
        parents: out,
        calls,
        keys,
    })
}

/// Makes every call a prepared node needs, together (each source bounds its concurrency).
async fn call_all(
    node: &FetchNode,
    prepared: &Prepared,
    connectors: &Connectors,
    inbound_headers: &[(String, String)],
    idempotency_key: &str,
) -> Vec<CallResult> {
    let own = [("idempotency-key".to_string(), idempotency_key.to_string())];
    let options = knot_connect::CallOptions {
        timeout: node.timeout_ms.map(std::time::Duration::from_millis),
        headers: if node.idempotency_key { &own } else { &[] },
        ..Default::default()
    };
    futures::future::join_all(prepared.calls.iter().map(|(inputs, _)| {
        connectors.call_with(
            &node.source,
            &node.operation,
            inputs,
            node.selection.as_deref(),
            inbound_headers,
            options,
        )
    }))
    .await
}

/// The idempotency key of a request: the client's `Idempotency-Key`, else a fresh UUID.
/// Only computed for plans that send one.
fn idempotency_key(plan: &Plan, inbound_headers: &[(String, String)]) -> String {
    if !plan.graph.node_weights().any(|n| n.idempotency_key) {
        return String::new();
    }
    inbound_headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("idempotency-key") && !v.trim().is_empty())
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Runs every node of the plan with the one DAG driver; returns the raw data tree and what
/// happened.
pub async fn run_plan(
    plan: &Plan,
    connectors: &Connectors,
    inbound_headers: &[(String, String)],
    started: Instant,
    observer: Option<&crate::Observer>,
) -> RawRun {
    let mut run = PlanRun {
        plan,
        connectors,
        inbound_headers,
        idempotency_key: idempotency_key(plan, inbound_headers),
        started,
        raw: RawRun {
            data: Value::Object(Map::new()),
            errors: Vec::new(),
            spans: Vec::new(),
            nodes: Vec::new(),
        },
    };
    crate::drive::drive(&plan.graph, &mut run, observer).await;
    run.raw
}

/// A plan of bound nodes being driven.
struct PlanRun<'f> {
    plan: &'f Plan,
    connectors: &'f Connectors,
    inbound_headers: &'f [(String, String)],
    idempotency_key: String,
    started: Instant,
    raw: RawRun,
}

/// A bound node's calls, done: when it started, what was prepared, the answers.
type NodeDone = (Instant, Result<Prepared, String>, Vec<CallResult>);

impl<'f> crate::drive::Driven for PlanRun<'f> {
    type Done = NodeDone;
    type Call = futures::future::BoxFuture<'f, (usize, NodeDone)>;

    fn start(&mut self, id: usize) -> Option<Self::Call> {
        let node = self.plan.node(id);
        let node_start = Instant::now();
        let prepared = prepare(node, &self.raw.data, self.connectors.vars());
        let (connectors, headers) = (self.connectors, self.inbound_headers);
        let key = self.idempotency_key.clone();
        Some(Box::pin(async move {
            match prepared {
                Err(e) => (id, (node_start, Err(e), Vec::new())),
                Ok(p) => {
                    let results = call_all(node, &p, connectors, headers, &key).await;
                    (id, (node_start, Ok(p), results))
                }
            }
        }))
    }

    fn finish(&mut self, id: usize, (node_start, prepared, results): NodeDone) -> usize {
        let started = self.started;
        let ms = |t: Instant| t.saturating_duration_since(started).as_secs_f64() * 1000.0;
        let node = self.plan.node(id);
        let run = &mut self.raw;
        match prepared {
            Err(detail) => {
                // No call could be built (a missing environment variable): the error
                // stands where each parent's value would be, so it surfaces at its path.
                run.errors.push(ExecError {
                    category: Category::Dependency,
                    detail,
                    node: id,
                    span: None,
                });
                let error = marker(run.errors.len() - 1);
                let at = parents(&run.data, &node.parent_locator, &node.only);
                for path in &at {
                    if let Some(Value::Object(obj)) = resolve_mut(&mut run.data, path) {
                        obj.insert(node.storage_key.clone(), error.clone());
                    }
                }
                run.nodes.push(NodeRun {
                    node: id,
                    start_ms: ms(node_start),
                    end_ms: ms(Instant::now()),
                    parents: at.len(),
                    keys: 0,
                    calls: 0,
                    failed_calls: 0,
                });
            }
            Ok(p) => apply(node, p, results, run, node_start, &ms),
        }
        run.nodes.last().map(|n| n.failed_calls).unwrap_or(0)
    }

    fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

fn apply(
    node: &FetchNode,
    p: Prepared,
    results: Vec<CallResult>,
    run: &mut RawRun,
    node_start: Instant,
    ms: &dyn Fn(Instant) -> f64,
) {
    // Spans of this node are pushed in call order, starting here.
    let first_span = run.spans.len();
    let mut call_error: Vec<Option<usize>> = Vec::with_capacity(results.len());
    let mut call_value: Vec<Option<Value>> = Vec::with_capacity(results.len());
    let mut failed_calls = 0;
    for (ci, r) in results.into_iter().enumerate() {
        let span_id = run.spans.len();
        let keys_in_call = p.calls.get(ci).map(|c| c.1.len()).unwrap_or(0);
        let (category, error) = match &r.outcome {
            Ok(_) => (None, None),
            Err(e) => (Some(e.category()), Some(e.to_string())),
        };
        run.spans.push(Span {
            id: span_id,
            node: node.id,
            source: node.source.clone(),
            operation: node.operation.clone(),
            start_ms: ms(r.started),
            end_ms: ms(r.ended),
            batch_size: keys_in_call,
            status: r.status.clone(),
            category,
            error,
            request: r.request.clone(),
            bytes: r.bytes,
            attempt: 1,
            response: r.response_preview.clone(),
            shared: r.shared,
        });
        match r.outcome {
            Ok(v) => {
                call_error.push(None);
                call_value.push(Some(v));
            }
            Err(e) => {
                failed_calls += 1;
                run.errors.push(ExecError {
                    category: e.category(),
                    detail: format!("{} {}: {e}", node.source, node.operation),
                    node: node.id,
                    span: Some(span_id),
                });
                call_error.push(Some(run.errors.len() - 1));
                call_value.push(None);
            }
        }
    }
    // The value of each key (batch) or call (single), or an error marker.
    let mut per: Vec<Value> = Vec::new();
    match node.mode {
        FetchMode::Single => {
            for (ci, v) in call_value.into_iter().enumerate() {
                per.push(match (v, call_error[ci]) {
                    (Some(v), _) => get_path(&v, &node.result_path)
                        .cloned()
                        .unwrap_or(Value::Null),
                    (None, Some(e)) => marker(e),
                    (None, None) => Value::Null,
                });
            }
            // Slots of single nodes index keys; map key -> its call.
            if node.key.is_some() {
                let mut by_key = vec![Value::Null; p.keys.len()];
                for (ci, (_, ks)) in p.calls.iter().enumerate() {
                    for k in ks {
                        if let (Some(slot), Some(v)) = (by_key.get_mut(*k), per.get(ci)) {
                            *slot = v.clone();
                        }
                    }
                }
                per = by_key;
            }
        }
        FetchMode::Batch => {
            per = vec![Value::Null; p.keys.len()];
            for (ci, (_, ks)) in p.calls.iter().enumerate() {
                let span = Some(first_span + ci);
                match (&call_value[ci], call_error[ci]) {
                    (None, Some(e)) => {
                        for k in ks {
                            per[*k] = marker(e);
                        }
                    }
                    (Some(v), _) => {
                        let list = get_path(v, &node.result_path);
                        let Some(items) = list.and_then(Value::as_array) else {
                            run.errors.push(ExecError {
                                category: Category::Dependency,
                                detail: format!(
                                    "{} {}: expected a list of results at `{}`",
                                    node.source,
                                    node.operation,
                                    display_path(&node.result_path)
                                ),
                                node: node.id,
                                span,
                            });
                            let e = run.errors.len() - 1;
                            for k in ks {
                                per[*k] = marker(e);
                            }
                            continue;
                        };
                        match &node.match_by {
                            Some(MatchBy::Field(f)) => {
                                let fpath: Vec<String> = f.split('.').map(str::to_string).collect();
                                let mut found: HashMap<String, &Value> = HashMap::new();
                                for item in items {
                                    if let Some(id) = get_path(item, &fpath) {
                                        found.entry(key_id(id)).or_insert(item);
                                    }
                                }
                                for k in ks {
                                    let kid = key_id(&p.keys[*k]);
                                    per[*k] = match found.get(&kid) {
                                        Some(item) => (*item).clone(),
                                        None => {
                                            run.errors.push(ExecError {
                                                category: Category::Dependency,
                                                detail: format!("{} {}: no result for key `{kid}` (matched by `{f}`)", node.source, node.operation),
                                                node: node.id,
                                                span,
                                            });
                                            marker(run.errors.len() - 1)
                                        }
                                    };
                                }
                            }
                            _ => {
                                if items.len() != ks.len() {
                                    run.errors.push(ExecError {
                                        category: Category::Dependency,
                                        detail: format!(
                                            "{} {}: sent {} keys, got {} results",
                                            node.source,
                                            node.operation,
                                            ks.len(),
                                            items.len()
                                        ),
                                        node: node.id,
                                        span,
                                    });
                                    let e = run.errors.len() - 1;
                                    for k in ks {
                                        per[*k] = marker(e);
                                    }
                                } else {
                                    for (k, item) in ks.iter().zip(items) {
                                        per[*k] = item.clone();
                                    }
                                }
                            }
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }
    let parents_n = p.parents.len();
    for (path, slot) in p.parents {
        let value = match slot {
            Slot::Null => Value::Null,
            Slot::One(i) => per.get(i).cloned().unwrap_or(Value::Null),
            Slot::Many(ks) => Value::Array(
                ks.into_iter()
                    .map(|k| k.and_then(|i| per.get(i).cloned()).unwrap_or(Value::Null))
                    .collect(),
            ),
        };
        if let Some(Value::Object(obj)) = resolve_mut(&mut run.data, &path) {
            obj.insert(node.storage_key.clone(), value);
        }
    }
    run.nodes.push(NodeRun {
        node: node.id,
        start_ms: ms(node_start),
        end_ms: ms(Instant::now()),
        parents: parents_n,
        keys: p.keys.len(),
        calls: p.calls.len(),
        failed_calls,
    });
}

fn display_path(p: &[String]) -> String {
    if p.is_empty() {
        "(the whole answer)".into()
    } else {
        p.join(".")
    }
}

/// What one bound node made of a list of parent objects ([`run_node_over`]).
pub struct NodeOverParents {
    /// Per parent, in order: its value, or the error that stands in its place.
    pub values: Vec<Result<Value, ExecError>>,
    pub spans: Vec<Span>,
    pub node: NodeRun,
}

/// Runs one bound node over `parents` given as a list rather than found in a plan's data
/// tree: a Federation entity fetch of the workspace's own bindings, whose parents are the
/// representations the planner asks for. The calls, key deduplication, grouping by the
/// other inputs, chunking, matching and errors are exactly those of a node inside a plan
/// (this is the same code), so a bound field behaves the same on a federated type. Spans
/// and times are measured from `started`.
pub async fn run_node_over(
    node: &FetchNode,
    parents: Vec<Value>,
    connectors: &Connectors,
    inbound_headers: &[(String, String)],
    started: Instant,
) -> NodeOverParents {
    let over = Over::new(node, parents, started);
    match prepare(&over.node, &over.run.data, connectors.vars()) {
        Err(detail) => over.unprepared(detail),
        Ok(p) => {
            let results = call_all(&over.node, &p, connectors, inbound_headers, "").await;
            over.finish(p, results)
        }
    }
}

/// [`run_node_over`] with each call answered by `answer` (given the call's inputs) instead
/// of a source: the same preparation, matching and errors, with no network. For tests and
/// fuzzing of how answers are matched to keys.
pub fn run_node_over_answers(
    node: &FetchNode,
    parents: Vec<Value>,
    vars: &knot_connect::Vars,
    mut answer: impl FnMut(&Map<String, Value>) -> CallResult,
) -> NodeOverParents {
    let over = Over::new(node, parents, Instant::now());
    match prepare(&over.node, &over.run.data, vars) {
        Err(detail) => over.unprepared(detail),
        Ok(p) => {
            let results = p.calls.iter().map(|(inputs, _)| answer(inputs)).collect();
            over.finish(p, results)
        }
    }
}

const PARENTS: &str = "$parents";
const VALUE: &str = "$value";

/// A node run over a list of parents: the parents stand in a data tree of their own.
struct Over {
    node: FetchNode,
    run: RawRun,
    count: usize,
    started: Instant,
    node_start: Instant,
}

impl Over {
    fn new(node: &FetchNode, parents: Vec<Value>, started: Instant) -> Self {
        let mut node = node.clone();
        node.parent_locator = vec![PARENTS.to_string()];
        node.storage_key = VALUE.to_string();
        node.only.clear();
        let count = parents.len();
        let mut data = Map::new();
        data.insert(PARENTS.into(), Value::Array(parents));
        Over {
            node,
            run: RawRun {
                data: Value::Object(data),
                errors: Vec::new(),
                spans: Vec::new(),
                nodes: Vec::new(),
            },
            count,
            started,
            node_start: Instant::now(),
        }
    }

    fn ms(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.started).as_secs_f64() * 1000.0
    }

    fn no_calls(&self) -> NodeRun {
        NodeRun {
            node: self.node.id,
            start_ms: self.ms(self.node_start),
            end_ms: self.ms(Instant::now()),
            parents: self.count,
            keys: 0,
            calls: 0,
            failed_calls: 0,
        }
    }

    /// No call could be built: the error stands for every parent.
    fn unprepared(self, detail: String) -> NodeOverParents {
        let error = ExecError {
            category: Category::Dependency,
            detail,
            node: self.node.id,
            span: None,
        };
        NodeOverParents {
            values: (0..self.count).map(|_| Err(error.clone())).collect(),
            spans: Vec::new(),
            node: self.no_calls(),
        }
    }

    fn finish(mut self, p: Prepared, results: Vec<CallResult>) -> NodeOverParents {
        let started = self.started;
        let ms = |t: Instant| t.saturating_duration_since(started).as_secs_f64() * 1000.0;
        apply(&self.node, p, results, &mut self.run, self.node_start, &ms);
        let no_calls = self.no_calls();
        let RawRun {
            data,
            errors,
            spans,
            nodes,
        } = self.run;
        let values = match data {
            Value::Object(mut map) => match map.remove(PARENTS) {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .map(|item| {
                        let value = match item {
                            Value::Object(mut o) => o.remove(VALUE).unwrap_or(Value::Null),
                            _ => Value::Null,
                        };
                        // A failed key inside a list value fails the parent's value: the
                        // caller has no element paths to put the error at, and a marker
                        // must never pass for data.
                        match first_marker(&value).and_then(|i| errors.get(i)) {
                            Some(e) => Err(e.clone()),
                            None => Ok(value),
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        NodeOverParents {
            values,
            spans,
            node: nodes.into_iter().next().unwrap_or(no_calls),
        }
    }
}
