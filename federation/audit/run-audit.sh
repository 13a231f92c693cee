#!/usr/bin/env bash
# Run graphql-hive/federation-gateway-audit against `knot serve` and print per-suite pass counts.
#
#   federation/audit/run-audit.sh AUDIT_DIR [SUITE_ID]
#
# AUDIT_DIR: a work tree of github.com/graphql-hive/federation-gateway-audit (see README.md).
# SUITE_ID:  run only that suite (e.g. simple-entity-call); default: all suites.
#
# Environment:
#   KNOT_BIN    knot binary (default `knot` on PATH; relative paths are from the current directory)
#   KNOT_ARGS   extra arguments for `knot serve`
#   AUDIT_PORT  port of the audit's subgraph server (default 4200)
#   GATEWAY_TIMEOUT  ms the audit waits for /health per suite (audit default 5000)
#
# Needs Node >= 24 first on PATH, npm, curl and lsof. WARNING: before every suite the audit kills
# whatever process listens on port 4000.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
audit_dir="${1:?usage: run-audit.sh AUDIT_DIR [SUITE_ID]}"
audit_dir="$(cd "$audit_dir" && pwd)"
suite="${2:-}"
port="${AUDIT_PORT:-4200}"
export AUDIT_PORT="$port"

[[ -f "$audit_dir/src/cli.ts" ]] || { echo "error: $audit_dir is not a federation-gateway-audit checkout" >&2; exit 2; }

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( node_major < 22 )); then
  echo "error: node $(node --version 2>/dev/null || echo missing) is too old; put Node 24 first on PATH (see README.md)" >&2
  exit 2
elif (( node_major < 24 )); then
  echo "warning: the audit is tested with Node 24; found $(node --version)" >&2
fi
for tool in curl lsof npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 2; }
done

# Resolve the knot binary once, to an absolute path, for run.sh.
bin="${KNOT_BIN:-knot}"
if [[ "$bin" == */* ]]; then
  [[ "$bin" == /* ]] || bin="$PWD/$bin"
else
  bin="$(command -v "$bin" || true)"
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "error: knot binary not found (KNOT_BIN=${KNOT_BIN:-knot})" >&2; exit 2; }
export KNOT_BIN="$bin"

# Install the audit's dependencies once, without the heavy devDependencies it does not need to run.
if [[ ! -d "$audit_dir/node_modules" ]]; then
  echo "installing the audit's dependencies in $audit_dir ..."
  (cd "$audit_dir" && node -e '
    const fs = require("fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const keep = ["@apollo/gateway", "@apollo/server", "@as-integrations/express5", "express", "graphql", "tsx", "@types/node"];
    for (const k of Object.keys(p.devDependencies ?? {})) if (!keep.includes(k)) delete p.devDependencies[k];
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");' \
   && rm -f package-lock.json && npm install --no-audit --no-fund)
fi

# If the subgraph server already runs (`npm start -- serve --port $port`), reuse it; otherwise
# the test command starts its own. (`--no-server` is broken in the audit's CLI; `--noServer` works.)
server_flag=()
if curl -sf "http://127.0.0.1:$port/ids" >/dev/null 2>&1; then
  server_flag=(--noServer)
  echo "using the running audit subgraph server on port $port"
elif lsof -iTCP:"$port" -sTCP:LISTEN >/dev/null 2>&1; then
  echo "error: port $port is taken by something that is not the audit's subgraph server" >&2
  exit 2
fi
if lsof -iTCP:4000 -sTCP:LISTEN >/dev/null 2>&1; then
  echo "warning: something listens on port 4000; the audit will kill it" >&2
fi

common=(--cwd "$here" --run-script ./run.sh --port "$port"
        --graphql http://127.0.0.1:4000/graphql --healthcheck http://127.0.0.1:4000/health)
log="$here/audit-output.log"
# The audit runs `lsof | grep | awk | xargs kill` before every suite and prints kill(1)'s usage when
# port 4000 is free; keep that out of the console (the raw output stays in $log).
noise='^xargs - |^Usage:$|^ kill \[options\]|^Options:$|^ <pid> \[\.\.\.\]|^ -<signal>|^ +specify the <signal>|^ -q, --queue|^ -l, --list|^ -L, --table|^ -h, --help|^ -V, --version|^For more details see kill\(1\)\.$'
quiet() { grep --line-buffered -v -E "$noise" | cat -s || true; }
rm -f "$here/results.txt"
status=0
if [[ -z "$suite" ]]; then
  (cd "$audit_dir" && npm start --silent -- test "${server_flag[@]}" "${common[@]}" --reporter dot --write results.txt) 2>&1 | tee "$log" | quiet || status=$?
else
  (cd "$audit_dir" && npm start --silent -- test-suite --test "$suite" "${server_flag[@]}" "${common[@]}" --reporter tap) 2>&1 | tee "$log" | quiet || status=$?
fi

echo
echo "== Knot federation audit: per-suite results (passed/total) =="
if [[ -z "$suite" ]]; then
  [[ -f "$here/results.txt" ]] || { echo "no results.txt written; see $log and $here/logs/" >&2; exit 1; }
  # results.txt: "<suite id>" / "<one . or X per test>" pairs, then an empty line and totals.
  awk '
    /^$/ { exit }
    NR % 2 == 1 { id = $0; next }
    { t = length($0); p = gsub(/\./, "."); tp += p; tt += t; if (p == t) sp++; ns++
      printf "%-40s %3d/%-3d %s\n", id, p, t, (p < t ? "FAIL " $0 : "") }
    END { printf "\n%-40s %3d/%-3d (suites fully passing: %d/%d)\n", "TOTAL", tp, tt, sp, ns }
  ' "$here/results.txt"
else
  tap="$here/logs/$suite-tests.log"
  [[ -f "$tap" ]] || { echo "no $tap written; see $log" >&2; exit 1; }
  pass="$(awk '/^# pass /{print $3}' "$tap")"; fail="$(awk '/^# fail /{print $3}' "$tap")"
  printf "%-40s %3d/%-3d\n" "$suite" "${pass:-0}" "$(( ${pass:-0} + ${fail:-0} ))"
fi
echo "gateway logs: $here/logs/<suite>-gateway.log, test logs: $here/logs/<suite>-tests.log"
exit "$status"
