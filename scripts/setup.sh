#!/usr/bin/env bash
# Installs what Knot needs on a fresh Debian 12 machine. Idempotent: a second run only
# checks. The Rust toolchain itself (1.85 or newer, with cargo) must already be on PATH.
set -euo pipefail

# The core and the CLI, then the desktop app (Tauri 2: WebKitGTK and friends), a virtual
# display for windowless machines (xvfb, xauth), WebDriver for end-to-end tests, and
# screenshot tools (imagemagick, x11-apps). The store keeps its secrets key in the OS keyring
# through libdbus (libdbus-1-dev); its test runs a real Secret Service (gnome-keyring) in a
# D-Bus session of its own (dbus-run-session, from dbus).
packages=(build-essential pkg-config libssl-dev ca-certificates curl wget file procps python3 python3-pip
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth webkit2gtk-driver imagemagick x11-apps graphviz
  libdbus-1-dev dbus gnome-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Knot needs a Rust toolchain (1.85 or newer) with cargo on PATH" >&2
  exit 1
fi

# The test runner `make test` uses (window tests run one at a time through its test groups).
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "setup: cargo install cargo-nextest"
  cargo install cargo-nextest --locked
fi

# The OpenAPI 3.1 validator the gateway's /openapi.json is checked with (tests/expose.rs),
# from PyPI. Debian's own python3 refuses user installs into it (PEP 668) unless told.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  echo "setup: pip install openapi-spec-validator"
  python3 -m pip install --quiet openapi-spec-validator 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages openapi-spec-validator
fi

# WebDriver for the desktop app's end-to-end tests (tauri-driver starts WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

# The UI's Node packages: `npm ci` when node_modules is missing or older than the lock file.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$root/ui/package-lock.json" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: the desktop app's UI needs Node.js 20+ with npm on PATH" >&2
    exit 1
  fi
  if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules" ]; then
    echo "setup: npm ci in ui/"
    (cd "$root/ui" && npm ci --no-audit --no-fund)
    touch "$root/ui/node_modules"
  fi
fi
