"""What an answer may touch: the files it was asked about, and new files only where allowed.

The rule: an answer may change only the files sent with the request. It may create a
new file only at level 3 (File) or 4 (Repo), and only when the instruction names the
new file's path, e.g. "add tests in tests/test_pager.py"; a path that already exists in
the workspace is no new file (the model never saw its text). A new file's name must be
plain: no part made of dots alone, no empty part, no hidden characters. Anything else
is out of scope: the answer is sent back like an oversize one and, if it stays out of
scope, is never offered for review.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from vetline.adapters.llm.shown import has_hidden, quoted
from vetline.core.leash import Level, Violation
from vetline.core.model import Proposal

SCOPE_RULE = "scope"
NEW_FILES_FROM_LEVEL = Level.FILE


def new_files_allowed(level: Level) -> bool:
    return level >= NEW_FILES_FROM_LEVEL


def scope_statement(level: Level, asked: Sequence[str]) -> str:
    """The rule as the model is told it, e.g. "Change only src/a.py. Create no new file."."""
    given = ", ".join(asked) if asked else "(none)"
    if new_files_allowed(level):
        new = "Create a new file only if the task names its path."
    else:
        new = "Create no new file."
    return f"Change only these files: {given}. {new}"


def scope_violations(
    proposal: Proposal,
    asked: Sequence[str],
    instruction: str,
    level: Level,
    workspace: Path | None = None,
) -> list[Violation]:
    """Every change of `proposal` outside what was asked, with why (`workspace`: where
    the files were read, for the paths that already exist there)."""
    asked_paths = set(asked)
    violations = []
    for change in proposal.changes:
        if change.path in asked_paths:
            continue
        if _exists_in(workspace, change.path):
            why = "already exists in the workspace and was not asked about (ask with it)"
        else:
            why = _new_file_refusal(change.path, instruction, level)
        if why:
            violations.append(Violation(SCOPE_RULE, f"{quoted(change.path)} {why}", change.path))
    return violations


def scope_summary(violations: Sequence[Violation], asked: Sequence[str]) -> str:
    """One sentence for the reviewer: which paths were refused and what was asked about."""
    refused = "; ".join(v.message for v in violations if v.rule == SCOPE_RULE)
    given = ", ".join(quoted(path) for path in asked) or "no file"
    return f"the answer changes files it was not asked about: {refused} (asked about: {given})"


def instruction_names(instruction: str, path: str) -> bool:
    """True when `path` appears in the instruction as a whole path, not inside a longer one."""
    if not path:
        return False
    # Not preceded by a path character, not followed by one (a sentence's full stop is fine).
    pattern = rf"(?<![\w./\\-]){re.escape(path)}(?![\w/\\-]|\.\w)"
    return re.search(pattern, instruction) is not None


def _new_file_refusal(path: str, instruction: str, level: Level) -> str:
    """Why a new file at `path` is out of scope, or "" when it is allowed."""
    if not new_files_allowed(level):
        return (
            f"was not asked about (new files need level {int(NEW_FILES_FROM_LEVEL)}"
            f" {NEW_FILES_FROM_LEVEL.title} or higher; this is level {int(level)} {level.title})"
        )
    unusable = _unusable_name(path)
    if unusable:
        return f"is not a usable new file name ({unusable})"
    if not instruction_names(instruction, path):
        return "was not asked about (a new file is allowed only when the task names its path)"
    return ""


def _exists_in(workspace: Path | None, path: str) -> bool:
    """True when `path`, a plain relative one, names something in `workspace`."""
    pure = PurePosixPath(path)
    if workspace is None or not path or pure.is_absolute() or ".." in pure.parts:
        return False
    try:
        return os.path.lexists(workspace / pure)
    except (OSError, ValueError):  # a name the file system cannot hold: not there
        return False


def _unusable_name(path: str) -> str:
    if has_hidden(path):
        return "hidden characters in the name"
    parts = path.split("/")
    if any(not part.strip() for part in parts):
        return "an empty part"
    if any(set(part) <= {".", " "} for part in parts):
        return "a part made of dots alone"
    return ""
