"""The user's settings: which regime and which store commands use when none is named.

Looked up in order: the command's own option, the environment (``CEASEFIRE_REGIME``,
``CEASEFIRE_DB``), the config file, then the built-in default. The config file is YAML in the user
config directory (``ceasefire config`` shows where; ``CEASEFIRE_CONFIG`` names another), so a
person can read and edit it by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import CeasefireError

DEFAULT_REGIME = "syria-northwest"
KEYS = {
    "regime": ("CEASEFIRE_REGIME", "the regime commands use: a built-in name or a regime YAML file"),
    "db": ("CEASEFIRE_DB", "the store commands use: a SQLite file or a postgresql:// address"),
}


def config_path() -> Path:
    if os.environ.get("CEASEFIRE_CONFIG"):
        return Path(os.environ["CEASEFIRE_CONFIG"])
    from platformdirs import user_config_dir

    return Path(user_config_dir("ceasefire")) / "config.yaml"


def read_config() -> dict[str, str]:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise CeasefireError(f"{path}: the config file cannot be read ({exc}); fix or delete it") from None
    if not isinstance(data, dict):
        raise CeasefireError(f"{path}: the config file must be a mapping of key: value; fix or delete it")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise CeasefireError(f"{path}: unknown setting {', '.join(unknown)} (known: {', '.join(KEYS)})")
    return {k: str(v) for k, v in data.items() if v is not None}


def value(key: str) -> str | None:
    """The environment's value, else the config file's, else None."""
    env, _ = KEYS[key]
    return os.environ.get(env) or read_config().get(key)


def source_of(key: str) -> str:
    env, _ = KEYS[key]
    if os.environ.get(env):
        return f"${env}"
    return str(config_path()) if key in read_config() else "default"


def set_value(key: str, new: str | None) -> Path:
    """Write (or with None remove) one setting; the file keeps the others."""
    if key not in KEYS:
        raise CeasefireError(f"unknown setting {key!r} (known: {', '.join(KEYS)})")
    data = read_config()
    if new is None:
        data.pop(key, None)
    else:
        data[key] = new
    path = config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=True, allow_unicode=True), encoding="utf-8")
    except OSError as exc:
        raise CeasefireError(f"{path}: cannot write the config file ({exc})") from None
    return path
