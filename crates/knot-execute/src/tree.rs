//! The data tree a run builds and the projection reads.
//!
//! [`Tree`] is what projection needs of a raw tree: field lookup, list items, leaves. Two
//! trees implement it:
//! - `serde_json::Value`, which the orchestration executor builds;
//! - [`Node`], the tree built for merging and projection: the federation executor parses
//!   subgraph answers straight into it, merges entities into it and projects from it.
//!
//! A [`Node`] object is a vector of `(key, value)` pairs searched linearly: GraphQL objects
//! have a handful of fields, and comparing a few short keys is cheaper than hashing one
//! (`serde_json`'s ordered map hashes every key with SipHash on every lookup and insert).
//! Keys and strings up to 22 bytes are stored inline ([`Str`]): no allocation for the field
//! names and most scalar strings of an answer. Objects keep the order of their fields.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// A scalar of a raw tree, borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Leaf<'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    String(&'a str),
    /// An object or a list.
    Composite,
}

/// What projection reads of a raw data tree.
pub trait Tree: Sized {
    fn is_null(&self) -> bool;
    fn is_object(&self) -> bool;
    /// The field `key` of an object; `None` for an absent field or a value that is no object.
    fn get(&self, key: &str) -> Option<&Self>;
    /// [`Tree::get`] for fields read in order: `hint` is where the last one was found
    /// (see [`Object::get_near`]).
    fn get_near(&self, key: &str, _hint: &mut usize) -> Option<&Self> {
        self.get(key)
    }
    /// The items of a list; `None` for a value that is no list.
    fn items(&self) -> Option<&[Self]>;
    fn leaf(&self) -> Leaf<'_>;
    /// The value as JSON (a copy).
    fn to_value(&self) -> Value;
    /// A JSON value as this tree (for values projection builds itself).
    fn from_value(value: Value) -> Self;
    /// Null.
    fn null() -> Self;
    /// The value as JSON text at the end of `out`.
    fn write_json(&self, out: &mut Vec<u8>);
    /// The index of the failure marker this value is, if it is one (only the orchestration
    /// executor's tree has markers).
    fn marker(&self) -> Option<usize> {
        None
    }
    /// Starts loading the value's fields into the cache (see [`Node::prefetch_all`]); by
    /// default nothing.
    #[inline]
    fn prefetch(&self) {}
    /// The object's `__typename`, when it is a string.
    fn typename(&self) -> Option<&str> {
        match self.get("__typename")?.leaf() {
            Leaf::String(s) => Some(s),
            _ => None,
        }
    }
    /// What kind of value this is, for an error detail (never the value itself).
    fn kind_of(&self) -> &'static str {
        match self.leaf() {
            Leaf::Null => "null",
            Leaf::Bool(_) => "a boolean",
            Leaf::Number(_) => "a number",
            Leaf::String(_) => "a string",
            Leaf::Composite if self.is_object() => "an object",
            Leaf::Composite => "a list",
        }
    }
}

impl Tree for Value {
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }
    fn items(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn leaf(&self) -> Leaf<'_> {
        match self {
            Value::Null => Leaf::Null,
            Value::Bool(b) => Leaf::Bool(*b),
            Value::Number(n) => Leaf::Number(n),
            Value::String(s) => Leaf::String(s),
            Value::Array(_) | Value::Object(_) => Leaf::Composite,
        }
    }
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn from_value(value: Value) -> Self {
        value
    }
    fn null() -> Self {
        Value::Null
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        crate::project::write_json(out, self)
    }
    fn marker(&self) -> Option<usize> {
        crate::run::marker_index(self)
    }
}

/// Whether two short byte strings are equal, without a call into `memcmp` for keys of up to
/// 16 bytes (field names are compared constantly while reading and merging answers).
#[inline]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |bytes: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let half = |bytes: &[u8], at: usize| -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u32::from_ne_bytes(w)
    };
    match n {
        // Two overlapping words cover 8..=16 bytes.
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// Copies `src` (at most [`Str::INLINE`] bytes) to the start of `dst` in at most two
/// fixed-size moves that may overlap, instead of a call into `memcpy` (most field names and
/// short values of an answer are copied this way).
#[inline]
fn copy_short(dst: &mut [u8; Str::INLINE], src: &[u8]) {
    let n = src.len();
    match n {
        16..=Str::INLINE => {
            dst[..16].copy_from_slice(&src[..16]);
            dst[n - 16..n].copy_from_slice(&src[n - 16..]);
        }
        8..=15 => {
            dst[..8].copy_from_slice(&src[..8]);
            dst[n - 8..n].copy_from_slice(&src[n - 8..]);
        }
        4..=7 => {
            dst[..4].copy_from_slice(&src[..4]);
            dst[n - 4..n].copy_from_slice(&src[n - 4..]);
        }
        _ => {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = *s;
            }
        }
    }
}

/// A string stored inline up to [`Str::INLINE`] bytes, on the heap beyond.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; Str::INLINE] },
    Heap(Box<str>),
}

impl Str {
    pub const INLINE: usize = 22;

    pub fn new(text: &str) -> Str {
        if text.len() <= Self::INLINE {
            let mut bytes = [0u8; Self::INLINE];
            copy_short(&mut bytes, text.as_bytes());
            Str(Repr::Inline {
                len: text.len() as u8,
                bytes,
            })
        } else {
            Str(Repr::Heap(text.into()))
        }
    }

    /// Equal texts have equal words: the length and the first seven bytes.
    fn word(&self) -> u64 {
        let bytes = self.as_bytes();
        let mut w = [0u8; 8];
        let n = bytes.len().min(7);
        w[..n].copy_from_slice(&bytes[..n]);
        w[7] = bytes.len() as u8;
        u64::from_ne_bytes(w)
    }

    /// The bytes (UTF-8): compared without re-checking them.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(text) => text.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                // SAFETY: an inline `Str` is only made by `Str::new`, which copies a whole
                // `&str` (valid UTF-8, cut nowhere) into `bytes` and sets `len` to its length;
                // neither is changed afterwards.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(text) => text,
        }
    }
}

impl From<String> for Str {
    fn from(text: String) -> Str {
        if text.len() <= Self::INLINE {
            Str::new(&text)
        } else {
            Str(Repr::Heap(text.into_boxed_str()))
        }
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        match (&self.0, &other.0) {
            // Inline bytes past `len` are zero, so equal texts have equal arrays: compared
            // as whole words, with no call into memcmp (a merge compares keys constantly).
            (Repr::Inline { len: a, bytes: x }, Repr::Inline { len: b, bytes: y }) => {
                a == b && x == y
            }
            (Repr::Heap(a), Repr::Heap(b)) => a == b,
            // A heap text is longer than any inline one.
            _ => false,
        }
    }
}
impl Eq for Str {}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A node of the data tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Node {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    Array(Vec<Node>),
    Object(Object),
}

/// An object: its fields in order, looked up linearly (see the module's documentation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object(Vec<(Str, Node)>);

impl Object {
    pub fn new() -> Object {
        Object(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Object {
        Object(Vec::with_capacity(n))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An object of `fields` as read: a repeated key keeps its first place and its last
    /// value, as `serde_json`'s map (checked by a hash past a few dozen fields, so a huge
    /// object costs no quadratic time).
    fn from_fields(fields: Vec<(Str, Node)>) -> Object {
        // Repeated keys are rare: told apart first by a word of each key (its length and
        // first bytes), the fields kept as they were read when no two words are equal.
        if fields.len() <= 16 {
            let mut words = [0u64; 16];
            let mut repeated = false;
            for (i, (key, _)) in fields.iter().enumerate() {
                let word = key.word();
                repeated |= words[..i].contains(&word);
                words[i] = word;
            }
            if !repeated {
                return Object(fields);
            }
        }
        if fields.len() <= 32 {
            let mut object = Object::with_capacity(fields.len());
            for (k, v) in fields {
                object.insert(k, v);
            }
            return object;
        }
        let mut at: std::collections::HashMap<Vec<u8>, usize> =
            std::collections::HashMap::with_capacity(fields.len());
        let mut out: Vec<(Str, Node)> = Vec::with_capacity(fields.len());
        for (k, v) in fields {
            match at.entry(k.as_bytes().to_vec()) {
                std::collections::hash_map::Entry::Occupied(slot) => out[*slot.get()].1 = v,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(out.len());
                    out.push((k, v));
                }
            }
        }
        Object(out)
    }

    fn position(&self, key: &str) -> Option<usize> {
        let key = key.as_bytes();
        self.0.iter().position(|(k, _)| bytes_eq(k.as_bytes(), key))
    }

    /// [`Object::get`] searching from `hint` first (then from the start): reading the
    /// fields of an answer in the order they were asked for, the next one is usually
    /// the next field. `hint` moves past the field found.
    pub fn get_near(&self, key: &str, hint: &mut usize) -> Option<&Node> {
        let key = key.as_bytes();
        let start = (*hint).min(self.0.len());
        let (head, tail) = self.0.split_at(start);
        let i = match tail.iter().position(|(k, _)| bytes_eq(k.as_bytes(), key)) {
            Some(i) => start + i,
            None => head.iter().position(|(k, _)| bytes_eq(k.as_bytes(), key))?,
        };
        *hint = i + 1;
        self.0.get(i).map(|(_, v)| v)
    }

    fn position_of(&self, key: &Str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    /// [`Object::get`] with the key already a `Str` (compared word by word).
    pub fn get_str(&self, key: &Str) -> Option<&Node> {
        let i = self.position_of(key)?;
        self.0.get(i).map(|(_, v)| v)
    }

    /// [`Object::get_mut`] with the key already a `Str`.
    pub fn get_mut_str(&mut self, key: &Str) -> Option<&mut Node> {
        let i = self.position_of(key)?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    /// Where `key` is, trying `hint` first: objects met along one path have the same
    /// shape, so the key is usually where it was in the last one. `hint` is set to it.
    fn position_near(&self, key: &Str, hint: &mut usize) -> Option<usize> {
        if self.0.get(*hint).is_some_and(|(k, _)| k == key) {
            return Some(*hint);
        }
        let i = self.position_of(key)?;
        *hint = i;
        Some(i)
    }

    /// [`Object::get_str`] trying `hint` first (see [`Object::position_near`]).
    pub fn get_str_near(&self, key: &Str, hint: &mut usize) -> Option<&Node> {
        let i = self.position_near(key, hint)?;
        self.0.get(i).map(|(_, v)| v)
    }

    /// [`Object::get_mut_str`] trying `hint` first (see [`Object::position_near`]).
    pub fn get_mut_str_near(&mut self, key: &Str, hint: &mut usize) -> Option<&mut Node> {
        let i = self.position_near(key, hint)?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    /// Merges `value` into the field `key`: with `merge` when the object has it, as a new
    /// last field otherwise (one scan of the fields).
    pub fn merge_field(&mut self, key: Str, value: Node, merge: impl FnOnce(&mut Node, Node)) {
        match self.position_of(&key) {
            Some(i) => merge(&mut self.0[i].1, value),
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        let i = self.position(key)?;
        self.0.get(i).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = self.position(key)?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    /// Sets `key` to `value` (in place when present, last otherwise).
    pub fn insert(&mut self, key: Str, value: Node) {
        match self.position_of(&key) {
            Some(i) => self.0[i].1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of `key`, `default()` inserted first when absent.
    pub fn get_or_insert_with(&mut self, key: &str, default: impl FnOnce() -> Node) -> &mut Node {
        let i = match self.position(key) {
            Some(i) => i,
            None => {
                self.0.push((Str::new(key), default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.position(key)?;
        Some(self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The fields with their keys as `Str` (to copy or compare without re-reading them).
    pub fn entries(&self) -> impl Iterator<Item = (&Str, &Node)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Adds a field the caller knows is absent (no lookup).
    /// Room for `additional` more fields, exactly: a merge that adds several fields grows
    /// the object once instead of doubling it field by field.
    pub fn reserve_exact(&mut self, additional: usize) {
        self.0.reserve_exact(additional);
    }

    pub fn push_new(&mut self, key: Str, value: Node) {
        debug_assert!(self.position_of(&key).is_none(), "a repeated key");
        self.0.push((key, value));
    }
}

impl IntoIterator for Object {
    type Item = (Str, Node);
    type IntoIter = std::vec::IntoIter<(Str, Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Node {
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Node::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_object_mut()?.get_mut(key)
    }

    /// Asks the processor to start loading the field `at` of this object (nothing for any
    /// other node), so that a walk over a list reads the next object while it works on this
    /// one. A whole answer is far larger than the cache once 50 requests interleave, and a
    /// walk that waits on each object in turn spends most of its time waiting (`perf
    /// annotate` of the federation benchmark's walks: about 90% on the first load of an
    /// object's fields).
    #[inline]
    pub fn prefetch(&self, at: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Node::Object(object) = self {
            let fields = object.0.as_ptr();
            let at = at.min(object.0.len().saturating_sub(1));
            // `wrapping_add` stays in the object's fields (`at` is below its length) or at
            // its start; a prefetch reads nothing and cannot fault either way.
            let line = fields.wrapping_add(at).cast::<i8>();
            // SAFETY: a prefetch is a hint: it does not access memory as far as the program
            // is concerned, and SSE is part of every x86_64 target.
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(line) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = at;
    }

    /// [`Node::prefetch`] of every field of an object, up to the first 8 cache lines (an
    /// object about to be merged into, or copied, is read whole).
    #[inline]
    pub fn prefetch_all(&self) {
        #[cfg(target_arch = "x86_64")]
        if let Node::Object(object) = self {
            let start = object.0.as_ptr().cast::<i8>();
            let bytes = std::mem::size_of_val(object.0.as_slice()).min(8 * 64);
            for offset in (0..bytes).step_by(64) {
                // SAFETY: as in `prefetch`: a hint, within the object's fields.
                unsafe {
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                        start.wrapping_add(offset),
                    )
                };
            }
        }
    }

    pub fn take(&mut self) -> Node {
        std::mem::take(self)
    }

    /// The node as JSON, consuming it.
    pub fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s.as_str().to_owned()),
            Node::Array(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            Node::Object(object) => {
                let mut map = Map::with_capacity(object.len());
                for (k, v) in object {
                    map.insert(k.as_str().to_owned(), v.into_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::String(Str::from(s)),
            Value::Array(items) => Node::Array(items.into_iter().map(Node::from).collect()),
            Value::Object(map) => {
                let mut object = Object::with_capacity(map.len());
                for (k, v) in map {
                    // Keys of a JSON object are distinct: no lookup needed.
                    object.0.push((Str::from(k), Node::from(v)));
                }
                Node::Object(object)
            }
        }
    }
}

impl From<&Value> for Node {
    fn from(value: &Value) -> Node {
        Node::from(value.clone())
    }
}

/// A node as JSON text at the end of `out` (the text serde_json writes for it).
fn write_node(out: &mut Vec<u8>, node: &Node) {
    match node {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(n) => crate::project::write_json(out, n),
        Node::String(s) => crate::project::write_str(out, s.as_str()),
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_node(out, item);
            }
            out.push(b']');
        }
        Node::Object(object) => {
            out.push(b'{');
            for (i, (key, value)) in object.0.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::project::write_str(out, key.as_str());
                out.push(b':');
                write_node(out, value);
            }
            out.push(b'}');
        }
    }
}

impl Tree for Node {
    fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }
    fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }
    fn get_near(&self, key: &str, hint: &mut usize) -> Option<&Self> {
        self.as_object()?.get_near(key, hint)
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }
    fn leaf(&self) -> Leaf<'_> {
        match self {
            Node::Null => Leaf::Null,
            Node::Bool(b) => Leaf::Bool(*b),
            Node::Number(n) => Leaf::Number(n),
            Node::String(s) => Leaf::String(s.as_str()),
            Node::Array(_) | Node::Object(_) => Leaf::Composite,
        }
    }
    fn to_value(&self) -> Value {
        self.clone().into_value()
    }
    fn from_value(value: Value) -> Self {
        Node::from(value)
    }
    fn null() -> Self {
        Node::Null
    }
    fn write_json(&self, out: &mut Vec<u8>) {
        write_node(out, self)
    }
    #[inline]
    fn prefetch(&self) {
        self.prefetch_all()
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::String(s) => s.serialize(serializer),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(object) => object.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        NodeSeed { like: None }.deserialize(deserializer)
    }
}

/// Reads a value like `like`, the value at the same place in the list item read before: an
/// object gets room for as many fields as that one has.
///
/// A JSON parser gives no count before an object's fields, so an object read by pushing its
/// fields grows its vector (room for 4, then 8, moving them) and may hold room it never
/// uses. The items of a GraphQL list have one shape: every object in an item after the first
/// is given room for the fields of its counterpart in the item before, which is exact for
/// all but the first item and never grows (on the federation benchmark's answers this takes
/// about an eighth off the tree's heap; `cargo bench -p knot-federation --bench answer`).
#[derive(Clone, Copy)]
struct NodeSeed<'p> {
    like: Option<&'p Node>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor { like: self.like })
    }
}

struct NodeVisitor<'p> {
    like: Option<&'p Node>,
}

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(Str::new(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(Str::from(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        NodeSeed { like: self.like }.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items: Vec<Node> = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        // Each item is read like the one before it (the first like nothing).
        while let Some(item) = seq.next_element_seed(NodeSeed { like: items.last() })? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let like = match self.like {
            Some(Node::Object(object)) => Some(object),
            _ => None,
        };
        let room = map
            .size_hint()
            .unwrap_or_else(|| like.map_or(0, Object::len))
            .min(256);
        let mut fields: Vec<(Str, Node)> = Vec::with_capacity(room);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            // The counterpart of this field: the field at the same place of the object
            // this one is read like (not checked: a wrong one only gives the wrong room).
            let counterpart = like.and_then(|o| o.0.get(fields.len())).map(|(_, v)| v);
            let value = map.next_value_seed(NodeSeed { like: counterpart })?;
            fields.push((key, value));
        }
        Ok(Node::Object(Object::from_fields(fields)))
    }
}

/// An object key read without an intermediate `String` when it fits inline.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Str;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Str;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Str, E> {
        Ok(Str::new(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Str, E> {
        Ok(Str::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_node_reads_and_writes_the_same_json_as_serde_json_in_the_same_order() {
        let text = r#"{"z":1,"a":[true,null,-3,2.5,"x"],"long key beyond twenty-two bytes":"a string longer than twenty-two bytes, é","o":{"k":{}}}"#;
        let node: Node = serde_json::from_str(text).expect("parses");
        assert_eq!(serde_json::to_string(&node).expect("writes"), text);
        let value: Value = serde_json::from_str(text).expect("parses");
        assert_eq!(node.clone().into_value(), value);
        assert_eq!(Node::from(value), node);
        // sonic-rs, which reads subgraph answers, gives the same tree.
        let fast: Node = sonic_rs::from_str(text).expect("parses");
        assert_eq!(fast, node);
    }

    #[test]
    fn a_node_writes_the_text_serde_json_writes_escapes_included() {
        let text = r#"{"q\"uote":"a \"b\" \\ c","ctl":"\u0001\n\t\r\u001f","del":"\u007f","é":"ünï €","n":[0,-1,1.5,1e300,18446744073709551615],"e":{},"l":[],"b":[true,false,null]}"#;
        let node: Node = serde_json::from_str(text).expect("parses");
        let mut out = Vec::new();
        node.write_json(&mut out);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            serde_json::to_string(&node).expect("writes")
        );
        let long = "a text of more than eight bytes, in words";
        let mut cases = vec![
            "", "plain", "\"", "\\", "\u{0}", "\u{1f}", " ", "\u{7f}", "end\n", "é\"é",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        // Each character that needs an escape (and some that do not), at every place of a
        // long text: in each byte of a word and in the tail.
        for c in [
            '"', '\\', '\u{0}', '\u{1f}', '\n', ' ', '!', '#', '[', ']', '\u{7f}', 'é',
        ] {
            for at in 0..=long.len() {
                let mut text = long.to_owned();
                text.insert(at, c);
                cases.push(text);
            }
        }
        for s in &cases {
            let s = s.as_str();
            let mut out = Vec::new();
            crate::project::write_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).expect("writes"), "{s:?}");
        }
    }

    #[test]
    fn short_byte_strings_compare_like_slices() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "bbcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "abcdx",
            "xbcde",
            "abcdefgx",
            "ab\0",
        ];
        for a in words {
            for b in words {
                assert_eq!(bytes_eq(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn strings_are_equal_by_text_however_they_were_made() {
        let long = "a text longer than twenty-two bytes";
        for (a, b, equal) in [
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("ab", "ab\0", false),
            ("", "", true),
            ("exactly twenty-two b..", "exactly twenty-two b..", true),
            (long, long, true),
            (long, "a text longer than twenty-two bytes!", false),
        ] {
            assert_eq!(Str::new(a) == Str::new(b), equal, "{a:?} {b:?}");
            assert_eq!(
                Str::from(a.to_string()) == Str::new(b),
                equal,
                "{a:?} {b:?}"
            );
            assert_eq!(Str::new(a) == *b, equal, "{a:?} {b:?}");
        }
        let mut object = Object::new();
        object.insert(Str::new("ab"), Node::Bool(true));
        object.insert(Str::new(long), Node::Null);
        assert!(object.get("ab\0").is_none() && object.get("a").is_none());
        assert_eq!(object.get("ab"), Some(&Node::Bool(true)));
        assert_eq!(object.get(long), Some(&Node::Null));
        assert_eq!(object.get_str(&Str::new(long)), Some(&Node::Null));
        assert!(object.get_str(&Str::new("ab\0")).is_none());
        assert!(object.get_mut_str(&Str::new("ab")).is_some());
        object.merge_field(Str::new("ab"), Node::Bool(false), |into, from| *into = from);
        object.merge_field(Str::new("new"), Node::Bool(true), |_, _| {});
        let keys: Vec<&str> = object.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["ab", long, "new"]);
        assert_eq!(object.get("ab"), Some(&Node::Bool(false)));
        // Read in order, or out of it: the same fields, and a miss moves nothing.
        let mut hint = 0;
        for (key, at) in [
            ("ab", 1),
            (long, 2),
            ("new", 3),
            ("ab", 1),
            ("new", 3),
            (long, 2),
        ] {
            assert_eq!(object.get_near(key, &mut hint), object.get(key));
            assert_eq!(hint, at, "{key}");
        }
        assert_eq!(object.get_near("nope", &mut hint), None);
        assert_eq!(hint, 2);
        let mut past_the_end = 99;
        assert_eq!(object.get_near("ab", &mut past_the_end), object.get("ab"));
    }

    #[test]
    fn list_items_are_read_with_room_for_the_fields_of_the_item_before() {
        let capacity = |node: &Node| node.as_object().map(|o| o.0.capacity());
        let text = r#"[{"a":1,"b":{"x":1,"y":2,"z":3,"w":4,"v":5},"c":3},{"a":1,"b":{"x":1,"y":2,"z":3,"w":4,"v":5},"c":3},{"a":1,"b":{"x":1,"y":2,"z":3,"w":4,"v":5},"c":3}]"#;
        for node in [
            sonic_rs::from_str::<Node>(text).expect("parses"),
            serde_json::from_str::<Node>(text).expect("parses"),
        ] {
            let items = node.items().expect("a list");
            // Every item after the first, and every object inside it, holds exactly its
            // fields: 3 for the item, 5 for `b` (pushed one by one, the first holds 4 and 8).
            for item in &items[1..] {
                assert_eq!(capacity(item), Some(3));
                assert_eq!(item.get("b").and_then(capacity), Some(5));
            }
            assert_eq!(
                node.into_value(),
                serde_json::from_str::<Value>(text).expect("parses")
            );
        }
        // Items of other shapes are read whole and right: more fields, fewer, other keys in
        // the same places, other kinds of values, lists of lists.
        let text = r#"[{"a":{"p":1}},{"a":{"p":1,"q":2,"r":3,"s":4,"t":5,"u":6},"b":2},{"b":{"p":1},"a":[1]},{"a":null},[{"a":{"p":1,"q":2}},{"a":{"p":1,"q":2,"r":3}}],"s",{}]"#;
        for node in [
            sonic_rs::from_str::<Node>(text).expect("parses"),
            serde_json::from_str::<Node>(text).expect("parses"),
        ] {
            assert_eq!(
                node.into_value(),
                serde_json::from_str::<Value>(text).expect("parses")
            );
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_its_last_value() {
        let node: Node = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).expect("parses");
        assert_eq!(node.into_value().to_string(), r#"{"a":3,"b":2}"#);
        // Keys alike in length and first bytes are still different keys.
        let text = r#"{"shippingA":1,"shippingB":2,"shippingA":3,"x":4}"#;
        let node: Node = serde_json::from_str(text).expect("parses");
        assert_eq!(
            node.into_value().to_string(),
            r#"{"shippingA":3,"shippingB":2,"x":4}"#
        );
        let text = r#"{"shippingA":1,"shippingB":2}"#;
        let node: Node = sonic_rs::from_str(text).expect("parses");
        assert_eq!(node.into_value().to_string(), text);
        let mut big: String = (0..100).map(|i| format!(r#""k{i}":{i},"#)).collect();
        big = format!(r#"{{{big}"k7":"again"}}"#);
        let node: Node = serde_json::from_str(&big).expect("parses");
        let object = node.as_object().expect("object");
        assert_eq!(object.len(), 100);
        assert_eq!(object.get("k7").and_then(Node::as_str), Some("again"));
        assert_eq!(object.iter().nth(8).map(|(k, _)| k), Some("k8"));
    }

    #[test]
    fn strings_inline_and_on_the_heap_compare_by_their_text() {
        let short = Str::new("id");
        let long = Str::new("shippingEstimate-and-then-some-more");
        assert_eq!(short, *"id");
        assert_eq!(long.as_str(), "shippingEstimate-and-then-some-more");
        assert_eq!(Str::from("x".repeat(22)).as_str(), "x".repeat(22));
        assert_eq!(Str::from("é".repeat(11)).as_str(), "é".repeat(11));
        assert_ne!(Str::new("ab"), Str::new("abc"));
        // Every inline length is copied whole, and nothing past it.
        let text = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=text.len() {
            let s = Str::new(&text[..n]);
            assert_eq!(s.as_str(), &text[..n]);
            assert_eq!(s, Str::from(text[..n].to_string()));
        }
    }

    #[test]
    fn object_lookups_inserts_and_removals_keep_the_field_order() {
        let mut node = Node::from(json!({"a": 1, "b": {"c": 2}}));
        let object = node.as_object_mut().expect("object");
        object.insert(Str::new("a"), Node::from(json!(5)));
        object.insert(Str::new("d"), Node::Null);
        assert_eq!(object.remove("b"), Some(Node::from(json!({"c": 2}))));
        *object.get_or_insert_with("e", || Node::Bool(true)) = Node::Bool(false);
        assert_eq!(node.into_value(), json!({"a": 5, "d": null, "e": false}));
    }

    #[test]
    fn both_trees_answer_projection_alike() {
        let value = json!({"__typename": "User", "n": 1, "l": [1], "s": "x"});
        let node = Node::from(value.clone());
        assert_eq!(Tree::typename(&value), Some("User"));
        assert_eq!(node.typename(), Some("User"));
        for key in ["n", "l", "s", "missing"] {
            assert_eq!(
                Tree::get(&value, key).map(Tree::kind_of),
                node.get(key).map(Tree::kind_of)
            );
        }
        assert_eq!(node.kind_of(), "an object");
        assert_eq!(
            node.get("l").and_then(Tree::items).map(<[Node]>::len),
            Some(1)
        );
    }
}
