"""File modes as a patch gives them ("100755", "120000"), turned into what Vetline writes."""

from __future__ import annotations

import os
import re
from pathlib import Path

from vetline.core.errors import InputError
from vetline.core.model import Change


def _read_umask() -> int:
    """The process's umask: from /proc where there is one (reading it there changes
    nothing), else by setting it and putting it back, once, before any writer starts."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def git_permissions(executable: bool) -> int:
    """The permission bits `git apply` gives every file it writes, new or patched: it
    recreates the file with 0777 or 0666 less the umask (a 0600 file comes out 0644 under
    the usual umask 022), keeping only whether the owner could execute it."""
    return (0o777 if executable else 0o666) & ~_UMASK


def mode_bits(git_mode: str | None) -> int | None:
    """Permission bits for a git mode such as "100755": git records only whether a file is
    executable, so it writes as `git_permissions` says whatever the other bits are
    ("100777" too)."""
    if not git_mode:
        return None
    try:
        bits = int(git_mode, 8)
    except ValueError as error:
        raise InputError(f"not a file mode: {git_mode!r}") from error
    return git_permissions(bool(bits & 0o100))


# git's file types (the bits above the permissions of a mode such as "120000").
_TYPE_MASK = 0o170000
_REGULAR_FILE = 0o100000
_SPECIAL_TYPES = {0o120000: "a symbolic link", 0o160000: "a submodule", 0o040000: "a folder"}


def refuse_special_files(change: Change) -> None:
    """git creates links and submodules from a patch; Vetline writes regular files only, and
    refuses rather than write a file that holds a link's target or a submodule's commit."""
    for git_mode in (change.old_mode, change.new_mode):
        if not git_mode:
            continue
        try:
            kind = int(git_mode, 8) & _TYPE_MASK
        except ValueError as error:
            raise InputError(f"{change.path}: not a file mode: {git_mode!r}") from error
        if kind != _REGULAR_FILE:
            what = _SPECIAL_TYPES.get(kind, f"not a regular file (mode {git_mode})")
            raise InputError(
                f"{change.path} is {what} (mode {git_mode}): Vetline writes regular files"
                " only, so it cannot apply this change"
            )
