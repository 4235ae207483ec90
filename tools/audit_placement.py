"""How often the monitor's placement of events agrees with the events' own admin fields.

    python tools/audit_placement.py EVENTS.csv [--format ucdp|acled] [--regime syria-northwest]

For every exact or near event whose source names its district (else governorate), the named unit
*implies* a zone when it lies wholly inside it (inside) or does not meet it at all (outside); units
cut by the zone's edge imply nothing and are left out. The monitor's place status for that zone is
then compared: agreement is inside ↔ confirmed and outside ↔ none; ``possible`` on an implied
unit is counted apart (a hedge, not a contradiction). Prints one line per zone and the total.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from ceasefire.events import events_frame, ingest_file
from ceasefire.monitor import MonitorIndex
from ceasefire.monitor.place import CONFIRMED, NONE, POSSIBLE, _named_unit, place_events
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
    status = place_events(index.place, events).status
    named = units >= 0
    print(f"{len(events):,} exact/near events, {named.sum():,} with a unit we know "
          f"({len(events) - named.sum():,} name none or an unknown one)")
    total = agree = hedged = 0
    for z, zone_id in enumerate(index.place.zone_ids):
        implied = index.place.unit_relation[units[named], z]
        ours = status[zone_id][named]
        decided = implied != POSSIBLE
        ok = ((implied == CONFIRMED) & (ours == CONFIRMED)) | ((implied == NONE) & (ours == NONE))
        hedge = decided & (ours == POSSIBLE)
        n_in = int((implied == CONFIRMED).sum())
        print(f"  {zone_id:12s} decided {decided.sum():6,}  (implied inside {n_in:5,})  agree {ok.sum():6,}  "
              f"possible {hedge.sum():4,}  contradict {(decided & ~ok & ~hedge).sum():4,}")
        total += int(decided.sum())
        agree += int(ok.sum())
        hedged += int(hedge.sum())
    print(f"all zones: agree {agree / total:.2%}, possible {hedged / total:.2%}, "
          f"contradict {(total - agree - hedged) / total:.2%} of {total:,} event × zone pairs")


if __name__ == "__main__":
    sys.exit(main())
