"""How often the monitor's placement of events agrees with the events' own admin fields.

    python tools/audit_placement.py EVENTS.csv [--format ucdp|acled] [--regime syria-northwest]

For every exact or near event whose source names its district (else governorate), the named unit
*implies* a zone when it lies wholly inside the ground the zone covered at the event's time (inside)
or does not meet it at all (outside); units cut by the zone's edge imply nothing and are left out. The monitor's place status for that zone is
then compared: agreement is inside ↔ confirmed and outside ↔ none; ``possible`` on an implied
unit is counted apart (a hedge, not a contradiction). Prints one line per zone and the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import numpy as np

from ceasefire.events import events_frame, ingest_file
from ceasefire.monitor import MonitorIndex
from ceasefire.monitor.columns import EventColumns
from ceasefire.monitor.engine import event_minutes, locate, period_status, piece_id
from ceasefire.monitor.place import CONFIRMED, NONE, POSSIBLE, _named_unit
from ceasefire.regime import load_regime
from ceasefire.store import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path)
    parser.add_argument("--format", default="ucdp")
    parser.add_argument("--regime", default="syria-northwest")
    args = parser.parse_args()
    regime = load_regime(args.regime)
    index = MonitorIndex.build(regime)
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "audit.sqlite")
        ingest_file(conn, args.events, args.format, progress=False)
        events = events_frame(conn)
    events = events[events["place_precision"].isin(["exact", "near"])].reset_index(drop=True)
    units = np.array([_named_unit(a1 if isinstance(a1, str) else None, a2 if isinstance(a2, str) else None, 1)
                      for a1, a2 in zip(events["adm1"].astype(object), events["adm2"].astype(object))])
    zones = locate(index, events)  # per zone, against the ground it covered at each event's time
    cols = EventColumns(events)
    first, last = event_minutes(events, cols)
    named = units >= 0
    print(f"{len(events):,} exact/near events, {named.sum():,} with a unit we know "
          f"({len(events) - named.sum():,} name none or an unknown one)")
    total = agree = hedged = 0
    for zone_id, shape in index.shapes.items():
        # the relation of each event's named unit to the version of the zone in force at its start
        implied = np.full(len(events), POSSIBLE, np.uint8)
        for k, version in enumerate(shape.versions):
            start = version.start if k > 0 else dt.date(1, 1, 1)
            end = version.end if k + 1 < len(shape.versions) else None
            now = (period_status(first, first, start, end, regime.timezone)[0] > NONE) & named
            implied[now] = index.place.unit_relation[units[now], index.place.zone_ids.index(piece_id(zone_id, k))]
        ours = zones[zone_id]
        decided = named & (implied != POSSIBLE)
        ok = decided & (((implied == CONFIRMED) & (ours == CONFIRMED)) | ((implied == NONE) & (ours == NONE)))
        hedge = decided & (ours == POSSIBLE)
        print(f"  {zone_id:22s} decided {decided.sum():6,}  (implied inside {(decided & (implied == CONFIRMED)).sum():5,})"
              f"  agree {ok.sum():6,}  possible {hedge.sum():4,}  contradict {(decided & ~ok & ~hedge).sum():4,}")
        total += int(decided.sum())
        agree += int(ok.sum())
        hedged += int(hedge.sum())
    print(f"all zones: agree {agree / total:.3%}, possible {hedged / total:.3%}, "
          f"contradict {(total - agree - hedged) / total:.3%} of {total:,} event × zone pairs")


if __name__ == "__main__":
    sys.exit(main())
