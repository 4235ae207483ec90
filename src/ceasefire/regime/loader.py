"""Read regime files: YAML → validated :class:`Regime`, or one clear error naming file, line and path.

A regime file is trusted no more than any input: it is refused before parsing when larger than
:data:`MAX_REGIME_BYTES` (2 MB; the built-in regime is about 20 kB), and after composing when its
document, with every YAML alias expanded, has more than :data:`MAX_NODES` nodes (a "billion laughs"
alias bomb), nests deeper than :data:`MAX_DEPTH` or repeats a key in one mapping (YAML would keep
only the last, silently). ``file:`` maps and ``roads`` must lie in the regime's folder unless
``allow_paths_outside`` (the CLI's ``--allow-paths-outside``).
"""

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


MB = 1024 * 1024
# A regime is text someone wrote: 2 MB is 100 times the built-in one. PyYAML (pure Python, for its
# clear messages) composes about 0.2 MB/s here at ~100 bytes of memory per byte: a 10 MB file took
# 50 s and 1 GB, a 200 MB file never finished.
MAX_REGIME_BYTES = 2 * MB
MAX_NODES = 500_000  # YAML nodes with aliases expanded (the built-in regime: ~1,300)
MAX_DEPTH = 50  # nesting levels (the built-in regime: 11)


def load_regime(name_or_path: str | Path, check_geometry: bool = False, *,
                allow_paths_outside: bool = False) -> Regime:
    """Load and validate a regime. With ``check_geometry`` every zone is computed too.

    ``file:`` maps and ``roads`` whose paths resolve (symlinks followed) outside the regime file's folder
    are refused unless ``allow_paths_outside``."""
    path = resolve(name_or_path)
    text = _read_text(path)
    root, data = _parse(text, path)
    if not isinstance(data, dict):
        got = "nothing (the file is empty)" if data is None else f"a {_yaml_kind(data)}"
        line = f":{root.start_mark.line + 1}" if root is not None else ""
        raise RegimeError(f"{path}{line}: a regime file is a mapping (id, name, parties, agreements, zones, …); "
                          f"got {got}")
    problems = _field_problems(data, root, path)
    problems += _reference_problems(data, root, path, bool(problems))
    regime = _partial(data, problems)
    if regime is not None:
        regime._source = path
        ground_problem = _permit_paths_outside(regime, path) if allow_paths_outside else None
        if ground_problem:
            problems.append(ground_problem)
        elif check_geometry or problems:  # with other problems, geometry ones are reported in the same round
            problems += _geometry_problems(regime, root, path)
    if problems:
        problems.sort(key=lambda p: p[0] or 0)
        shown = [text for _, text in problems[:MAX_PROBLEMS]]
        more = f"\n(and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise RegimeError("\n".join(shown) + more)
    assert regime is not None
    return regime


MAX_PROBLEMS = 25


def _permit_paths_outside(regime: Regime, path: Path) -> tuple[int | None, str] | None:
    """Build the regime's ground now, carrying the permission to wherever file: paths are resolved (a ground
    built later, lazily, allows nothing outside). Its failure (unreadable roads) is the load's problem."""
    from ..zones.ground import ground_of

    try:
        ground_of(regime, allow_paths_outside=True)
    except CeasefireError as exc:
        return (None, f"{path}: {exc}")
    return None


def _read_text(path: Path) -> str:
    """The file's text, refused before parsing when too large, binary or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_REGIME_BYTES:
            raise RegimeError(f"{path}: {size / MB:.1f} MB is larger than the {MAX_REGIME_BYTES // MB} MB "
                              "a regime file may be")
        with path.open("rb") as handle:  # bounded: a device or a pipe states no size
            raw = handle.read(MAX_REGIME_BYTES + 1)
    except OSError as exc:
        raise RegimeError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_REGIME_BYTES:
        raise RegimeError(f"{path}: larger than the {MAX_REGIME_BYTES // MB} MB a regime file may be")
    if b"\x00" in raw:
        line = raw[:raw.index(b"\x00")].count(b"\n") + 1
        raise RegimeError(f"{path}:{line}: a binary file (a NUL byte), not YAML text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RegimeError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") \
            from None


def _parse(text: str, path: Path) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers) and the data built from it, parsed once; alias bombs, deep
    nesting and anything YAML refuses become one RegimeError with the line."""
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:  # YAML refuses control characters before it has lines to tell; say which and where
        line = text[:bad.start()].count("\n") + 1
        raise RegimeError(f"{path}:{line}: not valid YAML (control character U+{ord(bad.group()):04X}; "
                          "YAML text has none)")
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_size(root, path)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        hint = " (YAML indents with spaces, never tabs)" if "'\\t'" in problem else ""
        problem = f"{context}, {problem}" if context else problem
        raise RegimeError(f"{path}{where}: not valid YAML ({problem}){hint}") from None
    except RecursionError:
        raise RegimeError(f"{path}: nested deeper than a regime file can be (more than {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    return root, data


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, whose dates and numbers fail as YAML errors with their line: `2021-13-45` reads
    as a timestamp and PyYAML's own constructor raises a bare ValueError (month must be in 1..12)."""


def _checked_constructor(tag: str, what: str) -> Any:
    original = yaml.constructor.SafeConstructor.yaml_constructors[tag]

    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return original(loader, node)
        except (ValueError, OverflowError) as exc:
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            raise yaml.constructor.ConstructorError(None, None, f"{shown!r} is not a valid {what} ({exc})",
                                                    node.start_mark) from None

    return construct


for _tag, _what in (("timestamp", "date"), ("int", "integer"), ("float", "number")):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _checked_constructor(f"tag:yaml.org,2002:{_tag}", _what))


def _check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document that, with its aliases expanded, has more than MAX_NODES nodes or MAX_DEPTH levels.

    Each node's expanded size is computed once (aliases share nodes), so a billion-laughs file costs
    no more to measure than to compose; iterative, so depth cannot overflow the stack here."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[key] > MAX_NODES:
                how = ' through its aliases (a "billion laughs" file?)' if size[key] > len(size) else ""
                raise RegimeError(f"{path}:{node.start_mark.line + 1}: expands to more than {MAX_NODES:,} YAML "
                                  f"nodes{how}; a regime file is never that large")
            if depth[key] > MAX_DEPTH:
                raise RegimeError(f"{path}:{node.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels; "
                                  "a regime file is never that deep")
            continue
        if key in size:
            continue
        if key in on_path:
            raise RegimeError(f"{path}:{node.start_mark.line + 1}: an alias refers to the node that contains it "
                              "(a recursive structure)")
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, path)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _check_unique_keys(node: yaml.MappingNode, path: Path) -> None:
    """YAML keeps the last of two equal keys without a word: a zone's second `geometry` would hide its first."""
    first: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":  # merge keys may repeat
            continue
        line = key.start_mark.line + 1
        if key.value in first:
            raise RegimeError(f"{path}:{line}: key {key.value!r} appears twice in one mapping (also at line "
                              f"{first[key.value]}); keep one")
        first[key.value] = line


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _yaml_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__)


def _reference_problems(data: dict[str, Any], root: yaml.Node, path: Path, fields_wrong: bool
                        ) -> list[tuple[int | None, str]]:
    """References that name nothing, each with its line. A list where a name belongs makes the check itself
    fail (an unhashable id); that is already a field problem, reported on its own."""
    try:
        found = reference_problems(data)
    except TypeError as exc:
        if fields_wrong:
            return []
        return [(None, f"{path}: a reference is not a name ({exc})")]
    return [(_line_of(root, loc), f"{path}:{_line_of(root, loc)}: {format_loc(loc)}: {message}")
            for loc, message in found]


def _field_problems(data: dict[str, Any], root: yaml.Node, path: Path) -> list[tuple[int | None, str]]:
    """Every field a model refuses, each with its file line (reference checks come separately)."""
    try:
        Regime.model_validate(data, context={"references": False})
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line = _line_of(root, loc)
            got = f"; got {_shown(err['input'])}" if err["type"] not in (
                "missing", "value_error") and not isinstance(err["input"], dict) else ""
            out.append((line, f"{path}:{line}: {format_loc(loc) or '(top)'}: {err['msg']}{got}"))
        return out
    return []


def _shown(value: Any) -> str:
    """A short rendering of what the file gave (JSON where it can: dates and odd keys fall back to repr)."""
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text[:60]


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
        ident = next((v.value for k, v in item.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None) \
            if isinstance(item, yaml.MappingNode) else None
        ids.append(SimpleNamespace(id=ident))
    return ids


def source_of(regime: Regime) -> Path | None:
    return regime._source


__all__ = ["builtin_regimes", "format_loc", "load_regime", "resolve", "source_of"]
