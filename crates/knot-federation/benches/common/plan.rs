//! The plan benchmark itself, shared by the two bench binaries that differ only in their global
//! allocator (`plan`: the system's, as a library user and the desktop app plan; `plan_gateway`:
//! mimalloc, as `knot serve` plans).

use criterion::Criterion;
use knot_federation::Supergraph;
use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../federation/bench-peers")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Plans the benchmark query uncached (with no tracing subscriber, then under `knot serve`'s
/// log filter) and cached; `allocator` names the binary's allocator in each bench's name.
pub fn plan(c: &mut Criterion, allocator: &str) {
    let supergraph =
        Supergraph::parse(&read("supergraph.graphql")).expect("the benchmark supergraph");
    let query = read("query.graphql");
    c.bench_function(
        &format!("plan uncached (benchmark query, {allocator})"),
        |b| {
            b.iter(|| {
                supergraph
                    .prepare_uncached(std::hint::black_box(&query), Some("TestQuery"))
                    .expect("plans")
            })
        },
    );
    let serve_logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "warn,knot::request=info,knot_serve=info",
        ))
        .with_writer(std::io::sink)
        .json()
        .finish();
    tracing::subscriber::with_default(serve_logs, || {
        c.bench_function(
            &format!("plan uncached, under knot serve's log filter ({allocator})"),
            |b| {
                b.iter(|| {
                    supergraph
                        .prepare_uncached(std::hint::black_box(&query), Some("TestQuery"))
                        .expect("plans")
                })
            },
        );
    });
    supergraph
        .prepare(&query, Some("TestQuery"))
        .expect("plans");
    c.bench_function(
        &format!("plan cached (benchmark query, {allocator})"),
        |b| {
            b.iter(|| {
                supergraph
                    .prepare(std::hint::black_box(&query), Some("TestQuery"))
                    .expect("plans")
            })
        },
    );
}
