"""Read regime files: YAML → validated :class:`Regime`, or one clear error naming file, line and path."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import CeasefireError, GeometryError, RegimeError
from .models import (ControlChange, PatrolMandate, Regime, RegimePlace, Rule, Umbrella, Zone,
                     reference_problems)

BUILTIN_DIR = Path(str(resources.files("ceasefire") / "regime" / "builtin"))


def builtin_regimes() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILTIN_DIR.glob("*.yaml"))}


def resolve(name_or_path: str | Path) -> Path:
    """A built-in regime's name, or a path to a regime file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise RegimeError(f"{path}: no such regime file")
        return path
    builtins = builtin_regimes()
    if str(name_or_path) in builtins:
        return builtins[str(name_or_path)]
    raise RegimeError(f"no regime named {name_or_path!r}; built-in: {', '.join(builtins) or 'none'}")


def format_loc(loc: tuple[Any, ...]) -> str:
    """('zones', 2, 'geometry', 'part_of', 'part_of', 'direction') → zones[2].geometry.part_of.direction"""
    out = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != previous and not str(part).startswith("function-"):
            out += ("." if out else "") + str(part)
        previous = part
    return out


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line in the YAML source of the deepest node along ``loc`` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            continue  # tags and model names in pydantic's loc have no node
        node, line = nxt, nxt.start_mark.line + 1
    return line


def load_regime(name_or_path: str | Path, check_geometry: bool = False) -> Regime:
    """Load and validate a regime. With ``check_geometry`` every zone is computed too."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegimeError(f"{path}: cannot be read ({exc})") from None
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise RegimeError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise RegimeError(f"{path}: a regime file is a mapping (id, name, parties, agreements, zones, …)")
    problems = _field_problems(data, root, path)
    problems += [(_line_of(root, loc), f"{path}:{_line_of(root, loc)}: {format_loc(loc)}: {message}")
                 for loc, message in reference_problems(data)]
    regime = _partial(data, problems)
    if regime is not None:
        regime._source = path
        if check_geometry or problems:  # with other problems, geometry ones are reported in the same round
            problems += _geometry_problems(regime, root, path)
    if problems:
        problems.sort(key=lambda p: p[0] or 0)
        shown = [text for _, text in problems[:MAX_PROBLEMS]]
        more = f"\n(and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise RegimeError("\n".join(shown) + more)
    assert regime is not None
    return regime


MAX_PROBLEMS = 25


def _field_problems(data: dict[str, Any], root: yaml.Node, path: Path) -> list[tuple[int | None, str]]:
    """Every field a model refuses, each with its file line (reference checks come separately)."""
    try:
        Regime.model_validate(data, context={"references": False})
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line = _line_of(root, loc)
            got = f"; got {json.dumps(err['input'], default=str)[:60]}" if err["type"] not in (
                "missing", "value_error") and not isinstance(err["input"], dict) else ""
            out.append((line, f"{path}:{line}: {format_loc(loc) or '(top)'}: {err['msg']}{got}"))
        return out
    return []


def _partial(data: dict[str, Any], problems: list[tuple[int | None, str]]) -> Regime | None:
    """The regime itself when nothing is wrong; otherwise the regime less its faulty entries, to compute
    the geometry of the rest (None when even that cannot be had)."""
    if not problems:
        return Regime.model_validate(data)
    kept = dict(data)
    for kind, model in ENTRY_MODELS.items():
        entries = data.get(kind)
        if isinstance(entries, list):
            kept[kind] = [entry for entry in entries if _valid(model, entry)]
    try:
        return Regime.model_validate(kept, context={"references": False})
    except ValidationError:
        return None


ENTRY_MODELS = {"zones": Zone, "rules": Rule, "patrols": PatrolMandate, "control": ControlChange,
                "places": RegimePlace, "umbrellas": Umbrella}


def _valid(model: type, entry: Any) -> bool:
    try:
        model.model_validate(entry)
    except ValidationError:
        return False
    return True


def _geometry_problems(regime: Regime, root: yaml.Node, path: Path) -> list[tuple[int | None, str]]:
    """Each zone's and each change of control's geometry computed on its own: every failure, with its line."""
    from ..regime.clock import local_minute
    from ..zones.timeline import expression_of, regime_evaluator

    changes: list[Any] = []
    try:
        evaluator = regime_evaluator(regime, changes)
    except CeasefireError as exc:
        return [(None, f"{path}: {exc}")]
    out = []
    index = {z.id: i for i, z in enumerate(_entries(root, "zones"))} if root is not None else {}
    for kind, entries, what in (("control", regime.control, "a change of control"), ("zones", regime.zones, "a zone")):
        for number, entry in enumerate(entries):
            expr = expression_of(entry) if kind == "zones" else entry.area.model_dump(by_alias=True, exclude_none=True)
            try:
                geom = evaluator.area(expr, what)
                if geom.is_empty:
                    raise GeometryError("the expression yields an empty area")
                if kind == "control":  # zones that follow control, and `held`, read them
                    changes.append((entry, geom))
                    changes.sort(key=lambda item: local_minute(item[0].at, regime.timezone))
            except CeasefireError as exc:
                position = index.get(entry.id, number) if kind == "zones" else number
                loc = (kind, position, "geometry" if kind == "zones" else "area")
                line = _line_of(root, loc)
                out.append((line, f"{path}:{line}: {format_loc(loc)} ({entry.id}): {exc}"))
    return out


def _entries(root: yaml.Node, kind: str) -> list[Any]:
    """The ids of a list's entries in file order, as objects with an ``id`` (for line lookups)."""
    from types import SimpleNamespace

    if not isinstance(root, yaml.MappingNode):
        return []
    node = next((v for k, v in root.value if k.value == kind), None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    ids = []
    for item in node.value:
        ident = next((v.value for k, v in item.value if k.value == "id"), None) if isinstance(item, yaml.MappingNode) \
            else None
        ids.append(SimpleNamespace(id=ident))
    return ids


def source_of(regime: Regime) -> Path | None:
    return regime._source


__all__ = ["builtin_regimes", "format_loc", "load_regime", "resolve", "source_of"]
