"""The settings schema (one place: type, default, description) and its validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vetline.core.commands import KeymapError, build_keymap
from vetline.core.errors import VetlineError
from vetline.core.leash import DEFAULT_DENIED_PATHS, DEFAULT_LIMITS, Leash, Level, Limits
from vetline.core.reading_time import DEFAULT_FLOOR_MS, DEFAULT_MS_PER_LINE, ReadingTime

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    type: type[Any]
    default: Any
    description: str


def _limit_settings() -> list[Setting]:
    settings = []
    for level, limits in DEFAULT_LIMITS.items():
        prefix = f"leash.level{int(level)}"
        settings.append(
            Setting(
                f"{prefix}.max_changed_lines",
                int,
                limits.max_changed_lines,
                f"Most changed lines in one proposal at level {int(level)} ({level.title})",
            )
        )
        settings.append(
            Setting(
                f"{prefix}.max_files",
                int,
                limits.max_files or 0,
                f"Most files in one proposal at level {int(level)} (0: no limit)",
            )
        )
        settings.append(
            Setting(
                f"{prefix}.max_hunks",
                int,
                limits.max_hunks or 0,
                f"Most hunks in one proposal at level {int(level)} (0: no limit)",
            )
        )
    return settings


SCHEMA: tuple[Setting, ...] = (
    Setting("version", int, SCHEMA_VERSION, "Version of this settings file's layout"),
    Setting("review.level", int, int(Level.CHUNK), "Autonomy level at start (1-4)"),
    Setting("review.reviewer", str, "", "Your name in the decision log (default: login name)"),
    Setting(
        "review.reading_ms_per_line",
        int,
        DEFAULT_MS_PER_LINE,
        "Reading time per changed line (ms): an accept faster than this (or the floor) is"
        " flagged as a rubber stamp in the decision log",
    ),
    Setting(
        "review.reading_floor_ms",
        int,
        DEFAULT_FLOOR_MS,
        "Least reading time for any hunk (ms), however small",
    ),
    Setting(
        "review.ask_unread_above_lines",
        int,
        0,
        "Ask 'accept without reading?' before a too-fast accept of a hunk with more changed"
        " lines than this (0: never ask)",
    ),
    Setting("view.layout", str, "unified", "Diff layout: 'unified' or 'side-by-side'"),
    Setting("view.context_lines", int, 3, "Unchanged lines shown around each change"),
    Setting(
        "leash.denied_paths",
        list,
        list(DEFAULT_DENIED_PATHS),
        "Glob patterns of paths agents may never change (.git/ is always refused)",
    ),
    Setting(
        "leash.citations_first",
        bool,
        False,
        "Every citation of a proposal must be decided before its hunks can be accepted"
        " wholesale (accept the rest, vetline apply)",
    ),
    *_limit_settings(),
    Setting(
        "input.max_source_mb",
        int,
        256,
        "Largest source read, in MB (1 MB = 2**20 bytes); a bigger one is refused unread",
    ),
    Setting(
        "llm.send_backs",
        int,
        2,
        "How often an answer over the leash is sent back to be split before it is shown",
    ),
    Setting(
        "llm.longest_rate_limit_wait_s",
        int,
        60,
        "A rate limit asking to wait longer than this (seconds) moves to the next provider",
    ),
    Setting(
        "sources.fetch_timeout_s",
        int,
        10,
        "Seconds a cited URL may take to arrive before it counts as unavailable",
    ),
    Setting(
        "sources.max_source_mb",
        int,
        20,
        "Largest cited source (file or URL) read to check a quote, in MB",
    ),
    Setting(
        "sources.allow_plain_http",
        bool,
        False,
        "Fetch plain http:// sources from other machines too (https and this machine's"
        " own loopback address are always allowed)",
    ),
)

SCHEMA_BY_KEY: Mapping[str, Setting] = {setting.key: setting for setting in SCHEMA}
_CHOICES: Mapping[str, tuple[str, ...]] = {"view.layout": ("unified", "side-by-side")}
_RANGES: Mapping[str, tuple[int, int]] = {
    "review.level": (1, 4),
    "view.context_lines": (0, 50),
    "review.reading_ms_per_line": (0, 60_000),
    "review.reading_floor_ms": (0, 600_000),
    "input.max_source_mb": (1, 1 << 20),
    "llm.send_backs": (0, 5),
    "llm.longest_rate_limit_wait_s": (0, 600),
    "sources.fetch_timeout_s": (1, 120),
    "sources.max_source_mb": (1, 500),
}


class SettingsError(VetlineError, ValueError):
    """A settings file has an unknown key or a value of the wrong type; names the key."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Settings:
    values: Mapping[str, Any]
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=build_keymap)
    providers: tuple[Mapping[str, Any], ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def leash(self) -> Leash:
        limits = {}
        for level in Level:
            prefix = f"leash.level{int(level)}"
            limits[level] = Limits(
                max_files=self.values[f"{prefix}.max_files"] or None,
                max_hunks=self.values[f"{prefix}.max_hunks"] or None,
                max_changed_lines=self.values[f"{prefix}.max_changed_lines"],
            )
        return Leash(
            limits=limits,
            denied_paths=tuple(self.values["leash.denied_paths"]),
            citations_first=bool(self.values["leash.citations_first"]),
        )

    def reading_time(self) -> ReadingTime:
        return ReadingTime(
            ms_per_line=self.values["review.reading_ms_per_line"],
            floor_ms=self.values["review.reading_floor_ms"],
            ask_above_lines=self.values["review.ask_unread_above_lines"],
        )


def default_settings() -> Settings:
    return Settings(values={setting.key: setting.default for setting in SCHEMA})


def settings_from_document(document: Mapping[str, Any], source: str = "settings") -> Settings:
    """Validate a parsed TOML document: nested tables flatten to dotted keys."""
    document = dict(document)
    keys = document.pop("keys", {})
    providers = document.pop("providers", [])
    values = {setting.key: setting.default for setting in SCHEMA}
    value: Any
    for key, value in _flatten(document):
        setting = SCHEMA_BY_KEY.get(key)
        if setting is None:
            raise SettingsError(f"{source}: unknown setting {key!r}")
        if setting.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise SettingsError(f"{source}: {key} must be a whole number, not {value!r}")
        if not isinstance(value, setting.type):
            raise SettingsError(f"{source}: {key} must be a {setting.type.__name__}")
        if setting.type is list and not all(isinstance(item, str) for item in value):
            raise SettingsError(f"{source}: {key} must be a list of strings")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise SettingsError(f"{source}: {key} must be one of {', '.join(_CHOICES[key])}")
        low, high = _RANGES.get(key, (0, 10**9))
        if setting.type is int and not low <= value <= high:
            raise SettingsError(f"{source}: {key} must be between {low} and {high}")
        values[key] = value
    if values["version"] > SCHEMA_VERSION:
        raise SettingsError(
            f"{source}: written by a newer Vetline (version {values['version']}); not changed"
        )
    if not isinstance(keys, Mapping):
        raise SettingsError(f"{source}: [keys] must be a table of command = key(s)")
    try:
        keymap = build_keymap(keys)
    except KeymapError as error:
        raise SettingsError(f"{source}: {error}") from error
    if not isinstance(providers, list) or not all(isinstance(p, Mapping) for p in providers):
        raise SettingsError(f"{source}: [[providers]] must be a list of tables")
    return Settings(values=values, keys=keymap, providers=tuple(providers))


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items.extend(_flatten(value, dotted + "."))
        else:
            items.append((dotted, value))
    return items
