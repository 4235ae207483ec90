import datetime as dt
import os
from pathlib import Path

import pytest

# Tests compute geometry fresh: a stale cache in the user's home must not hide a regression.
os.environ.setdefault("CEASEFIRE_NO_CACHE", "1")

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def regime():
    from ceasefire.regime import load_regime

    return load_regime("syria-northwest")


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)

# Tests read no user's settings: a config file or CEASEFIRE_REGIME in the environment must not change them.
os.environ["CEASEFIRE_CONFIG"] = str(Path(__file__).parent / "data" / "no-such-config.yaml")
os.environ.pop("CEASEFIRE_REGIME", None)
