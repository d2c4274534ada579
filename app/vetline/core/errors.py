"""The root of Vetline's errors, shared by every layer; each message names what and where."""

from __future__ import annotations

from vetline.core.escape import printable


class VetlineError(Exception):
    """Base of every error Vetline reports to a person instead of a traceback.

    Its message names files and quotes texts an agent wrote: control, bidirectional and
    invisible characters in it are escaped, wherever it is shown.
    """

    exit_code = 1

    def __str__(self) -> str:
        return printable(super().__str__())


class InputError(VetlineError):
    """A source, option or argument is malformed: nothing was read into the queue."""

    exit_code = 2


class UnsafePathError(InputError):
    """A path would leave the workspace, enter .git/, or has characters no file should."""


class ContextMismatchError(InputError):
    """An edit's text (a SEARCH block, a Codex section, its file) is not in the workspace as
    the edit expects: a stale base, as for a patch, though found while reading the source."""

    exit_code = 4


class StaleBaseError(VetlineError):
    """The file on disk is not the base the proposal was made against: nothing was written."""

    exit_code = 4


class HiddenCharactersError(VetlineError):
    """Hunks to accept hide characters (Trojan Source) and accepting them was not confirmed:
    a refusal, like one over the leash. Nothing was written."""

    exit_code = 3


class LogIntegrityError(VetlineError):
    """The decision log's hash chain is broken at a named row."""

    exit_code = 5
