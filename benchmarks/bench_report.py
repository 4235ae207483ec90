"""A week's mission report on a store of 1M events: the time to build it (its numbers, maps, chart, list) and
render it as HTML and as PDF, beside the time to count the same verdicts straight from the store (the
baseline, measured in the same run). Goal: under 10 s for the whole 7-day report.

The store is bench_serve's (1M synthetic events judged against syria-northwest, kept under /tmp and reused).

Usage: python benchmarks/bench_report.py [--events N] [--week YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_serve import REGIME, build_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--week", type=dt.date.fromisoformat, default=dt.date(2019, 5, 6),
                        help="a day of the week to report (Monday to Sunday)")
    args = parser.parse_args()

    from ceasefire.regime import load_regime
    from ceasefire.report.mission import Period, build_report
    from ceasefire.report.render import render_html, render_pdf
    from ceasefire.store import connect
    from ceasefire.store.records import VerdictFilter

    folder = Path(tempfile.gettempdir()) / f"ceasefire-bench-serve-{args.events}"
    db, made = build_store(folder, args.events)
    regime = load_regime(REGIME)
    period = Period.of(args.week, "week")
    with connect(db, readonly=True) as store:
        jid = store.judgments()[0].judgment_id
        where = VerdictFilter(start=period.start, end=period.end)
        t = time.perf_counter()
        counted = store.count_verdicts(jid, where)
        by_status = store.verdict_counts(jid, where, by=("status",))
        count_s = time.perf_counter() - t
    with connect(db) as store:
        t = time.perf_counter()
        report = build_report(store, regime, period)
        build_s = time.perf_counter() - t
    t = time.perf_counter()
    html = render_html(report, regime)
    html_s = time.perf_counter() - t
    t = time.perf_counter()
    pdf = render_pdf(report, regime)
    pdf_s = time.perf_counter() - t
    assert report.total == counted, (report.total, counted)
    total = build_s + html_s + pdf_s
    print(f"store: {db} — {made.get('events', args.events):,} events, {made.get('verdicts', 0):,} verdicts")
    print(f"week {period.label()}: {counted:,} verdicts ({', '.join(f'{s} {n}' for s, n in by_status)}), "
          f"{len(report.zones)} zone(s)")
    print(f"  baseline: count them in the store          {count_s * 1000:8.1f} ms")
    print(f"  build the report (numbers, list, patrols)   {build_s * 1000:8.1f} ms")
    print(f"  render HTML (maps, chart inlined; {len(html) / 1e6:.1f} MB)   {html_s * 1000:8.1f} ms")
    print(f"  render PDF ({len(pdf) / 1e6:.1f} MB)                      {pdf_s * 1000:8.1f} ms")
    print(f"  the whole report (build + HTML + PDF)       {total:8.2f} s   = {total / count_s:,.0f}x the count; "
          f"goal < 10 s: {'met' if total < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
