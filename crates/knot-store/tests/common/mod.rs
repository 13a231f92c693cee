//! Helpers shared by the store's specifications: workspaces built from JSON (so fields the
//! model adds later take their defaults), a seeded random source, and the repository root.
#![allow(dead_code)]

use knot_model::Workspace;
use serde_json::{json, Value};
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A small valid workspace: one REST source, one bound field, one environment with a
/// plain and a secret variable.
pub fn workspace(name: &str) -> Workspace {
    from_json(small_json(name))
}

pub fn small_json(name: &str) -> Value {
    json!({
        "version": 1,
        "name": name,
        "description": "built by a test",
        "sources": {
            "api": {
                "kind": "rest",
                "baseUrl": "{{env.API_URL}}",
                "headers": {"x-api-key": "{{secret.API_KEY}}"},
                "operations": {"getThing": {"method": "GET", "path": "/things/{id}", "inputs": {"id": "ID!"}}}
            }
        },
        "schema": {"types": {
            "Query": {"fields": {"thing": {"type": "Thing", "arguments": {"id": {"type": "ID!"}},
                "binding": {"source": "api", "operation": "getThing", "args": {"id": {"argument": "id"}}}}}},
            "Thing": {"fields": {"id": {"type": "ID!"}, "name": {"type": "String"}}}
        }},
        "operations": {"Thing": {"document": "query Thing($id: ID!) { thing(id: $id) { id name } }"}},
        "environments": {"local": {"variables": {
            "API_URL": "http://127.0.0.1:9",
            "API_KEY": {"secret": true, "description": "the key"}
        }}}
    })
}

/// A large valid workspace (`sources` REST sources of `ops` operations each), about
/// `sources * ops * 150` bytes of canonical JSON. `generation` goes in the description.
pub fn big_workspace(name: &str, sources: usize, ops: usize, generation: u64) -> Workspace {
    let mut v = small_json(name);
    v["description"] = json!(format!("generation {generation}"));
    for s in 0..sources {
        let mut operations = serde_json::Map::new();
        for o in 0..ops {
            operations.insert(
                format!("op{o}"),
                json!({"method": "GET", "path": format!("/s{s}/items/{{id}}/o{o}"), "inputs": {"id": "ID!"},
                       "description": format!("operation {o} of source {s}, generation {generation}")}),
            );
        }
        v["sources"][format!("svc{s}")] =
            json!({"kind": "rest", "baseUrl": "http://127.0.0.1:9", "operations": operations});
    }
    from_json(v)
}

pub fn from_json(v: Value) -> Workspace {
    serde_json::from_value(v).expect("test workspace JSON matches the model")
}

/// A small xorshift generator: deterministic per seed, the seed printed by the caller.
pub struct Rng(pub u64);

impl Rng {
    pub fn from_time() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(42);
        Rng(nanos | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
