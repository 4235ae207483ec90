"""What a team keeps beside the events: stored verdicts, human reviews, users and the audit trail.

The tables are plain SQL, the same on both engines (each engine's migrations create them):

- ``judgments``: one row per (regime content hash, engine version) the store holds verdicts for, with the
  last ingest whose events were judged — an ingest after it leaves only its own events to judge.
- ``verdicts``: the monitor's verdicts of one judgment, one row per event, rule and zone.
- ``reviews``: an analyst's word on a verdict (verified, disputed, dismissed, with a note), who and when,
  and the machine's status when they looked. Reviews are never deleted; the newest of a verdict is
  ``current``. A re-judgement does not touch them: a review whose verdict's status has changed since is
  flagged for re-check when read.
- ``users``: names, roles and the hash of each one's token (never the token); ``audit``: every write.

Engines supply :meth:`_sql` (run one statement, ``?`` placeholders), :meth:`_write` (a transaction holding
the store's write lock), :meth:`_bulk_verdicts` and :meth:`_arrow`. Everything else lives here once.
"""

from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import pyarrow as pa

ROLES = ("viewer", "analyst", "admin")
REVIEWS = ("verified", "disputed", "dismissed")
STATUSES = ("confirmed", "possible", "excluded")

# The monitor's verdict columns (monitor.engine.VIOLATION_COLUMNS) as stored: dates and times as ISO text.
VERDICT_SCHEMA = pa.schema(
    [pa.field(name, pa.string()) for name in (
        "event_id", "rule", "zone", "zones", "status", "because", "reason", "date", "date_end", "date_precision",
        "time")]
    + [pa.field("lon", pa.float64()), pa.field("lat", pa.float64())]
    + [pa.field(name, pa.string()) for name in (
        "place", "place_precision", "event_type", "sub_event_type", "weapon_class", "actor1", "actor2", "roles",
        "party1", "party2", "in_breach", "ground", "agreement", "provision")]
    + [pa.field("fatalities_best", pa.int64()), pa.field("sources", pa.string())])
VERDICT_COLUMNS = VERDICT_SCHEMA.names
REVIEW_COLUMNS = ["review", "review_note", "reviewed_by", "reviewed_at", "recheck"]
LISTED_SCHEMA = VERDICT_SCHEMA.append(pa.field("review", pa.string())).append(
    pa.field("review_note", pa.string())).append(pa.field("reviewed_by", pa.string())).append(
    pa.field("reviewed_at", pa.string())).append(pa.field("recheck", pa.bool_()))
ORDER = "v.date, v.event_id, v.rule, v.zone"  # oldest first, then by event, rule and zone: as `violations` lists


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Judgment:
    """The verdicts a store holds for one regime (by its content) and one version of the monitor."""

    judgment_id: int
    regime_id: str
    regime_hash: str
    engine_version: str
    through_ingest: int  # events written by this ingest and those before it are judged
    judged_at: str
    verdicts: int
    span_days: int = 0  # the longest span of an event's dates among the verdicts: bounds a period's index scan


@dataclass
class VerdictFilter:
    """Which stored verdicts a caller wants: every field left empty lets all through."""

    start: dt.date | None = None  # verdicts whose event's dates meet [start, end]
    end: dt.date | None = None
    zone: list[str] = field(default_factory=list)
    rule: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    party: list[str] = field(default_factory=list)  # an id in party1, party2 or in_breach
    event_type: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # review states; "none" for verdicts nobody reviewed
    bbox: tuple[float, float, float, float] | None = None
    event_id: str | None = None

    def where(self) -> tuple[str, list]:
        """SQL conditions over ``v`` (verdicts) and ``r`` (the current review), and their arguments."""
        sql, args = [], []
        if self.start:
            sql.append("v.date_end >= ?")
            args.append(self.start.isoformat())
        if self.end:
            sql.append("v.date <= ?")
            args.append(self.end.isoformat())
        for name, values in (("zone", self.zone), ("rule", self.rule), ("status", self.status),
                             ("event_type", self.event_type)):
            if values:
                sql.append(f"v.{name} IN ({', '.join('?' * len(values))})")
                args.extend(values)
        if self.party:
            ors = []
            for party in self.party:
                for name in ("party1", "party2", "in_breach"):
                    ors.append(f"(', ' || coalesce(v.{name}, '') || ', ') LIKE ?")
                    args.append(f"%, {party}, %")
            sql.append(f"({' OR '.join(ors)})")
        if self.review:
            states = [s for s in self.review if s != "none"]
            ors = [f"r.review IN ({', '.join('?' * len(states))})"] if states else []
            args.extend(states)
            if "none" in self.review:
                ors.append("r.review IS NULL")
            sql.append(f"({' OR '.join(ors)})")
        if self.bbox:
            west, south, east, north = self.bbox
            sql.append("v.lon >= ? AND v.lon <= ? AND v.lat >= ? AND v.lat <= ?")
            args.extend([west, east, south, north])
        if self.event_id:
            sql.append("v.event_id = ?")
            args.append(self.event_id)
        return " AND ".join(sql) or "1=1", args


class VerdictWriter(ABC):
    """One judgment's writes, inside its transaction (see :meth:`Records.judge_into`)."""

    @abstractmethod
    def replace(self, event_ids: list[str], verdicts: pa.Table) -> None:
        """The verdicts of ``event_ids`` become ``verdicts`` (none: the events break no rule now)."""


class Records:
    """Stored verdicts, reviews, users and audit over an engine's SQL (mixed into each store)."""

    # ------------------------------------------------------------------------------- engine primitives

    @abstractmethod
    def _sql(self, sql: str, args: list | tuple = ()) -> list[tuple]:
        """Run one statement (``?`` placeholders) in the current transaction; rows if it returns any."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[None]:
        """A transaction holding the store's write lock: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def _bulk_verdicts(self, judgment_id: int, verdicts: pa.Table) -> None:
        """Insert verdicts (VERDICT_SCHEMA) of a judgment, inside the current transaction."""

    @abstractmethod
    def _arrow(self, sql: str, args: list, schema: pa.Schema) -> pa.Table:
        """A query's rows as an Arrow table of ``schema`` (a read)."""

    def _read(self, sql: str, args: list | tuple = ()) -> list[tuple]:
        """A read outside any write: engines end the read's transaction so the next sees the latest commit."""
        return self._sql(sql, args)

    def _dict_rows(self, sql: str, args: list | tuple, names: list[str]) -> list[dict]:
        return [dict(zip(names, row)) for row in self._read(sql, args)]

    # ------------------------------------------------------------------------------------- judgments

    def last_ingest_id(self) -> int:
        return int(self._read("SELECT coalesce(max(ingest_id), 0) FROM ingests")[0][0])

    def judgment(self, regime_hash: str, engine_version: str) -> Judgment | None:
        rows = self._read("SELECT judgment_id, regime_id, regime_hash, engine_version, through_ingest, judged_at,"
                          " verdicts, span_days FROM judgments WHERE regime_hash = ? AND engine_version = ?",
                          (regime_hash, engine_version))
        return Judgment(*rows[0]) if rows else None

    def judgments(self) -> list[Judgment]:
        return [Judgment(*row) for row in self._read(
            "SELECT judgment_id, regime_id, regime_hash, engine_version, through_ingest, judged_at, verdicts, "
            "span_days FROM judgments ORDER BY judgment_id")]

    def judge_into(self, regime_id: str, regime_hash: str, engine_version: str, through_ingest: int,
                   fresh: bool) -> AbstractContextManager[VerdictWriter]:
        """A judgment's writes, in one transaction: ``fresh`` starts it over (every event is being judged);
        else the writer replaces the verdicts of the events it is given. Verdicts of the regime's older
        versions and of older engines go: they would never be read again."""
        return _judging(self, regime_id, regime_hash, engine_version, through_ingest, fresh)

    # ---------------------------------------------------------------------------------- stored verdicts

    def _listing(self, judgment_id: int, where: VerdictFilter, reviews: bool = True) -> tuple[str, list]:
        """FROM and WHERE of a listing; ``reviews`` False leaves the reviews out when the filter does not need them
        (a count then reads the index alone)."""
        conditions, args = where.where()
        if where.start:
            # A verdict meets the period when its dates do: date_end >= start. The index is on date, so the
            # longest span of the judgment's dates turns that into a range of dates the index can bound.
            span = self._read("SELECT span_days FROM judgments WHERE judgment_id = ?", (judgment_id,))
            earliest = where.start - dt.timedelta(days=int(span[0][0]) if span else 0)
            conditions += " AND v.date >= ?"
            args.append(earliest.isoformat())
        joined = (" LEFT JOIN reviews r ON r.current = 1 AND r.event_id = v.event_id AND r.rule = v.rule "
                  "AND r.zone = v.zone") if reviews or where.review else ""
        return f"FROM verdicts v{joined} WHERE v.judgment_id = ? AND {conditions}", [judgment_id, *args]

    def stored_verdicts(self, judgment_id: int, where: VerdictFilter | None = None, limit: int | None = None,
                        offset: int = 0) -> pa.Table:
        """Verdicts of a judgment with their current review, oldest first (LISTED_SCHEMA)."""
        body, args = self._listing(judgment_id, where or VerdictFilter())
        columns = ", ".join(f"v.{c}" for c in VERDICT_COLUMNS)
        sql = (f"SELECT {columns}, r.review, r.note, r.reviewed_by, r.reviewed_at, "
               f"CASE WHEN r.review IS NULL THEN NULL WHEN r.machine_status = v.status THEN 0 ELSE 1 END "
               f"{body} ORDER BY {ORDER}")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [int(limit), int(offset)]
        return self._arrow(sql, args, LISTED_SCHEMA)

    def count_verdicts(self, judgment_id: int, where: VerdictFilter | None = None) -> int:
        body, args = self._listing(judgment_id, where or VerdictFilter(), reviews=False)
        return int(self._read(f"SELECT count(*) {body}", args)[0][0])

    def verdict_counts(self, judgment_id: int, where: VerdictFilter | None = None,
                       by: tuple[str, ...] = ("date", "status")) -> list[tuple]:
        """Verdicts counted by columns of ``verdicts`` (and ``review``): rows of (*by, count)."""
        allowed = set(VERDICT_COLUMNS) | {"review"}
        if not set(by) <= allowed:
            raise ValueError(f"cannot count by {sorted(set(by) - allowed)}")
        body, args = self._listing(judgment_id, where or VerdictFilter())
        keys = ", ".join("r.review" if b == "review" else f"v.{b}" for b in by)
        return self._read(f"SELECT {keys}, count(*) {body} GROUP BY {keys} ORDER BY {keys}", args)

    # ------------------------------------------------------------------------------------------ reviews

    def add_review(self, judgment_id: int, event_id: str, rule: str, zone: str, review: str, note: str,
                   reviewer: str) -> dict | None:
        """Record a review of a stored verdict; None when the judgment holds no such verdict."""
        with self._write():
            found = self._sql("SELECT status FROM verdicts WHERE judgment_id = ? AND event_id = ? AND rule = ? "
                              "AND zone = ?", (judgment_id, event_id, rule, zone))
            if not found:
                return None
            at = _now()
            self._sql("UPDATE reviews SET current = 0 WHERE event_id = ? AND rule = ? AND zone = ? AND current = 1",
                      (event_id, rule, zone))
            self._sql("INSERT INTO reviews (event_id, rule, zone, review, note, reviewed_by, reviewed_at, "
                      "machine_status, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                      (event_id, rule, zone, review, note, reviewer, at, found[0][0]))
        return {"event_id": event_id, "rule": rule, "zone": zone, "review": review, "note": note,
                "reviewed_by": reviewer, "reviewed_at": at, "machine_status": found[0][0], "recheck": False}

    def reviews(self, judgment_id: int | None = None, event_id: str | None = None) -> list[dict]:
        """Every review (of one event), newest first, with the verdict's status now and whether to re-check:
        the machine's status changed since the review, or the verdict is gone."""
        sql = ("SELECT r.event_id, r.rule, r.zone, r.review, r.note, r.reviewed_by, r.reviewed_at, r.machine_status,"
               " r.current, v.status FROM reviews r LEFT JOIN verdicts v ON v.judgment_id = ? AND "
               "v.event_id = r.event_id AND v.rule = r.rule AND v.zone = r.zone")
        args: list = [judgment_id if judgment_id is not None else -1]
        if event_id:
            sql += " WHERE r.event_id = ?"
            args.append(event_id)
        names = ["event_id", "rule", "zone", "review", "note", "reviewed_by", "reviewed_at", "machine_status",
                 "current", "status_now"]
        rows = self._dict_rows(sql + " ORDER BY r.review_id DESC", args, names)
        for row in rows:
            row["current"] = bool(row["current"])
            row["recheck"] = judgment_id is not None and row["status_now"] != row["machine_status"]
        return rows

    # -------------------------------------------------------------------------------------- users, audit

    def add_user(self, name: str, role: str, token_id: str, token_hash: str, expires: str | None) -> None:
        with self._write():
            if self._sql("SELECT 1 FROM users WHERE name = ?", (name,)):
                from ..errors import StoreError

                raise StoreError(f"a user named {name!r} exists already: pick another name, or "
                                 f"`ceasefire users token {name}` for a new token")
            self._sql("INSERT INTO users (name, role, token_id, token_hash, created, expires, revoked) "
                      "VALUES (?, ?, ?, ?, ?, ?, NULL)", (name, role, token_id, token_hash, _now(), expires))

    def set_token(self, name: str, token_id: str, token_hash: str, expires: str | None) -> bool:
        with self._write():
            if not self._sql("SELECT 1 FROM users WHERE name = ?", (name,)):
                return False
            self._sql("UPDATE users SET token_id = ?, token_hash = ?, expires = ?, revoked = NULL WHERE name = ?",
                      (token_id, token_hash, expires, name))
        return True

    def revoke_user(self, name: str) -> bool:
        with self._write():
            if not self._sql("SELECT 1 FROM users WHERE name = ?", (name,)):
                return False
            self._sql("UPDATE users SET revoked = ? WHERE name = ?", (_now(), name))
        return True

    USER_COLUMNS = ["name", "role", "token_id", "token_hash", "created", "expires", "revoked"]

    def user_by_token_id(self, token_id: str) -> dict | None:
        rows = self._dict_rows(f"SELECT {', '.join(self.USER_COLUMNS)} FROM users WHERE token_id = ?", (token_id,),
                               self.USER_COLUMNS)
        return rows[0] if rows else None

    def users(self) -> list[dict]:
        return self._dict_rows(f"SELECT {', '.join(self.USER_COLUMNS)} FROM users ORDER BY name", (),
                               self.USER_COLUMNS)

    AUDIT_COLUMNS = ["audit_id", "at", "user_name", "action", "target", "detail", "client"]

    def record_audit(self, user: str | None, action: str, target: str, detail: dict | None = None,
                     client: str | None = None) -> None:
        with self._write():
            self._sql("INSERT INTO audit (at, user_name, action, target, detail, client) VALUES (?, ?, ?, ?, ?, ?)",
                      (_now(), user, action, target, json.dumps(detail or {}, sort_keys=True, default=str), client))

    def audit(self, limit: int | None = None) -> list[dict]:
        sql = f"SELECT {', '.join(self.AUDIT_COLUMNS)} FROM audit ORDER BY audit_id DESC"
        args: list = []
        if limit:
            sql += " LIMIT ?"
            args.append(int(limit))
        return self._dict_rows(sql, args, self.AUDIT_COLUMNS)


class _Judging(VerdictWriter):
    def __init__(self, store: Records, judgment_id: int):
        self.store, self.judgment_id = store, judgment_id
        self.span_days = 0

    def replace(self, event_ids: list[str], verdicts: pa.Table) -> None:
        if len(verdicts):
            import pyarrow.compute as pc

            days = pc.days_between(pc.cast(verdicts["date"], pa.date32()), pc.cast(verdicts["date_end"], pa.date32()))
            self.span_days = max(self.span_days, int(pc.max(days).as_py() or 0))
        for start in range(0, len(event_ids), 500):  # a statement's arguments are bounded (SQLite: 32,766)
            chunk = event_ids[start:start + 500]
            self.store._sql(f"DELETE FROM verdicts WHERE judgment_id = ? AND event_id IN ({', '.join('?' * len(chunk))})",
                            (self.judgment_id, *chunk))
        if len(verdicts):
            self.store._bulk_verdicts(self.judgment_id, verdicts)


@contextmanager
def _judging(store: Records, regime_id: str, regime_hash: str, engine_version: str, through_ingest: int,
             fresh: bool) -> Iterator[VerdictWriter]:
    with store._write():
        rows = store._sql("SELECT judgment_id FROM judgments WHERE regime_hash = ? AND engine_version = ?",
                          (regime_hash, engine_version))
        if rows and not fresh:
            judgment_id = rows[0][0]
        else:
            if rows:
                store._sql("DELETE FROM verdicts WHERE judgment_id = ?", (rows[0][0],))
                store._sql("DELETE FROM judgments WHERE judgment_id = ?", (rows[0][0],))
            judgment_id = store._sql(
                "INSERT INTO judgments (regime_id, regime_hash, engine_version, through_ingest, judged_at, verdicts,"
                " span_days) VALUES (?, ?, ?, 0, ?, 0, 0) RETURNING judgment_id", (regime_id, regime_hash, engine_version, _now()))[0][0]
        # older judgments of this regime (another content, another engine) are stale for good
        for (old,) in store._sql("SELECT judgment_id FROM judgments WHERE regime_id = ? AND judgment_id <> ?",
                                 (regime_id, judgment_id)):
            store._sql("DELETE FROM verdicts WHERE judgment_id = ?", (old,))
            store._sql("DELETE FROM judgments WHERE judgment_id = ?", (old,))
        writer = _Judging(store, judgment_id)
        yield writer
        count = store._sql("SELECT count(*) FROM verdicts WHERE judgment_id = ?", (judgment_id,))[0][0]
        store._sql("UPDATE judgments SET through_ingest = ?, judged_at = ?, verdicts = ?, "
                   "span_days = CASE WHEN span_days > ? THEN span_days ELSE ? END WHERE judgment_id = ?",
                   (through_ingest, _now(), count, writer.span_days, writer.span_days, judgment_id))


def records_ddl(key: str, real: str, big: str) -> str:
    """The tables of this module for an engine: ``key`` its auto-numbered key type, ``real`` and ``big`` its
    names for a double and a 64-bit integer."""
    kinds = {pa.string(): "TEXT", pa.float64(): real, pa.int64(): big}
    columns = ",\n        ".join(f"{f.name} {kinds[f.type]}" for f in VERDICT_SCHEMA)
    return f"""
    CREATE TABLE judgments (
        judgment_id {key},
        regime_id TEXT NOT NULL,
        regime_hash TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        through_ingest {big} NOT NULL,
        judged_at TEXT NOT NULL,
        verdicts {big} NOT NULL,
        span_days {big} NOT NULL,
        UNIQUE (regime_hash, engine_version)
    );
    CREATE TABLE verdicts (
        judgment_id {big} NOT NULL,
        {columns}
    );
    CREATE UNIQUE INDEX verdicts_key ON verdicts (judgment_id, event_id, rule, zone);
    -- covers a period's (and a box's) count without reading the rows
    CREATE INDEX verdicts_date ON verdicts (judgment_id, date, date_end, lon, lat, zone, status, rule);
    CREATE INDEX verdicts_zone_date ON verdicts (judgment_id, zone, date);
    CREATE TABLE reviews (
        review_id {key},
        event_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        zone TEXT NOT NULL,
        review TEXT NOT NULL,
        note TEXT NOT NULL,
        reviewed_by TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        machine_status TEXT NOT NULL,
        current INTEGER NOT NULL
    );
    CREATE INDEX reviews_verdict ON reviews (event_id, rule, zone, current);
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        token_id TEXT UNIQUE,
        token_hash TEXT,
        created TEXT NOT NULL,
        expires TEXT,
        revoked TEXT
    );
    CREATE TABLE audit (
        audit_id {key},
        at TEXT NOT NULL,
        user_name TEXT,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        client TEXT
    );
    """
