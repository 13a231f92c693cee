//! Reading a subgraph answer into the data tree (`Node`), one of the largest costs of `knot
//! serve` on the federation benchmark. The answer is made here, shaped like the benchmark's
//! subgraphs answering `_entities`: 100 users, each with 6 reviews, each with a product of 7
//! fields (about 127 KB). The bench runs on the system allocator, counting: it prints how many
//! allocations one read makes and how much heap the tree holds.
//! `cargo bench -p knot-federation --bench answer`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use knot_execute::tree::Node;
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the calls and the bytes live (printed once: how many
/// allocations one parse makes and how much heap its tree holds).
struct Counting;
static CALLS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Relaxed);
        LIVE.fetch_add(layout.size(), Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Relaxed);
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn answer() -> String {
    let mut text = String::from(r#"{"data":{"_entities":["#);
    for user in 0..100 {
        if user > 0 {
            text.push(',');
        }
        let _ = write!(text, r#"{{"__typename":"User","id":"{user}","reviews":["#);
        for review in 0..6 {
            if review > 0 {
                text.push(',');
            }
            let _ = write!(
                text,
                r#"{{"id":"{user}-{review}","body":"A review of product {review}, number {user}: it does what it says.","product":{{"__typename":"Product","upc":"{review}","name":"Product {review}","price":{price},"weight":{weight},"inStock":true,"shippingEstimate":{weight}}}}}"#,
                price = 100 + review * 37,
                weight = 10 + review,
            );
        }
        text.push_str("]}");
    }
    text.push_str("]}}");
    text
}

fn parse(c: &mut Criterion) {
    let text = answer();
    // A first parse warms whatever the parser keeps between answers.
    drop(sonic_rs::from_slice::<Node>(text.as_bytes()).expect("parses"));
    let (calls, live) = (CALLS.load(Relaxed), LIVE.load(Relaxed));
    let tree = sonic_rs::from_slice::<Node>(text.as_bytes()).expect("parses");
    println!(
        "one parse: {} allocations and reallocations, tree holds {} bytes of heap",
        CALLS.load(Relaxed) - calls,
        LIVE.load(Relaxed) - live
    );
    drop(tree);
    let mut group = c.benchmark_group("subgraph answer");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(format!("parse into Node ({} bytes)", text.len()), |b| {
        b.iter(|| {
            sonic_rs::from_slice::<Node>(std::hint::black_box(text.as_bytes())).expect("parses")
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
