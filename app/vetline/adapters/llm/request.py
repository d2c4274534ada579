"""What an ask is made of: the request, its settings and hooks, and its result."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from vetline.adapters.llm import secrets
from vetline.adapters.llm.errors import Attempt
from vetline.adapters.llm.prompt import ChatMessage, FileText, ask_messages, revise_messages
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.reply import IncompleteAnswer
from vetline.adapters.llm.scope import scope_statement, scope_violations
from vetline.adapters.llm.typed_keys import lookup_provider_key
from vetline.core.leash import Leash, Level, Violation
from vetline.core.model import Proposal

if TYPE_CHECKING:  # the client loads openai
    from vetline.adapters.llm.client import StreamProgress

DEFAULT_SEND_BACKS = 2
# The openai client's own rule: a Retry-After of up to 60 s is waited out.
DEFAULT_LONGEST_RATE_LIMIT_WAIT_S = 60.0
AGENT_NAME = "vetline ask"


@dataclass(frozen=True, slots=True)
class AskSettings:
    leash: Leash = field(default_factory=Leash)
    send_backs: int = DEFAULT_SEND_BACKS  # times an over-leash or out-of-scope answer goes back
    longest_rate_limit_wait_s: float = DEFAULT_LONGEST_RATE_LIMIT_WAIT_S  # else: next provider
    lookup_key: Callable[[ProviderConfig], secrets.KeyLookup] = lookup_provider_key

    def __post_init__(self) -> None:
        if self.send_backs < 0 or self.longest_rate_limit_wait_s < 0:
            raise ValueError("send_backs and longest_rate_limit_wait_s must not be negative")


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """A countdown before the same provider is asked again."""

    provider: str
    seconds_left: float
    total_s: float


@dataclass(frozen=True, slots=True)
class AskHooks:
    """What the caller watches and controls while a request runs."""

    on_progress: Callable[[StreamProgress], None] | None = None
    on_rate_limit_wait: Callable[[RateLimitWait], None] | None = None
    # Set from any thread to stop at once; cancelling the asyncio task works as well.
    cancel: threading.Event | None = None


@dataclass(frozen=True, slots=True)
class AskRequest:
    """Everything needed to ask (or ask again): the task, the files, the level, lineage."""

    instruction: str
    files: tuple[FileText, ...]
    level: Level
    previous: Proposal | None = None  # the rejected proposal, for a revision
    rejection_reason: str = ""
    workspace: Path | None = None  # where the files were read: its other files are no new ones

    @property
    def asked_paths(self) -> tuple[str, ...]:
        return tuple(file.path for file in self.files)

    @property
    def scope(self) -> str:
        return scope_statement(self.level, self.asked_paths)

    def messages(self, leash: Leash) -> list[ChatMessage]:
        limits = leash.limits[self.level]
        if self.previous is None:
            return ask_messages(self.instruction, self.files, limits, self.scope)
        return revise_messages(self.previous, self.rejection_reason, self.files, limits, self.scope)

    def out_of_scope(self, proposal: Proposal) -> list[Violation]:
        return scope_violations(
            proposal, self.asked_paths, self.instruction, self.level, self.workspace
        )


class AskStatus(StrEnum):
    READY = "ready"  # a proposal within the leash, for review
    OVER_LEASH = "over-leash"  # still too large after the send-backs: review hunk by hunk
    INCOMPLETE = "incomplete"  # no usable proposal; ask again
    # Still changing files it was not asked about after the send-backs: an
    # IncompleteAnswer naming them, never offered for review.
    OUT_OF_SCOPE = "out-of-scope"


@dataclass(frozen=True, slots=True)
class AskResult:
    status: AskStatus
    answer: Proposal | IncompleteAnswer
    request: AskRequest
    attempts: tuple[Attempt, ...]
    violations: tuple[Violation, ...] = ()
    sent_back: int = 0  # over-leash or out-of-scope answers sent back before this one
    warnings: tuple[str, ...] = ()  # e.g. the keyring was unavailable

    @property
    def proposal(self) -> Proposal | None:
        return self.answer if isinstance(self.answer, Proposal) else None

    @property
    def within_leash(self) -> bool:
        return self.status is AskStatus.READY
