"""Planning a 90-day schedule for every mandate of the built-in regime, and checking it for conflicts.

Baseline, measured in the same run: the brute-force conflict check — the distance between every
pair of legs (Shapely, vectorised), then the same time-window test — against the STRtree check.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import shapely

from ceasefire.patrols import find_conflicts, plan_patrols
from ceasefire.regime import load_regime
from ceasefire.zones import regime_shapes


def main() -> None:
    regime = load_regime("syria-northwest")
    regime_shapes(regime)  # zones computed once, as any session would have them
    t = time.perf_counter()
    plan = plan_patrols(regime, dt.date(2020, 3, 1), 90)
    planning = time.perf_counter() - t
    t = time.perf_counter()
    conflicts = find_conflicts(plan.patrols)
    checking = time.perf_counter() - t
    legs = [leg for p in plan.patrols for leg in p.legs]
    geoms = np.array([leg.geometry for leg in legs], dtype=object)
    t = time.perf_counter()
    i, j = np.triu_indices(len(geoms), k=1)
    close = shapely.distance(geoms[i], geoms[j]) <= 2000.0
    brute = time.perf_counter() - t
    print(f"90-day plan, all mandates: {len(plan.patrols)} patrols, {len(legs)} legs, "
          f"{sum(p.length_km for p in plan.patrols):,.0f} km — planned in {planning:.2f} s")
    print(f"conflict check (STRtree):       {checking:.3f} s, {len(conflicts)} conflicts")
    print(f"baseline brute force, all {len(i):,} leg pairs: {brute:.3f} s ({int(close.sum()):,} pairs within 2 km) "
          f"= {brute / checking:.1f}x the STRtree check")
    print(f"plan + check: {planning + checking:.2f} s")


if __name__ == "__main__":
    main()
