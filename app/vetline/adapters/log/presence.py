"""Who else has the log open: one locked file per opener, in `<log>.in-use/`.

Each process that opens the log creates a file there and holds a lock on it until it
closes the log. Another opener lists the files and tries each lock: a file still locked
belongs to a live process; one it can lock was left by a process that ended, and is
removed. File locks (not pids) decide, so a crash never leaves a false "in use".
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

IN_USE_SUFFIX = ".in-use"
_LOCK_OFFSET = 1 << 20  # Windows locks a byte range; lock one far past the text we write
_CLAIM_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Opener:
    """Another process that has the log open."""

    pid: int
    host: str
    program: str

    def describe(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"pid {self.pid}{where}, {self.program}"


class Presence:
    """This process's mark in the log's in-use folder, held until `close`."""

    def __init__(self, log_path: Path) -> None:
        self.folder = log_path.with_name(log_path.name + IN_USE_SUFFIX)
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        try:
            self.folder.mkdir(exist_ok=True)
            self._claim()
        except OSError:
            self.close()  # sharing still works; only the notice is lost

    def others(self) -> list[Opener]:
        """The other live processes that have this log open (stale marks are removed)."""
        here = (os.getpid(), socket.gethostname())
        openers = live_openers(self.folder, exclude=self._path)
        return [opener for opener in openers if (opener.pid, opener.host) != here]

    def close(self) -> None:
        if self._file is not None:
            # Unlink first where the system allows it, so no one sees an unlocked mark.
            if os.name != "nt" and self._path is not None:
                # A mark left behind is unlocked once closed: the next opener removes it.
                with contextlib.suppress(OSError):
                    self._path.unlink(missing_ok=True)
            self._file.close()
            if os.name == "nt" and self._path is not None:
                with contextlib.suppress(OSError):
                    self._path.unlink()
        self._file = None

    def _claim(self) -> None:
        for _ in range(_CLAIM_ATTEMPTS):
            path = self.folder / f"{os.getpid()}-{secrets.token_hex(4)}.lock"
            file = path.open("xb")
            try:
                file.write(f"{os.getpid()}\n{socket.gethostname()}\n{_program()}\n".encode())
                file.flush()
                locked = _try_lock(file, keep=True)
            except BaseException:
                file.close()
                path.unlink(missing_ok=True)
                raise
            if locked and path.exists():
                self._file, self._path = file, path
                return
            # Another opener took the fresh mark for a stale one (it was not locked yet)
            # and removed it: make a new one.
            file.close()
            path.unlink(missing_ok=True)
        raise OSError("could not mark the log as in use")


def live_openers(folder: Path, exclude: Path | None = None) -> list[Opener]:
    """Everyone holding a mark in `folder` now; marks nobody holds are removed."""
    found: list[Opener] = []
    try:
        marks = sorted(folder.glob("*.lock"))
    except OSError:
        return found
    for mark in marks:
        if mark == exclude:
            continue
        try:
            file = mark.open("rb")
        except OSError:
            continue  # gone meanwhile, or Windows refused to open a file in use: skip
        with file:
            text = file.read(4096).decode("utf-8", "replace")
            if not _try_lock(file):
                found.append(_opener(text))
                continue
            if os.name != "nt":
                # Removed while we hold its lock, so its owner (if it is just starting)
                # cannot lock it in between and stay unseen.
                mark.unlink(missing_ok=True)
        if os.name == "nt":
            with contextlib.suppress(OSError):  # an owner that has it open refuses this
                mark.unlink()
    return found


def _opener(text: str) -> Opener:
    pid, host, program = ([*text.splitlines(), "", "", ""])[:3]
    return Opener(int(pid) if pid.isdigit() else 0, host, program or "vetline")


def _program() -> str:
    """How this process was started, for the notice: `vetline review`, `vetline apply`…"""
    argv = sys.argv or [""]
    if Path(argv[0]).stem not in ("vetline", "__main__"):
        return "vetline"  # embedded, or a test harness: its arguments would mean nothing
    command = next((word for word in argv[1:] if not word.startswith("-")), "")
    return " ".join(part for part in ("vetline", command) if part)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(file: IO[bytes], keep: bool = False) -> bool:
        file.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        if not keep:
            file.seek(_LOCK_OFFSET)
            msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)
        return True

else:
    import fcntl

    # flock, not fcntl record locks: these belong to one open file, so two logs open
    # in one process (or a second look at a mark) never release each other's lock.
    def _try_lock(file: IO[bytes], keep: bool = False) -> bool:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True  # kept or not, the lock goes with the file when it is closed
