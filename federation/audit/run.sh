#!/bin/sh
# Knot adapter for graphql-hive/federation-gateway-audit.
#
# The audit calls this once per test suite as `sh run.sh <suite-id>` (POSIX sh, not bash),
# with this directory as cwd, after killing whatever listens on 127.0.0.1:4000. It then waits
# for GET /health and `query ping { __typename }` on 127.0.0.1:4000, runs the suite's queries and
# sends SIGTERM to this process, so the gateway is started with `exec` (same PID).
#
# Environment (inherited from the `npm start -- test` process):
#   KNOT_BIN         knot binary (default: `knot` on PATH; a relative path is taken from the repo root)
#   KNOT_ARGS        extra arguments appended to `knot serve` (word-split)
#   AUDIT_PORT       port of the audit's subgraph server (default 4200, the audit's --port)
#   KNOT_AUDIT_TMP   where suite supergraphs are written (default ${TMPDIR:-/tmp}/knot-audit)
set -eu

suite="${1:?usage: run.sh <suite-id>}"
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"

bin="${KNOT_BIN:-knot}"
case "$bin" in
  /*) ;;
  */*) bin="$repo_root/$bin" ;;
esac

tmp="${KNOT_AUDIT_TMP:-${TMPDIR:-/tmp}/knot-audit}"
mkdir -p "$tmp"
supergraph="$tmp/$suite.graphql"

# The audit composes each suite's supergraph on request; subgraph URLs in it point back at
# the host used here, so ask for it on 127.0.0.1.
if ! curl -sSf "http://127.0.0.1:${AUDIT_PORT:-4200}/$suite/supergraph" -o "$supergraph"; then
  echo "run.sh: could not fetch the supergraph of suite '$suite' from port ${AUDIT_PORT:-4200}" >&2
  exit 1
fi

echo "run.sh: $bin serve --supergraph $supergraph --listen 127.0.0.1:4000 ${KNOT_ARGS:-}"
# shellcheck disable=SC2086
exec "$bin" serve --supergraph "$supergraph" --listen 127.0.0.1:4000 ${KNOT_ARGS:-}
