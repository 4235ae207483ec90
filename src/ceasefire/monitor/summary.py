"""Summaries of violations: zone × month × type, with counts by party."""

from __future__ import annotations

import pandas as pd


def summarize(violations: pd.DataFrame) -> pd.DataFrame:
    """One row per zone, month and event type: counts by status and by the parties involved."""
    if violations.empty:
        return pd.DataFrame(columns=["zone", "month", "event_type", "confirmed", "possible", "excluded", "by_party"])
    v = violations.assign(month=violations["date"].str.slice(0, 7))
    keys = ["zone", "month", "event_type"]
    counts = v.pivot_table(index=keys, columns="status", values="event_id", aggfunc="nunique", fill_value=0)
    for status in ("confirmed", "possible", "excluded"):
        if status not in counts:
            counts[status] = 0
    parties = pd.concat([v[[*keys, "party1"]].rename(columns={"party1": "party"}),
                         v[[*keys, "party2"]].rename(columns={"party2": "party"})])
    by_party = (parties.fillna({"party": "unmapped"}).groupby([*keys, "party"]).size()
                .groupby(level=keys).apply(lambda s: ", ".join(f"{p} {n}" for (*_, p), n in s.items())))
    out = counts[["confirmed", "possible", "excluded"]].join(by_party.rename("by_party")).reset_index()
    out.columns.name = None
    return out.sort_values(keys).reset_index(drop=True)
