//! The workspace loader and checker: any bytes go through `check_bytes` (UTF-8, JSON,
//! version gate, types, semantic checks, line/column positions) without panicking; a file
//! that reads as a workspace saves in the canonical form, and that form reads back to the
//! same workspace, saves to the same bytes and has the same problems. The public SDL of a
//! workspace that reads is printed too.
#![no_main]

use knot_model::{check_bytes, to_canonical_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = check_bytes(data);
    for p in &report.problems {
        let _ = p.to_string();
    }
    let Some(ws) = report.workspace else {
        return;
    };
    let _ = knot_model::sdl::public_sdl(&ws);
    let saved = to_canonical_json(&ws);
    let again = check_bytes(saved.as_bytes());
    let Some(ws_again) = again.workspace else {
        panic!(
            "the canonical form does not read back: {:?}",
            again.problems
        );
    };
    assert_eq!(saved, to_canonical_json(&ws_again), "saving is not stable");
    let what = |ps: &[knot_model::Problem]| {
        ps.iter()
            .map(|p| (p.code, p.path.to_string(), p.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        what(&report.problems),
        what(&again.problems),
        "the canonical form has other problems"
    );
});
