//! The "Bench" products subgraph (like graphql-gateways-benchmark's): the catalogue.
//!
//! ```graphql
//! type Query { topProducts(first: Int = 5): [Product] }
//! type Product @key(fields: "upc") { upc: String!, name: String, price: Int, weight: Int }
//! ```
//!
//! Data: products with upc "1".."10"; upc "2", "9" and "10" cost more than 1000.

use async_graphql::{Object, SimpleObject};

use super::{build_schema, SubgraphSchema};

/// `(name, price, weight)` of products "1".."10", in upc order.
const PRODUCTS: [(&str, i32, i32); 10] = [
    ("Table", 899, 100),
    ("Couch", 1299, 1000),
    ("Chair", 54, 50),
    ("Lamp", 15, 5),
    ("Desk", 420, 80),
    ("Shelf", 99, 30),
    ("Rug", 230, 12),
    ("Mirror", 75, 8),
    ("Sofa bed", 1599, 1200),
    ("Wardrobe", 1100, 900),
];

/// Number of products; upcs are "1"..="PRODUCT_COUNT".
pub(super) const PRODUCT_COUNT: usize = PRODUCTS.len();

/// The name of a product, if it exists.
pub(super) fn product_name(upc: &str) -> Option<&'static str> {
    index(upc).map(|i| PRODUCTS[i].0)
}

/// Position of a upc ("1" is 0) in the data, if it exists.
pub(super) fn index(upc: &str) -> Option<usize> {
    let n: usize = upc.parse().ok()?;
    (1..=PRODUCT_COUNT).contains(&n).then(|| n - 1)
}

/// A product.
#[derive(SimpleObject, Clone, Debug)]
pub struct Product {
    upc: String,
    name: Option<String>,
    price: Option<i32>,
    weight: Option<i32>,
}

fn product(i: usize) -> Product {
    let (name, price, weight) = PRODUCTS[i];
    Product {
        upc: (i + 1).to_string(),
        name: Some(name.to_owned()),
        price: Some(price),
        weight: Some(weight),
    }
}

/// The query root.
pub struct Query;

#[Object]
impl Query {
    /// The first `first` products (5 by default, at most all ten).
    async fn top_products(
        &self,
        #[graphql(default = 5)] first: Option<i32>,
    ) -> Option<Vec<Option<Product>>> {
        let first = usize::try_from(first.unwrap_or(5)).unwrap_or(0);
        Some(
            (0..PRODUCT_COUNT.min(first))
                .map(|i| Some(product(i)))
                .collect(),
        )
    }

    /// Product entities by upc (null for unknown upcs).
    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Option<Product> {
        index(&upc).map(product)
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}
