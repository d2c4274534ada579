"""Writing several files all or none: temp files, backups, renames, and rollback on failure.

Each new file is written and fsynced beside its target first; each original keeps a
second name until every rename has succeeded, so a failure half-way puts the old
files back. Folders created for new files, and folders left empty, are removed as
git would; the touched folders are fsynced at the end.

A crash (power loss, a kill) can stop a write between two renames. So before the
first rename of a write touching several files, a journal naming each temp file and
the hash of what it holds goes to a folder of Vetline's own (never the workspace,
where anyone could plant one); the next run finishes the write from it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.files.atomic import (
    BACKUP_MARK,
    NEW_FILE_MODE,
    TEMP_MARK,
    Rename,
    WorkspaceIOError,
    backup,
    durable_sync,
    fsync_folder,
    replace_file,
    replace_retrying,
    write_atomically,
    write_temp,
)
from vetline.adapters.files.intents import remove_unfinished_temps
from vetline.core.errors import StaleBaseError, UnsafePathError, VetlineError
from vetline.core.hidden_text import quoted_name
from vetline.core.model import sha256_hex

_JOURNAL_FORMAT = 1
# Folders are made relative to their parent's descriptor where the platform allows it.
_FOLDERS_BY_DESCRIPTOR = os.mkdir in os.supports_dir_fd and os.open in os.supports_dir_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
# The folder of write journals, inside Vetline's data folder (beside the decision log).
JOURNAL_FOLDER = "write-journals"


@dataclass(frozen=True, slots=True)
class Step:
    """One path's part of a write: new bytes (or removal) and the bytes expected now."""

    path: str
    data: bytes | None
    mode: int | None
    expected_sha256: str | None
    # A rename that changes only case ("MakeFile" -> "Makefile"): the old name, removed by
    # an earlier step. A case-insensitive file system sees both names as one file, which
    # is no reason to call the new name taken.
    same_file_as: str | None = None

    @property
    def changes_something(self) -> bool:
        return self.data is not None or self.expected_sha256 is not None


@dataclass(frozen=True, slots=True)
class Untidy:
    """What a write that took place could not finish cleanly (false when there is
    nothing): files of ours (or a folder a delete emptied) it could not remove, and
    folders it could not sync, whose renames may not survive a power cut yet."""

    left_behind: tuple[Path, ...] = ()
    unsynced: tuple[Path, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.left_behind or self.unsynced)


@dataclass(slots=True)
class Transaction:
    """Temp files first, then every rename; any failure puts the old files back.

    Each original is kept as a backup (a hard link, else a copy) beside it until all
    renames succeed, so a rename failing half-way can be rolled back.
    """

    root: Path
    check_path: Callable[[str], Path]  # the absolute path, or UnsafePathError
    check_expected: Callable[[Step], None]  # StaleBaseError unless the disk holds the base
    steps: list[Step]
    journal_dir: Path | None = None
    tag: str = ""  # the write's intent, in its temp files' names (see atomic.py)
    temps: dict[str, Path] = field(default_factory=dict)
    backups: dict[str, Path] = field(default_factory=dict)
    created_folders: list[Path] = field(default_factory=list)
    journal: Path | None = None
    # Each file is moved into place (and back, on a rollback) with this, retried while
    # another process holds the file (Windows).
    rename: Rename = replace_file
    left_behind: list[Path] = field(default_factory=list)  # could not be removed
    unsynced: list[Path] = field(default_factory=list)  # folders whose fsync failed
    at: str = ""  # the file being written: an error without a file name (a full disk) names it

    def run(self) -> None:
        try:
            for step in self.steps:
                self.at = step.path
                self._prepare(step)
            # Last look before the swap: the bases, and that each backup holds them.
            for step in self.steps:
                self.check_expected(step)
                if step.path in self.backups:
                    backup = self.backups[step.path].read_bytes()
                    if sha256_hex(backup) != step.expected_sha256:
                        raise StaleBaseError(f"{step.path} changed while it was being written")
            if self.journal_dir is not None:  # one file too: its temp is finished or cleared
                self.journal = self._write_journal(self.journal_dir)
        except BaseException as error:
            self._discard()
            if isinstance(error, OSError):
                raise WorkspaceIOError(
                    f"cannot write {error.filename or self.root / self.at}: "
                    f"{error.strerror}; nothing was changed"
                ) from error
            raise
        try:
            self._swap_in()
            self._finish()
        finally:
            if self.journal is not None:
                try:
                    self.journal.unlink(missing_ok=True)
                except OSError:  # the next open finds the write done, and removes it
                    self.left_behind.append(self.journal)

    def _write_journal(self, folder: Path) -> Path:
        """Record what the renames will do, so a crash half-way can be finished later."""
        entries = [
            {
                "path": step.path,
                "temp": self.temps[step.path].name if step.path in self.temps else None,
                "backup": self.backups[step.path].name if step.path in self.backups else None,
                "old_sha256": step.expected_sha256,
                "new_sha256": None if step.data is None else sha256_hex(step.data),
            }
            for step in self.steps
        ]
        document = {"format": _JOURNAL_FORMAT, "root": str(self.root), "steps": entries}
        folder.mkdir(parents=True, exist_ok=True)
        journal = folder / f"write-{secrets.token_hex(8)}.json"
        write_atomically(journal, json.dumps(document, indent=1).encode("utf-8"), 0o600)
        return journal

    def _prepare(self, step: Step) -> None:
        target = self.check_path(step.path)
        if step.data is not None:
            self._make_folders(step.path)
            mode = NEW_FILE_MODE if step.mode is None else step.mode
            self.temps[step.path] = write_temp(target, step.data, mode, self.tag)
        if step.expected_sha256 is not None:
            self.backups[step.path] = backup(target, self.tag)

    def _make_folders(self, rel: str) -> None:
        if _FOLDERS_BY_DESCRIPTOR:
            self._make_folders_by_descriptor(rel.split("/")[:-1])
            return
        folder = self.root
        for name in rel.split("/")[:-1]:
            folder /= name
            if folder.is_dir():
                continue
            folder.mkdir()  # FileExistsError if a file (or a new link) is in the way
            self.created_folders.append(folder)
            # Re-check now that the folder exists: nothing may have led it outside.
            self.check_path(str(folder.relative_to(self.root).as_posix()))

    def _make_folders_by_descriptor(self, names: list[str]) -> None:
        """Each folder is made and opened through its parent's descriptor, so the work
        per folder stays the same however deep it is (re-resolving the whole path for
        each folder made 2,000 levels take most of a minute). A folder made here is
        opened without following links: a link slipped in after the mkdir is refused,
        and no folder can be made through it. Existing folders were resolved inside the
        workspace by the caller's check; the deepest new folder is checked whole once."""
        folder = self.root
        parent = os.open(folder, _FOLDER_FLAGS)
        try:
            for name in names:
                folder /= name
                made = True
                try:
                    os.mkdir(name, dir_fd=parent)
                except FileExistsError:
                    made = False  # a folder (or a link to one) already; a file fails below
                except OSError as error:
                    raise OSError(error.errno, error.strerror, str(folder)) from error
                if made:
                    self.created_folders.append(folder)
                    self._sync_made(parent, folder.parent)
                try:
                    child = os.open(
                        name, _FOLDER_FLAGS | (os.O_NOFOLLOW if made else 0), dir_fd=parent
                    )
                except OSError as error:
                    if made and error.errno == errno.ELOOP:
                        rel = folder.relative_to(self.root).as_posix()
                        raise UnsafePathError(
                            f"refusing the path {quoted_name(rel)}: a folder just made was "
                            "replaced by a symbolic link"
                        ) from error
                    raise OSError(error.errno, error.strerror, str(folder)) from error
                os.close(parent)
                parent = child
        finally:
            os.close(parent)
        if self.created_folders:
            # Re-check now that the folders exist: nothing may have led them outside.
            self.check_path(self.created_folders[-1].relative_to(self.root).as_posix())

    def _sync_made(self, descriptor: int, folder: Path) -> None:
        """Make a new folder's name in `folder` durable now, through the descriptor
        already open (opening each folder again by its path at the end would look up
        every leading folder again); `_finish` syncs it again only if a file was renamed
        into it or removed from it. A failed sync is noted, as in `_finish`."""
        try:
            durable_sync(descriptor)
        except OSError:
            self.unsynced.append(folder)

    def _swap_in(self) -> None:
        done: list[Step] = []
        try:
            for step in self.steps:
                self.at = step.path
                target = self.root / step.path
                if step.data is not None:
                    replace_retrying(self.temps[step.path], target, self.rename)
                    del self.temps[step.path]
                else:
                    target.unlink()
                done.append(step)
        except BaseException as error:
            unrestored = self._roll_back(done)
            self._discard(keep_backups_of=unrestored)
            if unrestored:
                raise WorkspaceIOError(
                    f"writing failed ({error}) and {', '.join(unrestored)} could not be "
                    f"put back; the old contents are in the {BACKUP_MARK}* files beside them"
                ) from error
            if isinstance(error, OSError):
                raise WorkspaceIOError(
                    f"cannot write {error.filename or self.root / self.at}: "
                    f"{error.strerror}; nothing was changed"
                ) from error
            raise

    def _roll_back(self, done: list[Step]) -> list[str]:
        unrestored = []
        for step in reversed(done):
            target = self.root / step.path
            try:
                if step.path in self.backups:
                    replace_retrying(self.backups[step.path], target, self.rename)
                    del self.backups[step.path]
                else:
                    target.unlink()
            except OSError:
                unrestored.append(step.path)
        return unrestored

    def _discard(self, keep_backups_of: Collection[str] = ()) -> None:
        # Never let a failed clean-up hide why the write failed: what stays is noted.
        doomed = [*self.temps.values()]
        doomed += [path for rel, path in self.backups.items() if rel not in keep_backups_of]
        for path in doomed:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                self.left_behind.append(path)
        for folder in reversed(self.created_folders):
            with contextlib.suppress(OSError):  # not empty: something else is in it now
                folder.rmdir()

    def _finish(self) -> None:
        # The files are in place now; a backup that will not go away is only clutter,
        # and reporting it as a failed write would be wrong.
        for kept in self.backups.values():
            try:
                kept.unlink(missing_ok=True)
            except OSError:
                self.left_behind.append(kept)
        # As git does: a folder left empty by a delete or a rename goes too.
        emptied = [(self.root / step.path).parent for step in self.steps if step.data is None]
        self.left_behind += remove_empty_folders(emptied, self.root)
        touched = {(self.root / step.path).parent for step in self.steps}
        if not _FOLDERS_BY_DESCRIPTOR:  # else each was synced as a folder was made in it
            touched.update(folder.parent for folder in self.created_folders)
        touched.update(folder.parent for folder in emptied)
        for folder in sorted(touched):
            # The renames are done: a failed sync is no failed write (nothing is undone
            # and the verdicts took effect), but it is noted (Untidy.unsynced).
            try:
                fsync_folder(folder)
            except OSError:
                self.unsynced.append(folder)

    @property
    def untidy(self) -> Untidy:
        return Untidy(tuple(self.left_behind), tuple(self.unsynced))


def finish_interrupted_writes(
    root: Path, journal_dir: Path, check_path: Callable[[str], Path]
) -> list[str]:
    """Finish the writes to `root` a crash stopped half-way; returns what was done, in words.

    A file is only completed if it still holds the bytes the write started from, and
    only with a temp file whose hash the journal recorded; anything else is left as
    it is and named.
    """
    notes: list[str] = []
    remove_unfinished_temps(journal_dir, "write")
    for journal in sorted(journal_dir.glob("write-*.json")):
        try:
            document = json.loads(journal.read_bytes())
            steps = _journal_steps(document)
        except (OSError, ValueError) as error:
            notes.append(f"an unreadable write journal {journal} was left alone ({error})")
            continue
        if document.get("root") != str(root):
            continue  # another workspace's: finished when that one is opened
        finished: list[str] = []
        for step in steps:
            outcome = _finish_step(step, check_path)
            if outcome == "done":
                finished.append(str(step["path"]))
            elif outcome:
                notes.append(outcome)
        # As the write itself would have: a folder its deletes left empty goes too.
        gone = [_checked(check_path, step["path"]) for step in steps if step["new_sha256"] is None]
        remove_empty_folders([p.parent for p in gone if p is not None and not p.exists()], root)
        for folder in {(root / rel).parent for rel in finished}:
            with contextlib.suppress(OSError):
                fsync_folder(folder)
        journal.unlink(missing_ok=True)
        if finished:
            notes.insert(0, f"finished a write a crash had interrupted: {', '.join(finished)}")
    return notes


def _journal_steps(document: object) -> list[dict[str, str | None]]:
    if not isinstance(document, dict) or document.get("format") != _JOURNAL_FORMAT:
        raise ValueError("not a write journal Vetline knows")
    steps = document.get("steps")
    keys = ("path", "temp", "backup", "old_sha256", "new_sha256")
    if not isinstance(steps, list) or not all(
        isinstance(step, dict)
        and isinstance(step.get("path"), str)
        and all(step.get(key) is None or isinstance(step.get(key), str) for key in keys)
        for step in steps
    ):
        raise ValueError("its steps are malformed")
    return steps


def _finish_step(step: dict[str, str | None], check_path: Callable[[str], Path]) -> str:
    """Complete one file of an interrupted write: "done", "" (nothing to do) or a note."""
    rel = str(step["path"])
    try:
        target = check_path(rel)
        temp = _beside(target, step["temp"], TEMP_MARK)
        backup = _beside(target, step["backup"], BACKUP_MARK)
        current = sha256_hex(target.read_bytes()) if target.is_file() else None
        outcome = ""
        if step["new_sha256"] is None:
            if current is not None and current == step["old_sha256"]:
                target.unlink()
                outcome = "done"
        elif temp is not None and temp.is_file():
            if current != step["old_sha256"]:
                outcome = f"{rel} changed after the interrupted write began; left as it is"
            elif sha256_hex(temp.read_bytes()) != step["new_sha256"]:
                outcome = f"{rel} could not be finished (its new content is damaged); unchanged"
            else:
                replace_retrying(temp, target)
                outcome = "done"
            temp.unlink(missing_ok=True)
        if backup is not None:
            backup.unlink(missing_ok=True)
    except (VetlineError, OSError) as error:
        return f"{rel}: the interrupted write could not be finished ({error})"
    return outcome


def _checked(check_path: Callable[[str], Path], rel: str | None) -> Path | None:
    """The absolute path of a journal's `rel`, or None when it is not a safe path."""
    try:
        return check_path(str(rel))
    except (VetlineError, OSError):
        return None


def _beside(target: Path, name: str | None, mark: str) -> Path | None:
    """A temp or backup file of ours next to `target`; any other name is ignored."""
    if name is None or "/" in name or "\\" in name or not name.startswith("."):
        return None
    return target.with_name(name) if mark in name else None


def remove_empty_folders(folders: Iterable[Path], root: Path) -> list[Path]:
    """Remove each folder and then its parents while they are empty, never `root`;
    returns the empty ones that could not be removed (an I/O error)."""
    stuck: list[Path] = []
    for start in folders:
        folder = start
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):
                    stuck.append(folder)
                break
            folder = folder.parent
    return stuck
