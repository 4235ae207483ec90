"""The store on awkward ground: a read-only mount, a writer killed mid-ingest, a store that is not there."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from ceasefire.errors import StoreError
from ceasefire.store import connect, store_label


def _store_with_one_ingest(path):
    conn = connect(path)
    conn.execute("INSERT INTO ingests (file, format, started) VALUES ('a.csv', 'ucdp', '2020-01-01')")
    conn.close()


def test_queries_open_a_store_read_only(tmp_path):
    path = tmp_path / "s.sqlite"
    _store_with_one_ingest(path)
    conn = connect(path, readonly=True)
    assert conn.execute("SELECT count(*) FROM ingests").fetchone() == (1,)
    assert store_label(conn) == f"{path.resolve()} (0 events)"
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM ingests")


def test_a_query_on_a_missing_store_says_so_and_creates_nothing(tmp_path):
    path = tmp_path / "none.sqlite"
    with pytest.raises(StoreError, match="no store here — ingest events first"):
        connect(path, readonly=True)
    assert not path.exists()


def test_a_read_only_query_migrates_an_old_store_it_may_write(tmp_path):
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    from ceasefire.store.sqlite import MIGRATIONS

    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    conn = connect(path, readonly=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def _mount_read_only(folder):
    """A real read-only file system (tmpfs remounted ro); None where this machine may not mount."""
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True).returncode:
        return None
    return folder


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a read-only file system needs root")
def test_a_store_on_a_read_only_mount_answers_queries(tmp_path):
    mount = _mount_read_only(tmp_path / "ro")
    if mount is None:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        _store_with_one_ingest(mount / "s.sqlite")  # closed cleanly: WAL mode, no -wal file left
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        plain = sqlite3.connect(f"file:{mount / 's.sqlite'}?mode=ro", uri=True)
        with pytest.raises(sqlite3.OperationalError):  # what failed before: the WAL store needs its -shm file
            plain.execute("SELECT 1 FROM ingests")
        plain.close()
        conn = connect(mount / "s.sqlite", readonly=True)
        assert conn.execute("SELECT count(*) FROM ingests").fetchone() == (1,)
        conn.close()
        with pytest.raises(StoreError, match="read-only file system: queries can read it, but this command writes"):
            connect(mount / "s.sqlite")
    finally:
        import gc

        gc.collect()  # connections still open would keep the mount busy
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_writer_killed_mid_transaction_leaves_no_big_wal(tmp_path):
    path = tmp_path / "s.sqlite"
    _store_with_one_ingest(path)
    script = textwrap.dedent(f"""
        import os, signal
        from ceasefire.store import connect
        conn = connect({str(path)!r})
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO ingests (file, format, started) VALUES (?, 'ucdp', 'x')",
                         ((str(i) * 200,) for i in range(50_000)))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 1_000_000  # the killed writer's pages
    conn = connect(path, readonly=True)  # even a query gives the space back, where it may write
    assert wal.stat().st_size == 0
    assert conn.execute("SELECT count(*) FROM ingests").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
