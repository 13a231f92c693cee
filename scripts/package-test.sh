#!/usr/bin/env bash
# `make package-test`: the .deb `make package` built, checked as a user would get it.
# Unpacked with `dpkg-deb -x` into a temporary folder (nothing is installed):
#   1. file list and `dpkg-deb -f` metadata; the desktop entry (desktop-file-validate), the
#      MIME type for *.knot.json (update-mime-database on a copy), the man pages (rendered,
#      knot(1) mentions serve), bash completion (loaded, completes), the systemd unit
#      (systemd-analyze verify, ExecStart pointed at the unpacked binary);
#   2. `knot --version` (the git commit), `knot check` on every example;
#   3. `knot-app` from the unpacked tree under Xvfb: its window is mapped and drawn;
#   4. scale-out: three `knot serve` behind nginx (private config, loopback high ports) and
#      5,000 GET /composite-order-details/{id} at 32 connections while one instance is
#      stopped with SIGTERM and started again: every answer must be right, none may fail;
#      then the throughput with 1, 2 and 3 instances behind the same nginx.
# DEB=path/to.deb checks that package; N (5000), C (32) and RPS_REQUESTS (20000; 0 skips the
# throughput part) set the load.
# PACKAGE_PROFILE=dev checks the package `PACKAGE_PROFILE=dev make package` built from the debug
# build (what .ci/run does; see scripts/package.sh), and builds the load generator in that
# profile too.
# Needs nothing installed but what it installs itself (nginx, desktop-file-utils, …).
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir="$(pwd)"
N="${N:-5000}"
C="${C:-32}"
RPS_REQUESTS="${RPS_REQUESTS:-20000}"
profile="${PACKAGE_PROFILE:-dist}"
case "$profile" in
  dist) profile_dir=dist; cargo_profile=(--profile dist) ;;
  dev) profile_dir=debug; cargo_profile=() ;;
  *) echo "package-test: PACKAGE_PROFILE is dist or dev, not '$profile'" >&2; exit 2 ;;
esac
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
deb="${DEB:-$(ls -t "$target_dir/$profile_dir"/bundle/deb/*.deb 2>/dev/null | head -n 1)}"
[ -f "$deb" ] || { echo "package-test: no .deb (run make package first)" >&2; exit 1; }

# Tools: nginx, desktop-file-validate, update-mime-database, systemd-analyze, man, xvfb.
need=()
for tool in nginx:nginx desktop-file-validate:desktop-file-utils update-mime-database:shared-mime-info \
  systemd-analyze:systemd man:man-db xvfb-run:xvfb xwininfo:x11-utils import:imagemagick dpkg-deb:dpkg; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi
# The load generator (tests/bench/loadgen.rs), optimised like the package (its dependencies
# are already built for it), so it is not what limits the throughput.
# LOADGEN=path/to/knot-loadgen uses that one instead.
if [ -z "${LOADGEN:-}" ]; then
  cargo build -q "${cargo_profile[@]}" -p knot-tests --bin knot-loadgen
  LOADGEN="$target_dir/$profile_dir/knot-loadgen"
fi
loadgen="$LOADGEN"

tmp="$(mktemp -d /tmp/knot-package-test.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx/nginx.pid" ] && kill "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null || true
  sleep 0.2
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
ok() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
check() { local what="$1"; shift; if "$@" >"$tmp/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/        /' "$tmp/out" | head -n 20; fi; }

echo "package-test: $deb ($(du -h "$deb" | cut -f1))"
pkg="$tmp/root"
dpkg-deb -x "$deb" "$pkg"
knot="$pkg/usr/bin/knot"

echo "== files and metadata"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's,^\./,/,' > "$tmp/files"
for f in /usr/bin/knot /usr/bin/knot-app /usr/share/applications/Knot.desktop \
  /usr/share/mime/packages/knot.xml /usr/lib/systemd/system/knot@.service \
  /usr/share/bash-completion/completions/knot /usr/share/zsh/vendor-completions/_knot \
  /usr/share/fish/vendor_completions.d/knot.fish /usr/share/man/man1/knot.1.gz \
  /usr/share/man/man1/knot-serve.1.gz /usr/share/icons/hicolor/32x32/apps/knot-app.png \
  /usr/share/icons/hicolor/128x128/apps/knot-app.png /usr/share/icons/hicolor/256x256/apps/knot-app.png \
  /usr/share/icons/hicolor/512x512/apps/knot-app.png /usr/share/doc/knot/copyright; do
  check "file $f" grep -qx "$f" "$tmp/files"
done
for field in Package Version Architecture Section Homepage Description Installed-Size Depends Maintainer; do
  value="$(dpkg-deb -f "$deb" "$field" | head -n 1)"
  if [ -n "$value" ] && [ "$value" != "(none)" ]; then ok "dpkg-deb -f $field: $value"; else fail "dpkg-deb -f $field is empty"; fi
done
check "Section is devel" test "$(dpkg-deb -f "$deb" Section)" = devel
check "Description has a long part" test "$(dpkg-deb -f "$deb" Description | wc -l)" -ge 2
check "both binaries are stripped" bash -c "file '$knot' '$pkg/usr/bin/knot-app' | grep -c ', stripped' | grep -qx 2"

echo "== desktop entry, MIME type, man pages, completions, systemd unit"
desktop="$pkg/usr/share/applications/Knot.desktop"
check "desktop-file-validate" desktop-file-validate "$desktop"
check "desktop entry opens a file (%f) and claims *.knot.json" \
  bash -c "grep -qx 'Exec=knot-app %f' '$desktop' && grep -q '^MimeType=application/x-knot-workspace+json;' '$desktop' && grep -q '^Categories=Development;' '$desktop'"
cp -r "$pkg/usr/share/mime" "$tmp/mime"
check "update-mime-database maps *.knot.json to the Knot type" \
  bash -c "update-mime-database '$tmp/mime' && grep -q 'application/x-knot-workspace+json:\*\.knot\.json' '$tmp/mime/globs2'"
check "man knot renders and mentions serve" bash -c "MANWIDTH=100 man -l '$pkg/usr/share/man/man1/knot.1.gz' 2>/dev/null | grep -q 'knot-serve(1)'"
check "man knot-serve documents --listen" bash -c "MANWIDTH=100 man -l '$pkg/usr/share/man/man1/knot-serve.1.gz' 2>/dev/null | grep -q -- '--listen'"
check "bash completion loads and completes 'knot se' and 'knot serve --li'" bash --norc --noprofile -c "
  source '$pkg/usr/share/bash-completion/completions/knot' && complete -p knot | grep -q _knot || exit 1
  COMP_WORDS=(knot se); COMP_CWORD=1; _knot knot se knot; [[ \" \${COMPREPLY[*]} \" == *' serve '* ]] || exit 2
  COMP_WORDS=(knot serve --li); COMP_CWORD=2; _knot knot --li serve; [[ \" \${COMPREPLY[*]} \" == *' --listen '* ]] || exit 3"
unit="$tmp/unit/knot@test.service"
mkdir -p "$tmp/unit"
sed "s,^ExecStart=/usr/bin/knot ,ExecStart=$knot ," "$pkg/usr/lib/systemd/system/knot@.service" > "$unit"
check "systemd-analyze verify knot@.service (its man page included)" bash -c "out=\$(MANPATH='$pkg/usr/share/man' systemd-analyze verify '$unit' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
check "the unit: notify, own user, env file, restart on failure" bash -c "u='$pkg/usr/lib/systemd/system/knot@.service';
  grep -qx 'Type=notify' \"\$u\" && grep -qx 'DynamicUser=yes' \"\$u\" && grep -qx 'EnvironmentFile=-/etc/knot/%i.env' \"\$u\" && grep -qx 'Restart=on-failure' \"\$u\""

echo "== the knot command"
version="$("$knot" --version)"
head_hash="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
built_hash="$(sed -n 's/^knot [^ ]* (git \([0-9a-f]\{12\}\))$/\1/p' <<<"$version")"
check "knot --version names the package version and a commit of this repository ($version)" \
  bash -c "[ -n '$built_hash' ] && [[ '$version' == 'knot $(dpkg-deb -f "$deb" Version) '* ]] && git cat-file -e '$built_hash^{commit}'"
[ "$built_hash" = "$head_hash" ] || echo "        (built from $built_hash; HEAD is now $head_hash)"
for ws in examples/*.knot.json; do
  check "knot check $ws" "$knot" check "$ws"
done

echo "== knot-app under Xvfb, from the unpacked tree"
mkdir -p "$tmp/appdata"
cat > "$tmp/app.sh" <<EOF
KNOT_DATA_DIR='$tmp/appdata' '$pkg/usr/bin/knot-app' > '$tmp/app.log' 2>&1 &
app=\$!
for _ in \$(seq 1 300); do
  if xwininfo -root -tree | grep -q '"Knot"'; then break; fi
  sleep 0.1
done
sleep 3   # the page paints after the window maps
xwininfo -root -tree | grep '"Knot"' > '$tmp/app.windows' || true
import -window root '$tmp/app.png' || true
alive=0; kill -0 \$app 2>/dev/null && alive=1
kill \$app 2>/dev/null; wait \$app 2>/dev/null
echo \$alive > '$tmp/app.alive'
EOF
xvfb-run -a -s "-screen 0 1280x800x24" bash "$tmp/app.sh" || true
check "knot-app maps its window titled Knot" test -s "$tmp/app.windows"
check "knot-app is still running after the page loaded" grep -qx 1 "$tmp/app.alive"
colours="$(convert "$tmp/app.png" -format %k info: 2>/dev/null || echo 0)"
check "the window is drawn (screenshot has $colours colours)" test "$colours" -ge 50
if [ "$failures" -gt 0 ]; then sed 's/^/        app: /' "$tmp/app.log" | tail -n 20; fi

echo "== scale-out: three knot serve behind nginx"
"$knot" demo --ephemeral --json > "$tmp/demo.json" 2> "$tmp/demo.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$tmp/demo.json" ] && break; sleep 0.1; done
mapfile -t vars < <(python3 -c 'import json, sys
for k, v in json.load(open(sys.argv[1])).items(): print(f"{k}={v}")' "$tmp/demo.json")
var_args=()
for v in "${vars[@]}"; do var_args+=(--var "$v"); done
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

declare -a ports serve_pids
start_instance() {  # $1: index; waits for /ready
  local i="$1"
  KNOT_LOG=warn "$knot" serve examples/shop.knot.json --listen "127.0.0.1:${ports[$i]}" "${var_args[@]}" \
    >> "$tmp/serve-$i.log" 2>&1 &
  serve_pids[$i]=$!
  pids+=($!)
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:${ports[$i]}/ready" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "instance $i did not become ready" >&2
  return 1
}
for i in 0 1 2; do ports[$i]="$(free_port)"; start_instance "$i"; done

write_nginx() {  # $@: instance indexes behind the balancer
  mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
  {
    echo "worker_processes 1; pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/logs/error.log warn;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "  access_log off;"
    for d in client_body proxy fastcgi uwsgi scgi; do echo "  ${d}_temp_path $tmp/nginx/tmp/$d;"; done
    echo "  upstream knot {"
    for i in "$@"; do echo "    server 127.0.0.1:${ports[$i]} max_fails=1 fail_timeout=2s;"; done
    echo "    keepalive 64;"
    echo "  }"
    echo "  server {"
    echo "    listen 127.0.0.1:$lb_port;"
    echo "    location / {"
    echo "      proxy_pass http://knot;"
    echo "      proxy_http_version 1.1;"
    echo "      proxy_set_header Host \$host;"
    echo "      proxy_set_header Connection \"\";"
    echo "      proxy_next_upstream error timeout http_502 http_503;"
    echo "      proxy_next_upstream_tries 3;"
    echo "      proxy_connect_timeout 2s;"
    echo "    }"
    echo "  }"
    echo "}"
  } > "$tmp/nginx/nginx.conf"
}
lb_port="$(free_port)"
write_nginx 0 1 2
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log"
for _ in $(seq 1 100); do [ -s "$tmp/nginx/nginx.pid" ] && curl -sf "http://127.0.0.1:$lb_port/health" >/dev/null 2>&1 && break; sleep 0.05; done
url="http://127.0.0.1:$lb_port/composite-order-details/{id}"

# The reference answers, checked by content: order N belongs to a named user and has products.
check "nginx answers orders 1-10 through the instances, each the right order" python3 - "$lb_port" <<'PY'
import json, sys, urllib.request
for i in range(1, 11):
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/composite-order-details/{i}", timeout=10) as r:
        body = json.load(r)
    assert body["orderId"] == str(i), body
    assert body["user"]["name"] and body["products"], body
    assert "errors" not in body, body
PY

# The load, with one instance stopped (SIGTERM) and started again in the middle of it.
"$loadgen" "$url" --ids 1-10 --requests "$N" --connections "$C" > "$tmp/restart.out" 2>&1 &
load=$!
sleep 0.4
kill -TERM "${serve_pids[1]}"
stopped_status=0
wait "${serve_pids[1]}" 2>/dev/null || stopped_status=$?
sleep 0.2
start_instance 1
restarted=0; kill -0 "$load" 2>/dev/null && restarted=1
wait "$load" || true
cat "$tmp/restart.out"
check "the stopped instance exited 0 after draining" test "$stopped_status" -eq 0
check "the restart happened while the load ran" test "$restarted" -eq 1
check "$N requests through nginx during the restart: every answer right, 0 failures" \
  python3 -c 'import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(r); assert r["ok"] == int(sys.argv[2]) and r["failures"] == 0' "$tmp/restart.out" "$N"
check "the restarted instance serves again" curl -sf "http://127.0.0.1:${ports[1]}/composite-order-details/1"
grep -h "upstream" "$tmp/nginx/logs/error.log" | tail -n 3 | sed 's/^/        nginx: /' || true

# Throughput with 1, 2 and 3 instances behind the same nginx (reloaded with each set);
# RPS_REQUESTS=0 skips it (CI: a debug build's throughput says nothing).
[ "$RPS_REQUESTS" -gt 0 ] && echo "== throughput: $RPS_REQUESTS requests, $C connections, $(nproc) cores"
for set in "0" "0 1" "0 1 2"; do
  [ "$RPS_REQUESTS" -gt 0 ] || break
  # shellcheck disable=SC2086
  write_nginx $set
  kill -HUP "$(cat "$tmp/nginx/nginx.pid")"
  sleep 1
  "$loadgen" "$url" --ids 1-10 --requests 1000 --connections "$C" > /dev/null 2>&1 || true  # warm-up
  out="$("$loadgen" "$url" --ids 1-10 --requests "$RPS_REQUESTS" --connections "$C" 2>&1 | head -n 1 || true)"
  n=$(wc -w <<<"$set")
  echo "  $n instance(s): $out"
  grep -q "failures 0 " <<<"$out" || fail "failures with $n instance(s)"
done

if [ "$failures" -gt 0 ]; then
  echo "package-test: $failures check(s) failed"
  exit 1
fi
echo "package-test: all checks passed"
