//! The "Fleet" device subgraph: devices, the camera each device carries (an
//! entity with only its id) and the street of each location (an entity whose
//! other fields live in the safety subgraph).
//!
//! ```graphql
//! type Query { device(id: ID!): Device, devices: [Device!]! }
//! type Device @key(fields: "id") { id: ID!, name: String!, camera: Camera }
//! type Camera @key(fields: "id") { id: ID! }
//! type Location @key(fields: "id") { id: ID!, street: String! }
//! ```
//!
//! Data: devices "1".."8"; devices 1 and 2 share camera "c1", 3 and 4 share
//! "c2", 5 carries "c-broken", 6 "c-dark", 7 "c3", 8 has no camera. Locations
//! "l1".."l3" (see the safety subgraph for which camera is where).

use async_graphql::{Object, SimpleObject, ID};

use super::{build_schema, SubgraphSchema};

/// `(id, name, camera id)` of every device.
const DEVICES: [(&str, &str, Option<&str>); 8] = [
    ("1", "Front door", Some("c1")),
    ("2", "Front door (spare)", Some("c1")),
    ("3", "Loading bay", Some("c2")),
    ("4", "Loading bay (spare)", Some("c2")),
    ("5", "Server room", Some("c-broken")),
    ("6", "Car park", Some("c-dark")),
    ("7", "Roof", Some("c3")),
    ("8", "Reception tablet", None),
];

/// Every camera id carried by some device.
pub(super) const CAMERAS: [&str; 5] = ["c1", "c2", "c-broken", "c-dark", "c3"];

/// `(id, street)` of every location.
const LOCATIONS: [(&str, &str); 3] = [
    ("l1", "1 Harbour Street"),
    ("l2", "22 Mill Lane"),
    ("l3", "5 Station Road"),
];

/// A device.
#[derive(SimpleObject, Clone, Debug)]
pub struct Device {
    id: ID,
    name: String,
    camera: Option<Camera>,
}

/// A camera, known here only by its id.
#[derive(SimpleObject, Clone, Debug)]
pub struct Camera {
    id: ID,
}

/// A location and its street.
#[derive(SimpleObject, Clone, Debug)]
pub struct Location {
    id: ID,
    street: String,
}

fn device(entry: &(&str, &str, Option<&str>)) -> Device {
    let (id, name, camera) = *entry;
    Device {
        id: ID(id.to_owned()),
        name: name.to_owned(),
        camera: camera.map(|id| Camera {
            id: ID(id.to_owned()),
        }),
    }
}

/// The query root.
pub struct Query;

#[Object]
impl Query {
    /// One device by id, or null.
    async fn device(&self, id: ID) -> Option<Device> {
        DEVICES
            .iter()
            .find(|(device_id, _, _)| *device_id == id.as_str())
            .map(device)
    }

    /// Every device, by id.
    async fn devices(&self) -> Vec<Device> {
        DEVICES.iter().map(device).collect()
    }

    /// Device entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_device_by_id(&self, id: ID) -> Option<Device> {
        DEVICES
            .iter()
            .find(|(device_id, _, _)| *device_id == id.as_str())
            .map(device)
    }

    /// Camera entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_camera_by_id(&self, id: ID) -> Option<Camera> {
        CAMERAS.contains(&id.as_str()).then_some(Camera { id })
    }

    /// Location entities by id (null for unknown ids).
    #[graphql(entity)]
    async fn find_location_by_id(&self, id: ID) -> Option<Location> {
        LOCATIONS
            .iter()
            .find(|(location_id, _)| *location_id == id.as_str())
            .map(|(_, street)| Location {
                id,
                street: (*street).to_owned(),
            })
    }
}

/// Builds the schema (federation on).
pub(super) fn schema() -> SubgraphSchema<Query> {
    build_schema(Query)
}

/// `(device id, last service date, technician)`: the maintenance log, a plain REST
/// endpoint beside the device subgraph, for workspaces that give federated `Device`s a
/// field from a REST source.
const MAINTENANCE: [(&str, &str, &str); 6] = [
    ("1", "2026-09-14", "Rosa"),
    ("2", "2026-10-02", "Rosa"),
    ("3", "2026-08-21", "Malik"),
    ("4", "2026-11-03", "Malik"),
    ("5", "2026-07-30", "Ines"),
    ("7", "2026-10-19", "Ines"),
];

/// `GET /maintenance?device=1&device=2`: one record per known device, in the order
/// asked (unknown ids are left out, so callers must match by `deviceId`).
pub(super) fn maintenance_router() -> axum::Router {
    axum::Router::new().route("/maintenance", axum::routing::get(maintenance))
}

async fn maintenance(uri: axum::http::Uri) -> axum::Json<serde_json::Value> {
    let query = uri.query().unwrap_or("");
    let records: Vec<serde_json::Value> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| *name == "device")
        .filter_map(|(_, id)| MAINTENANCE.iter().find(|(d, _, _)| *d == id))
        .map(|(id, date, who)| {
            serde_json::json!({"deviceId": id, "lastService": date, "technician": who})
        })
        .collect();
    axum::Json(serde_json::Value::Array(records))
}
