"""The decision log's errors: cannot open or write, busy, and damaged (exit code 5)."""

from __future__ import annotations

from vetline.core.errors import LogIntegrityError, VetlineError


class DecisionLogError(VetlineError):
    """The decision log cannot be opened, read or written."""


class NewLogError(DecisionLogError):
    """A new log could not be started (its head file cannot be written): none was made."""


class DecisionLogBusyError(DecisionLogError):
    """Another process held the log's write lock for longer than the busy timeout."""


class DecisionLogDamagedError(DecisionLogError, LogIntegrityError):
    """The log is damaged, cut short or swapped: nothing more is appended to it.

    `problems` name each kind of damage found; the message also says how to restore.
    """

    exit_code = LogIntegrityError.exit_code

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)
