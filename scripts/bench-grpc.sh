#!/usr/bin/env bash
# gRPC beside REST for the shop's OrderDetails (run: `make bench-grpc`). Release builds of
# `knot demo` and `knot serve --grpc-port` on loopback, then, one after the other, the same
# bounded load at the same concurrency:
#   1. GET /composite-order-details/1 with `hey` (Debian),
#   2. knot.shop.ShopService/OrderDetails {"id": "1"} with `knot-grpc-load` (tests/bench/
#      grpc_load.rs: a tonic client built from server reflection alone; ghz does not install
#      here), one connection per concurrent caller, as hey opens one per caller.
# Each answer is checked (hey: status 200; knot-grpc-load: OK and the same bytes as a first
# call). Bounded: N requests per target (default 20000), C concurrent (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-20000}"
C="${C:-32}"
if ! command -v hey >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q hey
fi
# PROFILE=dist measures the binaries `make package` ships (release, stripped) and reuses its build.
PROFILE="${PROFILE:-release}"
cargo build --profile "$PROFILE" -p knot-cli -p knot-tests --bin knot --bin knot-grpc-load
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
KNOT="$target_dir/$PROFILE/knot"
LOAD="$target_dir/$PROFILE/knot-grpc-load"
"$KNOT" demo >/dev/null 2>&1 &
demo=$!
KNOT_LOG=error "$KNOT" serve examples/shop.knot.json --listen 127.0.0.1:4100 --grpc-port 4101 2>/dev/null &
gw=$!
trap 'kill $gw $demo 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:4100/ready >/dev/null 2>&1 && break; sleep 0.1; done

echo "OrderDetails over REST and gRPC: $N requests each, $C concurrent, $(nproc) cores"
hey -n 200 -c "$C" http://127.0.0.1:4100/composite-order-details/1 >/dev/null 2>&1 || true   # warm-up
out="$(hey -n "$N" -c "$C" http://127.0.0.1:4100/composite-order-details/1)"
rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
p50="$(awk '$1 == "50%" {print $3*1000}' <<<"$out")"
p99="$(awk '$1 == "99%" {print $3*1000}' <<<"$out")"
ok="$(awk '$1 == "[200]" {print $2}' <<<"$out")"
printf 'REST GET /composite-order-details/1   %9.0f req/s   p50 %6.2f ms   p99 %6.2f ms   200 answers: %s/%s\n' "$rps" "$p50" "$p99" "${ok:-0}" "$N"
"$LOAD" http://127.0.0.1:4101 knot.shop.ShopService/OrderDetails '{"id": "1"}' --concurrency "$C" --requests 200 >/dev/null   # warm-up
"$LOAD" http://127.0.0.1:4101 knot.shop.ShopService/OrderDetails '{"id": "1"}' --concurrency "$C" --requests "$N" | head -1
