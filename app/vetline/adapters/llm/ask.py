"""Asking an LLM for a proposal: providers in turn, bounded retries, and the leash.

`ask` and `revise` are coroutines for the window (awaited under qasync); `ask_blocking`
runs one for the headless command. Each returns an AskResult: a proposal within the
leash, a proposal still over it after the automatic send-backs (never accepted
wholesale), or an IncompleteAnswer that cannot be accepted and offers `ask_again`.
An answer that changes a file it was not asked about (adapters/llm/scope.py) is sent
back like an oversize one and, if it stays out of scope, becomes an IncompleteAnswer:
it is never offered for review.
A provider that is down, too slow (no data within its timeout), failing (5xx) or rate
limited (429) for longer than `longest_rate_limit_wait_s` or without saying how long
hands over to the next; a rate limit of up to a minute is waited out once, with a
cancellable countdown; a refused key or request (401, 403, 400, 404) stops at once and
says what to fix, and a context too long for the model names the files sent.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import TypeVar

from vetline.adapters.llm.client import ChatReply, ProviderRequestError, complete_chat
from vetline.adapters.llm.errors import (
    AskCancelledError,
    Attempt,
    AttemptOutcome,
    ContextTooLongError,
    MissingKeyError,
    NoProviderAnsweredError,
    ProviderRefusedError,
)
from vetline.adapters.llm.prompt import ChatMessage, FileText, send_back_message
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.redact import install_redaction, register_secret
from vetline.adapters.llm.reply import IncompleteAnswer, read_reply
from vetline.adapters.llm.request import (
    AGENT_NAME,
    DEFAULT_LONGEST_RATE_LIMIT_WAIT_S,
    DEFAULT_SEND_BACKS,
    AskHooks,
    AskRequest,
    AskResult,
    AskSettings,
    AskStatus,
    RateLimitWait,
)
from vetline.adapters.llm.scope import SCOPE_RULE, scope_summary
from vetline.adapters.llm.shown import quoted
from vetline.adapters.llm.typed_keys import lookup_provider_key
from vetline.core.leash import Level, Violation
from vetline.core.model import Agent, FileStatus, Proposal

# The request's values live in adapters/llm/request.py; they are named here too, as
# callers know them from this module.
__all__ = [
    "AGENT_NAME",
    "DEFAULT_LONGEST_RATE_LIMIT_WAIT_S",
    "DEFAULT_SEND_BACKS",
    "AskHooks",
    "AskRequest",
    "AskResult",
    "AskSettings",
    "AskStatus",
    "RateLimitWait",
    "ask",
    "ask_again",
    "ask_blocking",
    "lookup_provider_key",
    "revise",
]

# How often a threading.Event cancel is looked at while the network is quiet.
_CANCEL_POLL_S = 0.05
_T = TypeVar("_T")


async def ask(
    instruction: str,
    files: Sequence[FileText],
    providers: Sequence[ProviderConfig],
    *,
    level: Level | int,
    settings: AskSettings | None = None,
    hooks: AskHooks | None = None,
    workspace: Path | None = None,
) -> AskResult:
    """Ask the providers, in order, for a proposal doing `instruction` to `files` (read
    from `workspace`: an answer changing another file there is out of scope)."""
    request = AskRequest(instruction, tuple(files), Level(level), workspace=workspace)
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
    workspace: Path | None = None,
) -> AskResult:
    """Send the reviewer's rejection reason back; the new proposal's parent_id is previous.id.

    `files` are the files' current texts (from `workspace`); by default the previous
    proposal's bases.
    """
    if files is None:
        files = [
            FileText(change.path, change.base_text, change.encoding)
            for change in previous.changes
            if change.base_text is not None and change.status is not FileStatus.ADDED
        ]
    request = AskRequest(
        previous.task, tuple(files), Level(level), previous, reason, workspace=workspace
    )
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
    workspace: Path | None = None,
) -> AskResult:
    """`ask` for a headless command: runs its own event loop until the answer is in."""
    return asyncio.run(
        ask(
            instruction,
            files,
            providers,
            level=level,
            settings=settings,
            hooks=hooks,
            workspace=workspace,
        )
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
        self.request: AskRequest | None = None

    async def result(self, request: AskRequest) -> AskResult:
        install_redaction()
        self.request = request
        messages = request.messages(self.settings.leash)
        for round_number in range(self.settings.send_backs + 1):
            reply, provider, started = await self.answer(messages)
            answer = read_reply(
                reply,
                request.files,
                task=request.instruction,
                agent=Agent(AGENT_NAME, provider.model, provider.name, served_model=reply.model),
                parent_id=request.previous.id if request.previous else None,
            )
            if isinstance(answer, IncompleteAnswer):
                self.record(provider, AttemptOutcome.INCOMPLETE, started, answer.reason)
                return self.finish(AskStatus.INCOMPLETE, answer, request, round_number)
            outside = request.out_of_scope(answer)
            violations = (*outside, *self.settings.leash.check(answer, request.level))
            if not violations:
                self.record(provider, AttemptOutcome.ANSWERED, started)
                return self.finish(AskStatus.READY, answer, request, round_number)
            if round_number == self.settings.send_backs:
                return self.give_up(answer, reply, request, provider, started, violations)
            detail = "; ".join(violation.message for violation in violations)
            outcome = AttemptOutcome.OUT_OF_SCOPE if outside else AttemptOutcome.OVER_LEASH
            self.record(provider, outcome, started, f"sent back: {detail}")
            limits = self.settings.leash.limits[request.level]
            messages = [
                *messages,
                ChatMessage("assistant", reply.text),
                send_back_message(violations, limits, request.scope),
            ]
        raise AssertionError("unreachable: the last round always returns")

    def give_up(
        self,
        answer: Proposal,
        reply: ChatReply,
        request: AskRequest,
        provider: ProviderConfig,
        started: float,
        violations: tuple[Violation, ...],
    ) -> AskResult:
        """The last answer is still wrong: out of scope (refused) or over the leash."""
        rounds = self.settings.send_backs
        outside = [violation for violation in violations if violation.rule == SCOPE_RULE]
        if not outside:
            self.record(provider, AttemptOutcome.ANSWERED, started, "over the leash")
            return self.finish(AskStatus.OVER_LEASH, answer, request, rounds, violations)
        reason = scope_summary(outside, request.asked_paths)
        self.record(provider, AttemptOutcome.OUT_OF_SCOPE, started, reason)
        refused = IncompleteAnswer(
            reason,
            reply.text,
            task=answer.task,
            agent=answer.agent,
            parent_id=answer.parent_id,
            created_at=answer.created_at,
            title="Answer out of scope",
        )
        return self.finish(AskStatus.OUT_OF_SCOPE, refused, request, rounds, violations)

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
                    if failure.context_too_long:
                        raise ContextTooLongError(
                            self.context_message(failure.message), self.attempts
                        ) from None
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
                raise MissingKeyError(message, provider.name, self.attempts)
            register_secret(found.key)
            self.keys[provider.name] = found.key
        return self.keys[provider.name]

    def context_message(self, refusal: str) -> str:
        """A refusal for a context too long, with the files that were sent and their sizes."""
        files = self.request.files if self.request is not None else ()
        if not files:
            return f"{refusal}: shorten the task"
        sizes = ", ".join(f"{quoted(file.path)} ({len(file.text):,} characters)" for file in files)
        return f"{refusal}: the files sent were {sizes}; ask about fewer or smaller files"

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
