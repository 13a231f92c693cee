#!/usr/bin/env bash
# `make fuzz-smoke`: every cargo-fuzz target (fuzz/) replays its committed corpus and its
# seeds, then fuzzes briefly (FUZZ_SMOKE_SECONDS in all, 180 by default, shared evenly).
# libFuzzer needs a nightly toolchain: without one this says so and skips; with one but
# without cargo-fuzz, cargo-fuzz is installed first. A crash, panic, timeout or OOM fails.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(workspace plan federation import answers)
TOTAL="${FUZZ_SMOKE_SECONDS:-180}"
EACH=$(( TOTAL / ${#TARGETS[@]} ))
# The flags every fuzz build of this repository uses (see fuzz/README.md): no sanitizer,
# debug assertions (so integer overflow panics).
FLAGS=(--sanitizer none --debug-assertions)

if ! command -v rustup >/dev/null 2>&1 || ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz-smoke skipped: no nightly Rust toolchain (cargo-fuzz needs nightly for libFuzzer;"
  echo "  install one with: rustup toolchain install nightly --profile minimal)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  if ! cargo install cargo-fuzz --locked; then
    echo "fuzz-smoke skipped: cargo-fuzz is not installed and could not be installed"
    exit 0
  fi
fi

cd fuzz
cargo +nightly fuzz build "${FLAGS[@]}"
work="$(mktemp -d "${TMPDIR:-/tmp}/knot-fuzz-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for t in "${TARGETS[@]}"; do
  mkdir -p "$work/$t" "corpus/$t"
  echo "fuzz-smoke: $t: replaying corpus/$t and seeds/$t, then fuzzing ${EACH}s"
  # New inputs go to the scratch folder (the first one), never into the committed corpus.
  status=0
  TMPDIR="$work" cargo +nightly fuzz run "${FLAGS[@]}" "$t" "$work/$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$EACH" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$work/$t.log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units' "$work/$t.log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$work/$t.log"
    echo "fuzz-smoke: target $t FAILED (exit $status); the input is in fuzz/artifacts/$t/"
    exit "$status"
  fi
done
echo "fuzz-smoke: ${#TARGETS[@]} targets passed"
