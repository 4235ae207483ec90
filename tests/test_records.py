"""Stored verdicts, reviews, users and audit (issue 12), on both store engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from ceasefire.errors import AccessError
from ceasefire.events import events_frame, ingest_file
from ceasefire.monitor import judge
from ceasefire.monitor.stored import bring_up_to_date, current, listing, regime_hash, to_arrow
from ceasefire.store import connect
from ceasefire.store.records import VERDICT_COLUMNS, VERDICT_SCHEMA, VerdictFilter

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ceasefire" / "data" / "ucdp_ged_nw_syria_sample.csv"


def _key(frame):
    return frame.sort_values(["event_id", "rule", "zone"], ignore_index=True)[VERDICT_COLUMNS].astype(str)


def test_an_ingest_judges_only_its_new_and_changed_events_and_the_result_equals_judging_all(store, regime, tmp_path):
    import csv

    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    # the second file repeats 499 rows of the first (unchanged), changes one (its deaths) and adds the rest
    changed = list(rows[1000])
    changed[header.index("best")] = str(int(changed[header.index("best")]) + 7)
    for path, part in ((first, rows[:1499]), (second, [*rows[1001:1499], changed, *rows[1499:]])):
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *part])
    ingest_file(store, first, "ucdp", progress=False)
    said: list[str] = []
    one = bring_up_to_date(store, regime, progress=False, echo=said.append)
    assert said == [f"judged 1,499 events against {regime.id}: {one.verdicts:,} verdicts stored"]
    result = ingest_file(store, second, "ucdp", progress=False)
    assert result.new == len(rows) - 1499 and result.updated == 1 and result.unchanged == 498
    assert current(store, regime)[1] is False
    two = bring_up_to_date(store, regime, progress=False, echo=said.append)
    assert said[1].startswith(f"judged {result.new + 1:,} new or changed events")
    assert two.judgment_id == one.judgment_id and two.through_ingest == 2
    assert _key(listing(store, two)).equals(_key(judge(regime, events_frame(store))))
    assert bring_up_to_date(store, regime, progress=False, echo=said.append) == two and len(said) == 2  # nothing new


def test_a_changed_regime_judges_every_event_again_and_drops_the_old_verdicts(store, regime):
    ingest_file(store, SAMPLE, "ucdp", progress=False)
    before = bring_up_to_date(store, regime, progress=False)
    edited = regime.model_copy(update={"rules": [r for r in regime.rules if r.id != "astana-cessation"]}, deep=True)
    assert regime_hash(edited) != regime_hash(regime)
    after = bring_up_to_date(store, edited, progress=False)
    assert after.judgment_id != before.judgment_id
    assert [j.judgment_id for j in store.judgments()] == [after.judgment_id]
    rules = set(listing(store, after)["rule"].astype(str))
    assert rules and "astana-cessation" not in rules


def _verdict(event_id: str, status: str) -> dict:
    row = {name: None for name in VERDICT_COLUMNS}
    row.update(event_id=event_id, rule="r1", zone="z1", status=status, reason=f"{event_id} is {status}",
               date="2019-05-02", date_end="2019-05-02", lon=36.5, lat=35.5, party1="gov", party2="opp",
               in_breach="gov")
    return row


def test_a_re_judgement_never_erases_a_review_and_flags_it_when_the_machine_changed_its_mind(store):
    with store.judge_into("demo", "hash-1", "engine-1", 0, fresh=True) as writer:
        writer.replace([], pa.Table.from_pylist([_verdict("e1", "possible"), _verdict("e2", "confirmed")],
                                                schema=VERDICT_SCHEMA))
    judgment = store.judgment("hash-1", "engine-1")
    assert store.add_review(judgment.judgment_id, "e1", "r1", "z1", "verified", "two sources", "amira")["recheck"] \
        is False
    assert store.add_review(judgment.judgment_id, "e2", "r1", "z1", "disputed", "", "amira") is not None
    assert store.add_review(judgment.judgment_id, "e3", "r1", "z1", "verified", "", "amira") is None  # no verdict
    # e1 re-judged: now confirmed; e2 re-judged: no longer a violation at all
    with store.judge_into("demo", "hash-1", "engine-1", 1, fresh=False) as writer:
        writer.replace(["e1", "e2"], pa.Table.from_pylist([_verdict("e1", "confirmed")], schema=VERDICT_SCHEMA))
    listed = store.stored_verdicts(judgment.judgment_id).to_pylist()
    assert [(v["event_id"], v["status"], v["review"], v["review_note"], v["reviewed_by"], v["recheck"])
            for v in listed] == [("e1", "confirmed", "verified", "two sources", "amira", True)]
    reviews = {r["event_id"]: r for r in store.reviews(judgment.judgment_id)}
    assert (reviews["e1"]["machine_status"], reviews["e1"]["status_now"], reviews["e1"]["recheck"]) == (
        "possible", "confirmed", True)
    assert (reviews["e2"]["status_now"], reviews["e2"]["recheck"]) == (None, True)  # the verdict is gone
    # a second review of e1 becomes the current one; the first stays in the history
    store.add_review(judgment.judgment_id, "e1", "r1", "z1", "dismissed", "re-checked", "omar")
    history = store.reviews(judgment.judgment_id, "e1")
    assert [(r["review"], r["current"], r["recheck"]) for r in history] == [("dismissed", True, False),
                                                                           ("verified", False, True)]
    assert store.count_verdicts(judgment.judgment_id, VerdictFilter(review=["dismissed"])) == 1
    assert store.count_verdicts(judgment.judgment_id, VerdictFilter(review=["none"])) == 0


def test_verdict_filters_in_the_store(store):
    rows = [_verdict("e1", "possible"), {**_verdict("e2", "confirmed"), "zone": "z2", "party2": "other, opp",
                                         "lon": 37.5, "date": "2019-06-01", "date_end": "2019-06-03"}]
    with store.judge_into("demo", "hash-1", "engine-1", 0, fresh=True) as writer:
        writer.replace([], pa.Table.from_pylist(rows, schema=VERDICT_SCHEMA))
    jid = store.judgment("hash-1", "engine-1").judgment_id

    def ids(**where) -> list[str]:
        return [v["event_id"] for v in store.stored_verdicts(jid, VerdictFilter(**where)).to_pylist()]

    assert ids() == ["e1", "e2"]
    assert ids(zone=["z2"]) == ids(status=["confirmed"]) == ids(party=["other"]) == ["e2"]
    assert ids(party=["opp"]) == ["e1", "e2"] and ids(party=["op"]) == []
    assert ids(start=dt.date(2019, 6, 2), end=dt.date(2019, 6, 30)) == ["e2"]  # its dates meet the period
    assert ids(end=dt.date(2019, 5, 31)) == ["e1"]
    assert ids(bbox=(36.0, 35.0, 37.0, 36.0)) == ["e1"]
    assert store.verdict_counts(jid, by=("date", "status")) == [("2019-05-02", "possible", 1),
                                                                 ("2019-06-01", "confirmed", 1)]
    assert [v["event_id"] for v in store.stored_verdicts(jid, limit=1, offset=1).to_pylist()] == ["e2"]


def test_tokens_are_checked_by_hash_and_stop_when_revoked_or_expired(store):
    from ceasefire.accounts import authenticate, expiry, new_token

    token, stored = new_token()
    store.add_user("amira", "analyst", stored.token_id, stored.token_hash, expiry(30))
    assert authenticate(store, token).role == "analyst"
    assert authenticate(store, token).may("viewer") and not authenticate(store, token).may("admin")
    for wrong in (None, "", "cf_x", token[:-1] + ("A" if token[-1] != "A" else "B"), "Bearer " + token):
        with pytest.raises(AccessError) as caught:
            authenticate(store, wrong)
        assert caught.value.status == 401
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31)
    with pytest.raises(AccessError, match="expired on"):
        authenticate(store, token, now=later)
    store.revoke_user("amira")
    with pytest.raises(AccessError, match="revoked"):
        authenticate(store, token)
    assert [u["name"] for u in store.users()] == ["amira"]
    assert store.users()[0]["token_hash"] != token and token not in str(store.users())


def test_the_account_commands_print_a_token_once_and_audit_every_change(tmp_path):
    import json

    from click.testing import CliRunner

    from ceasefire.accounts import authenticate
    from ceasefire.cli import main

    db = tmp_path / "s.sqlite"
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "amira", "--role", "analyst", "--db", str(db)])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    taken = runner.invoke(main, ["users", "add", "amira", "--role", "viewer", "--db", str(db)])
    assert taken.exit_code == 1 and "exists already" in taken.output
    listed = runner.invoke(main, ["users", "list", "--db", str(db), "--format", "json"])
    assert token not in listed.stdout and json.loads(listed.stdout)[0]["role"] == "analyst"
    renewed = runner.invoke(main, ["users", "token", "amira", "--db", str(db)]).stdout.strip()
    with connect(db) as store:
        with pytest.raises(AccessError):
            authenticate(store, token)  # the old token stopped when the new one was made
        assert authenticate(store, renewed).name == "amira"
    assert runner.invoke(main, ["users", "revoke", "amira", "--db", str(db)]).exit_code == 0
    trail = json.loads(runner.invoke(main, ["audit", "--db", str(db), "--format", "json"]).stdout)
    assert [row["action"] for row in trail] == ["users.revoke", "users.token", "users.add"]
    assert all(row["user_name"].startswith("cli") for row in trail)


def test_a_review_from_the_command_line_shows_in_violations(tmp_path, regime):
    import json

    from click.testing import CliRunner

    from ceasefire.cli import main

    db = tmp_path / "s.sqlite"
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SAMPLE), "--format", "ucdp", "--db", str(db)]).exit_code == 0
    first = json.loads(runner.invoke(main, ["violations", "--db", str(db), "--format", "json"]).stdout)[0]
    done = runner.invoke(main, ["review", first["event_id"], "--rule", first["rule"], "--zone", first["zone"],
                                "--as", "verified", "--note", "checked against SOHR", "--by", "omar",
                                "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert f"verified by omar (machine: {first['status']})" in done.stdout
    wrong = runner.invoke(main, ["review", "ucdp:0", "--rule", first["rule"], "--zone", first["zone"], "--as",
                                 "verified", "--db", str(db)])
    assert wrong.exit_code == 1 and "no verdict" in wrong.output
    reviewed = json.loads(runner.invoke(main, ["violations", "--db", str(db), "--review", "verified",
                                               "--format", "json"]).stdout)
    assert [(v["event_id"], v["review"], v["review_note"], v["recheck"]) for v in reviewed] == [
        (first["event_id"], "verified", "checked against SOHR", False)]
    listed = json.loads(runner.invoke(main, ["reviews", "--db", str(db), "--format", "json"]).stdout)
    assert [(r["event_id"], r["reviewed_by"], r["machine_status"], r["recheck"]) for r in listed] == [
        (first["event_id"], "omar", first["status"], False)]


def test_to_arrow_keeps_every_verdict_column(regime):
    import pandas as pd

    frame = judge(regime, pd.DataFrame())
    assert to_arrow(frame).schema == VERDICT_SCHEMA and len(to_arrow(frame)) == 0


def test_a_store_of_schema_3_gains_the_team_tables_by_migration_and_keeps_its_events(tmp_path, regime):
    import sqlite3

    from ceasefire.store.sqlite import MIGRATIONS

    db = tmp_path / "old.sqlite"
    with connect(db) as store:
        ingest_file(store, SAMPLE, "ucdp", progress=False)
        events = store.count("events")
    raw = sqlite3.connect(db)  # back to what issue 11 left: schema 3, no verdicts, reviews, users or audit
    for table in ("judgments", "verdicts", "reviews", "users", "audit"):
        raw.execute(f"DROP TABLE {table}")
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    with connect(db, readonly=True) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 4
        assert store.count("events") == events and store.count("verdicts") == 0
    with connect(db) as store:
        assert bring_up_to_date(store, regime, progress=False).verdicts == store.count("verdicts") > 1000
