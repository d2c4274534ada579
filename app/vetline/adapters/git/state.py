"""What a repository's changed paths hold right now, to tell someone else's edits from ours.

The window watches a working tree while it is reviewed. An event from the file system
says only that something happened, and Vetline's own verdicts (a staged hunk, a
restored one) cause events too. So each path gets a state: the bytes in the work tree
(as a sha256) and the entry in the index. The Reviewer records the states after each
verdict it writes; a path whose state differs from the recorded one was changed by
someone else, and only that path is re-read.

Reads only: git runs with optional locks off, so looking never rewrites the index.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.safety import special_kind
from vetline.adapters.git.runner import Git

_PATHS_PER_COMMAND = 500
# Tracked folders and files watched besides the changed ones: enough for the
# repositories agents work in, well below the system's limit on watches.
MAX_WATCHED_FOLDERS = 1_000
MAX_WATCHED_PATHS = 5_000


@dataclass(frozen=True, slots=True)
class PathState:
    """A path's work tree content and index entry; equal states mean nothing changed."""

    # "file <sha256> <x>", "link <target>", "folder", a FIFO's or device's kind, or None
    disk: str | None
    index: str | None  # "<mode> <object id>", or None: not in the index


@dataclass(frozen=True, slots=True)
class WatchTargets:
    """Absolute paths for a file system watcher: files whose content matters, and folders."""

    files: tuple[str, ...]
    folders: tuple[str, ...]
    complete: bool = True  # False: the repository has more files than are watched


def path_states(root: Path, paths: Iterable[str]) -> dict[str, PathState]:
    """The state of each path (relative to `root`) now."""
    wanted = sorted(set(paths))
    index = index_entries(root, wanted)
    return {path: PathState(_disk_state(root / path), index.get(path)) for path in wanted}


def listed_changes(root: Path) -> set[str]:
    """Paths git lists as modified, deleted or untracked (not ignored) in the work tree."""
    output = Git(root).run(
        "ls-files", "-z", "--modified", "--deleted", "--others", "--exclude-standard"
    )
    return {os.fsdecode(name).rstrip("/") for name in output.split(b"\0") if name}


def repository_targets(root: Path) -> WatchTargets:
    """What to watch the whole time: the top folder, the tracked files and their folders
    (nearest the top first, up to a limit), and git's own folder and index file.

    Tracked files are watched themselves because an edit in place (not a new file
    renamed over the old one) tells only the file, not its folder.
    """
    names = [os.fsdecode(name) for name in Git(root).run("ls-files", "-z").split(b"\0") if name]
    nearest_first = sorted(names, key=lambda name: (name.count("/"), name))
    tracked_folders = {root / Path(name).parent for name in names}
    by_depth = sorted(tracked_folders, key=lambda folder: (len(folder.parts), folder))
    folders = {root, *by_depth[:MAX_WATCHED_FOLDERS]}
    room = max(0, MAX_WATCHED_PATHS - len(folders))
    files = [str(root / name) for name in nearest_first[:room]]
    git_dir = Path(os.fsdecode(Git(root).run("rev-parse", "--absolute-git-dir").strip()))
    folders.add(git_dir)  # git replaces the index by renaming a new one into place
    index_file = git_dir / "index"
    if index_file.is_file():
        files.append(str(index_file))
    complete = len(names) <= room and len(tracked_folders) <= MAX_WATCHED_FOLDERS
    existing = tuple(sorted(str(folder) for folder in folders if folder.is_dir()))
    return WatchTargets(tuple(files), existing, complete)


def change_targets(root: Path, changed: Iterable[str]) -> WatchTargets:
    """The changed files (for edits in place) and the folders holding them (for new files
    and files replaced by a rename)."""
    files: set[str] = set()
    folders: set[Path] = set()
    for path in changed:
        target = root / path
        if target.is_file() and not target.is_symlink():
            files.add(str(target))
        folders.update(_folders_up_to(root, target.parent))
    return WatchTargets(tuple(sorted(files)), tuple(sorted(str(folder) for folder in folders)))


def _folders_up_to(root: Path, folder: Path) -> Iterable[Path]:
    """`folder` and each folder above it, up to `root`, that exists."""
    while folder != root and folder.is_relative_to(root):
        if folder.is_dir():
            yield folder
        folder = folder.parent


def _disk_state(target: Path) -> str | None:
    try:
        info = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISLNK(info.st_mode):
        return f"link {target.readlink()}"
    if stat.S_ISDIR(info.st_mode):
        return "folder"
    kind = special_kind(info.st_mode)
    if kind is not None:
        return kind  # never opened: reading a FIFO waits for a writer
    try:
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"  # compared like any other state: a change from or to it counts
    executable = "x" if info.st_mode & stat.S_IXUSR else "-"
    return f"file {digest} {executable}"


def index_entries(root: Path, paths: Sequence[str]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for start in range(0, len(paths), _PATHS_PER_COMMAND):
        chunk = paths[start : start + _PATHS_PER_COMMAND]
        for record in Git(root).run("ls-files", "-z", "--stage", "--", *chunk).split(b"\0"):
            if not record:
                continue
            header, _, name = record.partition(b"\t")
            mode, object_id, _stage = header.decode().split(" ")
            entries[os.fsdecode(name)] = f"{mode} {object_id}"
    return entries


def index_bytes(root: Path, path: str) -> bytes | None:
    """The bytes the index holds for `path`; None when the path is not in the index."""
    entry = index_entries(root, [path]).get(path)
    if entry is None:
        return None
    return Git(root).run("cat-file", "blob", entry.split(" ")[1])
