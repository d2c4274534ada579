"""An inbox folder agents drop proposal files into; verdicts go back out as JSON files.

Layout of the folder (`vetline review --watch DIR`):

* `DIR/*`: proposal files in any format `load_source` reads. A file is read only
  once its size and modification time have stayed the same across two scans at
  least `settle_seconds` apart, so a half-written file is never read. Names
  starting with "." or ending in ".tmp", ".part" or "~" are ignored: an agent can
  write under such a name and rename the file when it is complete. Sub-folders
  and symbolic links are ignored too.
* `DIR/outbox/<proposal id>.verdict.json`: one per reviewed proposal, written
  atomically (see `ProposalVerdicts.to_json` for the shape). An id that is not a
  plain file name is replaced by the first 16 hex digits of its sha256.
* `DIR/done/`: a source file moves here once every proposal in it has a verdict.
* `DIR/rejected/`: a file that cannot be read as proposals moves here, with
  `<name>.error.txt` beside it saying why.

Nothing is ever deleted or overwritten: a name already taken in `done/`,
`rejected/` or `outbox/` gets a numeric suffix ("fix-2.patch").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.decision_log import Row
from vetline.adapters.files.atomic import fsync_folder, write_atomically
from vetline.adapters.inputs import load_source
from vetline.core.errors import InputError
from vetline.core.model import Decision, Proposal, Verdict
from vetline.core.session import ReviewItem, ReviewSession, citation_verdicts_of, verdicts_of

OUTBOX = "outbox"
DONE = "done"
REJECTED = "rejected"
VERDICT_SUFFIX = ".verdict.json"
ERROR_SUFFIX = ".error.txt"
VERDICT_FORMAT = 1
SETTLE_SECONDS = 0.5
_IGNORED_ENDINGS = (".tmp", ".part", "~")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True, slots=True)
class InboxFile:
    """A proposal file that is ready: where it is, and what it holds."""

    source: Path
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True, slots=True)
class RejectedFile:
    """A file that could not be read as proposals, moved to `rejected/`."""

    name: str
    moved_to: Path
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    ready: tuple[InboxFile, ...] = ()
    rejected: tuple[RejectedFile, ...] = ()
    waiting: tuple[str, ...] = ()  # seen, but not yet unchanged for long enough


@dataclass(frozen=True, slots=True)
class RejectedHunk:
    hunk_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class EditedHunk:
    hunk_id: str
    text: str  # the new side as the reviewer wrote it


@dataclass(frozen=True, slots=True)
class CitationVerdict:
    """Whether the reviewer found that a cited source supports its claim."""

    citation_id: str
    supported: bool
    reason: str = ""  # why not: not in source, misquoted, does not support, unreliable


@dataclass(frozen=True, slots=True)
class ProposalVerdicts:
    """What the reviewer decided about one proposal, as the agent gets it back.

    Hunks in none of the three lists were skipped or left undecided.
    """

    proposal_id: str
    title: str
    accepted: tuple[str, ...]
    rejected: tuple[RejectedHunk, ...]
    edited: tuple[EditedHunk, ...]
    decided_at: str  # ISO 8601, UTC
    citations: tuple[CitationVerdict, ...] = ()  # the decided ones, in the proposal's order

    def to_json(self) -> dict[str, object]:
        """{"vetline": 1, "proposal_id", "title", "accepted": [hunk ids],
        "rejected": [{"hunk_id", "reason"}], "edited": [{"hunk_id", "text"}],
        "citations": [{"citation_id", "verdict": "supported" | "not_supported", "reason"}],
        "decided_at"}"""
        return {
            "vetline": VERDICT_FORMAT,
            "proposal_id": self.proposal_id,
            "title": self.title,
            "accepted": list(self.accepted),
            "rejected": [{"hunk_id": h.hunk_id, "reason": h.reason} for h in self.rejected],
            "edited": [{"hunk_id": h.hunk_id, "text": h.text} for h in self.edited],
            "citations": [
                {
                    "citation_id": c.citation_id,
                    "verdict": "supported" if c.supported else "not_supported",
                    "reason": c.reason,
                }
                for c in self.citations
            ],
            "decided_at": self.decided_at,
        }


def verdicts_from_items(
    proposal: Proposal, items: Iterable[ReviewItem], now: datetime | None = None
) -> ProposalVerdicts:
    """The verdicts in force on `proposal`'s items (items of other proposals are ignored)."""
    own = [item for item in items if item.proposal.id == proposal.id]
    verdicts = verdicts_of(own)
    cited = citation_verdicts_of(own)
    supported = set(cited.accepted)
    reasons = dict(cited.rejected)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return ProposalVerdicts(
        proposal_id=proposal.id,
        title=proposal.title,
        accepted=verdicts.accepted,
        rejected=tuple(RejectedHunk(hunk_id, reason) for hunk_id, reason in verdicts.rejected),
        edited=tuple(EditedHunk(hunk_id, text) for hunk_id, text in verdicts.edited),
        decided_at=moment.isoformat(timespec="milliseconds"),
        citations=tuple(
            CitationVerdict(item.item_id, item.item_id in supported, reasons.get(item.item_id, ""))
            for item in own
            if item.citation is not None and (item.item_id in supported or item.item_id in reasons)
        ),
    )


def verdicts_from_log(proposal: Proposal, rows: Iterable[Row]) -> ProposalVerdicts | None:
    """The verdicts the log holds on every item of `proposal` (its rows, in seq order), or
    None when one is undecided there: never decided, undone, skipped, not applied, or
    decided on other content (the same id with another hunk)."""
    items = ReviewSession([proposal], record=_not_recorded, clock=time.monotonic).items
    last: dict[tuple[str, str], Row] = {}
    for row in rows:
        last[(str(row["kind"]), str(row["hunk_id"]))] = row
    standing: list[tuple[ReviewItem, Row]] = []
    for item in items:
        found = last.get((str(item.kind), item.item_id))
        if found is None or found["hunk_sha256"] != item.hunk.sha256:
            return None
        if found["verdict"] not in _STANDING or (
            item.citation is not None and found["verdict"] == Verdict.EDITED
        ):
            return None
        standing.append((item, found))
    hunks = [(item, row) for item, row in standing if item.citation is None]
    return ProposalVerdicts(
        proposal_id=proposal.id,
        title=proposal.title,
        accepted=tuple(item.item_id for item, row in hunks if row["verdict"] == Verdict.ACCEPTED),
        rejected=tuple(
            RejectedHunk(item.item_id, str(row["reason"] or ""))
            for item, row in hunks
            if row["verdict"] == Verdict.REJECTED
        ),
        edited=tuple(
            EditedHunk(item.item_id, str(row["edited_text"] or ""))
            for item, row in hunks
            if row["verdict"] == Verdict.EDITED
        ),
        decided_at=max((str(row["decided_at"]) for _, row in standing), default=""),
        citations=tuple(
            CitationVerdict(
                item.item_id,
                row["verdict"] == Verdict.ACCEPTED,
                "" if row["verdict"] == Verdict.ACCEPTED else str(row["reason"] or ""),
            )
            for item, row in standing
            if item.citation is not None
        ),
    )


_STANDING = frozenset((Verdict.ACCEPTED, Verdict.REJECTED, Verdict.EDITED))


def _not_recorded(decision: Decision) -> int:
    raise AssertionError("a session built to list a proposal's items records nothing")


@dataclass(frozen=True, slots=True)
class Completion:
    verdict_file: Path
    moved_to: Path | None  # where the source file went, once all its proposals are done


@dataclass(frozen=True, slots=True)
class _Sighting:
    size: int
    mtime_ns: int
    since: float  # when this size and time were first seen


class Inbox:
    """One inbox folder: which files are ready, and where finished ones go."""

    def __init__(
        self, folder: Path, workspace: Path | None, settle_seconds: float = SETTLE_SECONDS
    ) -> None:
        if not folder.is_dir():
            raise InputError(f"the inbox folder does not exist: {folder}")
        self.folder = folder
        self.workspace = workspace
        self.settle_seconds = settle_seconds
        self._sightings: dict[str, _Sighting] = {}
        self._awaiting: dict[str, set[str]] = {}  # file name -> ids of proposals not yet done

    def scan(self, now: float | None = None) -> ScanResult:
        """Read the files that have settled since the last scan; `now` is a monotonic time."""
        moment = time.monotonic() if now is None else now
        ready: list[InboxFile] = []
        rejected: list[RejectedFile] = []
        waiting: list[str] = []
        present = set()
        with os.scandir(self.folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            if _ignored(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            present.add(entry.name)
            if entry.name in self._awaiting:
                continue  # already handed out, waiting for its verdicts
            if not self._settled(entry, moment):
                waiting.append(entry.name)
                continue
            try:
                proposals = load_source(entry.path, self.workspace)
                if not proposals:
                    raise InputError(f"{entry.name}: holds no proposals")
            except InputError as error:
                rejected.append(self._reject(entry.name, str(error)))
                continue
            self._awaiting[entry.name] = {proposal.id for proposal in proposals}
            ready.append(InboxFile(Path(entry.path), tuple(proposals)))
        # Forget files that went away, so a new file under an old name starts afresh.
        for name in set(self._sightings) - present:
            del self._sightings[name]
        for name in set(self._awaiting) - present:
            del self._awaiting[name]
        return ScanResult(tuple(ready), tuple(rejected), tuple(waiting))

    def complete(self, source_file: Path, verdicts: ProposalVerdicts) -> Completion:
        """Write the verdicts to `outbox/`; move the source to `done/` when all its
        proposals have verdicts (those of an earlier run count, found in `outbox/`)."""
        name = source_file.name
        if source_file.parent.resolve() != self.folder.resolve():
            raise InputError(f"{source_file} is not in the inbox {self.folder}")
        verdict_file = _write_new(
            self.folder / OUTBOX,
            verdict_file_name(verdicts.proposal_id),
            json.dumps(verdicts.to_json(), indent=2).encode() + b"\n",
        )
        awaiting = self._awaiting.get(name)
        if awaiting is None:  # handed out by an earlier run: the outbox tells what is done
            awaiting = {
                proposal.id
                for proposal in load_source(str(source_file), self.workspace)
                if not (self.folder / OUTBOX / verdict_file_name(proposal.id)).exists()
            }
        return self._answered(source_file, awaiting, verdicts.proposal_id, verdict_file)

    def answered_before(self, source_file: Path, verdicts: ProposalVerdicts) -> Completion:
        """A proposal the log says was decided in an earlier run: its verdict file is
        written now if that run stopped before writing it, and left as it is if not (an
        answer is never sent twice); the source moves to `done/` once all are answered."""
        existing = self.folder / OUTBOX / verdict_file_name(verdicts.proposal_id)
        if not existing.exists():
            return self.complete(source_file, verdicts)
        awaiting = self._awaiting.get(source_file.name, set())
        return self._answered(source_file, awaiting, verdicts.proposal_id, existing)

    def _answered(
        self, source_file: Path, awaiting: set[str], proposal_id: str, verdict_file: Path
    ) -> Completion:
        """`proposal_id` is answered: the source moves to `done/` if none is left waiting."""
        name = source_file.name
        awaiting.discard(proposal_id)
        if awaiting:
            self._awaiting[name] = awaiting
            return Completion(verdict_file, None)
        try:
            moved_to = _move_to(source_file, self.folder / DONE)
        except FileNotFoundError as error:
            raise InputError(f"{source_file} is no longer in the inbox") from error
        self._awaiting.pop(name, None)
        self._sightings.pop(name, None)
        return Completion(verdict_file, moved_to)

    def _settled(self, entry: os.DirEntry[str], now: float) -> bool:
        """True when the file's size and time have not changed for `settle_seconds`."""
        info = entry.stat(follow_symlinks=False)
        seen = self._sightings.get(entry.name)
        if seen is None or (seen.size, seen.mtime_ns) != (info.st_size, info.st_mtime_ns):
            self._sightings[entry.name] = _Sighting(info.st_size, info.st_mtime_ns, now)
            return False
        return now - seen.since >= self.settle_seconds

    def _reject(self, name: str, reason: str) -> RejectedFile:
        moved_to = _move_to(self.folder / name, self.folder / REJECTED)
        _write_new(moved_to.parent, moved_to.name + ERROR_SUFFIX, reason.encode() + b"\n")
        self._sightings.pop(name, None)
        return RejectedFile(name, moved_to, reason)


def verdict_file_name(proposal_id: str) -> str:
    """`<id>.verdict.json`, with an id that could not be a safe file name hashed."""
    if not _PLAIN_NAME.fullmatch(proposal_id):
        proposal_id = hashlib.sha256(proposal_id.encode("utf-8", "surrogateescape")).hexdigest()
        proposal_id = proposal_id[:16]
    return proposal_id + VERDICT_SUFFIX


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith(_IGNORED_ENDINGS)


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or with "-2", "-3", … before the extension when that is taken."""
    stem, dot, extension = name.partition(".")
    candidate = folder / name
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}-{number}{dot}{extension}"
        number += 1
    return candidate


def _move_to(source: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = _free_name(folder, source.name)
    source.rename(target)
    fsync_folder(folder)
    fsync_folder(source.parent)
    return target


def _write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write a new file under a free name, whole or not at all."""
    folder.mkdir(exist_ok=True)
    target = _free_name(folder, name)
    write_atomically(target, data)
    return target
