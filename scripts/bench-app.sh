#!/usr/bin/env bash
# `make bench-app`: the desktop app's numbers, in the real window under Xvfb (src-tauri/tests/
# e2e/bench.rs): launch to the first drawn workspace, memory of the app and its WebKit
# processes idle and after 10 and 100 runs, an empty Tauri window's memory measured the same
# way, the fan-out graph of a 500-node plan, the designer at 50 types. The app measured is the
# optimised one (the `dist` profile the package ships); the WebDriver harness around it is the
# test build.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
# KNOT_APP_BIN / KNOT_BLANK_BIN measure binaries built elsewhere (e.g. /usr/bin/knot-app of the
# unpacked package); otherwise both are built here.
if [ -z "${KNOT_APP_BIN:-}" ]; then
  cargo build --profile dist -p knot-app --bin knot-app
  export KNOT_APP_BIN="$target_dir/dist/knot-app"
fi
if [ -z "${KNOT_BLANK_BIN:-}" ]; then
  cargo build --profile dist -p knot-app --example blank-window
  export KNOT_BLANK_BIN="$target_dir/dist/examples/blank-window"
fi
export KNOT_KEYRING=off
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run -p knot-app --test e2e --run-ignored only -E 'test(app_numbers)' --no-capture 2>&1 \
    | grep -v -E '^\s+(PASS|SLOW|START)|^─|Summary|Nextest run|Starting'
else
  cargo test -p knot-app --test e2e app_numbers -- --ignored --nocapture
fi
