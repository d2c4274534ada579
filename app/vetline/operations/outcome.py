"""What one reviewer command did, as a kind the caller can branch on and words it can show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OutcomeKind(StrEnum):
    """What happened, for the window to choose a status note or a banner (never its words)."""

    DONE = "done"  # the command did what it was asked
    NOTHING = "nothing"  # there was nothing to do (e.g. nothing to undo); a note, not a problem
    REFUSED = "refused"  # not decided: nothing logged, nothing written
    NOT_WRITTEN = "not_written"  # the verdict is logged, but its file could not be written
    PROBLEM = "problem"  # the verdict stands; something after it went wrong (said in words)

    @property
    def ok(self) -> bool:
        return self is OutcomeKind.DONE

    @property
    def problem(self) -> bool:
        """Worth a banner: a refusal or a failure, not a note."""
        return self in (OutcomeKind.REFUSED, OutcomeKind.NOT_WRITTEN, OutcomeKind.PROBLEM)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One command's result: its kind, a message in words, and the paths it wrote."""

    kind: OutcomeKind = OutcomeKind.DONE
    message: str = ""
    written: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.kind.ok

    @property
    def problem(self) -> bool:
        return self.kind.problem

    def with_note(self, note: str) -> Outcome:
        """The same outcome with `note` added to its message."""
        message = "; ".join(part for part in (self.message, note) if part)
        return Outcome(self.kind, message, self.written)


DONE = Outcome()
