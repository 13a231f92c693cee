#!/usr/bin/env bash
# The cached CI target dir must never fill the disk: a run once failed after 87 s with
# "No space left on device" while building. A cold run needs about 9 GB (target dir, fuzz
# build, UI packages); the cache is dropped when it has grown past CACHE_MAX_GB (stale
# artifacts of many dependency versions pile up) or when the disk has less than
# NEED_FREE_GB free. If the disk is still short afterwards, say so plainly before building.
set -euo pipefail
cache="${1:?usage: ci-disk.sh TARGET_DIR}"
CACHE_MAX_GB="${CACHE_MAX_GB:-20}"
NEED_FREE_GB="${NEED_FREE_GB:-15}"

free_gb() {
  local dir="$1"
  while [ ! -d "$dir" ]; do dir="$(dirname "$dir")"; done
  df -Pk "$dir" | awk 'NR==2 { printf "%d", $4 / 1048576 }'
}

if [ -d "$cache" ]; then
  size_gb=$(du -sk "$cache" 2>/dev/null | awk '{ printf "%d", $1 / 1048576 }')
  free=$(free_gb "$cache")
  echo "ci-disk: cache $cache holds ${size_gb} GB; ${free} GB free"
  if [ "$size_gb" -ge "$CACHE_MAX_GB" ] || [ "$free" -lt "$NEED_FREE_GB" ]; then
    echo "ci-disk: dropping the cache (over ${CACHE_MAX_GB} GB, or under ${NEED_FREE_GB} GB free)"
    rm -rf "$cache"
  fi
fi
free=$(free_gb "$cache")
if [ "$free" -lt "$NEED_FREE_GB" ]; then
  echo "ci-disk: WARNING: only ${free} GB free; a cold run needs about 9 GB and may fail with" >&2
  echo "ci-disk: 'No space left on device'" >&2
else
  echo "ci-disk: ${free} GB free"
fi
