//! A response as the client receives it, `{"data": …, "errors": […]}`, held as the JSON text
//! the projection wrote. The gateway sends that text as it is; whoever needs to look inside
//! (the app, the history, the CLI, tests) reads it as a `serde_json::Value`, parsed once on
//! first use. A response made from a `Value` is written as text once on first use instead.

use serde::{Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::sync::OnceLock;

#[derive(Clone, Default)]
pub struct Response {
    json: OnceLock<bytes::Bytes>,
    value: OnceLock<Value>,
    /// Entries of the top-level `errors` list.
    errors: usize,
    /// Whether it has a `data` entry (null or not).
    data: bool,
}

impl Response {
    /// `{"errors": [...], "data": <data>}` (`errors` first when `errors_first`; no `errors`
    /// entry when there are none), `data` being JSON text the projection wrote.
    /// What [`Response::from_prefixed`] expects its buffer to start with.
    pub const DATA_PREFIX: &'static [u8] = b"{\"data\":";

    /// [`Response::from_parts`] (errors first) of `written`: [`Response::DATA_PREFIX`] and the
    /// data. Without errors the buffer itself becomes the answer (no copy).
    pub fn from_prefixed(errors: &[Value], mut written: Vec<u8>) -> Response {
        match written.strip_prefix(Self::DATA_PREFIX) {
            Some(_) if errors.is_empty() => {
                written.push(b'}');
                Response {
                    json: OnceLock::from(bytes::Bytes::from(written)),
                    value: OnceLock::new(),
                    errors: 0,
                    data: true,
                }
            }
            Some(data) => Response::from_parts(errors, data, true),
            None => Response::from_parts(errors, &written, true),
        }
    }

    pub fn from_parts(errors: &[Value], data: &[u8], errors_first: bool) -> Response {
        let mut out = Vec::with_capacity(data.len() + 16 + errors.len() * 128);
        out.push(b'{');
        let write_errors = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"\"errors\":");
            crate::project::write_json(out, errors);
        };
        if errors_first && !errors.is_empty() {
            write_errors(&mut out);
            out.push(b',');
        }
        out.extend_from_slice(b"\"data\":");
        out.extend_from_slice(data);
        if !errors_first && !errors.is_empty() {
            out.push(b',');
            write_errors(&mut out);
        }
        out.push(b'}');
        Response {
            json: OnceLock::from(bytes::Bytes::from(out)),
            value: OnceLock::new(),
            errors: errors.len(),
            data: true,
        }
    }

    /// The response as JSON text (written on first use when it was made from a value).
    pub fn json(&self) -> bytes::Bytes {
        self.json
            .get_or_init(|| {
                let mut out = Vec::new();
                crate::project::write_json(&mut out, self.value());
                out.into()
            })
            .clone()
    }

    /// The response as a value (read on first use when it was written as text).
    pub fn value(&self) -> &Value {
        self.value.get_or_init(|| match self.json.get() {
            // Knot wrote the text itself, so it is JSON; Null only if that ever broke.
            Some(text) => serde_json::from_slice(text).unwrap_or(Value::Null),
            None => Value::Null,
        })
    }

    /// The response as a value of its own.
    pub fn into_value(mut self) -> Value {
        self.value();
        self.value.take().unwrap_or(Value::Null)
    }

    /// How many entries its `errors` list has.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// Whether it has a `data` entry (a request refused before execution has none).
    pub fn has_data(&self) -> bool {
        self.data
    }
}

impl From<Value> for Response {
    fn from(value: Value) -> Response {
        Response {
            errors: value
                .get("errors")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            data: value.get("data").is_some(),
            json: OnceLock::new(),
            value: OnceLock::from(value),
        }
    }
}

impl std::ops::Deref for Response {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.value()
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.value(), f)
    }
}

impl PartialEq for Response {
    fn eq(&self, other: &Response) -> bool {
        self.value() == other.value()
    }
}

impl PartialEq<Value> for Response {
    fn eq(&self, other: &Value) -> bool {
        self.value() == other
    }
}

impl PartialEq<Response> for Value {
    fn eq(&self, other: &Response) -> bool {
        self == other.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_prefixed_buffer_is_the_same_answer_as_its_parts() {
        let data = br#"{"a":null,"b":[1,"x"]}"#;
        let mut written = Response::DATA_PREFIX.to_vec();
        written.extend_from_slice(data);
        let errors = [json!({"message": "A dependency failed.", "path": ["a"]})];
        for errors in [&errors[..], &[]] {
            let r = Response::from_prefixed(errors, written.clone());
            let parts = Response::from_parts(errors, data, true);
            assert_eq!(r.json(), parts.json());
            assert_eq!(r.error_count(), errors.len());
            assert!(r.has_data());
        }
        // A buffer without the prefix is taken as the data itself.
        let r = Response::from_prefixed(&[], data.to_vec());
        assert_eq!(&r.json()[..], br#"{"data":{"a":null,"b":[1,"x"]}}"#);
    }

    #[test]
    fn text_and_value_are_the_same_response_either_way() {
        let errors = [json!({"message": "A dependency failed.", "path": ["a"]})];
        let r = Response::from_parts(&errors, br#"{"a":null,"b":[1,"x"]}"#, true);
        assert_eq!(
            &r.json()[..],
            br#"{"errors":[{"message":"A dependency failed.","path":["a"]}],"data":{"a":null,"b":[1,"x"]}}"#
        );
        assert_eq!(r.error_count(), 1);
        assert!(r.has_data());
        assert_eq!(r["data"]["b"][1], "x");
        let keys: Vec<&String> = r
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["errors", "data"]);
        // Data first, and no errors entry when there are none.
        let r = Response::from_parts(&errors, b"{}", false);
        assert_eq!(
            &r.json()[..],
            br#"{"data":{},"errors":[{"message":"A dependency failed.","path":["a"]}]}"#
        );
        let r = Response::from_parts(&[], b"null", false);
        assert_eq!(&r.json()[..], br#"{"data":null}"#);
        assert_eq!(r.error_count(), 0);
        // From a value: the same text, counted the same.
        let v = json!({"errors": [{"message": "The request is invalid."}]});
        let r = Response::from(v.clone());
        assert_eq!(r.error_count(), 1);
        assert!(!r.has_data());
        assert_eq!(r.json(), serde_json::to_vec(&v).unwrap_or_default());
        assert_eq!(r, v);
        assert_eq!(r.clone().into_value(), v);
    }
}
