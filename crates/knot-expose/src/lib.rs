//! The gateway's saved operations described for callers who do not speak GraphQL: an
//! OpenAPI 3.1 document of the REST composite endpoints ([`openapi`]) and a `.proto` of one
//! gRPC service whose methods are the operations marked for gRPC ([`proto`]).
//!
//! Design choice: both are derived from the same two inputs every host already has, the
//! workspace (saved operations, their REST paths, recorded gRPC field numbers) and the
//! runtime's public SDL, through one [`shape`] of each operation: its variables and the
//! typed tree its selection set answers. The public SDL (not the workspace's own schema) is
//! what makes this work for every workspace, Federation subgraphs included, and what keeps
//! private join keys out. Output is built in a fixed order from ordered maps, so the same
//! workspace always gives the same bytes.

pub mod calls;
pub mod openapi;
pub mod proto;
pub mod shape;

pub use shape::{Schema, Shape, ShapeError};
