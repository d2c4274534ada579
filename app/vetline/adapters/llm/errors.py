"""The errors of asking an LLM; their messages say what to fix and never hold a key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from vetline.core.errors import VetlineError


class AttemptOutcome(StrEnum):
    """How one request to one provider ended."""

    ANSWERED = "answered"
    OVER_LEASH = "over-leash"  # answered, then sent back for being too large
    OUT_OF_SCOPE = "out-of-scope"  # answered with files it was not asked about
    INCOMPLETE = "incomplete"  # cut off, or not the schema's JSON
    UNREACHABLE = "unreachable"  # no connection, or no data within the timeout
    SERVER_ERROR = "server-error"  # 5xx
    RATE_LIMITED = "rate-limited"  # 429
    KEY_REFUSED = "key-refused"  # 401 / 403, or no key configured
    REQUEST_REFUSED = "request-refused"  # other 4xx: bad model name, unsupported option
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One request as the window and the log show it."""

    provider: str
    outcome: AttemptOutcome
    ms: int
    detail: str = ""


class LlmError(VetlineError):
    """Asking the LLM gave no usable answer; `attempts` tells what was tried."""

    exit_code = 6

    def __init__(self, message: str, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message)
        self.attempts = tuple(attempts)


class ProviderRefusedError(LlmError):
    """A provider refused the key or the request (401, 400, ...): retrying will not help."""


class MissingKeyError(ProviderRefusedError):
    """A provider needs a key and none was found; typing one in (kept in memory) helps."""

    def __init__(self, message: str, provider: str, attempts: Sequence[Attempt] = ()) -> None:
        super().__init__(message, attempts)
        self.provider = provider


class ContextTooLongError(ProviderRefusedError):
    """The files and the task do not fit the model's context; the message names the files."""


class NoProviderAnsweredError(LlmError):
    """Every provider was down, failing or rate limited for too long."""


class AskCancelledError(LlmError):
    """The person cancelled the request."""


class IncompleteAnswerError(LlmError):
    """The headless command got an answer it cannot write as a proposal."""
