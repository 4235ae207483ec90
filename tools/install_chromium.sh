#!/usr/bin/env bash
# Install Debian's chromium when missing, for the browser tests of the web map (tests/web/test_map.py drives
# /usr/bin/chromium with Playwright; no browser is downloaded). Without root it only says what to run; the
# tests are then skipped with that reason printed (or fail, with CEASEFIRE_REQUIRE_BROWSER=1).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is not installed: run 'sudo apt-get install chromium' for the browser tests of the web map" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
