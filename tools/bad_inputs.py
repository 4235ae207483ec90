"""Try the bad inputs of issue 10 against the installed `ceasefire` command and print what each gives.

    .venv/bin/python tools/bad_inputs.py            # a Markdown table: case, exit status, time, what the user sees

Every case builds its input in a fresh temporary folder and runs the real command in a subprocess (a
segfault shows as exit -11, a hang as "killed at N s"). The tests assert the same messages
(tests/test_*_robust.py, tests/test_cli_grammar.py, tests/test_store.py); this script is the
person-readable trial.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CEASEFIRE = str(Path(sys.executable).with_name("ceasefire"))
TIMEOUT = 120

def gpx(points: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>{t}</time></trkpt>' for lat, lon, t in points)
    return ('<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk><trkseg>{body}</trkseg></trk></gpx>")


def plan(folder: Path) -> Path:
    path = folder / "plan.geojson"
    if not path.exists():
        run(["patrols", "plan", "--from", "2020-03-15", "--days", "2", "-o", path], folder)
    return path


def first_drive_points(folder: Path, day: str = "2020-03-15") -> list[tuple[str, str, str]]:
    import json

    doc = json.loads(plan(folder).read_text())
    feature = next(f for f in doc["features"] if f["properties"]["start"].startswith(day))
    coords = feature["geometry"]["coordinates"]
    start = feature["properties"]["start"]  # local time with its offset
    import datetime as dt

    t0 = dt.datetime.fromisoformat(start).astimezone(dt.timezone.utc)
    return [(str(y), str(x), (t0 + dt.timedelta(minutes=2 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            for i, (x, y) in enumerate(coords)]


def run(argv: list, folder: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CEASEFIRE, *map(str, argv)], cwd=folder, capture_output=True, text=True,
                          errors="replace", timeout=TIMEOUT, env={**os.environ, **(env or {})})


Case = tuple[str, Callable[[Path], list]]


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _ucdp_rows(n: int = 3, lat: str = "35.93", lon: str = "36.63") -> str:
    """``n`` UCDP rows made from the first row of a real fixture, each with its own id and day."""
    import csv
    import io

    with (DATA / "ucdp_more_rows.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        template = next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for i in range(n):
        day = f"2019-05-{1 + i % 28:02d}"
        writer.writerow({**template, "id": str(900_000 + i), "latitude": lat, "longitude": lon, "date_start": day,
                         "date_end": day, "source_headline": "clashes", "source_article": "a", "source_original": "o",
                         "where_coordinates": "Idlib town", "adm_1": "Idlib governorate", "adm_2": ""})
    return out.getvalue()


def cases() -> list[Case]:
    def track(points):
        def setup(f: Path) -> list:
            drive = first_drive_points(f)
            return ["patrols", "track", _write(f, "drive.gpx", gpx(points(drive))), "--plan", plan(f)]
        return setup

    def big_yaml(f: Path) -> list:
        path = f / "big.yaml"
        with path.open("w") as out:
            out.write("id: big\nname: big\nnotes: |\n")
            line = "  " + "x" * 1000 + "\n"
            for _ in range(200_000):
                out.write(line)
        return ["regime", "validate", path]

    def huge_header(f: Path) -> list:
        path = f / "wide.csv"
        with path.open("w") as out:
            out.write("a" * (200 << 20) + "\n1\n")
        return ["ingest", path, "--format", "ucdp", "--db", f / "s.sqlite"]

    def mapping_with(text: str):
        def setup(f: Path) -> list:
            m = _write(f, "m.yaml", text)
            return ["ingest", DATA / "mapped_events.csv", "--format", "csv", "--mapping", m, "--db", f / "s.sqlite"]
        return setup

    def unterminated(f: Path) -> list:
        lines = _ucdp_rows(20).splitlines()
        lines[4] = lines[4].replace(",clashes,", ',"clashes,', 1)
        return ["ingest", _write(f, "q.csv", "\n".join(lines) + "\n"), "--format", "ucdp", "--db", f / "s.sqlite"]

    def duplicates(f: Path) -> list:
        text = _ucdp_rows(3)
        text += text.splitlines()[1] + "\n"
        return ["ingest", _write(f, "d.csv", text), "--format", "ucdp", "--db", f / "s.sqlite"]

    def swapped(f: Path) -> list:
        return ["ingest", _write(f, "s.csv", _ucdp_rows(20, lat="36.63", lon="35.93")), "--format", "ucdp",
                "--db", f / "s.sqlite"]

    def binary(f: Path) -> list:
        return ["ingest", _write(f, "b.csv", bytes(range(256)) * 64), "--format", "ucdp", "--db", f / "s.sqlite"]

    def jsonl(lines: list[str]):
        def setup(f: Path) -> list:
            return ["read", _write(f, "a.jsonl", "\n".join(lines) + "\n"), "--db", f / "s.sqlite"]
        return setup

    good = ('{"id": "a1", "text": "Syrian government shelling hit Kafr Nabl in southern Idlib on 5 May 2019.", '
            '"published": "2019-05-06"}')

    def folder_with_bad(f: Path) -> list:
        news = f / "news"
        news.mkdir()
        _write(news, "good.txt", "Published 6 May 2019. Air strikes hit Khan Shaykhun in southern Idlib on Sunday.")
        _write(news, "bad.txt", b"\xff\xfe\x00bad bytes\x00")
        return ["read", news, "--db", f / "s.sqlite"]

    def empty_article(f: Path) -> list:
        return ["read", _write(f, "empty.txt", "   \n"), "--db", f / "s.sqlite"]

    def bowtie(f: Path) -> list:
        shutil.copytree(DATA / "elsewhere", f / "r")
        _write(f / "r", "square.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
               '"properties": {}, "geometry": {"type": "Polygon", "coordinates": '
               '[[[-74.6, 4.3], [-74.0, 4.7], [-74.0, 4.3], [-74.6, 4.7], [-74.6, 4.3]]]}}]}')
        return ["regime", "validate", f / "r" / "elsewhere.yaml"]

    def outside_path(f: Path) -> list:
        shutil.copytree(DATA / "elsewhere", f / "r")
        path = f / "r" / "elsewhere.yaml"
        path.write_text(path.read_text().replace("path: square.geojson", "path: ../../../../etc/passwd"))
        return ["regime", "validate", path]

    def read_only_store(f: Path) -> list:
        mount = f / "ro"
        mount.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], check=True)
        run(["ingest", DATA / "acled_made_up.csv", "--format", "acled", "--db", mount / "s.sqlite"], f)
        subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
        return ["violations", "--db", mount / "s.sqlite", "--format", "csv"]

    def killed_ingest(f: Path) -> list:
        big = f / "big.csv"
        lines = _ucdp_rows(1).splitlines()
        with big.open("w") as out:
            out.write(lines[0] + "\n")
            row = lines[1].split(",", 1)[1]
            for i in range(1_000_000):
                out.write(f"{1_000_000 + i},{row}\n")
        proc = subprocess.Popen([CEASEFIRE, "ingest", big, "--format", "ucdp", "--db", f / "s.sqlite",
                                 "--no-progress"], cwd=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wal = f / "s.sqlite-wal"
        before = wal.stat().st_size if wal.exists() else 0
        (f / "wal-before.txt").write_text(str(before))
        return ["quarantine", "list", "--db", f / "s.sqlite"]

    return [
        ("GPX: one point at latitude 135.8, one NaN → patrols track",
         track(lambda d: [d[0], ("135.8", d[1][1], d[1][2]), ("nan", d[2][1], d[2][2]), *d[3:]])),
        ("GPX: latitude 135.8", track(lambda d: [d[0], ("135.8", d[1][1], d[1][2]), *d[2:]])),
        ("GPX: NaN", track(lambda d: [d[0], ("nan", d[1][1], d[1][2]), *d[2:]])),
        ("GPX: one point", track(lambda d: d[:1])),
        ("track driven on a day with no planned patrol",
         track(lambda d: [(la, lo, t.replace("2020-03-15", "2020-04-20")) for la, lo, t in d])),
        ("GPX times (UTC) vs plan times (local)", track(lambda d: d)),
        ("200 MB regime YAML", big_yaml),
        ("200 MB single-line CSV header", huge_header),
        ("GeoJSON whose top level is an array",
         lambda f: ["ingest", _write(f, "a.geojson", "[1, 2]"), "--format", "geojson", "--db", f / "s.sqlite"]),
        ("GeoJSON polygon feature as an event",
         lambda f: ["ingest", _write(f, "p.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"id": "p1", "date": "2019-05-01"}, "geometry": {"type": "Polygon", '
                    '"coordinates": [[[36, 35], [37, 35], [37, 36], [36, 35]]]}}]}'), "--format", "geojson",
                    "--db", f / "s.sqlite"]),
        ("mapping file with a 2-character delimiter",
         mapping_with((DATA / "mapped_events.yaml").read_text().replace('delimiter: ";"', 'delimiter: ";;"'))),
        ("mapping file naming an unknown schema field",
         mapping_with((DATA / "mapped_events.yaml").read_text().replace("  actor2: Against", "  actor_2: Against"))),
        ("CSV with an unterminated quote", unterminated),
        ("duplicate ids in one file", duplicates),
        ("latitude and longitude swapped", swapped),
        ("binary file as CSV", binary),
        ("JSONL article file with one broken line",
         jsonl([good, '{"id": "a2", "text": "broken', good.replace("a1", "a3")])),
        ("JSONL line that is an array", jsonl([good, "[1, 2, 3]"])),
        ("folder with one bad article", folder_with_bad),
        ("empty article / no text", empty_article),
        ("read … -o into a missing folder",
         lambda f: ["read", DATA / "news", "--no-store", "-o", f / "missing" / "report.md"]),
        ("zones -o into a missing folder", lambda f: ["zones", "--at", "2019-03-08", "-o", f / "missing" / "z.csv"]),
        ("violations -o into a missing folder",
         lambda f: ["violations", "--db", f / "s.sqlite", "-o", f / "missing" / "v.csv"]),
        ("self-intersecting (bow-tie) polygon in a file: zone", bowtie),
        ("file: path outside the regime's folder", outside_path),
        ("violations --from after --to",
         lambda f: ["violations", "--db", f / "s.sqlite", "--from", "2019-05-31", "--to", "2019-05-01"]),
        ("unknown --zone", lambda f: ["violations", "--db", f / "s.sqlite", "--zone", "sochi-dmx"]),
        ("unknown --party", lambda f: ["violations", "--db", f / "s.sqlite", "--party", "al-qaida"]),
        ("where -74.5 4.5", lambda f: ["where", "-74.5", "4.5", "--regime", DATA / "elsewhere" / "elsewhere.yaml",
                                       "--at", "2031-06-05"]),
        ("patrols plan --distance-km -5", lambda f: ["patrols", "plan", "--from", "2020-03-15", "--distance-km", "-5"]),
        ("violations -o may.csv on the default empty store",
         lambda f: ["violations", "-o", f / "may.csv"]),
        ("store on a read-only mount", read_only_store),
        ("kill -9 mid-ingest (1M rows, at 4 s), then the next command", killed_ingest),
    ]


def main() -> None:
    print("| case | exit | time | what the user sees (stderr, else stdout; first lines) |")
    print("|---|---|---|---|")
    only = sys.argv[1:]
    for name, setup in cases():
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        with tempfile.TemporaryDirectory() as folder:
            f = Path(folder)
            env = {"CEASEFIRE_DB": str(f / "default" / "store.sqlite"), "CEASEFIRE_CONFIG": str(f / "config.yaml")}
            start = time.perf_counter()
            try:
                argv = setup(f)
                proc = run(argv, f, env)
                shown = (proc.stderr.strip() or proc.stdout.strip()).replace("\n", " ⏎ ")
                if proc.returncode == 0 and proc.stdout.strip() and proc.stderr.strip():
                    shown = (proc.stderr.strip() + " ⏎ " + proc.stdout.strip()).replace("\n", " ⏎ ")
                rc = str(proc.returncode)
                if (f / "wal-before.txt").exists():
                    wal = f / "s.sqlite-wal"
                    integrity = sqlite3.connect(f / "s.sqlite").execute("PRAGMA integrity_check").fetchone()[0]
                    shown = (f"WAL {int((f / 'wal-before.txt').read_text()) / 1e6:.0f} MB after the kill, "
                             f"{wal.stat().st_size if wal.exists() else 0} bytes after the next command; "
                             f"integrity {integrity} ⏎ {shown}")
            except subprocess.TimeoutExpired:
                rc, shown = "killed", f"killed at {TIMEOUT} s"
            finally:
                if (f / "ro").is_dir():
                    subprocess.run(["umount", f / "ro"], check=False, capture_output=True)
            elapsed = time.perf_counter() - start
            print(f"| {name} | {rc} | {elapsed:.1f} s | {shown[:400].replace('|', '/')} |", flush=True)


if __name__ == "__main__":
    main()
