"""Summaries of violations: zone × month × event type, events and violations counted apart.

An event may break several rules: ``events_<status>`` counts distinct events with at least one
verdict of that status, ``violations_<status>`` counts verdicts (event × rule). ``in_breach`` counts,
per party, the events in which a verdict accuses it — the side that acted, never the target of a
one-sided attack; excluded verdicts accuse no one.
"""

from __future__ import annotations

import pandas as pd

STATUSES = ("confirmed", "possible", "excluded")
COLUMNS = ["zone", "month", "event_type", *(f"events_{s}" for s in STATUSES),
           *(f"violations_{s}" for s in STATUSES), "in_breach"]


def summarize(violations: pd.DataFrame) -> pd.DataFrame:
    """One row per zone, month and event type: events and violations by status, parties in breach."""
    if violations.empty:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["zone", "month", "event_type"]
    v = pd.DataFrame({
        "zone": violations["zone"].astype(str), "month": violations["date"].astype(str).str.slice(0, 7),
        "event_type": violations["event_type"].astype(str), "status": violations["status"].astype(str),
        "event_id": violations["event_id"].astype(str), "in_breach": violations["in_breach"].astype(object),
    })
    events = v.pivot_table(index=keys, columns="status", values="event_id", aggfunc="nunique", fill_value=0)
    verdicts = v.pivot_table(index=keys, columns="status", values="event_id", aggfunc="size", fill_value=0)
    out = pd.DataFrame(index=events.index)
    for status in STATUSES:
        out[f"events_{status}"] = events[status] if status in events else 0
    for status in STATUSES:
        out[f"violations_{status}"] = verdicts[status] if status in verdicts else 0
    accused = v.assign(party=v["in_breach"].fillna("").str.split(", ")).explode("party")
    accused = accused[accused["party"] != ""]
    by_party = (accused.groupby([*keys, "party"])["event_id"].nunique().reset_index(name="n")
                .sort_values([*keys, "n", "party"], ascending=[True, True, True, False, True])
                .groupby(keys)[["party", "n"]].apply(lambda g: ", ".join(f"{p} {n}" for p, n in zip(g["party"], g["n"]))))
    out = out.join(by_party.rename("in_breach")).reset_index()
    out["in_breach"] = out["in_breach"].fillna("")
    return out[COLUMNS].sort_values(keys).reset_index(drop=True)
