//! The one DAG driver: every plan, whatever front end made it, runs through [`drive`]. A
//! node starts the moment every node it waits for is done; all started nodes are in flight
//! together; each start and end is reported to the run's observer as a [`NodeEvent`].
//!
//! The main design choice: the driver knows only the graph's shape and when to start and
//! finish nodes. What a node calls, and how its answers enter the data, belongs to the node
//! kind ([`Driven`]): bound nodes of `knot-plan` here in `run.rs`, subgraph root and entity
//! fetches in `knot-federation`. So scheduling, parallelism and progress events cannot
//! differ between kinds of workspace.

use crate::{NodeEvent, Observer};
use futures::stream::{FuturesUnordered, StreamExt};
use petgraph::graph::{DiGraph, NodeIndex};
use std::future::Future;

/// How one kind of node is started and finished. A node's calls in flight may borrow what
/// the run reads (the plan, the connectors), never the driven state itself.
pub trait Driven {
    /// What a node's calls hand back when they are all done.
    type Done;
    /// A node's calls in flight, ending with the node's id and what they got.
    type Call: Future<Output = (usize, Self::Done)> + Send;

    /// Builds node `node`'s calls from the data so far; `None` when it has nothing to ask
    /// (it is then finished at once, with no failure).
    fn start(&mut self, node: usize) -> Option<Self::Call>;

    /// Takes a node's answers into the data; returns how many of its calls failed.
    fn finish(&mut self, node: usize, done: Self::Done) -> usize;

    /// Milliseconds since the run started.
    fn elapsed_ms(&self) -> f64;
}

/// Runs every node of `graph` (edges point from a node to the nodes that wait for it).
pub async fn drive<N, E, D: Driven>(
    graph: &DiGraph<N, E>,
    driven: &mut D,
    observer: Option<&Observer>,
) {
    let notify = |event: NodeEvent| {
        if let Some(o) = observer {
            o(event);
        }
    };
    let count = graph.node_count();
    let mut waiting: Vec<usize> = (0..count)
        .map(|i| {
            graph
                .neighbors_directed(NodeIndex::new(i), petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: Vec<usize> = (0..count).filter(|i| waiting[*i] == 0).collect();
    let mut running = FuturesUnordered::new();
    loop {
        let mut finished_now = Vec::new();
        for id in std::mem::take(&mut ready) {
            notify(NodeEvent::Started {
                node: id,
                at_ms: driven.elapsed_ms(),
            });
            match driven.start(id) {
                Some(call) => running.push(call),
                None => {
                    notify(NodeEvent::Finished {
                        node: id,
                        at_ms: driven.elapsed_ms(),
                        failed_calls: 0,
                    });
                    finished_now.push(id);
                }
            }
        }
        if finished_now.is_empty() {
            let Some((id, done)) = running.next().await else {
                break;
            };
            let failed_calls = driven.finish(id, done);
            notify(NodeEvent::Finished {
                node: id,
                at_ms: driven.elapsed_ms(),
                failed_calls,
            });
            finished_now.push(id);
        }
        for id in finished_now {
            for next in graph.neighbors_directed(NodeIndex::new(id), petgraph::Direction::Outgoing)
            {
                let slot = &mut waiting[next.index()];
                *slot = slot.saturating_sub(1);
                if *slot == 0 {
                    ready.push(next.index());
                }
            }
        }
    }
}
