//! Plan time of the graphql-gateways-benchmark query (federation/bench-peers): validate,
//! normalize and plan it against the benchmark supergraph, uncached (a new document) and
//! cached (a repeated one). Targets: uncached ≤ 1 ms, cached ≤ 20 µs. Uncached twice: with no
//! tracing subscriber (a library user, the desktop app), and under `knot serve`'s own log filter
//! (`warn,knot::request=info,knot_serve=info`), as the gateway plans. This binary runs on the
//! system allocator (glibc malloc), as the desktop app does; `plan_gateway` runs the same
//! benchmark on mimalloc, the allocator of `knot serve`.
//! `cargo bench -p knot-federation --bench plan --bench plan_gateway`

use criterion::{criterion_group, criterion_main, Criterion};

mod common;

fn plan(c: &mut Criterion) {
    common::plan::plan(c, "system allocator");
}

criterion_group!(benches, plan);
criterion_main!(benches);
