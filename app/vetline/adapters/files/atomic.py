"""One file replaced whole or not at all, and the small pieces every atomic write shares:
temp files beside their target, second names for originals, durable folder renames.

Temp files and second names are `.{name}.vetline-tmp-[TAG-]XXXXXXXX` and
`.{name}.vetline-backup-[TAG-]XXXXXXXX` beside the file: TAG is the write's intent
(adapters/files/intents.py), so what a killed write left is known to be its own.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from vetline.core.errors import VetlineError

NEW_FILE_MODE = 0o644
TEMP_MARK = ".vetline-tmp-"
BACKUP_MARK = ".vetline-backup-"
# Keeps ".{name}{mark}{tag}-XXXXXXXX" under the usual 255-byte file-name limit.
_NAME_ROOM = 200
# The eight characters tempfile.mkstemp (and secrets.token_hex(4)) end a name with.
_RANDOM_PART = "[a-z0-9_]{8}"


def leftover_pattern(name: str, mark: str, tag: str | None) -> re.Pattern[str]:
    """The exact names of our temp files (mark TEMP_MARK) or second names (BACKUP_MARK)
    beside a file called `name`: those of the write tagged `tag`, or (tag None) untagged."""
    tagged = "" if tag is None else re.escape(f"{tag}-")
    return re.compile(rf"\.{re.escape(name[:_NAME_ROOM])}{re.escape(mark)}{tagged}{_RANDOM_PART}")


def _prefix(target: Path, mark: str, tag: str) -> str:
    return f".{target.name[:_NAME_ROOM]}{mark}{tag + '-' if tag else ''}"


class WorkspaceIOError(VetlineError):
    """The file system refused a read or a write; the message says whether anything changed."""


def write_temp(target: Path, data: bytes, mode: int, tag: str = "") -> Path:
    descriptor, name = tempfile.mkstemp(prefix=_prefix(target, TEMP_MARK, tag), dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temp.chmod(mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def backup(target: Path, tag: str = "") -> Path:
    """A second name for the original file, so a failed swap can put it back."""
    prefix = _prefix(target, BACKUP_MARK, tag)
    while True:
        backup = target.with_name(prefix + secrets.token_hex(4))
        try:
            os.link(target, backup)
        except FileExistsError:
            continue
        except OSError:
            break  # no hard links here (some network or FAT volumes): copy instead
        return backup
    descriptor, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
    os.close(descriptor)
    try:
        shutil.copy2(target, name)  # copies the mode too, so a rollback restores it
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def write_atomically(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace (or create) one file whole or not at all: temp file, fsync, rename, fsync."""
    temp = write_temp(target, data, mode)
    try:
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (POSIX; Windows cannot open a folder)."""
    if os.name == "nt" or not folder.is_dir():
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
