//! The plan benchmark of `plan.rs` on mimalloc, the global allocator of the `knot` binary, so
//! it measures planning as `knot serve` plans (planning allocates and frees many small
//! vectors and maps: under glibc malloc, malloc and free are about a third of its time).
//! `cargo bench -p knot-federation --bench plan_gateway`

use criterion::{criterion_group, criterion_main, Criterion};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

fn plan(c: &mut Criterion) {
    common::plan::plan(c, "mimalloc, as knot serve");
}

criterion_group!(benches, plan);
criterion_main!(benches);
