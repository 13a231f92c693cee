//! Knot demo services: real REST, gRPC and GraphQL servers with injectable
//! latency and faults, used by Knot's tests, examples and benchmarks.
//!
//! [`Demo::start`] binds eight listeners (orders, users, products, reviews,
//! events, instruments, trading-orders, search), serves deterministic data on them and
//! hands back a [`DemoControl`] to change [`Faults`] at run time and to read the
//! [`RecordedRequest`]s. Servers stop on [`Demo::shutdown`] or when the [`Demo`]
//! is dropped.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

mod data;
mod faults;
mod federation;
mod rest;
mod reviews;
mod servers;
mod shop;
mod trading;

pub use faults::{DemoControl, Faults, RecordedRequest, DEFAULT_HANG_MS};
pub use federation::{
    subgraph_sdl, FederationConfig, FederationDemo, FederationPorts, Subgraph, SubgraphRequest,
    MAINTENANCE_ENV_VAR,
};
pub use reviews::schema as reviews_schema;
pub use shop::{FILE_DESCRIPTOR_SET, GET_PRODUCTS_PATH, GET_PRODUCT_PATH};

/// Generated protobuf types, server and client of `proto/products.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("knot.demo.products.v1");
}

/// The port of each demo service (0 = pick a free port).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoPorts {
    pub orders: u16,
    pub users: u16,
    pub products: u16,
    pub reviews: u16,
    pub events: u16,
    pub instruments: u16,
    pub trading_orders: u16,
    pub search: u16,
}

impl DemoPorts {
    /// The well-known ports used by the examples (7101-7105, 7111-7113).
    pub fn fixed() -> Self {
        Self {
            orders: 7101,
            users: 7102,
            products: 7103,
            reviews: 7104,
            events: 7111,
            instruments: 7112,
            trading_orders: 7113,
            search: 7105,
        }
    }

    /// Port 0 everywhere: the OS picks free ports (for tests).
    pub fn ephemeral() -> Self {
        Self {
            orders: 0,
            users: 0,
            products: 0,
            reviews: 0,
            events: 0,
            instruments: 0,
            trading_orders: 0,
            search: 0,
        }
    }

    /// The port configured for one service.
    pub fn port(&self, service: Service) -> u16 {
        match service {
            Service::Orders => self.orders,
            Service::Users => self.users,
            Service::Products => self.products,
            Service::Reviews => self.reviews,
            Service::Events => self.events,
            Service::Instruments => self.instruments,
            Service::TradingOrders => self.trading_orders,
            Service::Search => self.search,
        }
    }
}

/// One of the eight demo services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Orders,
    Users,
    Products,
    Reviews,
    Events,
    Instruments,
    TradingOrders,
    Search,
}

impl Service {
    /// Every service, in a fixed order.
    pub const ALL: [Service; 8] = [
        Service::Orders,
        Service::Users,
        Service::Products,
        Service::Reviews,
        Service::Events,
        Service::Instruments,
        Service::TradingOrders,
        Service::Search,
    ];

    /// Short name, e.g. `"trading-orders"`.
    pub fn name(&self) -> &'static str {
        match self {
            Service::Orders => "orders",
            Service::Users => "users",
            Service::Products => "products",
            Service::Reviews => "reviews",
            Service::Events => "events",
            Service::Instruments => "instruments",
            Service::TradingOrders => "trading-orders",
            Service::Search => "search",
        }
    }

    /// Environment variable carrying the service URL, e.g. `"ORDERS_URL"`.
    pub fn env_var(&self) -> &'static str {
        match self {
            Service::Orders => "ORDERS_URL",
            Service::Users => "USERS_URL",
            Service::Products => "PRODUCTS_URL",
            Service::Reviews => "REVIEWS_URL",
            Service::Events => "EVENTS_URL",
            Service::Instruments => "INSTRUMENTS_URL",
            Service::TradingOrders => "TRADING_ORDERS_URL",
            Service::Search => "SEARCH_URL",
        }
    }

    /// Position in [`Service::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to start the demo.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// Address every listener binds to (default 127.0.0.1).
    pub host: IpAddr,
    /// Port of each service.
    pub ports: DemoPorts,
    /// Initial faults of every service.
    pub faults: Faults,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: DemoPorts::fixed(),
            faults: Faults::default(),
        }
    }
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A listener could not be bound (e.g. port in use).
    #[error("cannot bind the {service} demo service to {addr}: {source}")]
    Bind {
        service: &'static str,
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The bound address of a listener could not be read.
    #[error("cannot read the address of the {service} demo service: {source}")]
    LocalAddr {
        service: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The gRPC reflection service could not be built.
    #[error("cannot build the gRPC reflection service: {0}")]
    Reflection(String),
}

/// The running demo services.
pub struct Demo {
    /// Faults and recorded requests.
    pub control: DemoControl,
    addrs: [SocketAddr; 8],
    servers: servers::Servers,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("addrs", &self.addrs)
            .finish_non_exhaustive()
    }
}

impl Demo {
    /// Binds every listener, then serves all eight services in the background.
    pub async fn start(config: DemoConfig) -> Result<Demo, DemoError> {
        let control = DemoControl::new(&config.faults);
        let mut servers = servers::Servers::new();

        let mut routers = Vec::with_capacity(Service::ALL.len());
        for service in Service::ALL {
            let gate = faults::Gate::new(control.clone(), service, servers.stop_signal());
            let router = match service {
                Service::Orders => shop::orders_router(gate),
                Service::Users => shop::users_router(gate),
                Service::Products => shop::products_router(gate)?,
                Service::Reviews => reviews::reviews_router(gate),
                Service::Events => trading::events_router(gate),
                Service::Instruments => trading::instruments_router(gate),
                Service::TradingOrders => trading::trading_orders_router(gate),
                Service::Search => shop::search_router(gate),
            };
            routers.push(router);
        }

        let mut listeners = Vec::with_capacity(Service::ALL.len());
        let mut addrs = [SocketAddr::new(config.host, 0); 8];
        for service in Service::ALL {
            let (listener, addr) =
                servers::bind(config.host, config.ports.port(service), service.name()).await?;
            addrs[service.index()] = addr;
            listeners.push(listener);
        }
        for ((service, listener), router) in Service::ALL.into_iter().zip(listeners).zip(routers) {
            servers.serve(service.name(), listener, router);
        }

        Ok(Demo {
            control,
            addrs,
            servers,
        })
    }

    /// The bound address of a service.
    pub fn addr(&self, service: Service) -> SocketAddr {
        self.addrs[service.index()]
    }

    /// `http://host:port` of a service (gRPC too: HTTP/2 cleartext).
    pub fn url(&self, service: Service) -> String {
        format!("http://{}", self.addr(service))
    }

    /// `(Service::env_var(), url)` for every service.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        Service::ALL
            .iter()
            .map(|service| (service.env_var().to_owned(), self.url(*service)))
            .collect()
    }

    /// Stops all servers gracefully (in-flight requests get a few seconds).
    pub async fn shutdown(mut self) {
        self.servers.shutdown().await;
    }
}
