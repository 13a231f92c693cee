#!/usr/bin/env bash
# `make deny`: the licenses, banned crates and sources of the dependency tree (deny.toml) with
# cargo-deny, installed first when missing. It is installed as a debug build: on 2 busy cores
# `cargo install cargo-deny --locked --debug` took 178 s (112 s of CPU) where the release build
# took 612-617 s (248-283 s of CPU); the check then takes about 5 s instead of 2. Advisories are
# not checked: their database is fetched from GitHub, which this machine cannot reach.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
  echo "deny: installing cargo-deny (cargo install cargo-deny --locked --debug)"
  start=$(date +%s)
  # In a temporary target dir of its own (not the CI cache), removed when it is done.
  env -u CARGO_TARGET_DIR cargo install cargo-deny --locked --debug
  echo "deny: cargo-deny installed in $(( $(date +%s) - start )) s"
fi
echo "deny: advisories skipped: the RustSec advisory database (github.com/RustSec/advisory-db)"
echo "  cannot be fetched here; run 'cargo deny check advisories' where GitHub is reachable"
cargo deny check licenses bans sources
