#!/usr/bin/env bash
# Benchmark of `knot serve` (run: `make bench-serve`). Release builds of `knot demo` and
# `knot serve` on loopback, load from `hey` (Debian), one target after another:
#   1. POST /graphql with the shop query (3 downstream calls per request),
#   2. GET /composite-order-details/1 (the same operation as a REST endpoint),
#   3. GET /composite-order-details/1 on a hand-written composite (bench/handwritten: axum +
#      reqwest + tonic, no Knot code) making the same three calls: the baseline,
#   4. GET /orders/1 straight on the Orders demo service (1 call, no gateway).
# The ratio of 3 to 1 and 2 shows the gateway's cost. Bounded: N requests per target.
# DEDUPE=0 serves a copy of the shop with in-flight deduplication off for its REST sources (every
# request here asks for the same order, so with it on most downstream reads are shared).
# ERROR_RATE=0.05 makes every demo service fail that fraction of its calls (the load test
# with faults: answers stay 200 with errors at their paths, or 502 for the REST endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-20000}"
C="${C:-32}"
if ! command -v hey >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q hey
fi
# KNOT=path/to/knot measures that binary (e.g. an earlier build) instead of building one.
if [ -z "${KNOT:-}" ]; then
  cargo build --release -p knot-cli
  KNOT=target/release/knot
fi
cargo build --release -p knot-bench-handwritten
HANDWRITTEN=target/release/handwritten-composite
"$KNOT" demo --error-rate "${ERROR_RATE:-0}" >/dev/null 2>&1 &
demo=$!
workspace=examples/shop.knot.json
if [ "${DEDUPE:-1}" = 0 ]; then
  workspace=examples/.bench-shop-no-dedupe.knot.json
  sed 's/"kind": "rest",/"kind": "rest", "dedupe": false,/' examples/shop.knot.json > "$workspace"
fi
KNOT_LOG=error "$KNOT" serve "$workspace" --listen 127.0.0.1:4000 2>/dev/null &
gw=$!
"$HANDWRITTEN" 127.0.0.1:4001 http://127.0.0.1:7101 http://127.0.0.1:7102 http://127.0.0.1:7103 &
hand=$!
trap 'kill $gw $hand $demo 2>/dev/null || true; rm -f examples/.bench-shop-no-dedupe.knot.json' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:4000/ready >/dev/null 2>&1 && break; sleep 0.1; done

summary() {
  local name="$1"; shift
  hey -n 200 -c "$C" "$@" >/dev/null 2>&1 || true   # warm-up
  local out; out="$(hey -n "$N" -c "$C" "$@")"
  local rps p50 p99 ok total
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $3*1000}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $3*1000}' <<<"$out")"
  ok="$(awk '$1 == "[200]" {print $2}' <<<"$out")"
  total="$(awk '$1 ~ /^\[[0-9]+\]$/ {t += $2} END {print t+0}' <<<"$out")"
  printf '%-16s %9.0f req/s   p50 %6.2f ms   p99 %6.2f ms   200 answers: %s/%s\n' "$name" "$rps" "$p50" "$p99" "${ok:-0}" "$total"
  echo "$rps" > "/tmp/knot-bench-$name.rps"
  echo "$p99" > "/tmp/knot-bench-$name.p99"
}
echo "knot serve benchmark: $N requests per target, $C concurrent, $(nproc) cores"
Q='{"query":"{ getOrderDetails(id: \"1\") { user { name } products { name price } } }"}'
summary graphql-shop -m POST -T application/json -d "$Q" http://127.0.0.1:4000/graphql
summary rest-composite http://127.0.0.1:4000/composite-order-details/1
summary handwritten http://127.0.0.1:4001/composite-order-details/1
summary orders-direct http://127.0.0.1:7101/orders/1
awk -v g="$(cat /tmp/knot-bench-graphql-shop.rps)" -v r="$(cat /tmp/knot-bench-rest-composite.rps)" -v d="$(cat /tmp/knot-bench-orders-direct.rps)" \
  'BEGIN { printf "throughput ratio direct/gateway: graphql %.2f, rest %.2f (each gateway request makes 3 downstream calls)\n", d/g, d/r }'
awk -v k="$(cat /tmp/knot-bench-rest-composite.rps)" -v h="$(cat /tmp/knot-bench-handwritten.rps)" \
  -v kp="$(cat /tmp/knot-bench-rest-composite.p99)" -v hp="$(cat /tmp/knot-bench-handwritten.p99)" \
  'BEGIN { printf "knot ÷ hand-written composite: req/s %.2f (target >= 0.8), p99 %.2f (target <= 1.25)\n", k/h, kp/hp }'
