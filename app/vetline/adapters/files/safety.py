"""Path safety: which relative paths a workspace may read or write, and why not.

A path is refused when it is absolute, climbs out with `..`, names `.git/` (or one of
its look-alikes), holds a control or invisible character, is a name some system reads
as something else (see core.leash), matches a denied pattern, or passes through a
symbolic link that leaves the workspace. Each refusal is a reason in words.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from vetline.core.leash import path_refusal


class PathRules:
    """The rules of one workspace folder: its root and its denied patterns."""

    def __init__(self, root: Path, deny: Sequence[str]) -> None:
        self.root = root
        self._resolved_root = root.resolve()
        self.deny = tuple(deny)
        # Case-insensitive file systems (macOS, Windows) treat ".ENV" as ".env".
        self._deny_folded = tuple(pattern.casefold() for pattern in self.deny)

    def refusal(self, rel: str) -> str | None:
        reason = path_refusal(rel, self.deny) or path_refusal(rel.casefold(), self._deny_folded)
        if reason:
            return reason
        names = rel.split("/")
        if "" in names:
            return "empty name in the path"
        if "." in names:
            return "'.' in the path (paths must be plain, relative and '/'-separated)"
        if any(unicodedata.category(char) == "Cc" for char in rel):
            return "control character in the name"
        return self._link_refusal(rel)

    def _link_refusal(self, rel: str) -> str | None:
        candidate = self.root / rel
        reason = link_refusal(candidate, self._resolved_root, below=(self.root, rel.split("/")))
        if reason:
            return reason
        if candidate.is_symlink():
            # Replacing a link with a regular file would silently change what it is.
            return "it is a symbolic link; Vetline does not write through links"
        return None


def link_refusal(
    target: Path, resolved_root: Path, below: tuple[Path, list[str]] | None = None
) -> str | None:
    """Why `target` cannot be used inside `resolved_root`, or None.

    A symbolic link may lead outside or loop, and a name may be too long for the
    file system; each is a refusal in words rather than an exception. `below`: the
    target is these names under this folder (which resolves to `resolved_root`).
    """
    try:
        resolved = (
            resolved_below(*below, resolved_root)
            if below is not None
            else target.resolve(strict=False)
        )
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            target.lstat()  # a name too long fails here, not in resolve()
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            return "a name in the path is too long for this file system"
        return f"the path cannot be looked at: {error.strerror}"
    except RuntimeError:  # a symbolic link loop
        return "a symbolic link in the path cannot be resolved"
    if not resolved.is_relative_to(resolved_root):
        return f"a symbolic link leads outside the workspace (to {resolved})"
    return None


# Paths are walked from a folder's descriptor where the platform allows it.
_WALK_BY_DESCRIPTOR = os.stat in os.supports_dir_fd and os.open in os.supports_dir_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def resolved_below(folder: Path, names: list[str], resolved_folder: Path) -> Path:
    """`folder / names` resolved as `Path.resolve(strict=False)` resolves it, looking at
    each name once from its parent's descriptor: the work grows with the depth, where
    resolve() looks up every leading path again (2,000 folders deep, two million names).
    A symbolic link on the way, or anything unusual, is left to resolve()."""
    whole = folder.joinpath(*names)
    if not _WALK_BY_DESCRIPTOR:
        return whole.resolve(strict=False)
    try:
        parent = os.open(folder, _FOLDER_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return whole.resolve(strict=False)
    try:
        for depth, name in enumerate(names, 1):
            try:
                mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
            except (FileNotFoundError, NotADirectoryError):
                break  # nothing further exists: resolve() keeps the names as they are
            if stat.S_ISLNK(mode):
                return whole.resolve(strict=False)
            if depth == len(names) or not stat.S_ISDIR(mode):
                break  # past a file, resolve() keeps the names as they are too
            child = os.open(name, _FOLDER_FLAGS, dir_fd=parent)
            os.close(parent)
            parent = child
    except OSError:
        return whole.resolve(strict=False)  # a link slipped in, no permission: as before
    finally:
        os.close(parent)
    return resolved_folder.joinpath(*names)


class NotRegularFileError(OSError):
    """A FIFO, device or socket where a file was expected: it is refused, never read."""


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(mode: int) -> str | None:
    """What a file of this st_mode is, if it is neither a regular file, a folder nor a link."""
    return next((what for test, what in _KINDS if test(mode)), None)


def device_kind(path: Path) -> str | None:
    """What the file at `path` is when it is a device or a socket: a read of it may never
    end (/dev/zero), or it is no file at all. None for anything else, a FIFO included: a
    pipe from a command (`<(git diff)`) is a fine input."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # whoever opens it says what is wrong
    return None if stat.S_ISFIFO(mode) else special_kind(mode)


def read_regular_file(path: Path) -> bytes:
    """The bytes of the regular file at `path`, without waiting on anything else there.

    Reading a FIFO waits for a writer and a device may never end, so either is refused
    with NotRegularFileError before it is opened, and again (in case it was swapped in)
    after an open that cannot block. FileNotFoundError, IsADirectoryError and the like
    come through as they are.
    """
    kind = special_kind(path.stat().st_mode)
    if kind is not None:
        raise NotRegularFileError(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a socket, on Linux
            raise NotRegularFileError(
                errno.EINVAL, "it is a socket, not a regular file", str(path)
            ) from error
        raise
    with os.fdopen(descriptor, "rb") as file:
        mode = os.fstat(file.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        kind = special_kind(mode)
        if kind is not None:
            raise NotRegularFileError(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        return file.read()
