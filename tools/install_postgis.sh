#!/usr/bin/env bash
# Install PostgreSQL + PostGIS from Debian's packages when missing, so the suite's PostGIS leg can start a
# throwaway cluster (tests/conftest.py). Without root it only says what to run; the leg is then skipped
# with that reason printed.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "PostGIS is not installed: run 'sudo apt-get install postgresql-15-postgis-3' for the PostGIS leg of the tests" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q postgresql-15-postgis-3 >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15-postgis-3 >/dev/null; }
