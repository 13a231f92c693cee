//! A REST source typed in the app's form -> the model's `RestSource`.
//!
//! The main design choice: the form's values are checked here only for what the model's
//! types cannot hold (an unknown HTTP method); everything else (names, templates, paths)
//! is left to the workspace checks, whose problems the returned view lists.

use knot_app_api::{ApiError, RestSourceInput};
use knot_model::{HttpMethod, RestOperation, RestSource, Source};

pub fn rest_source(input: &RestSourceInput) -> Result<Source, ApiError> {
    let mut operations = indexmap_of();
    for op in &input.operations {
        let method: HttpMethod = serde_json::from_value(serde_json::Value::String(
            op.method.trim().to_ascii_uppercase(),
        ))
        .map_err(|_| {
            ApiError::invalid_input(format!(
                "operation `{}`: `{}` is not one of GET, POST, PUT, PATCH, DELETE",
                op.name, op.method
            ))
        })?;
        if operations.contains_key(&op.name) {
            return Err(ApiError::invalid_input(format!(
                "operation `{}` is listed twice",
                op.name
            )));
        }
        operations.insert(
            op.name.clone(),
            RestOperation {
                description: String::new(),
                method,
                path: op.path.clone(),
                query: Default::default(),
                headers: Default::default(),
                body: None,
                inputs: op
                    .inputs
                    .iter()
                    .map(|i| (i.name.clone(), i.ty.clone()))
                    .collect(),
            },
        );
    }
    Ok(Source::Rest(RestSource {
        description: String::new(),
        base_url: input.base_url.clone(),
        headers: Default::default(),
        forward_headers: Vec::new(),
        timeout_ms: None,
        max_concurrency: None,
        dedupe: None,
        h2c: None,
        operations,
    }))
}

fn indexmap_of() -> indexmap::IndexMap<String, RestOperation> {
    indexmap::IndexMap::new()
}
