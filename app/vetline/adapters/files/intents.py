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
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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

    @property
    def tag(self) -> str:
        """The token in this intent's name, and in its write's temp files' names."""
        found = _NAME.fullmatch(self.file.name)
        return found.group(1) if found else ""


class WriteIntents:
    """The intents in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / INTENT_FOLDER

    def record(
        self,
        root: Path,
        files: Mapping[str, tuple[str | None, str | None]],
        decisions: Sequence[int],
        after_seq: int | None = None,
        *,
        pending: bool = False,
    ) -> WriteIntent:
        """Durably note a write about to start (before any of its files change); with
        `after_seq`, before its verdicts are logged too. WorkspaceIOError if it cannot be
        noted: then nothing may be written."""
        intent = WriteIntent(
            self.folder / f"intent-{secrets.token_hex(8)}.json",
            str(root),
            dict(files),
            tuple(decisions),
            after_seq,
            pending,
        )
        document = {
            "format": _FORMAT,
            "root": intent.root,
            "files": {path: list(shas) for path, shas in intent.files.items()},
            "decisions": list(intent.decisions),
            "after_seq": after_seq,
            "pending": pending,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(intent.file, json.dumps(document, indent=1).encode("utf-8"), 0o600)
        except OSError as error:
            raise WorkspaceIOError(
                f"cannot note the write in {self.folder} before making it: {error.strerror}; "
                "nothing was changed"
            ) from error
        return intent

    def settle(self, intent: WriteIntent) -> None:
        """The write is over (done, or its failure recorded): forget the intent. If it
        cannot be removed, it stays, and the next open finds the log and disk agreeing."""
        with contextlib.suppress(OSError):
            intent.file.unlink(missing_ok=True)
            fsync_folder(self.folder)

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
            except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
                continue
            yield WriteIntent(file, str(root), files, decisions, after_seq, pending)


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
