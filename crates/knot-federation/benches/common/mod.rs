//! Code shared by the bench binaries.

pub mod plan;
