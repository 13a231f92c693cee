#!/usr/bin/env bash
# Load-test one federation gateway on the graphql-gateways-benchmark query.
#
#   federation/bench-peers/bench.sh knot|apollo|hive
#
# Starts the gateway on 127.0.0.1:4000 with federation/bench-peers/supergraph.graphql, waits for its
# health endpoint, checks one response, warms up, runs `hey`, prints req/s, p50 and p99, and stops
# the gateway (by the PID of the process group it started). The subgraphs (accounts 7131,
# inventory 7132, products 7133, reviews 7134; `knot demo`) must already be running.
#
# Environment:
#   N=20000 C=32        requests and concurrency of the measured run
#   WARMUP=2000         requests of the warm-up run (same concurrency)
#   KNOT_BIN            default target/release/knot (relative to the repo root)
#   PEERS_DIR           where bench-peers/package.json was npm-installed (default /tmp/fed-peers)
#   HIVE_FORK=1         Hive Gateway worker processes (--fork)
#   SUPERGRAPH, QUERY   override the supergraph / query file
#   EXTRA_ARGS          extra arguments for the gateway command
#   HEALTH_TIMEOUT=60   seconds to wait for the gateway to become healthy
set -euo pipefail

target="${1:?usage: bench.sh knot|apollo|hive}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
cd "$repo_root"

N="${N:-20000}"; C="${C:-32}"; WARMUP="${WARMUP:-2000}"
supergraph="${SUPERGRAPH:-$here/supergraph.graphql}"
query_file="${QUERY:-$here/query.graphql}"
peers="${PEERS_DIR:-/tmp/fed-peers}"
addr=127.0.0.1; port=4000
url="http://$addr:$port/graphql"

if ! command -v hey >/dev/null; then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hey >/dev/null
  else
    echo "error: hey not found (Debian: apt-get install hey)" >&2; exit 2
  fi
fi

case "$target" in
  knot)
    cmd=("${KNOT_BIN:-target/release/knot}" serve --supergraph "$supergraph" --listen "$addr:$port")
    health="http://$addr:$port/health" ;;
  apollo)
    # ES modules ignore NODE_PATH: run a copy of apollo.mjs next to the peers' node_modules.
    [[ -d "$peers/node_modules/@apollo/gateway" ]] || { echo "error: npm install in $peers first (see README.md)" >&2; exit 2; }
    cp "$here/apollo.mjs" "$peers/apollo.mjs"
    cmd=(node "$peers/apollo.mjs" "$supergraph" "$port")
    health="http://$addr:$port/health" ;;
  hive)
    [[ -x "$peers/node_modules/.bin/hive-gateway" ]] || { echo "error: npm install in $peers first (see README.md)" >&2; exit 2; }
    cmd=("$peers/node_modules/.bin/hive-gateway" supergraph "$supergraph"
         --host "$addr" --port "$port" --fork "${HIVE_FORK:-1}")
    health="http://$addr:$port/healthcheck" ;;
  *) echo "error: unknown target '$target' (knot|apollo|hive)" >&2; exit 2 ;;
esac
# shellcheck disable=SC2206
cmd+=(${EXTRA_ARGS:-})

if curl -s -o /dev/null "http://$addr:$port/" 2>/dev/null; then
  echo "error: something already listens on $addr:$port" >&2; exit 2
fi

# JSON request body: {"operationName":"TestQuery","query":"..."}
body="$(mktemp /tmp/bench-body.XXXXXX.json)"
log="$(mktemp /tmp/bench-$target.XXXXXX.log)"
{
  printf '{"operationName":"TestQuery","query":"'
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$query_file" | awk '{ printf "%s\\n", $0 }'
  printf '"}'
} > "$body"

# Start the gateway in its own process group so that workers (hive --fork) stop with it.
setsid "${cmd[@]}" >"$log" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$body"
}
trap stop EXIT

echo "== $target: ${cmd[*]}"
deadline=$(( SECONDS + ${HEALTH_TIMEOUT:-60} ))
until curl -sf -o /dev/null "$health"; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "error: gateway exited; log: $log" >&2; cat "$log" >&2; exit 1; fi
  (( SECONDS < deadline )) || { echo "error: $health not healthy after ${HEALTH_TIMEOUT:-60}s; log: $log" >&2; exit 1; }
  sleep 0.2
done

# One request first: the benchmark is meaningless if the gateway answers with errors.
sample="$(curl -s -H 'content-type: application/json' --data-binary @"$body" "$url")"
if [[ "$sample" != '{"data":'* ]] || [[ "$sample" == *'"errors"'* ]]; then
  echo "warning: unexpected response (are the subgraphs running?): ${sample:0:300}" >&2
fi
echo "response bytes: ${#sample}"

hey_args=(-m POST -T application/json -D "$body" -c "$C")
echo "warm-up: $WARMUP requests, $C concurrent"
(( WARMUP > 0 )) && hey -n "$WARMUP" "${hey_args[@]}" "$url" >/dev/null
echo "measured: $N requests, $C concurrent"
out="$(hey -n "$N" "${hey_args[@]}" "$url")"
echo "$out" > "$log.hey"

rps="$(awk '/Requests\/sec:/ { print $2 }' <<<"$out")"
p50="$(awk '/ 50%% in / || / 50% in / { printf "%.2f", $3 * 1000 }' <<<"$out")"
p99="$(awk '/ 99%% in / || / 99% in / { printf "%.2f", $3 * 1000 }' <<<"$out")"
codes="$(awk '/Status code distribution:/ { f = 1; next } f && NF { printf "%s%s", sep, $0; sep = "," } f && !NF && sep { exit }' <<<"$out" | tr -s ' \t' ' ')"
errs="$(awk '/Error distribution:/ { f = 1; next } f && NF { n++ } END { print n + 0 }' <<<"$out")"

printf '%-8s req/s %-10s p50 %-8s ms  p99 %-8s ms  status%s  error-kinds %s\n' \
  "$target" "$rps" "$p50" "$p99" "$codes" "$errs"
echo "gateway log: $log  (full hey output: $log.hey)"
