#!/usr/bin/env bash
# `make deny`: the licenses, banned crates and sources of the dependency tree (deny.toml) with
# cargo-deny, installed first when missing (`cargo install cargo-deny --locked`: measured at
# 283 s of CPU, 10 minutes of wall time on 2 cores shared with other builds). Advisories are
# not checked: their database is fetched from GitHub, which this machine cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "deny: installing cargo-deny (cargo install cargo-deny --locked)"
  start=$(date +%s)
  # In a temporary target dir of its own (not the CI cache), removed when it is done.
  env -u CARGO_TARGET_DIR cargo install cargo-deny --locked
  echo "deny: cargo-deny installed in $(( $(date +%s) - start )) s"
fi
echo "deny: advisories skipped: the RustSec advisory database (github.com/RustSec/advisory-db)"
echo "  cannot be fetched here; run 'cargo deny check advisories' where GitHub is reachable"
cargo deny check licenses bans sources
