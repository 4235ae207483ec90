"""Cut the north-west Syria sample of UCDP GED shipped for the demo (CC BY 4.0, see ATTRIBUTION.md).

Keeps every event in Idlib and Latakia governorates, in Hama governorate west of 37°E and in
Aleppo governorate west of 37.3°E (the Idlib de-escalation zone and its fronts), and, for
contrast, every 20th event in Damascus and Deir ez-Zor governorates. Rows are copied as read.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "events" / "ucdp_ged_syria_2017_2019.csv"
TARGET = ROOT / "src" / "ceasefire" / "data" / "ucdp_ged_nw_syria_sample.csv"


def keep(row: dict[str, str], counter: dict[str, int]) -> bool:
    adm1, lon = row["adm_1"], float(row["longitude"])
    if adm1 in ("Idlib Governorate", "Latakia Governorate"):
        return True
    if adm1 == "Hamah Governorate" and lon < 37.0:
        return True
    if adm1 == "Aleppo Governorate" and lon < 37.3:
        return True
    if adm1 in ("Damascus Governorate", "Deir ez Zor Governorate"):
        counter[adm1] = counter.get(adm1, 0) + 1
        return counter[adm1] % 20 == 0
    return False


def main() -> None:
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} not found")
    counter: dict[str, int] = {}
    with open(SOURCE, encoding="utf-8", newline="") as src, open(TARGET, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in reader:
            if keep(row, counter):
                writer.writerow(row)
                n += 1
    print(f"{TARGET.name}: {n} events, {TARGET.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
