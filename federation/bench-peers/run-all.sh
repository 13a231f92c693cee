#!/usr/bin/env bash
# The whole federation benchmark, one gateway after another on the same machine state:
# builds the release `knot`, installs the peer gateways (npm ci, outside the repository),
# starts the benchmark subgraphs (`knot demo`), then runs bench.sh for knot, Apollo Gateway
# and Hive Gateway (with 1 and with 2 worker processes) and stops the subgraphs.
#
# Environment: N, C, WARMUP (passed to bench.sh), PEERS_DIR (default ~/.cache/knot-fed-peers).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export PEERS_DIR="${PEERS_DIR:-$HOME/.cache/knot-fed-peers}"
export N="${N:-5000}" C="${C:-32}" WARMUP="${WARMUP:-500}"

cargo build --release -p knot-cli
if [[ ! -x "$PEERS_DIR/node_modules/.bin/hive-gateway" ]]; then
  mkdir -p "$PEERS_DIR"
  cp "$here/package.json" "$here/package-lock.json" "$PEERS_DIR/"
  (cd "$PEERS_DIR" && npm ci --no-audit --no-fund)
fi

target/release/knot demo >/tmp/knot-bench-demo.log 2>&1 &
demo=$!
trap 'kill "$demo" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null http://127.0.0.1:7134/health && break
  sleep 0.1
done

for target in knot apollo hive; do
  KNOT_BIN=target/release/knot bash "$here/bench.sh" "$target" | grep -E "req/s|warn|error"
done
HIVE_FORK=2 bash "$here/bench.sh" hive | sed 's/^hive /hive-2 /' | grep -E "req/s|warn|error"
