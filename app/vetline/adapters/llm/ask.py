"""Asking an LLM for a proposal: providers in turn, bounded retries, and the leash.

`ask` and `revise` are coroutines for the window (awaited under qasync); `ask_blocking`
runs one for the headless command. Each returns an AskResult: a proposal within the
leash, a proposal still over it after the automatic send-backs (never accepted
wholesale), or an IncompleteAnswer that cannot be accepted and offers `ask_again`.
A provider that is down, too slow (no data within its timeout), failing (5xx) or rate
limited (429) for longer than `longest_rate_limit_wait_s` or without saying how long
hands over to the next; a short rate limit is waited out once, with a countdown; a
refused key or request (401, 403, 400, 404) stops at once and says what to fix.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from vetline.adapters.llm import secrets
from vetline.adapters.llm.client import (
    ChatReply,
    ProviderRequestError,
    StreamProgress,
    complete_chat,
)
from vetline.adapters.llm.errors import (
    AskCancelledError,
    Attempt,
    AttemptOutcome,
    NoProviderAnsweredError,
    ProviderRefusedError,
)
from vetline.adapters.llm.prompt import (
    ChatMessage,
    FileText,
    ask_messages,
    revise_messages,
    send_back_message,
)
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.redact import install_redaction, register_secret
from vetline.adapters.llm.reply import IncompleteAnswer, ReplyError, proposal_from_reply
from vetline.core.leash import Leash, Level, Violation
from vetline.core.model import Agent, FileStatus, Proposal

DEFAULT_SEND_BACKS = 2
DEFAULT_LONGEST_RATE_LIMIT_WAIT_S = 10.0
AGENT_NAME = "vetline ask"
# How often a threading.Event cancel is looked at while the network is quiet.
_CANCEL_POLL_S = 0.05
_T = TypeVar("_T")


def lookup_provider_key(provider: ProviderConfig) -> secrets.KeyLookup:
    return secrets.lookup_key(
        provider.name, api_key_env=provider.api_key_env, use_keyring=provider.keyring
    )


@dataclass(frozen=True, slots=True)
class AskSettings:
    leash: Leash = field(default_factory=Leash)
    send_backs: int = DEFAULT_SEND_BACKS  # times an over-leash answer is sent back
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

    def messages(self, leash: Leash) -> list[ChatMessage]:
        limits = leash.limits[self.level]
        if self.previous is None:
            return ask_messages(self.instruction, self.files, limits)
        return revise_messages(self.previous, self.rejection_reason, self.files, limits)


class AskStatus(StrEnum):
    READY = "ready"  # a proposal within the leash, for review
    OVER_LEASH = "over-leash"  # still too large after the send-backs: review hunk by hunk
    INCOMPLETE = "incomplete"  # no usable proposal; ask again


@dataclass(frozen=True, slots=True)
class AskResult:
    status: AskStatus
    answer: Proposal | IncompleteAnswer
    request: AskRequest
    attempts: tuple[Attempt, ...]
    violations: tuple[Violation, ...] = ()
    sent_back: int = 0  # over-leash answers sent back before this one
    warnings: tuple[str, ...] = ()  # e.g. the keyring was unavailable

    @property
    def proposal(self) -> Proposal | None:
        return self.answer if isinstance(self.answer, Proposal) else None

    @property
    def within_leash(self) -> bool:
        return self.status is AskStatus.READY


async def ask(
    instruction: str,
    files: Sequence[FileText],
    providers: Sequence[ProviderConfig],
    *,
    level: Level | int,
    settings: AskSettings | None = None,
    hooks: AskHooks | None = None,
) -> AskResult:
    """Ask the providers, in order, for a proposal doing `instruction` to `files`."""
    request = AskRequest(instruction, tuple(files), Level(level))
    return await ask_again(request, providers, settings=settings, hooks=hooks)


async def revise(
    previous: Proposal,
    reason: str,
    providers: Sequence[ProviderConfig],
    *,
    level: Level | int,
    files: Sequence[FileText] | None = None,
    settings: AskSettings | None = None,
    hooks: AskHooks | None = None,
) -> AskResult:
    """Send the reviewer's rejection reason back; the new proposal's parent_id is previous.id.

    `files` are the files' current texts; by default the previous proposal's bases.
    """
    if files is None:
        files = [
            FileText(change.path, change.base_text, change.encoding)
            for change in previous.changes
            if change.base_text is not None and change.status is not FileStatus.ADDED
        ]
    request = AskRequest(previous.task, tuple(files), Level(level), previous, reason)
    return await ask_again(request, providers, settings=settings, hooks=hooks)


async def ask_again(
    request: AskRequest,
    providers: Sequence[ProviderConfig],
    *,
    settings: AskSettings | None = None,
    hooks: AskHooks | None = None,
) -> AskResult:
    """Run a request (again: the retry an incomplete answer offers)."""
    if not providers:
        raise NoProviderAnsweredError("no LLM provider is configured")
    run = _Run(tuple(providers), settings or AskSettings(), hooks or AskHooks())
    return await run.result(request)


def ask_blocking(
    instruction: str,
    files: Sequence[FileText],
    providers: Sequence[ProviderConfig],
    *,
    level: Level | int,
    settings: AskSettings | None = None,
    hooks: AskHooks | None = None,
) -> AskResult:
    """`ask` for a headless command: runs its own event loop until the answer is in."""
    return asyncio.run(
        ask(instruction, files, providers, level=level, settings=settings, hooks=hooks)
    )


class _Run:
    """One request's state: the attempts so far and which provider is current."""

    def __init__(
        self, providers: tuple[ProviderConfig, ...], settings: AskSettings, hooks: AskHooks
    ) -> None:
        self.providers = providers
        self.settings = settings
        self.hooks = hooks
        self.attempts: list[Attempt] = []
        self.warnings: list[str] = []
        self.current = 0  # a send-back continues with the provider that answered
        self.keys: dict[str, str | None] = {}

    async def result(self, request: AskRequest) -> AskResult:
        install_redaction()
        messages = request.messages(self.settings.leash)
        for round_number in range(self.settings.send_backs + 1):
            reply, provider, started = await self.answer(messages)
            answer = _read_reply(reply, request, Agent(AGENT_NAME, provider.model, provider.name))
            if isinstance(answer, IncompleteAnswer):
                self.record(provider, AttemptOutcome.INCOMPLETE, started, answer.reason)
                return self.finish(AskStatus.INCOMPLETE, answer, request, round_number)
            violations = tuple(self.settings.leash.check(answer, request.level))
            if not violations:
                self.record(provider, AttemptOutcome.ANSWERED, started)
                return self.finish(AskStatus.READY, answer, request, round_number)
            if round_number == self.settings.send_backs:
                self.record(provider, AttemptOutcome.ANSWERED, started, "over the leash")
                return self.finish(AskStatus.OVER_LEASH, answer, request, round_number, violations)
            detail = "; ".join(violation.message for violation in violations)
            self.record(provider, AttemptOutcome.OVER_LEASH, started, f"sent back: {detail}")
            limits = self.settings.leash.limits[request.level]
            messages = [
                *messages,
                ChatMessage("assistant", reply.text),
                send_back_message(violations, limits),
            ]
        raise AssertionError("unreachable: the last round always returns")

    def finish(
        self,
        status: AskStatus,
        answer: Proposal | IncompleteAnswer,
        request: AskRequest,
        sent_back: int,
        violations: tuple[Violation, ...] = (),
    ) -> AskResult:
        return AskResult(
            status,
            answer,
            request,
            tuple(self.attempts),
            violations,
            sent_back,
            tuple(dict.fromkeys(self.warnings)),
        )

    async def answer(
        self, messages: Sequence[ChatMessage]
    ) -> tuple[ChatReply, ProviderConfig, float]:
        """A streamed reply from the current provider or, failing that, the next ones."""
        failures: list[str] = []
        while self.current < len(self.providers):
            provider = self.providers[self.current]
            api_key = self.key_for(provider)
            for try_number in (1, 2):
                started = time.monotonic()
                try:
                    reply = await self.until_cancelled(
                        complete_chat(
                            provider,
                            api_key,
                            messages,
                            on_progress=self.hooks.on_progress,
                            cancel=self.hooks.cancel,
                        ),
                        provider,
                        started,
                    )
                except ProviderRequestError as failure:
                    self.record(provider, failure.outcome, started, failure.message)
                    if failure.outcome in (
                        AttemptOutcome.KEY_REFUSED,
                        AttemptOutcome.REQUEST_REFUSED,
                    ):
                        raise ProviderRefusedError(failure.message, self.attempts) from None
                    wait = failure.retry_after_s
                    if (
                        failure.outcome is AttemptOutcome.RATE_LIMITED
                        and try_number == 1
                        and wait is not None
                        and wait <= self.settings.longest_rate_limit_wait_s
                    ):
                        await self.wait_before_retry(provider, wait)
                        continue
                    failures.append(failure.message)
                    break
                return reply, provider, started
            self.current += 1
        raise NoProviderAnsweredError("no provider answered: " + "; ".join(failures), self.attempts)

    def key_for(self, provider: ProviderConfig) -> str | None:
        if provider.name not in self.keys:
            found = self.settings.lookup_key(provider)
            if found.warning:
                self.warnings.append(found.warning)
            if found.missing:
                message = f"provider {provider.name!r}: no API key found: {found.missing}"
                self.attempts.append(Attempt(provider.name, AttemptOutcome.KEY_REFUSED, 0, message))
                raise ProviderRefusedError(message, self.attempts)
            register_secret(found.key)
            self.keys[provider.name] = found.key
        return self.keys[provider.name]

    def record(
        self, provider: ProviderConfig, outcome: AttemptOutcome, started: float, detail: str = ""
    ) -> None:
        elapsed_ms = round((time.monotonic() - started) * 1000)
        self.attempts.append(Attempt(provider.name, outcome, elapsed_ms, detail))

    async def until_cancelled(
        self, awaitable: Awaitable[_T], provider: ProviderConfig, started: float
    ) -> _T:
        """Await, but stop at once when the cancel event is set, even while nothing arrives."""
        cancel = self.hooks.cancel
        task = asyncio.ensure_future(awaitable)
        try:
            # A threading.Event cannot wake the loop, so it is looked at every 50 ms.
            poll = _CANCEL_POLL_S if cancel is not None else None
            while not task.done() and not (cancel is not None and cancel.is_set()):
                await asyncio.wait({task}, timeout=poll)
            if cancel is not None and cancel.is_set():
                raise AskCancelledError(f"provider {provider.name!r}: cancelled")
            return task.result()
        except AskCancelledError as error:
            self.record(provider, AttemptOutcome.CANCELLED, started)
            raise AskCancelledError(str(error), self.attempts) from None
        except asyncio.CancelledError:
            self.record(provider, AttemptOutcome.CANCELLED, started)
            raise
        finally:
            if not task.done():  # cancelled by the event, or the caller's task was
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def wait_before_retry(self, provider: ProviderConfig, seconds: float) -> None:
        """Sleep as the server asked, reporting a countdown; cancellable throughout."""
        deadline = time.monotonic() + seconds
        last_reported: int | None = None
        while (left := deadline - time.monotonic()) > 0:
            if self.hooks.cancel is not None and self.hooks.cancel.is_set():
                raise AskCancelledError(
                    f"provider {provider.name!r}: cancelled while waiting", self.attempts
                )
            whole = math.ceil(left)
            if self.hooks.on_rate_limit_wait is not None and whole != last_reported:
                self.hooks.on_rate_limit_wait(RateLimitWait(provider.name, left, seconds))
                last_reported = whole
            await asyncio.sleep(min(left, _CANCEL_POLL_S))


def _read_reply(reply: ChatReply, request: AskRequest, agent: Agent) -> Proposal | IncompleteAnswer:
    """The proposal in a reply, or why there is none."""
    parent_id = request.previous.id if request.previous else None
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        reason = _incomplete_reason(reply)
        if reason:
            raise ReplyError(reason)
        return proposal_from_reply(
            reply.text,
            request.files,
            proposal_id=uuid.uuid4().hex[:12],
            task=request.instruction,
            agent=agent,
            created_at=created_at,
            parent_id=parent_id,
        )
    except ReplyError as error:
        return IncompleteAnswer(
            str(error),
            reply.text,
            task=request.instruction,
            agent=agent,
            parent_id=parent_id,
            created_at=created_at,
        )


def _incomplete_reason(reply: ChatReply) -> str:
    """Why a finished stream is not a whole answer, or "" when it is."""
    received = f"after {len(reply.text)} characters"
    if reply.cut_off:
        return f"the answer broke off {received}: {reply.cut_off}"
    if reply.finish_reason is None:
        return f"the stream ended {received} without the model finishing"
    if reply.finish_reason == "length":
        return f"the model hit its output limit {received}"
    if reply.finish_reason == "content_filter":
        return "the provider's content filter stopped the answer"
    return ""
