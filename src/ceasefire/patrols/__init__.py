"""Patrols: mandates → routes and schedules, deconfliction between forces, tracks → completion and incidents."""

from .deconflict import Conflict, find_conflicts
from .io import read_plan, write_plan, write_plan_gpx
from .model import Leg, Patrol
from .plan import Plan, PlanOptions, patrols_during, plan_patrols
from .tracking import TrackReport, incidents, judge_track, match
from .tracks import Track, read_track, write_track_gpx

__all__ = ["Conflict", "Leg", "Patrol", "Plan", "PlanOptions", "Track", "TrackReport", "find_conflicts", "incidents",
           "judge_track", "match", "patrols_during", "plan_patrols", "read_plan", "read_track", "write_plan", "write_plan_gpx",
           "write_track_gpx"]
