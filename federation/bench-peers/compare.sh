#!/usr/bin/env bash
# `make bench-federation`: Knot against Hive Router (the leader, Rust) and, on request, the JS
# gateways, on the graphql-gateways-benchmark query over the same four subgraphs.
#
# Every gateway gets the same load: knot-loadgen (tests/bench/loadgen.rs) with C connections
# (default 50) for a fixed time, after a warm-up. Every answer is checked: a non-200 answer or an
# answer of another size than the reference is a failure. All gateways must give the reference
# answer size (the first gateway's answer to one request). ROUNDS (default 3) rounds are run, the
# gateways interleaved in each round, and the median of the rounds is printed per gateway with
# req/s, p50, p99, peak RSS, the gateway's CPU time per answer and the ratio of req/s to Hive
# Router's.
#
# Environment:
#   GATEWAYS="knot hive-router"  add `apollo hive` for Apollo Gateway and Hive Gateway (npm)
#   ROUNDS=3  DURATION=10 (seconds measured)  WARMUP=3 (seconds)  C=50 (connections)
#   CLIENT_DEDUPE=1  also run both with deduplication of identical client requests on (Hive
#                    Router's router-level dedupe, the public benchmark's config; knot
#                    --dedupe-requests), as `hive-router-dedupe` and `knot-dedupe`. At defaults both
#                    deduplicate identical subgraph requests in flight and nothing else.
#   DISTINCT=1  every request carries a distinct value of a variable `n` the query does not
#               declare (knot-loadgen --vary-variable n; both gateways ignore it), so no two
#               client requests are identical and client-request deduplication has nothing to
#               share. Subgraph requests stay identical: the query has no argument to carry it.
#   PEERS_DIR  where the npm peers are installed (default ~/.cache/knot-fed-peers)
# Hive Router is installed with `cargo +nightly install hive-router --locked --features graphiql`
# (it needs rustc 1.97; about 12 minutes on 2 cores) when it is missing and a nightly exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
GATEWAYS="${GATEWAYS:-knot hive-router}"
ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-10}" WARMUP="${WARMUP:-3}" C="${C:-50}"
export PEERS_DIR="${PEERS_DIR:-$HOME/.cache/knot-fed-peers}"
supergraph="$here/supergraph.graphql"
port=4000
url="http://127.0.0.1:$port/graphql"

# KNOT=… LOADGEN=… measure given binaries instead of building them.
if [[ -z "${KNOT:-}" || -z "${LOADGEN:-}" ]]; then
  cargo build --release -p knot-cli -p knot-tests --bin knot --bin knot-loadgen
  KNOT=target/release/knot
  LOADGEN=target/release/knot-loadgen
fi

# The crate installs its binary as `hive_router`.
hive_router="$(command -v hive_router || command -v hive-router || true)"
if [[ " $GATEWAYS " == *" hive-router "* && -z "$hive_router" ]]; then
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "installing Hive Router (cargo +nightly install hive-router; about 12 minutes)..."
    CARGO_TARGET_DIR="${HIVE_TARGET_DIR:-$HOME/.cache/hive-router-target}" \
      cargo +nightly install hive-router --locked --features graphiql >/dev/null
    hive_router="$(command -v hive_router || echo "$HOME/.cargo/bin/hive_router")"
  else
    echo "Hive Router is not installed and no nightly toolchain is here to build it: skipped"
    GATEWAYS="${GATEWAYS//hive-router/}"
  fi
fi
if [[ " $GATEWAYS " == *" apollo "* || " $GATEWAYS " == *" hive "* ]]; then
  if [[ ! -x "$PEERS_DIR/node_modules/.bin/hive-gateway" ]]; then
    mkdir -p "$PEERS_DIR"
    cp "$here/package.json" "$here/package-lock.json" "$PEERS_DIR/"
    (cd "$PEERS_DIR" && npm ci --no-audit --no-fund >/dev/null)
  fi
  cp "$here/apollo.mjs" "$PEERS_DIR/apollo.mjs"
fi
if [[ "${CLIENT_DEDUPE:-0}" == 1 ]]; then
  GATEWAYS="$GATEWAYS knot-dedupe"
  [[ " $GATEWAYS " == *" hive-router "* ]] && GATEWAYS="$GATEWAYS hive-router-dedupe"
fi

vary=()
[[ "${DISTINCT:-0}" == 1 ]] && vary=(--vary-variable n)

work="$(mktemp -d /tmp/knot-fed-compare.XXXXXX)"
body="$work/body.json"
{
  printf '{"operationName":"TestQuery","query":"'
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$here/query.graphql" | awk '{ printf "%s\\n", $0 }'
  printf '"}'
} > "$body"
cat > "$work/router-dedupe.yaml" <<'EOF'
traffic_shaping:
  router:
    dedupe:
      enabled: true
EOF

"$KNOT" demo >"$work/demo.log" 2>&1 &
demo=$!
gw=""
cleanup() {
  [[ -n "$gw" ]] && { kill -TERM -- "-$gw" 2>/dev/null || true; }
  kill "$demo" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:7134/health && break; sleep 0.1; done

start() {
  local name="$1" log="$work/$1.log"
  case "$name" in
    knot) setsid "$KNOT" serve --supergraph "$supergraph" --listen "127.0.0.1:$port" >"$log" 2>&1 & ;;
    knot-dedupe) setsid "$KNOT" serve --supergraph "$supergraph" --listen "127.0.0.1:$port" \
        --dedupe-requests >"$log" 2>&1 & ;;
    hive-router) SUPERGRAPH_FILE_PATH="$supergraph" HOST=127.0.0.1 PORT=$port LOG_LEVEL=error \
        setsid "$hive_router" >"$log" 2>&1 & ;;
    hive-router-dedupe) ROUTER_CONFIG_FILE_PATH="$work/router-dedupe.yaml" SUPERGRAPH_FILE_PATH="$supergraph" \
        HOST=127.0.0.1 PORT=$port LOG_LEVEL=error setsid "$hive_router" >"$log" 2>&1 & ;;
    apollo) setsid node "$PEERS_DIR/apollo.mjs" "$supergraph" "$port" >"$log" 2>&1 & ;;
    hive) setsid "$PEERS_DIR/node_modules/.bin/hive-gateway" supergraph "$supergraph" \
        --host 127.0.0.1 --port "$port" --fork 1 >"$log" 2>&1 & ;;
  esac
  gw=$!
  for _ in $(seq 600); do
    local answer
    answer="$(curl -s -H 'content-type: application/json' --data-binary @"$body" "$url" 2>/dev/null || true)"
    if [[ "$answer" == '{"data":'* ]]; then
      [[ "$answer" == *'"errors"'* ]] && echo "warning: $name answers with errors: ${answer:0:200}" >&2
      printf '%s' "$answer" | wc -c > "$work/$name.size"
      return 0
    fi
    kill -0 "$gw" 2>/dev/null || { echo "error: $name exited; log:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "error: $name did not answer within 60 s; log: $log" >&2
  exit 1
}

stop() {
  kill -TERM -- "-$gw" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$gw" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$gw" 2>/dev/null || true
  gw=""
}

# The processes of the gateway's process group.
gateway_pids() { pgrep -g "$gw" 2>/dev/null || echo "$gw"; }

# CPU time (user + system, in clock ticks) of the gateway's process group so far.
cpu_ticks() {
  local total=0 t
  for p in $(gateway_pids); do
    t="$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$(( total + ${t:-0} ))
  done
  echo "$total"
}
ticks_per_second="$(getconf CLK_TCK)"

# Peak resident memory of the gateway's process group, in MB.
peak_rss() {
  local total=0 kb
  for p in $(gateway_pids); do
    kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)"
    total=$(( total + ${kb:-0} ))
  done
  echo $(( total / 1024 ))
}

echo "federation benchmark: $C connections, ${DURATION}s measured after ${WARMUP}s warm-up, $ROUNDS rounds, $(nproc) cores${vary:+, a distinct variable per request}"
reference=""
for round in $(seq "$ROUNDS"); do
  for name in $GATEWAYS; do
    start "$name"
    size="$(cat "$work/$name.size")"
    if [[ -z "$reference" ]]; then reference="$size"; fi
    if [[ "$size" != "$reference" ]]; then
      echo "warning: $name answers $size bytes, the reference is $reference bytes" >&2
    fi
    "$LOADGEN" "$url" "$body" --connections "$C" --seconds "$WARMUP" --expect-bytes "$reference" "${vary[@]}" >/dev/null
    before="$(cpu_ticks)"
    out="$("$LOADGEN" "$url" "$body" --connections "$C" --seconds "$DURATION" --expect-bytes "$reference" "${vary[@]}")"
    after="$(cpu_ticks)"
    rss="$(peak_rss)"
    stop
    json="$(tail -1 <<<"$out")"
    ok="$(grep -o '"ok":[0-9]*' <<<"$json" | cut -d: -f2)"
    # The gateway's CPU time per answer while measured, in µs.
    cpu_us=$(( (after - before) * 1000000 / ticks_per_second / (${ok:-0} > 0 ? ok : 1) ))
    echo "round $round  $(printf '%-19s' "$name") $(head -1 <<<"$out")  peak RSS ${rss} MB  CPU ${cpu_us} µs/answer"
    echo "$name $json $rss $cpu_us" >> "$work/results"
  done
done

echo
echo "median of $ROUNDS rounds (ratio = req/s ÷ Hive Router's):"
awk '
  function median(list,   n, i, a, tmp, j) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    name = $1; line = $0
    match(line, /"rps":[0-9.]+/); rps[name] = rps[name] " " substr(line, RSTART + 6, RLENGTH - 6)
    match(line, /"p50_ms":[0-9.]+/); p50[name] = p50[name] " " substr(line, RSTART + 9, RLENGTH - 9)
    match(line, /"p99_ms":[0-9.]+/); p99[name] = p99[name] " " substr(line, RSTART + 9, RLENGTH - 9)
    match(line, /"failures":[0-9]+/); fail[name] += substr(line, RSTART + 11, RLENGTH - 11)
    rss[name] = rss[name] " " $(NF - 1); cpu[name] = cpu[name] " " $NF
    if (!(name in seen)) { seen[name] = 1; order[++count] = name }
  }
  END {
    base = ("hive-router" in rps) ? median(rps["hive-router"]) : 0
    printf "%-19s %10s %10s %10s %9s %12s %9s %s\n", "gateway", "req/s", "p50 ms", "p99 ms", "RSS MB", "CPU µs/ans", "failures", "vs Hive Router"
    for (i = 1; i <= count; i++) {
      n = order[i]; r = median(rps[n])
      printf "%-19s %10.0f %10.2f %10.2f %9d %12d %9d %s\n", n, r, median(p50[n]), median(p99[n]), median(rss[n]), median(cpu[n]), fail[n], base ? sprintf("%.2fx", r / base) : "-"
    }
  }' "$work/results"
