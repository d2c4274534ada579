"""What a write killed before its journal left beside its files: found by exact name, removed.

A write makes its temp files and second names (atomic.py) before it writes its journal
(transaction.py), so a kill in between leaves them in the workspace with no journal to
finish or clear them. The write's intent (intents.py) outlives it: the files, their
hashes before and after, and the tag in the leftovers' names. Only a regular file with
exactly one of our names beside a file the intent names is ever removed, and only when
that loses nothing:

* a temp file: the write never renamed it, so it holds no one's work. Removed when it
  carries the intent's tag, or (untagged) holds exactly the bytes the write meant;
* a second name (backup): removed when the file beside it still holds the bytes from
  before the write, or the same bytes as the backup (a hard link, or a whole copy), or
  when the write was completed (every file holds what it meant to write).

Anything else that looks like ours is left where it is, and named.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.atomic import BACKUP_MARK, TEMP_MARK, fsync_folder, leftover_pattern
from vetline.core.errors import VetlineError
from vetline.core.model import sha256_hex

Shas = tuple[str | None, str | None]  # sha256 before and after the write (None: absent)


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What was removed, and what looks like ours but was left (with why), in words."""

    removed: tuple[str, ...] = ()
    left: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        said = ["removed what an interrupted write had left: " + ", ".join(self.removed)]
        return (said if self.removed else []) + list(self.left)


def clear_leftovers(
    check_path: Callable[[str], Path],
    files: Mapping[str, Shas],
    tag: str,
    *,
    completed: bool = False,
) -> Leftovers:
    """Remove what the write tagged `tag` (changing `files`) left; `completed`: every
    file now holds what the write meant to put there."""
    removed: list[str] = []
    notes: list[str] = []
    touched: set[Path] = set()
    for rel, (before, after) in files.items():
        try:
            target = check_path(rel)
            entries = list(os.scandir(target.parent))
        except (VetlineError, OSError):
            continue  # an unsafe path, or its folder is gone: nothing of ours beside it
        for entry in entries:
            kind = _kind(entry.name, target.name, tag)
            if kind is None:
                continue
            mark, tagged = kind
            try:
                if not entry.is_file(follow_symlinks=False):
                    notes.append(f"{rel}: {entry.name} beside it is not a regular file; left")
                    continue
                held = sha256_hex(Path(entry.path).read_bytes())
                if mark == TEMP_MARK:
                    removable = tagged or held == after
                else:
                    current = sha256_hex(target.read_bytes()) if target.is_file() else None
                    removable = completed or _backup_removable(held, current, before, tagged=tagged)
                if not removable:
                    notes.append(
                        f"{rel}: {entry.name}, left by an interrupted write, was kept"
                        " (it may hold the only copy of what was there)"
                    )
                    continue
                Path(entry.path).unlink()
            except OSError as error:
                notes.append(f"{rel}: {entry.name} could not be removed ({error.strerror})")
                continue
            removed.append(f"{Path(rel).parent / entry.name}".removeprefix("./"))
            touched.add(target.parent)
    for folder in touched:
        with contextlib.suppress(OSError):
            fsync_folder(folder)
    return Leftovers(tuple(sorted(removed)), tuple(notes))


def _backup_removable(held: str, current: str | None, before: str | None, *, tagged: bool) -> bool:
    """Nothing is lost: the file beside holds the same bytes, or still holds the bytes
    from before the write (and the backup is provably this write's)."""
    return current == held or (current == before and (tagged or held == before))


def _kind(name: str, target_name: str, tag: str) -> tuple[str, bool] | None:
    """(mark, tagged) when `name` is exactly one of our names for `target_name`'s write."""
    for mark in (TEMP_MARK, BACKUP_MARK):
        if tag and leftover_pattern(target_name, mark, tag).fullmatch(name):
            return mark, True
        if leftover_pattern(target_name, mark, None).fullmatch(name):
            return mark, False
    return None
