"""Event columns as plain object arrays, whatever backs the frame (NumPy, Arrow, pandas NA)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def objects(events: pd.DataFrame, name: str) -> np.ndarray:
    """The column as an object array with None where a value is missing (or the column is absent)."""
    if name not in events:
        return np.full(len(events), None, dtype=object)
    column = events[name]
    values = column.astype(object).to_numpy(copy=True)
    values[column.isna().to_numpy()] = None
    return values
