"""Writes a crash left unsettled: each intent left over is compared with the disk, and a
logged verdict whose write never happened is recorded as not applied.

A workspace and a repository resolve their intents alike; they differ in what they
read (a repository has an index beside its files) and in which verdicts change the
disk (in a repository a reject restores the work tree, so it counts as a write).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog, Row, decision_from_row
from vetline.adapters.files.intents import WriteIntent, WriteIntents, remove_folders_made
from vetline.core.errors import VetlineError
from vetline.core.model import Verdict, sha256_hex
from vetline.core.session import ReviewSession
from vetline.operations.outcome import Outcome, OutcomeKind

# (kind, path) -> a sha256 for a file, "<mode> <object id>" for an index entry; None: absent.
StateKey = tuple[str, str]
State = Mapping[StateKey, str | None]


@dataclass(frozen=True, slots=True)
class Resolver:
    """How one target reads the disk for an intent, and tidies after a write."""

    now: Callable[[WriteIntent], State]
    # Remove the temp files and backups the write left; `completed`: it was done.
    clear: Callable[[WriteIntent, bool], list[str]]
    # After a write that did not happen: undo what of it did (an index already
    # updated, folders made); returns what was done, in words.
    undo_partial: Callable[[WriteIntent, State], list[str]]
    # The verdicts that change the disk: their rows are the ones an intent carries out.
    taking_effect: Collection[Verdict] = (Verdict.ACCEPTED, Verdict.EDITED)


def expected(intent: WriteIntent) -> dict[StateKey, tuple[str | None, str | None]]:
    """Each file and index entry the intent's write changes: before and after."""
    found = {("file", path): shas for path, shas in intent.files.items()}
    found.update({("index", path): entries for path, entries in intent.index.items()})
    return found


def resolve_left_over(
    intents: WriteIntents, root_intents: Sequence[WriteIntent], log: DecisionLog, how: Resolver
) -> list[str]:
    """Compare each intent with the disk; log what did not happen; returns notes.

    An undo changes the disk too: one logged after a note that finds the disk unchanged
    never happened, and the verdict it undid is logged again."""
    notes: list[str] = []
    # The writes first: one cut half-way is put back (an index staged without its work
    # tree) before a note taken before its verdict judges whether the disk changed.
    for intent in sorted(root_intents, key=lambda intent: intent.pending):
        shas = expected(intent)
        now = how.now(intent)
        if intent.pending:
            # Noted before a verdict: anything no longer as it was has been written
            # (its own intent, if any, says more); all as it was has not.
            written = any(now[key] != before for key, (before, _) in shas.items())
        else:
            written = all(now[key] == after for key, (_, after) in shas.items())
        notes += how.clear(intent, written and not intent.pending)
        if written:
            intents.settle(intent)  # it was written: the log is right
            continue
        notes += how.undo_partial(intent, now)
        now = how.now(intent)
        unchanged = all(now[key] == before for key, (before, _) in shas.items())
        decisions = still_standing(log, intent, how.taking_effect)
        if intent.pending and unchanged:
            notes += _restate_undone(log, intent)  # after: its rows are no verdicts to undo
        if not decisions:
            intents.settle(intent)  # stopped before its verdicts were logged
            continue
        reason = (
            "the write never happened: Vetline stopped before the file was written"
            if unchanged
            else "the write was interrupted and the file changed since: left as it is"
        )
        paths = ", ".join(dict.fromkeys([*intent.files, *intent.index]))
        record_not_applied(log, decisions, reason)
        intents.settle(intent)
        notes.append(f"{paths}: a verdict logged before a crash was not applied ({reason})")
    return notes


def _restate_undone(log: DecisionLog, intent: WriteIntent) -> list[str]:
    """Each undo logged after the note (and still the last word on its hunk) whose write
    never happened: the verdict it undid is logged again, for that is what the disk holds."""
    if intent.after_seq is None:
        return []
    paths = set(intent.files) | set(intent.index)
    last: dict[tuple[str, str], Row] = {}
    for row in log.rows_after(intent.after_seq):
        if row["path"] in paths:
            last[(str(row["proposal_id"]), str(row["hunk_id"]))] = row
    undos = [row for row in last.values() if row["verdict"] == Verdict.UNDONE]
    for undo in undos:
        log_again(log, int(undo["undoes"]), "Vetline stopped before the file was written")
    if not undos:
        return []
    where = ", ".join(sorted({str(row["path"]) for row in undos}))
    return [f"{where}: an undo logged before a crash was not carried out; its verdict stands"]


def log_again(log: DecisionLog, seq: int, why: str) -> int | None:
    """Log the verdict at row `seq` again, after an undo of it that did not take effect
    (`why`); returns the new row's seq (None: no such row)."""
    undone = next((row for row in log.rows() if row["seq"] == seq), None)
    if undone is None:
        return None
    return log.append(
        replace(
            decision_from_row(undone),
            reason=f"the undo was not carried out ({why}): this verdict still stands",
            decided_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            ms_on_screen=0,
            undoes=None,
            bulk=False,
        )
    )


def undo_not_carried_out(
    session: ReviewSession, log: DecisionLog | None, why: str
) -> tuple[Outcome, bool]:
    """The undo just logged did not take effect (`why`): the verdict it reversed is logged
    again and stands in the session, as on disk. Returns what to show, and whether the
    log says so (False: it could not be written; the note taken before the undo, kept,
    has the next opening log the verdict again)."""
    why = why.rstrip(". ")  # git's messages end in a full stop; the sentence goes on
    seq = session.last_undone_seq
    try:
        again = log_again(log, seq, why) if log is not None and seq else None
    except VetlineError as error:
        return Outcome(OutcomeKind.PROBLEM, f"not undone: {why}; and {error}"), False
    if again is not None:
        session.undo_not_carried_out(again)
    return Outcome(OutcomeKind.PROBLEM, f"not undone: {why}; the verdict still stands"), True


def record_not_applied(log: DecisionLog, seqs: Sequence[int], reason: str) -> None:
    """Append a `not_applied` row after each of these logged verdicts (found by seq)."""
    wanted = set(seqs)
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    for row in [row for row in log.rows() if row["seq"] in wanted]:
        log.append(
            replace(
                decision_from_row(row),
                verdict=Verdict.NOT_APPLIED,
                reason=reason,
                decided_at=stamp,
                ms_on_screen=0,
                edited_text=None,
                undoes=None,
                bulk=False,
                kept="",
                flagged="",
            )
        )


def still_standing(
    log: DecisionLog, intent: WriteIntent, taking_effect: Collection[Verdict]
) -> list[int]:
    """The verdicts the intent's write carries out that still stand in the log: its own
    (or, noted before them, the rows on its files logged after it whose verdict changes
    the disk), not since followed by a `not_applied` or undone row."""
    if intent.after_seq is not None:
        start = intent.after_seq
    elif intent.decisions:
        start = min(intent.decisions) - 1
    else:
        return []
    paths = set(intent.files) | set(intent.index)
    standing: dict[tuple[str, str], int | None] = {}
    undone: set[tuple[str, str]] = set()
    for row in log.rows_after(start):
        if row["path"] not in paths:
            continue
        key = (str(row["proposal_id"]), str(row["hunk_id"]))
        if row["verdict"] == Verdict.UNDONE:
            undone.add(key)
        # A verdict after an undo of its hunk is the undone one logged again by an
        # earlier opening (stopped before it could forget the note): the disk holds it.
        taken = row["verdict"] in taking_effect and key not in undone
        standing[key] = int(row["seq"]) if taken else None
    found = [seq for seq in standing.values() if seq is not None]
    if intent.after_seq is None:
        found = [seq for seq in found if seq in intent.decisions]
    return found


def remove_made_folders(root: Path, intent: WriteIntent) -> list[str]:
    """Remove the (empty) folders a write that never happened had made."""
    removed = remove_folders_made(root, intent.folders)
    if not removed:
        return []
    return ["removed the empty folders an interrupted write had made: " + ", ".join(removed)]


def sha_or_none(data: bytes | None) -> str | None:
    return None if data is None else sha256_hex(data)
