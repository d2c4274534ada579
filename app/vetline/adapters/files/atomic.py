"""One file replaced whole or not at all, and the small pieces every atomic write shares:
temp files beside their target, second names for originals, durable folder renames."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

from vetline.core.errors import VetlineError

NEW_FILE_MODE = 0o644
TEMP_MARK = ".vetline-tmp-"
BACKUP_MARK = ".vetline-backup-"
# Keeps ".{name}{mark}XXXXXXXX" under the usual 255-byte file-name limit.
_NAME_ROOM = 200


class WorkspaceIOError(VetlineError):
    """The file system refused a read or a write; the message says whether anything changed."""


def write_temp(target: Path, data: bytes, mode: int) -> Path:
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name[:_NAME_ROOM]}{TEMP_MARK}", dir=target.parent
    )
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


def backup(target: Path) -> Path:
    """A second name for the original file, so a failed swap can put it back."""
    prefix = f".{target.name[:_NAME_ROOM]}{BACKUP_MARK}"
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
