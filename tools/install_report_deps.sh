#!/usr/bin/env bash
# Install what the mission report's PDF needs from Debian's packages when missing: the Pango/HarfBuzz libraries
# WeasyPrint (pip) lays text out with, a font, and poppler-utils (pdftoppm, pdfinfo) with which the tests
# (tests/test_report_render.py) turn the PDF's pages into images. Quiet and idempotent. Without root it only
# says what to run; the PDF tests are then skipped with that reason printed (or fail, with
# CEASEFIRE_REQUIRE_PDFTOPPM=1).
set -euo pipefail
PACKAGES="poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
if [ -z "$missing" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing for the report's PDF:$missing — run 'sudo apt-get install$missing'" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the list is meant to split into package names
apt-get install -y -q $missing >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
