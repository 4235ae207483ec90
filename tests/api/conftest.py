"""A real server for the API tests: uvicorn on a free 127.0.0.1 port, in a thread, over a real SQLite store
holding the regime's shipped sample events (judged), with one user of each role."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ceasefire.report.demo import sample_files

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "ceasefire" / "data" / "ucdp_ged_nw_syria_sample.csv"


@contextmanager
def serving(settings):
    """The app of ``settings`` served on 127.0.0.1 until the block ends; yields its base URL."""
    import uvicorn

    from ceasefire.api import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Served:
    url: str
    db: Path
    tokens: dict[str, str]  # role → token

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_users(db: Path) -> dict[str, str]:
    from ceasefire.accounts import expiry, new_token
    from ceasefire.store import connect

    tokens = {}
    with connect(db) as store:
        for role in ("viewer", "analyst", "admin"):
            token, stored = new_token()
            store.add_user(f"{role}-user", role, stored.token_id, stored.token_hash, expiry(30))
            tokens[role] = token
    return tokens


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, regime) -> Path:
    """A store with the sample ingested and judged, made once per module; tests that write copy it."""
    from ceasefire.events import ingest_file
    from ceasefire.monitor.stored import bring_up_to_date
    from ceasefire.store import connect

    db = tmp_path_factory.mktemp("api") / "sample.sqlite"
    with connect(db) as store:
        for path, fmt, mapping in sample_files(regime):
            ingest_file(store, path, fmt, mapping, regime=regime, progress=False)
        bring_up_to_date(store, regime, progress=False)
    return db


def copy_store(db: Path, folder: Path) -> Path:
    target = folder / db.name
    shutil.copy(db, target)
    shutil.copytree(db.with_name(db.name + ".events"), target.with_name(target.name + ".events"))
    return target


@pytest.fixture
def served(sample_db, tmp_path):
    """A server of its own (writes do not leak between tests) over a copy of the sample store."""
    from ceasefire.api import AppSettings

    db = copy_store(sample_db, tmp_path)
    tokens = make_users(db)
    with serving(AppSettings(db=str(db), max_upload_bytes=200_000)) as url:
        yield Served(url, db, tokens)
