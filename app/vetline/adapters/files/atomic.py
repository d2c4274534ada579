"""One file replaced whole or not at all, and the small pieces every atomic write shares:
temp files beside their target, second names for originals, durable folder renames.

Two platforms need more than POSIX promises. On macOS `fsync` only hands the data to
the drive, whose cache may still lose it on power loss; `F_FULLFSYNC` asks the drive to
write it out, so durable writes use it there (and fsync where a file system refuses
it). On Windows a rename fails while another program (a virus scanner, an indexer, an
editor) has the file open without sharing it; such a refusal is retried a few times
with a short pause before it is reported.

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
import time
from collections.abc import Callable
from pathlib import Path

from vetline.core.errors import VetlineError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

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


# Windows' "access denied" and "sharing violation": another process holds the file.
_HELD_ERRORS = (5, 32)
RENAME_ATTEMPTS = 5
_FIRST_PAUSE_S = 0.05  # doubled after each refusal: 0.05 + 0.1 + 0.2 + 0.4 s at most

Rename = Callable[[Path, Path], object]
"""Moves a file over another (os.replace's contract); the one the OS gives by default."""


class WorkspaceIOError(VetlineError):
    """The file system refused a read or a write; the message says whether anything changed."""


def replace_file(source: Path, target: Path) -> None:
    """The operating system's rename over an existing file (looked up at call time)."""
    source.replace(target)


def held_by_another_process(error: OSError) -> bool:
    """Whether Windows refused because another process has the file open."""
    return isinstance(error, PermissionError) and getattr(error, "winerror", None) in _HELD_ERRORS


def replace_retrying(
    source: Path,
    target: Path,
    rename: Rename = replace_file,
    sleep: Callable[[float], object] = time.sleep,
) -> None:
    """`rename(source, target)`, tried again a few times while another process holds a
    file (Windows); then an OSError whose message says so. Other errors are raised at once."""
    pause = _FIRST_PAUSE_S
    for attempt in range(1, RENAME_ATTEMPTS + 1):
        try:
            rename(source, target)
            return
        except OSError as error:
            if not held_by_another_process(error):
                raise
            if attempt == RENAME_ATTEMPTS:
                raise PermissionError(
                    error.errno,
                    f"another program keeps {target.name} open (tried {RENAME_ATTEMPTS} "
                    "times); close it and try again",
                    str(target),
                ) from error
        sleep(pause)
        pause *= 2


def durable_sync(descriptor: int) -> None:
    """Make what was written through `descriptor` survive a power loss (see the module)."""
    full_sync = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full_sync is not None:
        try:
            fcntl.fcntl(descriptor, full_sync)
            return
        except OSError:
            pass  # not supported by this file system (some network volumes): fsync below
    os.fsync(descriptor)


def write_temp(target: Path, data: bytes, mode: int, tag: str = "") -> Path:
    descriptor, name = tempfile.mkstemp(prefix=_prefix(target, TEMP_MARK, tag), dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            durable_sync(file.fileno())
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


def write_atomically(
    target: Path, data: bytes, mode: int = 0o644, rename: Rename = replace_file
) -> None:
    """Replace (or create) one file whole or not at all: temp file, fsync, rename, fsync."""
    temp = write_temp(target, data, mode)
    try:
        replace_retrying(temp, target, rename)
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
        durable_sync(descriptor)
    finally:
        os.close(descriptor)
