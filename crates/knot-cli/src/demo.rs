//! `knot demo`: the demo services and the Apollo Federation demo subgraphs in the
//! foreground, with their addresses printed first.

use anyhow::Result;
use clap::Args;
use knot_demo::{
    Demo, DemoConfig, DemoPorts, Faults, FederationConfig, FederationDemo, FederationPorts,
    Service, Subgraph,
};
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoArgs {
    /// Latency added to every demo call, in milliseconds (precise).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fraction of calls that fail with 500 / INTERNAL (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fraction of calls that hang (see --hang-ms) before answering.
    #[arg(long, default_value_t = 0.0)]
    timeout_rate: f64,
    /// How long a hanging call hangs, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    hang_ms: u64,
    /// Bind every service to an ephemeral port instead of the fixed ones (7101-7113, 7121-7134).
    #[arg(long)]
    ephemeral: bool,
    /// Print the addresses as JSON (one line) instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DemoArgs) -> Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let config = DemoConfig {
            ports: if args.ephemeral { DemoPorts::ephemeral() } else { DemoPorts::fixed() },
            faults: Faults { latency_ms: args.latency_ms, error_rate: args.error_rate, timeout_rate: args.timeout_rate, hang_ms: args.hang_ms, ..Faults::default() },
            ..DemoConfig::default()
        };
        let demo = Demo::start(config).await?;
        // Nobody reads the federation request log here: recording off, memory flat.
        let federation = FederationDemo::start(FederationConfig {
            ports: if args.ephemeral { FederationPorts::ephemeral() } else { FederationPorts::fixed() },
            record: false,
            ..FederationConfig::default()
        })
        .await?;
        if args.json {
            let map: serde_json::Map<String, serde_json::Value> = demo.env_vars().into_iter().chain(federation.env_vars()).map(|(k, v)| (k, v.into())).collect();
            println!("{}", serde_json::Value::Object(map));
        } else {
            println!("Knot demo services (Ctrl+C to stop):");
            for s in Service::ALL {
                println!("  {:<15} {:<8} {}   ({})", s.name(), kind(s), demo.url(s), s.env_var());
            }
            println!("Apollo Federation v2 subgraphs (POST GraphQL):");
            for s in Subgraph::ALL {
                println!("  {:<15} {:<8} {}   ({})", s.name(), supergraph(s), federation.url(s), s.env_var());
            }
            println!("Try: knot run examples/shop.knot.json --query '{{ getOrderDetails(id: \"1\") {{ user {{ name }} products {{ name price }} }} }}'");
        }
        tokio::signal::ctrl_c().await?;
        tokio::join!(demo.shutdown(), federation.shutdown());
        Ok(ExitCode::SUCCESS)
    })
}

fn kind(s: Service) -> &'static str {
    match s {
        Service::Products => "gRPC",
        Service::Reviews => "GraphQL",
        _ => "REST",
    }
}

fn supergraph(s: Subgraph) -> &'static str {
    if Subgraph::FLEET.contains(&s) {
        "fleet"
    } else {
        "bench"
    }
}
