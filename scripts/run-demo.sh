#!/usr/bin/env bash
# `make run` until the desktop app lands: start the demo services, show the examples
# working through the knot CLI, and keep the services up for you to try queries.
set -euo pipefail
cd "$(dirname "$0")/.."
KNOT="${KNOT:-target/debug/knot}"

"$KNOT" demo &
demo_pid=$!
trap 'kill "$demo_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/7113) 2>/dev/null; then break; fi
  sleep 0.1
done

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "knot check examples/shop.knot.json"
"$KNOT" check examples/shop.knot.json
say "knot schema examples/shop.knot.json   (the public schema: userId and productIds stay private)"
"$KNOT" schema examples/shop.knot.json
say "knot plan (the fan-out graph, without calling anything)"
"$KNOT" plan examples/shop.knot.json --operation OrderDetails --variables '{"id":"1"}' --format mermaid
say "knot run examples/shop.knot.json --operation OrderDetails --variables '{\"id\":\"1\"}'"
"$KNOT" run examples/shop.knot.json --operation OrderDetails --variables '{"id":"1"}' --trace /tmp/knot-shop-trace.json
echo "(trace with one span per downstream call: /tmp/knot-shop-trace.json)"
say "knot run examples/trading.knot.json: 60 events, one batch call per service"
"$KNOT" run examples/trading.knot.json --query '{ events(date: "2024-05-01") { id instrument { symbol } order { side quantity } } }' \
  --trace /tmp/knot-trading-trace.json > /tmp/knot-trading.json
head -n 24 /tmp/knot-trading.json
echo "  ..."
python3 - <<'PY' 2>/dev/null || true
import json
t = json.load(open("/tmp/knot-trading-trace.json"))
for s in t["spans"]:
    print(f"  {s['source']:<15} {s['operation']:<15} keys={s['batch_size']:<3} {s['start_ms']:7.2f} -> {s['end_ms']:7.2f} ms  {s['status']}")
PY

say "Federation: examples/fleet.knot.json (device + safety subgraphs, a REST binding on Device)"
"$KNOT" plan examples/fleet.knot.json --format mermaid \
  --query '{ device(id: "1") { name camera { cameraLocation { street } } } }'
"$KNOT" run examples/fleet.knot.json --no-history \
  --query '{ device(id: "1") { name maintenance { technician } camera { cameraLocation { street } } } }'

say "knot serve examples/shop.knot.json: the same workspace as a gateway on 127.0.0.1:4000"
KNOT_LOG=warn "$KNOT" serve examples/shop.knot.json --listen 127.0.0.1:4000 &
serve_pid=$!
trap 'kill "$demo_pid" "$serve_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  if curl -sf http://127.0.0.1:4000/ready >/dev/null 2>&1; then break; fi
  sleep 0.1
done
echo "$ curl http://127.0.0.1:4000/composite-order-details/1"
curl -s http://127.0.0.1:4000/composite-order-details/1 || true
echo

say "The demo services and the gateway keep running (Ctrl+C to stop). Try:"
echo "  curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' -d '{\"query\": \"{ getOrderDetails(id: \\\"2\\\") { user { name } } }\"}'"
echo "  $KNOT run examples/shop.knot.json --query '{ getOrderDetails(id: \"2\") { orderId: id user { name email } products { name price stock } } }'"
wait "$demo_pid"
