//! The "Bench" reviews subgraph (like graphql-gateways-benchmark's): reviews,
//! and the reviews of each user and product.
//!
//! ```graphql
//! type Review @key(fields: "id") { id: ID!, body: String, author: User @provides(fields: "username"), product: Product }
//! type User @key(fields: "id") { id: ID!, username: String @external, reviews: [Review] }
//! type Product @key(fields: "upc") { upc: String!, reviews: [Review] }
//! ```
//!
//! Data: user `u` (1..10) wrote reviews `3u-2`, `3u-1` and `3u`; review `n` is
//! about product `(n-1) % 10 + 1`, so every product has three reviews.

use async_graphql::{Object, ID};

use super::accounts::{self, USER_COUNT};
use super::products::{self, PRODUCT_COUNT};
use super::{build_schema, SubgraphSchema};

/// Reviews each user wrote.
const REVIEWS_PER_USER: usize = 3;

/// Number of reviews; ids are "1"..="REVIEW_COUNT".
const REVIEW_COUNT: usize = USER_COUNT * REVIEWS_PER_USER;

/// A review (number `n`, 1-based).
#[derive(Clone, Copy, Debug)]
pub struct Review {
    n: usize,
}

impl Review {
    fn by_id(id: &str) -> Option<Review> {
        let n: usize = id.parse().ok()?;
        (1..=REVIEW_COUNT).contains(&n).then_some(Review { n })
    }

    fn author_id(self) -> usize {
        (self.n - 1) / REVIEWS_PER_USER + 1
    }

    fn upc(self) -> usize {
        (self.n - 1) % PRODUCT_COUNT + 1
    }
}

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID(self.n.to_string())
    }

    async fn body(&self) -> Option<String> {
        let upc = self.upc().to_string();
        let product = products::product_name(&upc).unwrap_or("this product");
        Some(format!(
            "Review {} of {product}: solid, would buy again.",
            self.n
        ))
    }

    /// The author, with their username.
    #[graphql(provides = "username")]
    async fn author(&self) -> Option<User> {
        Some(User::new(ID(self.author_id().to_string())))
    }

    async fn product(&self) -> Option<Product> {
        Some(Product {
            upc: self.upc().to_string(),
        })
    }
}

/// A user, with the reviews they wrote.
#[derive(Clone, Debug)]
pub struct User {
    id: ID,
    username: Option<String>,
}

impl User {
    fn new(id: ID) -> Self {
        let username = accounts::username(&id).map(str::to_owned);
        Self { id, username }
    }
}

#[Object]
impl User {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Owned by accounts; answered here only where `@provides` says so.
    #[graphql(external)]
    async fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The reviews this user wrote (empty for an unknown user).
    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        let reviews = match self.id.parse::<usize>() {
            Ok(u) if (1..=USER_COUNT).contains(&u) => {
                let first = (u - 1) * REVIEWS_PER_USER + 1;
                (first..first + REVIEWS_PER_USER)
                    .map(|n| Some(Review { n }))
                    .collect()
            }
            _ => Vec::new(),
        };
        Some(reviews)
    }
}

/// A product, with its reviews.
#[derive(Clone, Debug)]
pub struct Product {
    upc: String,
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    /// The reviews of this product (empty for an unknown product).
    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        let reviews = match products::index(&self.upc) {
            Some(i) => (1..=REVIEW_COUNT)
                .map(|n| Review { n })
                .filter(|review| review.upc() == i + 1)
                .map(Some)
                .collect(),
            None => Vec::new(),
        };
        Some(reviews)
    }
}

/// The query root (no fields of its own; `_entities` and `_service` only).
pub struct Query;

#[Object]
impl Query {
    /// Review entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_review_by_id(&self, id: ID) -> Option<Review> {
        Review::by_id(&id)
    }

    /// User entities by id (any id; unknown users have no reviews).
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User::new(id)
    }

    /// Product entities by upc (any upc; unknown products have no reviews).
    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product { upc }
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}
