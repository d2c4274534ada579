"""Write intents: what a logged verdict is about to put on disk, kept until it is there.

A verdict is logged before its file is written, so a crash (a kill, a power cut) between
the two would leave the log saying "accepted" over an unchanged file. An intent, written
durably to Vetline's own data folder before the write and removed after it, tells the
two apart: the next time that workspace is opened, each intent left over is compared
with the disk, and a write that never happened is recorded as not applied.

A scripted review writes its intent before its verdicts are even logged, with the log's
end at that moment (`after_seq`): the verdicts it carries out are then the rows logged
after it. Each intent's tag is in the names of its write's temp files, so what a
write killed before its journal left beside the files is known to be its own.

In a git repository a write changes the index too: its intent holds each index entry
before and after (`index`, "<mode> <object id>", None: no entry). An intent also names
the folders its write had to make (`folders`), so a write that never happened leaves
none of them behind.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.files.atomic import (
    TEMP_MARK,
    WorkspaceIOError,
    fsync_folder,
    leftover_pattern,
    write_atomically,
)

INTENT_FOLDER = "write-intents"
_FORMAT = 1
_NAME = re.compile(r"intent-([0-9a-f]{16})\.json")


@dataclass(frozen=True, slots=True)
class WriteIntent:
    """The files one write changes (sha256 before and after; None: absent) and the log
    rows of the verdicts it carries out."""

    file: Path
    root: str
    files: Mapping[str, tuple[str | None, str | None]]
    decisions: tuple[int, ...]
    after_seq: int | None = None  # recorded before its verdicts: they are the rows after it
    # Noted before a verdict whose write (if any) is not planned yet: only the hashes
    # before are known, and a file that still holds them was not written.
    pending: bool = False
    index: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    folders: tuple[str, ...] = ()  # made by the write, parents first
    # A repository file put back from the agent's kept version (`vetline restore`, Undo
    # after a restart): the kept id, whose reject rows the log undoes once it is back.
    restores: str = ""

    @property
    def in_repository(self) -> bool:
        """A repository's write (it names index entries, or puts back a kept file),
        resolved when that repository is opened."""
        return bool(self.index or self.restores)

    @property
    def tag(self) -> str:
        """The token in this intent's name, and in its write's temp files' names."""
        found = _NAME.fullmatch(self.file.name)
        return found.group(1) if found else ""


class WriteIntents:
    """The intents in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / INTENT_FOLDER
        # Settled, but their files could not be removed: tried again before each note,
        # for one left would judge the later writes to its files on the next open.
        self._unremoved: list[WriteIntent] = []

    def record(
        self,
        root: Path,
        files: Mapping[str, tuple[str | None, str | None]],
        decisions: Sequence[int],
        after_seq: int | None = None,
        *,
        pending: bool = False,
        index: Mapping[str, tuple[str | None, str | None]] | None = None,
        folders: Sequence[str] = (),
        restores: str = "",
    ) -> WriteIntent:
        """Durably note a write about to start (before any of its files change); with
        `after_seq`, before its verdicts are logged too. WorkspaceIOError if it cannot be
        noted: then nothing may be written."""
        for settled in self._unremoved[:]:
            self.settle(settled)
        intent = WriteIntent(
            self.folder / f"intent-{secrets.token_hex(8)}.json",
            str(root),
            dict(files),
            tuple(decisions),
            after_seq,
            pending,
            dict(index or {}),
            tuple(folders),
            restores,
        )
        document = {
            "format": _FORMAT,
            "root": intent.root,
            "files": {path: list(shas) for path, shas in intent.files.items()},
            "decisions": list(intent.decisions),
            "after_seq": after_seq,
            "pending": pending,
            "index": {path: list(entries) for path, entries in intent.index.items()},
            "folders": list(intent.folders),
            "restores": restores,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(intent.file, json.dumps(document, indent=1).encode("utf-8"), 0o600)
        except OSError as error:
            # Renamed into place, its folder not synced: an intent nobody settles would
            # be taken for this write by the next open, and judge later verdicts.
            with contextlib.suppress(OSError):
                intent.file.unlink(missing_ok=True)
            raise WorkspaceIOError(
                f"cannot note the write in {self.folder} before making it: {error.strerror}; "
                "nothing was changed"
            ) from error
        return intent

    def settle(self, intent: WriteIntent) -> None:
        """The write is over (done, or its failure recorded): forget the intent. If it
        cannot be removed, it is tried again before the next note; while it stays, the
        next open finds the log and disk agreeing."""
        if intent in self._unremoved:
            self._unremoved.remove(intent)
        try:
            intent.file.unlink(missing_ok=True)
            fsync_folder(self.folder)
        except OSError:
            self._unremoved.append(intent)

    def left_over(self, root: Path) -> Iterator[WriteIntent]:
        """Intents for `root` that a crash left behind; unreadable ones are skipped."""
        if not self.folder.is_dir():
            return
        remove_unfinished_temps(self.folder, "intent")
        for file in sorted(self.folder.glob("intent-*.json")):
            try:
                document = json.loads(file.read_bytes())
                if document.get("format") != _FORMAT or document.get("root") != str(root):
                    continue
                files = {str(path): (shas[0], shas[1]) for path, shas in document["files"].items()}
                decisions = tuple(int(seq) for seq in document["decisions"])
                after = document.get("after_seq")
                after_seq = None if after is None else int(after)
                pending = document.get("pending") is True
                index = {
                    str(path): (_entry(entries[0]), _entry(entries[1]))
                    for path, entries in document.get("index", {}).items()
                }
                folders = tuple(str(folder) for folder in document.get("folders", []))
                restores = str(document.get("restores") or "")
            except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
                continue
            yield WriteIntent(
                file, str(root), files, decisions, after_seq, pending, index, folders, restores
            )


def missing_folders(root: Path, paths: Iterable[str]) -> list[str]:
    """The folders (relative to `root`, parents first) that writing `paths` must make."""
    missing: dict[str, None] = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder not in missing and not (root / folder).is_dir():
                missing[folder] = None
    return list(missing)


def remove_folders_made(root: Path, folders: Sequence[str]) -> list[str]:
    """Remove the folders a write that never happened made, deepest first, while they
    are empty (anything put in one since keeps it); returns those removed."""
    removed = []
    for folder in reversed(folders):
        target = root / folder
        if ".." in folder.split("/") or target.is_symlink():
            continue
        try:
            target.rmdir()
        except OSError:
            continue
        removed.append(folder)
    for parent in {(root / folder).parent for folder in removed}:
        with contextlib.suppress(OSError):
            fsync_folder(parent)
    return removed


def _entry(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("an index entry is not text")
    return value


def remove_unfinished_temps(folder: Path, stem: str) -> None:
    """Remove the temp files of `{stem}-<16 hex>.json` records (in a folder of Vetline's
    own) that a kill stopped before their rename: the record was never made."""
    for entry in folder.iterdir():
        name = entry.name
        record = name[1:].split(TEMP_MARK, 1)[0]
        if (
            re.fullmatch(rf"{re.escape(stem)}-[0-9a-f]{{16}}\.json", record)
            and leftover_pattern(record, TEMP_MARK, None).fullmatch(name)
            and entry.is_file()
            and not entry.is_symlink()
        ):
            entry.unlink(missing_ok=True)
