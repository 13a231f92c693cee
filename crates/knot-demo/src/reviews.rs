//! The reviews example: a GraphQL service (async-graphql) at `/graphql`.
//!
//! Schema: `Query { reviews(productId: ID!): [Review!]!, reviewsForProducts(
//! productIds: [ID!]!): [ProductReviews!]!, review(id: ID!): Review, activity(productId:
//! ID!): [Activity!]! }` where `union Activity = Review | Question` (a product's reviews,
//! then one question about it).
//! Introspection is on. Each HTTP request is recorded with its root field names
//! as target and its id arguments as keys; faults apply per HTTP request.
//! Introspection-only requests (`__schema`, `__type`, `__typename`) are neither
//! recorded nor subject to faults, so Knot can always import the schema.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Name, Object, Schema, SimpleObject, Union,
    Value as ConstValue, Variables, ID,
};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::data::{self, ReviewData};
use crate::faults::{Gate, Verdict};
use crate::rest;

/// The reviews schema type.
pub type ReviewsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// A review of a product.
#[derive(SimpleObject, Clone, Debug)]
pub struct Review {
    id: ID,
    product_id: ID,
    rating: i32,
    body: String,
    author: String,
}

impl From<ReviewData> for Review {
    fn from(review: ReviewData) -> Self {
        Self {
            id: ID(review.id),
            product_id: ID(review.product_id),
            rating: review.rating,
            body: review.body,
            author: review.author,
        }
    }
}

/// The reviews of one product (batch answer).
#[derive(SimpleObject, Clone, Debug)]
pub struct ProductReviews {
    product_id: ID,
    reviews: Vec<Review>,
}

/// A question asked about a product.
#[derive(SimpleObject, Clone, Debug)]
pub struct Question {
    id: ID,
    product_id: ID,
    text: String,
    asked_by: String,
}

/// What happened around a product: its reviews and the questions asked about it.
#[derive(Union, Clone, Debug)]
pub enum Activity {
    Review(Review),
    Question(Question),
}

/// Request data: drop the last item of batch answers.
#[derive(Clone, Copy, Debug)]
struct WrongBatchCount;

/// The query root.
pub struct Query;

#[Object]
impl Query {
    /// All reviews of one product (empty for an unknown product).
    async fn reviews(&self, product_id: ID) -> Vec<Review> {
        data::reviews_of(&product_id)
            .into_iter()
            .map(Review::from)
            .collect()
    }

    /// One entry per requested product id, in the order asked.
    async fn reviews_for_products(
        &self,
        ctx: &Context<'_>,
        product_ids: Vec<ID>,
    ) -> Vec<ProductReviews> {
        let mut answer: Vec<ProductReviews> = product_ids
            .into_iter()
            .map(|product_id| ProductReviews {
                reviews: data::reviews_of(&product_id)
                    .into_iter()
                    .map(Review::from)
                    .collect(),
                product_id,
            })
            .collect();
        if ctx.data_opt::<WrongBatchCount>().is_some() {
            answer.pop();
        }
        answer
    }

    /// A product's reviews, then one question about it (a union of two object types).
    async fn activity(&self, product_id: ID) -> Vec<Activity> {
        let mut items: Vec<Activity> = data::reviews_of(&product_id)
            .into_iter()
            .map(|r| Activity::Review(Review::from(r)))
            .collect();
        items.push(Activity::Question(Question {
            id: ID(format!("q-{}", product_id.as_str())),
            text: format!("Does product {} come with a warranty?", product_id.as_str()),
            asked_by: "Edsger Dijkstra".to_owned(),
            product_id,
        }));
        items
    }

    /// One review by id (`r-<product>-<k>`), or null.
    async fn review(&self, id: ID) -> Option<Review> {
        data::review_by_id(&id).map(Review::from)
    }
}

/// Builds the schema (introspection enabled).
pub fn schema() -> ReviewsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription).finish()
}

#[derive(Clone)]
struct ReviewsState {
    gate: Gate,
    schema: ReviewsSchema,
}

/// The reviews GraphQL service: `GET`/`POST /graphql` and `GET /health`.
pub(crate) fn reviews_router(gate: Gate) -> Router {
    let state = ReviewsState {
        gate,
        schema: schema(),
    };
    rest::with_health(
        Router::new()
            .route("/graphql", get(graphql).post(graphql))
            .with_state(state),
    )
}

async fn graphql(
    State(state): State<ReviewsState>,
    method: Method,
    request: GraphQLRequest,
) -> Response {
    let mut request = request.into_inner();
    let summary = summarise(
        &request.query,
        request.operation_name.as_deref(),
        &request.variables,
    );
    if !summary.introspection_only {
        let target = summary.root_fields.join(",");
        match state
            .gate
            .admit(method.as_str(), &target, &summary.keys)
            .await
        {
            Verdict::Fail => {
                return graphql_error(StatusCode::INTERNAL_SERVER_ERROR, "injected failure")
            }
            Verdict::Reject => return graphql_error(StatusCode::BAD_REQUEST, "injected rejection"),
            Verdict::Proceed(answer) if answer.malformed => return rest::malformed(),
            Verdict::Proceed(answer) => {
                if answer.wrong_batch_count {
                    request = request.data(WrongBatchCount);
                }
            }
        }
    }
    GraphQLResponse::from(state.schema.execute(request).await).into_response()
}

fn graphql_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message }] }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// What a GraphQL request asks for, as far as recording is concerned.
#[derive(Debug, Default, PartialEq)]
struct Summary {
    root_fields: Vec<String>,
    keys: Vec<String>,
    introspection_only: bool,
}

/// Arguments whose values are recorded as keys.
const KEY_ARGUMENTS: [&str; 3] = ["id", "productId", "productIds"];

/// Extracts root field names and id arguments; tolerant of invalid documents.
fn summarise(query: &str, operation_name: Option<&str>, variables: &Variables) -> Summary {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return Summary::default();
    };
    let Some(operation) = pick_operation(&document, operation_name) else {
        return Summary::default();
    };
    let lookup = |name: Name| -> Result<ConstValue, ()> {
        if let Some(value) = variables.get(&name) {
            return Ok(value.clone());
        }
        operation
            .variable_definitions
            .iter()
            .find(|def| def.node.name.node == name)
            .and_then(|def| def.node.default_value.as_ref())
            .map(|value| value.node.clone())
            .ok_or(())
    };
    let mut summary = Summary::default();
    collect(
        &document,
        &operation.selection_set.node,
        &lookup,
        &mut summary,
        0,
    );
    summary.introspection_only = !summary.root_fields.is_empty()
        && summary
            .root_fields
            .iter()
            .all(|name| name.starts_with("__"));
    summary
}

fn pick_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| &op.node),
        (DocumentOperations::Multiple(ops), None) => ops.values().next().map(|op| &op.node),
    }
}

fn collect(
    document: &ExecutableDocument,
    selection_set: &SelectionSet,
    lookup: &dyn Fn(Name) -> Result<ConstValue, ()>,
    summary: &mut Summary,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    for item in &selection_set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                summary.root_fields.push(field.name.node.to_string());
                for (name, value) in &field.arguments {
                    if !KEY_ARGUMENTS.contains(&name.node.as_str()) {
                        continue;
                    }
                    if let Ok(value) = value.node.clone().into_const_with(lookup) {
                        push_keys(&value, &mut summary.keys);
                    }
                }
            }
            Selection::InlineFragment(fragment) => collect(
                document,
                &fragment.node.selection_set.node,
                lookup,
                summary,
                depth + 1,
            ),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(
                        document,
                        &fragment.node.selection_set.node,
                        lookup,
                        summary,
                        depth + 1,
                    );
                }
            }
        }
    }
}

fn push_keys(value: &ConstValue, keys: &mut Vec<String>) {
    match value {
        ConstValue::String(s) => keys.push(s.clone()),
        ConstValue::Number(n) => keys.push(n.to_string()),
        ConstValue::List(items) => items.iter().for_each(|item| push_keys(item, keys)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_collects_root_fields_and_ids() {
        let vars = Variables::from_json(serde_json::json!({ "ids": ["4", "5"] }));
        let s = summarise(
            "query Q($ids: [ID!]!, $one: ID! = \"9\") { a: reviewsForProducts(productIds: $ids) { productId } \
             ...F } fragment F on Query { review(id: $one) { id } reviews(productId: 7) { id } }",
            None,
            &vars,
        );
        assert_eq!(s.root_fields, ["reviewsForProducts", "review", "reviews"]);
        assert_eq!(s.keys, ["4", "5", "9", "7"]);
        assert!(!s.introspection_only);
        let s = summarise(
            "{ __schema { types { name } } }",
            None,
            &Variables::default(),
        );
        assert!(s.introspection_only);
        assert_eq!(
            summarise("{ nope", None, &Variables::default()),
            Summary::default()
        );
    }

    #[test]
    fn sdl_has_the_documented_shape() {
        let sdl = schema().sdl();
        assert!(sdl.contains("reviews(productId: ID!): [Review!]!"), "{sdl}");
        assert!(sdl.contains("reviewsForProducts(productIds: [ID!]!): [ProductReviews!]!"));
        assert!(sdl.contains("review(id: ID!): Review"));
    }
}
