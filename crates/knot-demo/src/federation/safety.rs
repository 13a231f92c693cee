//! The "Fleet" safety subgraph: where each camera is. Locations are only
//! referenced here (`resolvable: false`); their streets come from the device
//! subgraph.
//!
//! ```graphql
//! type Camera @key(fields: "id") { id: ID!, cameraLocation: Location }
//! type Location @key(fields: "id", resolvable: false) { id: ID! }
//! ```
//!
//! Data: "c1" and "c2" are at "l1", "c3" at "l2"; "c-broken" answers null
//! plus the error "camera offline" (path `_entities.N.cameraLocation`) for
//! `cameraLocation`, "c-dark" answers null without an error.

use async_graphql::{Context, Error, Object, PathSegment, SimpleObject, ID};

use super::device::CAMERAS;
use super::{build_schema, Representations, SubgraphSchema};

/// The message of the `cameraLocation` error of camera "c-broken".
pub(super) const CAMERA_OFFLINE: &str = "camera offline";

/// A camera.
#[derive(Clone, Debug)]
pub struct Camera {
    id: ID,
}

#[Object]
impl Camera {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Where the camera is: an error for "c-broken", null for "c-dark".
    async fn camera_location(&self, ctx: &Context<'_>) -> Option<Location> {
        let location = match self.id.as_str() {
            "c1" | "c2" => "l1",
            "c3" => "l2",
            "c-broken" => {
                self.offline(ctx);
                return None;
            }
            _ => return None,
        };
        Some(Location {
            id: ID(location.to_owned()),
        })
    }
}

impl Camera {
    /// Reports "camera offline" for `cameraLocation` and lets it be null, as the
    /// GraphQL spec has it (async-graphql would leave an erroring field out).
    /// async-graphql's `_entities` paths lack the list index, so it is put back:
    /// `_entities.N.cameraLocation`, N a position of this camera among the
    /// representations (each duplicate gets its own position).
    fn offline(&self, ctx: &Context<'_>) {
        // Cameras are only reachable through `_entities` here (the subgraph has no
        // Query fields), so the first segment is `_entities` or the gateway's alias of it.
        let mut error =
            ctx.set_error_path(Error::new(CAMERA_OFFLINE).into_server_error(ctx.item.pos));
        let in_entities = matches!(
            error.path.as_slice(),
            [PathSegment::Field(_), PathSegment::Field(_), ..]
        );
        if in_entities {
            let position = ctx
                .data_opt::<Representations>()
                .and_then(|representations| {
                    representations
                        .claim(|r| r["__typename"] == "Camera" && r["id"] == self.id.as_str())
                });
            if let Some(i) = position {
                error.path.insert(1, PathSegment::Index(i));
            }
        }
        ctx.add_error(error);
    }
}

/// A location, referenced by id only.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(unresolvable)]
pub struct Location {
    id: ID,
}

/// The query root (no fields of its own; `_entities` and `_service` only).
pub struct Query;

#[Object]
impl Query {
    /// Camera entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_camera_by_id(&self, id: ID) -> Option<Camera> {
        CAMERAS.contains(&id.as_str()).then_some(Camera { id })
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}
