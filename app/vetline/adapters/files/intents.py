"""Write intents: what a logged verdict is about to put on disk, kept until it is there.

A verdict is logged before its file is written, so a crash (a kill, a power cut) between
the two would leave the log saying "accepted" over an unchanged file. An intent, written
durably to Vetline's own data folder before the write and removed after it, tells the
two apart: the next time that workspace is opened, each intent left over is compared
with the disk, and a write that never happened is recorded as not applied.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.atomic import fsync_folder, write_atomically

INTENT_FOLDER = "write-intents"
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class WriteIntent:
    """The files one write changes (sha256 before and after; None: absent) and the log
    rows of the verdicts it carries out."""

    file: Path
    root: str
    files: Mapping[str, tuple[str | None, str | None]]
    decisions: tuple[int, ...]


class WriteIntents:
    """The intents in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / INTENT_FOLDER

    def record(
        self,
        root: Path,
        files: Mapping[str, tuple[str | None, str | None]],
        decisions: Sequence[int],
    ) -> WriteIntent:
        """Durably note a write about to start (before any of its files change)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        intent = WriteIntent(
            self.folder / f"intent-{secrets.token_hex(8)}.json",
            str(root),
            dict(files),
            tuple(decisions),
        )
        document = {
            "format": _FORMAT,
            "root": intent.root,
            "files": {path: list(shas) for path, shas in intent.files.items()},
            "decisions": list(intent.decisions),
        }
        write_atomically(intent.file, json.dumps(document, indent=1).encode("utf-8"), 0o600)
        return intent

    def settle(self, intent: WriteIntent) -> None:
        """The write is over (done, or its failure recorded): forget the intent."""
        intent.file.unlink(missing_ok=True)
        fsync_folder(self.folder)

    def left_over(self, root: Path) -> Iterator[WriteIntent]:
        """Intents for `root` that a crash left behind; unreadable ones are skipped."""
        if not self.folder.is_dir():
            return
        for file in sorted(self.folder.glob("intent-*.json")):
            try:
                document = json.loads(file.read_bytes())
                if document.get("format") != _FORMAT or document.get("root") != str(root):
                    continue
                files = {str(path): (shas[0], shas[1]) for path, shas in document["files"].items()}
                decisions = tuple(int(seq) for seq in document["decisions"])
            except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
                continue
            yield WriteIntent(file, str(root), files, decisions)
