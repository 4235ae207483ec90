"""The monitor: events judged against the zones and rules in force, vectorised."""

from .engine import MonitorIndex, judge
from .summary import summarize

__all__ = ["MonitorIndex", "judge", "summarize"]
