"""Regimes as data: YAML files validated by pydantic models."""

from .loader import builtin_regimes, load_regime
from .models import Agreement, Party, PatrolMandate, Regime, Rule, RuleException, Zone

__all__ = ["Agreement", "Party", "PatrolMandate", "Regime", "Rule", "RuleException", "Zone",
           "builtin_regimes", "load_regime"]
