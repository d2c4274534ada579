"""File modes as a patch gives them ("100755", "120000"), turned into what Vetline writes."""

from __future__ import annotations

from vetline.adapters.files.atomic import NEW_FILE_MODE
from vetline.core.errors import InputError
from vetline.core.model import Change


def mode_bits(git_mode: str | None) -> int | None:
    """Permission bits for a git mode such as "100755": git records only whether a file is
    executable, so it writes 755 or 644 whatever the other bits say ("100777" too)."""
    if not git_mode:
        return None
    try:
        bits = int(git_mode, 8)
    except ValueError as error:
        raise InputError(f"not a file mode: {git_mode!r}") from error
    return 0o755 if bits & 0o100 else NEW_FILE_MODE


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
