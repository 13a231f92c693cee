#!/usr/bin/env bash
# Installs what Knot needs on a fresh Debian 12 machine. Idempotent: a second run only
# checks. The Rust toolchain itself (1.85 or newer, with cargo) must already be on PATH.
set -euo pipefail

packages=(build-essential pkg-config libssl-dev ca-certificates curl)
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
