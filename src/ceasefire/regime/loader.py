"""Read regime files: YAML → validated :class:`Regime`, or one clear error naming file, line and path."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import CeasefireError, RegimeError
from .models import Regime

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
    try:
        regime = Regime.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False)[:5]:
            loc = tuple(err["loc"])
            line = _line_of(root, loc)
            got = f"; got {json.dumps(err['input'], default=str)[:60]}" if err["type"] not in (
                "missing", "value_error") and not isinstance(err["input"], dict) else ""
            lines.append(f"{path}:{line}: {format_loc(loc) or '(top)'}: {err['msg']}{got}")
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise RegimeError("\n".join(lines) + more) from None
    regime._source = path
    if check_geometry:
        from ..zones.timeline import regime_shapes

        try:
            regime_shapes(regime)
        except CeasefireError as exc:
            raise RegimeError(f"{path}: {exc}") from None
    return regime


def source_of(regime: Regime) -> Path | None:
    return regime._source


__all__ = ["builtin_regimes", "format_loc", "load_regime", "resolve", "source_of"]
