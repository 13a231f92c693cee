//! The "Bench" accounts subgraph (like graphql-gateways-benchmark's): users.
//!
//! ```graphql
//! type Query { me: User, user(id: ID!): User, users: [User] }
//! type User @key(fields: "id") { id: ID!, name: String, username: String @shareable, birthday: Int }
//! ```
//!
//! `username` is `@shareable` because the reviews subgraph `@provides` it.
//! Data: users "1".."10"; `me` is user "1".

use async_graphql::{Object, SimpleObject, ID};

use super::{build_schema, SubgraphSchema};

/// `(name, username)` of users "1".."10", in id order.
const USERS: [(&str, &str); 10] = [
    ("Ada Lovelace", "ada"),
    ("Alan Turing", "alan"),
    ("Grace Hopper", "grace"),
    ("Edsger Dijkstra", "edsger"),
    ("Barbara Liskov", "barbara"),
    ("Donald Knuth", "donald"),
    ("Frances Allen", "frances"),
    ("John Backus", "john"),
    ("Margaret Hamilton", "margaret"),
    ("Tony Hoare", "tony"),
];

/// Number of users; ids are "1"..="USER_COUNT".
pub(super) const USER_COUNT: usize = USERS.len();

/// The username of a user id, if the user exists.
pub(super) fn username(id: &str) -> Option<&'static str> {
    index(id).map(|i| USERS[i].1)
}

/// Position of a user id ("1" is 0) in the data, if it exists.
fn index(id: &str) -> Option<usize> {
    let n: usize = id.parse().ok()?;
    (1..=USER_COUNT).contains(&n).then(|| n - 1)
}

/// A user.
#[derive(SimpleObject, Clone, Debug)]
pub struct User {
    id: ID,
    name: Option<String>,
    #[graphql(shareable)]
    username: Option<String>,
    birthday: Option<i32>,
}

fn user(i: usize) -> User {
    let (name, username) = USERS[i];
    let n = i as i32 + 1;
    User {
        id: ID(n.to_string()),
        name: Some(name.to_owned()),
        username: Some(username.to_owned()),
        // Deterministic seconds since the epoch, one per user.
        birthday: Some(1_000_000_000 + n * 31_536_000),
    }
}

fn user_by_id(id: &str) -> Option<User> {
    index(id).map(user)
}

/// The query root.
pub struct Query;

#[Object]
impl Query {
    /// The signed-in user: always user "1".
    async fn me(&self) -> Option<User> {
        user_by_id("1")
    }

    /// One user by id, or null.
    async fn user(&self, id: ID) -> Option<User> {
        user_by_id(&id)
    }

    /// Every user, by id.
    async fn users(&self) -> Option<Vec<Option<User>>> {
        Some((0..USER_COUNT).map(|i| Some(user(i))).collect())
    }

    /// User entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        user_by_id(&id)
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}
