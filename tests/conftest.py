import datetime as dt
import os
from pathlib import Path

import pytest

# Tests compute geometry fresh: a stale cache in the user's home must not hide a regression.
os.environ.setdefault("CEASEFIRE_NO_CACHE", "1")

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def regime():
    from ceasefire.regime import load_regime

    return load_regime("syria-northwest")


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)

# Tests read no user's settings: a config file or CEASEFIRE_REGIME in the environment must not change them.
os.environ["CEASEFIRE_CONFIG"] = str(Path(__file__).parent / "data" / "no-such-config.yaml")
os.environ.pop("CEASEFIRE_REGIME", None)


# --------------------------------------------------------------------------- the store, on both engines

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["sqlite", "postgis"]


@pytest.fixture(scope="session")
def postgis_server():
    """A PostgreSQL + PostGIS server for the PostGIS leg: $CEASEFIRE_TEST_POSTGIS, else a throwaway cluster
    started here with tools/pg_cluster.sh (the Debian packages .ci/run installs). None, with why, if neither."""
    import socket
    import subprocess

    url = os.environ.get("CEASEFIRE_TEST_POSTGIS")
    if url:
        yield url, None
        return
    import shutil
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="ceasefire-pg-"))  # not under pytest's tmp: the 'postgres' user must reach it
    home.chmod(0o755)
    folder = home / "cluster"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = subprocess.run([str(ROOT / "tools" / "pg_cluster.sh"), "start", str(folder), str(port)],
                             capture_output=True, text=True)
    if started.returncode != 0:
        why = f"no PostGIS server could be started here: {started.stderr.strip() or started.stdout.strip()}"
        if os.environ.get("CEASEFIRE_REQUIRE_POSTGIS"):
            pytest.fail(why)
        yield None, why
        return
    try:
        yield started.stdout.strip(), None
    finally:
        subprocess.run([str(ROOT / "tools" / "pg_cluster.sh"), "stop", str(folder)], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def postgis_target(server: str, schema: str) -> str:
    """The server's address with its own schema: each test's store starts empty."""
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema},public"


@pytest.fixture(params=ENGINES)
def store_target(request, tmp_path):
    """Where a test's store lives, once per engine: a SQLite file, or a schema of the PostGIS server."""
    if request.param == "sqlite":
        yield tmp_path / "store.sqlite"
        return
    server, why = request.getfixturevalue("postgis_server")
    if server is None:
        pytest.skip(why)
    import uuid

    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield postgis_target(server, schema)
    import adbc_driver_postgresql.dbapi as dbapi

    with dbapi.connect(server) as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.commit()


@pytest.fixture
def store(store_target):
    from ceasefire.store import connect

    s = connect(store_target)
    yield s
    s.close()


def stored_rows(store, columns=None):
    """Every stored event as a dict (with raw and ingest ids unless ``columns``), by id."""
    from ceasefire.store import STORED_SCHEMA

    table = store.events(columns=columns or STORED_SCHEMA.names)
    return table.sort_by("event_id").to_pylist()
