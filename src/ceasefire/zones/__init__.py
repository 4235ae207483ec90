"""Zones: geometry expressions on the shipped base data, and which zones are in force when."""

from .expressions import DIRECTIONS, Evaluator, admin, band_along, corridor, part_of, part_of_units, road_section
from .timeline import ZoneShape, regime_shapes, rules_for, zones_at, zones_containing, zones_during, zones_frame
from .where import where_answer

__all__ = [
    "DIRECTIONS", "Evaluator", "ZoneShape", "admin", "band_along", "corridor", "part_of", "part_of_units",
    "regime_shapes", "road_section", "rules_for", "where_answer", "zones_at", "zones_containing", "zones_during", "zones_frame",
]
