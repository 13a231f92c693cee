//! Plan time of the graphql-gateways-benchmark query (federation/bench-peers): validate,
//! normalize and plan it against the benchmark supergraph, uncached (a new document) and
//! cached (a repeated one). Targets: uncached ≤ 1 ms, cached ≤ 20 µs. Uncached twice: with no
//! tracing subscriber (a library user, the desktop app), and under `knot serve`'s own log filter
//! (`warn,knot::request=info,knot_serve=info`), as the gateway plans.
//! `cargo bench -p knot-federation --bench plan`

use criterion::{criterion_group, criterion_main, Criterion};
use knot_federation::Supergraph;
use std::path::Path;

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../federation/bench-peers")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn plan(c: &mut Criterion) {
    let supergraph =
        Supergraph::parse(&read("supergraph.graphql")).expect("the benchmark supergraph");
    let query = read("query.graphql");
    c.bench_function("plan uncached (benchmark query)", |b| {
        b.iter(|| {
            supergraph
                .prepare_uncached(std::hint::black_box(&query), Some("TestQuery"))
                .expect("plans")
        })
    });
    let serve_logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "warn,knot::request=info,knot_serve=info",
        ))
        .with_writer(std::io::sink)
        .json()
        .finish();
    tracing::subscriber::with_default(serve_logs, || {
        c.bench_function("plan uncached, under knot serve's log filter", |b| {
            b.iter(|| {
                supergraph
                    .prepare_uncached(std::hint::black_box(&query), Some("TestQuery"))
                    .expect("plans")
            })
        });
    });
    supergraph
        .prepare(&query, Some("TestQuery"))
        .expect("plans");
    c.bench_function("plan cached (benchmark query)", |b| {
        b.iter(|| {
            supergraph
                .prepare(std::hint::black_box(&query), Some("TestQuery"))
                .expect("plans")
        })
    });
}

criterion_group!(benches, plan);
criterion_main!(benches);
