"""`ceasefire serve` over a real SQLite store and a real server on 127.0.0.1 (issue 12): paging, filters that agree
with the command line, tokens and roles, uploads, audit."""

from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest
from click.testing import CliRunner

from ceasefire.cli import main

from .conftest import SAMPLE, copy_store, make_users, serving


def walk(client: httpx.Client, url: str, headers: dict) -> tuple[list[dict], list[int]]:
    """Every feature of an items request, following its next links; and each page's numberMatched."""
    features, matched = [], []
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        features += page["features"]
        matched.append(page["numberMatched"])
        assert page["numberReturned"] == len(page["features"])
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return features, matched


def cli_violations(db, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["violations", "--db", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_paging_walks_every_violation_exactly_once_and_matches_the_command_line(served):
    headers = served.headers("viewer")
    with httpx.Client(timeout=60) as client:
        features, matched = walk(client, f"{served.url}/collections/violations/items?limit=250", headers)
        back = client.get(f"{served.url}/collections/violations/items?limit=250&offset=500", headers=headers).json()
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == matched[0] > 1000
    assert set(matched) == {len(ids)}
    prev = next(link["href"] for link in back["links"] if link["rel"] == "prev")
    assert "offset=250" in prev
    cli = cli_violations(served.db)
    assert ids == [f"{v['event_id']}~{v['rule']}~{v['zone']}" for v in cli]  # the same verdicts, in the same order


def test_bbox_and_datetime_filters_agree_with_the_command_line(served):
    west, south, east, north = 36.3, 35.4, 36.9, 35.9
    everything = cli_violations(served.db, "--from", "2019-05-01", "--to", "2019-05-31")
    expected = [f"{v['event_id']}~{v['rule']}~{v['zone']}" for v in everything
                if west <= v["lon"] <= east and south <= v["lat"] <= north]
    assert 0 < len(expected) < len(everything)
    with httpx.Client(timeout=60) as client:
        features, _ = walk(client, f"{served.url}/collections/violations/items?datetime=2019-05-01/2019-05-31"
                                   f"&bbox={west},{south},{east},{north}&limit=50", served.headers("viewer"))
        assert [f["id"] for f in features] == expected
        # an open start: everything up to the day, as the CLI's --to alone
        upto, _ = walk(client, f"{served.url}/collections/violations/items?datetime=../2017-12-31&limit=1000",
                       served.headers("viewer"))
        zones = client.get(f"{served.url}/collections/zones/items?datetime=2019-03-08",
                           headers=served.headers("viewer")).json()
        events = client.get(f"{served.url}/collections/events/items?datetime=2019-05-01/2019-05-31"
                            f"&bbox={west},{south},{east},{north}&limit=10000", headers=served.headers("viewer")).json()
    assert [f["id"] for f in upto] == [f"{v['event_id']}~{v['rule']}~{v['zone']}"
                                       for v in cli_violations(served.db, "--to", "2017-12-31")]
    cli_zones = CliRunner().invoke(main, ["zones", "--at", "2019-03-08", "--format", "json"])
    assert [f["id"] for f in zones["features"]] == [z["id"] for z in json.loads(cli_zones.stdout)] == \
        ["astana-1", "sochi-dmz"]
    assert events["numberMatched"] == len(events["features"]) > 0
    assert all(west <= f["geometry"]["coordinates"][0] <= east and f["properties"]["date_end"] >= "2019-05-01"
               and f["properties"]["date"] <= "2019-05-31" for f in events["features"])


def test_property_filters_csv_and_html(served):
    headers = served.headers("viewer")
    with httpx.Client(timeout=60) as client:
        page = client.get(f"{served.url}/collections/violations/items?status=possible&zone=astana-1&limit=5",
                          headers=headers).json()
        csv_text = client.get(f"{served.url}/collections/violations/items?status=possible&zone=astana-1&limit=5&f=csv",
                              headers=headers)
        html = client.get(f"{served.url}/collections/violations/items?limit=3",
                          headers={**headers, "Accept": "text/html,application/xhtml+xml"})
    assert page["numberMatched"] == len(cli_violations(served.db, "--status", "possible", "--zone", "astana-1"))
    assert {f["properties"]["status"] for f in page["features"]} == {"possible"}
    assert csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.splitlines()
    assert len(lines) == 6 and lines[0].startswith("id,event_id,rule,zone")
    assert html.headers["content-type"].startswith("text/html") and "<table>" in html.text


def test_no_token_is_401_a_viewer_writing_is_403_problem_details(served):
    with httpx.Client(timeout=60) as client:
        anonymous = client.get(f"{served.url}/collections/violations/items")
        bad = client.get(f"{served.url}/collections", headers={"Authorization": "Bearer cf_123_nope"})
        viewer = client.post(f"{served.url}/reviews", headers=served.headers("viewer"),
                             json={"event_id": "x", "rule": "y", "zone": "z", "review": "verified"})
        analyst_on_users = client.get(f"{served.url}/users", headers=served.headers("analyst"))
    for answer, status in ((anonymous, 401), (bad, 401), (viewer, 403), (analyst_on_users, 403)):
        assert answer.status_code == status
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["status"] == status and body["title"] and body["detail"]
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "viewer-user is a viewer" in viewer.json()["detail"]


def test_reading_may_be_opened_to_anonymous_users_but_writing_still_needs_a_token(sample_db, tmp_path):
    from ceasefire.api import AppSettings

    db = copy_store(sample_db, tmp_path)
    with serving(AppSettings(db=str(db), anonymous_read=True)) as url, httpx.Client(timeout=60) as client:
        assert client.get(f"{url}/collections/zones/items?datetime=2017-06-01").json()["numberMatched"] == 4
        assert client.post(f"{url}/reviews", json={"event_id": "x", "rule": "y", "zone": "z",
                                                   "review": "verified"}).status_code == 401


def test_the_store_keeps_the_tokens_hash_never_the_token(served):
    raw = sqlite3.connect(served.db)
    rows = raw.execute("SELECT name, token_id, token_hash FROM users").fetchall()
    raw.close()
    assert len(rows) == 3
    data = b"".join(p.read_bytes() for p in served.db.parent.glob(served.db.name + "*") if p.is_file())
    for token in served.tokens.values():
        secret = token.split("_", 2)[2]
        assert secret.encode() not in data and token.encode() not in data
    assert all(h.startswith("scrypt$16384$8$1$") for _, _, h in rows)


def test_a_review_from_the_api_persists_beside_the_machines_status_and_every_write_is_audited(served, tmp_path):
    headers = served.headers("analyst")
    with httpx.Client(timeout=120) as client:
        verdict = client.get(f"{served.url}/collections/violations/items?limit=1&status=possible",
                             headers=headers).json()["features"][0]["properties"]
        body = {"event_id": verdict["event_id"], "rule": verdict["rule"], "zone": verdict["zone"],
                "review": "disputed", "note": "only one source, SOHR"}
        posted = client.post(f"{served.url}/reviews", headers=headers, json=body)
        missing = client.post(f"{served.url}/reviews", headers=headers, json={**body, "event_id": "ucdp:0"})
        again = client.get(f"{served.url}/collections/violations/items?review=disputed", headers=headers).json()
        unreviewed = client.get(f"{served.url}/collections/violations/items?review=none&limit=1",
                                headers=headers).json()
        with SAMPLE.open("rb") as fh:
            uploaded = client.post(f"{served.url}/events?format=ucdp", headers=headers,
                                   files={"file": ("ged-part.csv", fh.read()[:150_000], "text/csv")})
        article = client.post(f"{served.url}/news", headers=headers, files={"file": ("a.txt", (
            "IDLIB, Syria, 9 March 2019 — Russian and Turkish forces carried out a joint patrol in Idlib province "
            "on Friday, the Turkish defence ministry said.").encode(), "text/plain")})
        added = client.post(f"{served.url}/users", headers=served.headers("admin"),
                            json={"name": "new-analyst", "role": "analyst"})
        revoked = client.delete(f"{served.url}/users/new-analyst", headers=served.headers("admin"))
        after_revoke = client.get(f"{served.url}/me", headers={"Authorization": f"Bearer {added.json()['token']}"})
        audit = client.get(f"{served.url}/audit", headers=served.headers("admin")).json()
    assert posted.status_code == 201, posted.text
    assert posted.json()["machine_status"] == "possible" and posted.json()["reviewed_by"] == "analyst-user"
    assert missing.status_code == 404
    reviewed = again["features"][0]["properties"]
    assert again["numberMatched"] == 1
    assert (reviewed["review"], reviewed["review_note"], reviewed["status"], reviewed["recheck"]) == (
        "disputed", "only one source, SOHR", "possible", False)
    assert unreviewed["numberMatched"] == cli_violations_count(served.db) - 1
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["read"] > 0 and uploaded.json()["new"] == 0  # the sample is in the store already
    assert article.status_code == 201, article.text
    assert added.status_code == 201 and added.json()["token"].startswith("cf_")
    assert revoked.status_code == 200 and after_revoke.status_code == 401
    actions = [row["action"] for row in audit]
    assert actions == ["users.revoke", "users.add", "news.upload", "events.upload", "review"]
    assert all(row["client"] == "127.0.0.1" for row in audit)
    assert audit[3]["detail"]["read"] == uploaded.json()["read"] and audit[3]["user_name"] == "analyst-user"
    # the CLI lists the same trail and the review with its machine status
    listed = CliRunner().invoke(main, ["audit", "--db", str(served.db), "--format", "json"])
    assert [r["action"] for r in json.loads(listed.stdout)] == actions
    cli = cli_violations(served.db, "--review", "disputed")
    assert [(v["event_id"], v["review"], v["reviewed_by"]) for v in cli] == [
        (verdict["event_id"], "disputed", "analyst-user")]


def cli_violations_count(db) -> int:
    return len(cli_violations(db))


def test_an_oversized_upload_is_413_and_leaves_nothing(served):
    with httpx.Client(timeout=60) as client:
        answer = client.post(f"{served.url}/events?format=ucdp", headers=served.headers("analyst"),
                             files={"file": ("big.csv", b"x" * 300_000, "text/csv")})
        audit = client.get(f"{served.url}/audit", headers=served.headers("admin")).json()
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert "200,000" in answer.json()["detail"]
    assert audit == []
    uploads = served.db.with_name(served.db.name + ".uploads")
    assert not [p for p in uploads.rglob("*") if p.is_file()]


def test_a_bad_upload_is_kept_aside_with_its_reason_and_a_bad_query_says_what_was_expected(served):
    bad = b"not,a,ucdp,file\n1,2,3,4\n"
    with httpx.Client(timeout=60) as client:
        answer = client.post(f"{served.url}/events?format=ucdp", headers=served.headers("analyst"),
                             files={"file": ("bad.csv", bad, "text/csv")})
        when = client.get(f"{served.url}/collections/violations/items?datetime=2019-13-01",
                          headers=served.headers("viewer"))
        box = client.get(f"{served.url}/collections/violations/items?bbox=1,2,3", headers=served.headers("viewer"))
    assert answer.status_code == 400 and "bad.csv" in answer.json()["detail"]
    assert when.status_code == 400 and "datetime" in when.json()["detail"]
    assert box.status_code == 400 and "bbox" in box.json()["detail"]


def test_where_answers_as_the_command_line(served):
    with httpx.Client(timeout=60) as client:
        answer = client.get(f"{served.url}/where?lon=36.6&lat=35.9&datetime=2019-03-08",
                            headers=served.headers("viewer")).json()
    cli = CliRunner().invoke(main, ["where", "36.6", "35.9", "--at", "2019-03-08", "--format", "json"])
    assert answer == json.loads(cli.stdout)
    assert [z["id"] for z in answer["zones"]] == ["astana-1"]


def test_the_api_docs_and_the_map_load_nothing_from_the_internet(served):
    with httpx.Client(timeout=60) as client:
        pages = {path: client.get(f"{served.url}{path}").text for path in ("/api.html", "/map")}
        landing = client.get(f"{served.url}/", headers=served.headers("viewer")).json()
        conformance = client.get(f"{served.url}/conformance").json()
        for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', "".join(pages.values())):
            assert client.get(f"{served.url}{path}").status_code == 200, path
    for path, html in pages.items():
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), path
    assert {link["rel"] for link in landing["links"]} >= {"self", "service-desc", "service-doc", "conformance", "data"}
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]


@pytest.mark.parametrize("path", ["/collections/zones/items?datetime=2019-03-08/..",
                                  "/collections/patrols/items?datetime=2019-03-08&limit=1000",
                                  "/collections/agreements/items", "/collections/boundaries/items?level=1"])
def test_every_collection_answers_geojson(served, path):
    with httpx.Client(timeout=60) as client:
        answer = client.get(f"{served.url}{path}", headers=served.headers("viewer"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/geo+json"
    assert answer.json()["numberMatched"] == len(answer.json()["features"]) > 0


def test_the_chart_by_day_adds_up_to_the_items_for_the_same_filters(served):
    query = "datetime=2019-02-07/2019-03-08&zone=astana-1"
    with httpx.Client(timeout=60) as client:
        days = client.get(f"{served.url}/violations/by-day?{query}", headers=served.headers("viewer")).json()["days"]
        items = client.get(f"{served.url}/collections/violations/items?{query}&limit=1",
                           headers=served.headers("viewer")).json()
    assert [d["date"] for d in days][0] == "2019-02-07" and len(days) == 30
    assert sum(d["confirmed"] + d["possible"] + d["excluded"] for d in days) == items["numberMatched"] > 0


def test_one_item_by_its_id_whatever_characters_it_holds(served):
    with httpx.Client(timeout=60) as client:
        patrol = client.get(f"{served.url}/collections/patrols/items?datetime=2019-05-05&limit=1",
                            headers=served.headers("viewer")).json()["features"][0]
        again = client.get(f"{served.url}/collections/patrols/items/{patrol['id']}?datetime=2019-05-05",
                           headers=served.headers("viewer"))
        verdict = client.get(f"{served.url}/collections/violations/items?limit=1",
                             headers=served.headers("viewer")).json()["features"][0]
        one = client.get(f"{served.url}/collections/violations/items/{verdict['id']}", headers=served.headers("viewer"))
        none = client.get(f"{served.url}/collections/zones/items/no-such-zone", headers=served.headers("viewer"))
    assert "/" in patrol["id"] and again.status_code == 200 and again.json()["id"] == patrol["id"]
    assert one.json()["properties"] == verdict["properties"]
    assert none.status_code == 404 and none.headers["content-type"] == "application/problem+json"


def test_events_held_in_memory_answer_as_a_scan_of_the_store(sample_db, tmp_path):
    from ceasefire.api import AppSettings

    db = copy_store(sample_db, tmp_path)
    token = make_users(db)["viewer"]
    queries = ["datetime=2019-05-01/2019-05-31&bbox=36.3,35.4,36.9,35.9&limit=7&offset=3",
               "datetime=../2017-06-30&event_type=battles,organized-violence&limit=50",
               "datetime=2019-10-01/..&limit=20&offset=40", "limit=5", "datetime=2019-05-06"]
    answers = []
    for held in (2_000_000, 0):
        with serving(AppSettings(db=str(db), events_in_memory=held)) as url, httpx.Client(timeout=60) as client:
            answers.append([client.get(f"{url}/collections/events/items?{q}",
                                       headers={"Authorization": f"Bearer {token}"}).json() for q in queries])
    for memory, scanned in zip(*answers):
        assert [f["id"] for f in memory["features"]] == [f["id"] for f in scanned["features"]]
        assert memory["numberMatched"] == scanned["numberMatched"]
        assert memory["features"] == scanned["features"]
    assert all(a["numberMatched"] > 0 for a in answers[0])


def test_the_server_serves_the_missions_report(served):
    with httpx.Client(timeout=120) as client:
        html = client.get(f"{served.url}/reports?from=2019-05-06&to=2019-05-12", headers=served.headers("viewer"))
        markdown = client.get(f"{served.url}/reports?from=2019-05-06&to=2019-05-12&zone=astana-1&f=md",
                              headers=served.headers("viewer"))
        anonymous = client.get(f"{served.url}/reports?from=2019-05-06&to=2019-05-12")
        too_long = client.get(f"{served.url}/reports?from=2019-01-01&to=2019-05-12", headers=served.headers("viewer"))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "ucdp:294994" in html.text
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html.text)  # self-contained: nothing fetched
    assert markdown.headers["content-type"].startswith("text/markdown") and "astana-1" in markdown.text
    assert anonymous.status_code == 401 and too_long.status_code == 400
