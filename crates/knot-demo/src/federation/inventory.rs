//! The "Bench" inventory subgraph (like graphql-gateways-benchmark's): stock
//! and shipping estimates, which need the price and weight owned by products.
//!
//! ```graphql
//! type Product @key(fields: "upc") {
//!   upc: String!, weight: Int @external, price: Int @external, inStock: Boolean,
//!   shippingEstimate: Int @requires(fields: "price weight")
//! }
//! ```
//!
//! `shippingEstimate` is 0 above a price of 1000, else half the weight (null
//! when the router did not send price and weight). Products "3", "6" and "9"
//! are out of stock.

use async_graphql::{ComplexObject, Object, SimpleObject};

use super::products;
use super::{build_schema, SubgraphSchema};

/// A product, as far as stock is concerned.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Product {
    upc: String,
    #[graphql(external)]
    weight: Option<i32>,
    #[graphql(external)]
    price: Option<i32>,
    in_stock: Option<bool>,
}

#[ComplexObject]
impl Product {
    /// 0 when the price is above 1000, else half the weight.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Option<i32> {
        match (self.price, self.weight) {
            (Some(price), _) if price > 1000 => Some(0),
            (Some(_), Some(weight)) => Some(weight / 2),
            _ => None,
        }
    }
}

/// The query root (no fields of its own; `_entities` and `_service` only).
pub struct Query;

#[Object]
impl Query {
    /// Product entities by upc, with the `@requires` fields when sent (null for unknown upcs).
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        #[graphql(key)] upc: String,
        price: Option<i32>,
        weight: Option<i32>,
    ) -> Option<Product> {
        let i = products::index(&upc)?;
        Some(Product {
            in_stock: Some((i + 1) % 3 != 0),
            upc,
            weight,
            price,
        })
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}
