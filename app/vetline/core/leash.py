"""The leash: how much an agent may propose at once, per autonomy level, and where."""

from __future__ import annotations

import fnmatch
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import PurePosixPath

from vetline.core.model import Proposal


class Level(IntEnum):
    SUGGEST = 1
    CHUNK = 2
    FILE = 3
    REPO = 4

    @property
    def title(self) -> str:
        return _LEVEL_TITLES[self]


_LEVEL_TITLES = {
    Level.SUGGEST: "Suggest",
    Level.CHUNK: "Chunk",
    Level.FILE: "File",
    Level.REPO: "Repo",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """What one proposal may hold at a level; None means no limit."""

    max_files: int | None
    max_hunks: int | None
    max_changed_lines: int


DEFAULT_LIMITS: Mapping[Level, Limits] = {
    Level.SUGGEST: Limits(max_files=1, max_hunks=1, max_changed_lines=5),
    Level.CHUNK: Limits(max_files=1, max_hunks=3, max_changed_lines=40),
    Level.FILE: Limits(max_files=1, max_hunks=None, max_changed_lines=200),
    Level.REPO: Limits(max_files=10, max_hunks=None, max_changed_lines=400),
}

# Paths an agent never touches, whatever the level. `.git/` and paths leaving the
# workspace are refused by the path check itself and cannot be allowed in settings.
DEFAULT_DENIED_PATHS: tuple[str, ...] = (
    ".github/workflows/*",
    ".gitlab-ci.yml",
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "**/.ssh/*",
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a proposal exceeds the leash, said so a reviewer understands it."""

    rule: str  # "changed-lines", "files", "hunks", "path"
    message: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Leash:
    limits: Mapping[Level, Limits] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    denied_paths: tuple[str, ...] = DEFAULT_DENIED_PATHS
    # Every citation of a proposal decided before its hunks are accepted wholesale.
    citations_first: bool = False

    def check(self, proposal: Proposal, level: int | Level) -> list[Violation]:
        """Everything about `proposal` that its autonomy level does not allow."""
        level = Level(level)
        limits = self.limits[level]
        where = f"at level {int(level)} ({level.title})"
        violations = [
            path_violation
            for change in proposal.changes
            for path_violation in self.check_path(change.path, change.old_path)
        ]
        files = len({change.path for change in proposal.changes})
        if limits.max_files is not None and files > limits.max_files:
            violations.append(
                Violation("files", f"{files} files > {limits.max_files} allowed {where}")
            )
        pictures = image_items(proposal)
        hunks = pictures + sum(
            1 for change in proposal.changes for hunk in change.hunks if hunk.added + hunk.removed
        )
        if limits.max_hunks is not None and hunks > limits.max_hunks:
            violations.append(
                Violation("hunks", f"{hunks} hunks > {limits.max_hunks} allowed {where}")
            )
        lines = proposal.changed_lines
        if lines + pictures > limits.max_changed_lines:
            counted = f"{lines} changed lines"
            if pictures:
                counted += f" + {pictures} image item{'' if pictures == 1 else 's'}"
            violations.append(
                Violation(
                    "changed-lines",
                    f"{counted} > {limits.max_changed_lines} allowed {where}",
                )
            )
        return violations

    def check_path(self, path: str, old_path: str | None = None) -> list[Violation]:
        return [
            Violation("path", f"{name}: {reason}", path=name)
            for name in dict.fromkeys(p for p in (path, old_path) if p)
            if (reason := self.path_refusal(name))
        ]

    def path_refusal(self, path: str) -> str | None:
        """Why an agent may not touch `path`, or None if it may."""
        return path_refusal(path, self.denied_paths)


def image_items(proposal: Proposal) -> int:
    """The items of a proposal's image changes: regions of changed pixels, proposed boxes,
    whole images. Each counts against the leash as one hunk and as one changed line: a
    reviewer judges a region at a glance, as they judge a short hunk, so an image edit
    split into 300 regions is as far over level 2 as a 300-line edit."""
    return sum(len(change.hunks) for change in proposal.changes if change.image is not None)


def path_refusal(path: str, denied: Sequence[str] = ()) -> str | None:
    """Why `path` (relative, '/'-separated) is refused, or None if it is allowed."""
    reason = _escape_refusal(path)
    if reason:
        return reason
    if any(is_git_folder_alias(part) for part in path.split("/")):
        return ".git/ is never changed"
    reason = _names_refusal(path)
    if reason:
        return reason
    for pattern in denied:
        if _matches(path, pattern):
            return f"matches the denied pattern {pattern!r}"
    return None


def leaving_refusal(path: str) -> str | None:
    """Why `path` could lead outside the workspace or into `.git/` (absolute, `..`, a
    control character, a `.git` look-alike), or None; odd but harmless names are not
    judged here."""
    reason = _escape_refusal(path)
    if reason:
        return reason
    if any(is_git_folder_alias(part) for part in path.split("/")):
        return ".git/ is never changed"
    return None


def escape_refusal(path: str) -> str | None:
    """Why `path` could name something outside the workspace, or something no file should
    be called, or None. (`.git/` and its look-alikes are the leash's to judge.)"""
    return _escape_refusal(path) or _names_refusal(path)


def is_git_folder_alias(name: str) -> bool:
    """Whether a file system could take `name` for `.git`, as git's core.protectNTFS and
    core.protectHFS see it: any case, characters HFS+ ignores (".git\u200c"), trailing dots
    and spaces and streams that Windows drops (".git.", ".git::$DATA"), the 8.3 name
    "git~1"."""
    folded = "".join(char for char in name if char not in _HFS_IGNORED).casefold()
    folded = folded.split(":", 1)[0].rstrip(". ")
    return folded in (".git", "git~1")


def _escape_refusal(path: str) -> str | None:
    if not path:
        return "empty path"
    if any(ord(char) < 32 or char == "\x7f" for char in path):
        return "control character in the name"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "absolute path (must be relative to the workspace)"
    if "\\" in path:
        return "backslash in the name"
    if ".." in PurePosixPath(path).parts:
        return "'..' leaves the workspace"
    return None


def _names_refusal(path: str) -> str | None:
    """Names that are not what they look like on some system a workspace may be checked
    out on, or to the person reading them."""
    if path == "~" or path.startswith("~/"):
        return "it starts with '~/', which a shell reads as a home folder"
    for name in path.split("/"):
        if not name or is_git_folder_alias(name):
            continue
        if any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in name):
            return "an invisible or direction-changing character in the name"
        if len(name) > 2 and name.strip(".") == "":
            return "a name made only of dots"
        if ":" in name:
            return "':' in the name (a Windows drive or alternate data stream)"
        if name.endswith((".", " ")) and name not in (".", ".."):
            return "a name ending in a dot or a space (Windows drops them)"
        device = name.split(".", 1)[0].rstrip(" ").casefold()
        if device in _WINDOWS_DEVICES:
            return f"{device.upper()} is a device name on Windows"
    return None


# Code points HFS+ ignores in names, so that ".g\u200cit" opens .git there.
_HFS_IGNORED = frozenset(
    chr(code)
    for code in (*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF)
)
# Format characters (bidirectional overrides, zero-width spaces, the BOM) and line or
# paragraph separators: they hide or reorder a name on screen.
_HIDDEN_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})
_WINDOWS_DEVICES = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        "conin$",
        "conout$",
        *(f"{port}{digit}" for port in ("com", "lpt") for digit in "123456789\u00b9\u00b2\u00b3"),
    }
)


def _matches(path: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(path, pattern):
        return True
    # A pattern without a folder applies to the file name anywhere (".env", "*.pem").
    if "/" not in pattern:
        return fnmatch.fnmatchcase(PurePosixPath(path).name, pattern)
    # "**/x" also matches "x" at the top.
    return pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:])
