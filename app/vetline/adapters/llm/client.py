"""One Chat Completions request to one provider, streamed, its failures sorted into kinds.

The openai client is built with max_retries=0 and a short read timeout: Vetline decides
retries and fail-over itself (adapters/llm_ask.py), so a dead server costs seconds, not
the library's default ten minutes. Nothing here puts the key in a message.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import openai
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionSystemMessageParam,
    ChatCompletionUserMessageParam,
)
from openai.types.chat.completion_create_params import ResponseFormat

from vetline.adapters.llm.errors import AskCancelledError, AttemptOutcome
from vetline.adapters.llm.prompt import REPLY_SCHEMA, SCHEMA_NAME, ChatMessage
from vetline.adapters.llm.providers import ProviderConfig, ResponseFormatMode
from vetline.adapters.llm.redact import redact
from vetline.adapters.llm.shown import escaped

# openai refuses to start without a key, even for a local server that needs none.
PLACEHOLDER_KEY = "not-needed"
_LONGEST_SERVER_MESSAGE = 300
_LONGEST_MODEL_NAME = 120
# How servers say the prompt does not fit: OpenAI and vLLM ("maximum context length"),
# OpenRouter ("context length"), llama.cpp ("exceeds the available context size"),
# LM Studio, Ollama and others in their own words.
_CONTEXT_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error"})
_CONTEXT_WORDS = re.compile(
    r"context (?:length|size|window)|too many tokens|(?:prompt|input) is too long"
    r"|exceeds? (?:the )?token limit|input length exceeds",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StreamProgress:
    """How far an answer has come: streamed chunks (about one token each) and characters."""

    provider: str
    chunks: int
    characters: int
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class ChatReply:
    text: str
    finish_reason: str | None  # None: the stream ended before the model said it was done
    chunks: int
    cut_off: str = ""  # why the stream broke off, when it did
    # The model that answered, as the response names it (escaped, "" when not named):
    # a router may serve another model than the one asked for.
    model: str = ""


class ProviderRequestError(Exception):
    """A request that got no answer; `message` is safe to show and names the provider."""

    def __init__(
        self,
        outcome: AttemptOutcome,
        message: str,
        *,
        retry_after_s: float | None = None,
        context_too_long: bool = False,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.retry_after_s = retry_after_s
        self.context_too_long = context_too_long  # the request does not fit the model


async def complete_chat(
    provider: ProviderConfig,
    api_key: str | None,
    messages: Sequence[ChatMessage],
    *,
    on_progress: Callable[[StreamProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ChatReply:
    """Ask `provider` and gather its answer, streamed unless the provider says otherwise.

    Raises ProviderRequestError when no answer starts, or AskCancelledError. The
    connection is closed on every way out, cancellation included.
    """
    meter = _ProgressMeter(provider.name, on_progress)
    client = openai.AsyncOpenAI(
        api_key=api_key or PLACEHOLDER_KEY,
        base_url=provider.base_url,
        max_retries=0,
        timeout=openai.Timeout(provider.timeout_s, connect=provider.connect_timeout_s),
    )
    async with client:
        try:
            if provider.stream:
                return await _streamed_reply(client, provider, messages, meter, cancel)
            return await _whole_reply(client, provider, messages, meter)
        except openai.APIStatusError as error:
            raise _status_failure(provider, error) from None
        except openai.APIConnectionError as error:
            raise _connection_failure(provider, error) from None


async def _streamed_reply(
    client: openai.AsyncOpenAI,
    provider: ProviderConfig,
    messages: Sequence[ChatMessage],
    meter: _ProgressMeter,
    cancel: threading.Event | None,
) -> ChatReply:
    stream = await client.chat.completions.create(
        model=provider.model,
        messages=[_message_param(message) for message in messages],
        response_format=_response_format(provider.response_format),
        stream=True,
    )
    finish_reason: str | None = None
    cut_off = ""
    served = ""
    async with stream:
        try:
            async for chunk in stream:
                if cancel is not None and cancel.is_set():
                    raise AskCancelledError(f"provider {provider.name!r}: cancelled")
                served = _model_name(getattr(chunk, "model", None)) or served
                if not chunk.choices:  # e.g. a closing usage-only chunk
                    continue
                choice = chunk.choices[0]
                finish_reason = choice.finish_reason or finish_reason
                meter.add(choice.delta.content or "")
        except openai.APIConnectionError as error:
            cut_off = _connection_failure(provider, error).message
        except openai.APIError as error:  # an error event inside the stream
            cut_off = f"the server reported an error mid-answer: {_server_message(error)}"
    return ChatReply(meter.text, finish_reason, meter.chunks, cut_off, served)


async def _whole_reply(
    client: openai.AsyncOpenAI,
    provider: ProviderConfig,
    messages: Sequence[ChatMessage],
    meter: _ProgressMeter,
) -> ChatReply:
    completion = await client.chat.completions.create(
        model=provider.model,
        messages=[_message_param(message) for message in messages],
        response_format=_response_format(provider.response_format),
    )
    # Lenient parsing leaves fields out of a malformed body instead of failing.
    choices = getattr(completion, "choices", None) or []
    served = _model_name(getattr(completion, "model", None))
    if not choices:
        return ChatReply("", None, 0, "the server's reply held no answer", served)
    choice = choices[0]
    meter.add(getattr(choice.message, "content", None) or "")
    return ChatReply(meter.text, choice.finish_reason, meter.chunks, model=served)


def _model_name(value: object) -> str:
    """The `model` a response names, safe to show and to log."""
    if not isinstance(value, str):
        return ""
    return escaped(value.strip(), _LONGEST_MODEL_NAME)


class _ProgressMeter:
    """Gathers the answer's text and tells the caller how far it has come."""

    def __init__(self, provider: str, report: Callable[[StreamProgress], None] | None) -> None:
        self.provider = provider
        self.report = report
        self.started = time.monotonic()
        self.parts: list[str] = []
        self.chunks = 0
        self.characters = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, text: str) -> None:
        if not text:
            return
        self.parts.append(text)
        self.chunks += 1
        self.characters += len(text)
        if self.report is not None:
            elapsed = time.monotonic() - self.started
            self.report(StreamProgress(self.provider, self.chunks, self.characters, elapsed))


def _message_param(message: ChatMessage) -> ChatCompletionMessageParam:
    if message.role == "system":
        return ChatCompletionSystemMessageParam(role="system", content=message.content)
    if message.role == "assistant":
        return ChatCompletionAssistantMessageParam(role="assistant", content=message.content)
    return ChatCompletionUserMessageParam(role="user", content=message.content)


def _response_format(mode: ResponseFormatMode) -> ResponseFormat:
    if mode is ResponseFormatMode.JSON_OBJECT:
        return {"type": "json_object"}
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "schema": REPLY_SCHEMA, "strict": True},
    }


def _status_failure(provider: ProviderConfig, error: openai.APIStatusError) -> ProviderRequestError:
    status = error.status_code
    said = _server_message(error)
    name = f"provider {provider.name!r}"
    if status in (401, 403):
        verb = "refused" if status == 401 else "not allowed this request"
        return ProviderRequestError(
            AttemptOutcome.KEY_REFUSED,
            f"{name}: the API key was {verb} ({status}): check {provider.key_hint}"
            + (f" (the server said: {said})" if said else ""),
        )
    if status == 429:
        wait = retry_after_seconds(error.response.headers)
        when = f"retry after {wait:g} s" if wait is not None else "no retry time given"
        return ProviderRequestError(
            AttemptOutcome.RATE_LIMITED,
            f"{name}: rate limited (429, {when})",
            retry_after_s=wait,
        )
    if status >= 500:
        return ProviderRequestError(
            AttemptOutcome.SERVER_ERROR,
            f"{name}: server error {status}" + (f": {said}" if said else ""),
        )
    if status in (400, 413) and _says_context_too_long(error, said):
        return ProviderRequestError(
            AttemptOutcome.REQUEST_REFUSED,
            f"{name}: the context is too long for model {provider.model!r} ({status}"
            + (f": {said}" if said else "")
            + ")",
            context_too_long=True,
        )
    fix = (
        f"check that model {provider.model!r} exists at {provider.base_url}"
        if status == 404
        else f"check model {provider.model!r}; if the server cannot produce JSON-schema output,"
        ' set response_format = "json_object" for this provider'
    )
    return ProviderRequestError(
        AttemptOutcome.REQUEST_REFUSED,
        f"{name}: the request was refused ({status}" + (f": {said}" if said else "") + f"): {fix}",
    )


def _says_context_too_long(error: openai.APIStatusError, said: str) -> bool:
    body = error.body
    codes = {body.get("code"), body.get("type")} if isinstance(body, dict) else set()
    return bool(codes & _CONTEXT_CODES) or _CONTEXT_WORDS.search(said) is not None


def _connection_failure(
    provider: ProviderConfig, error: openai.APIConnectionError
) -> ProviderRequestError:
    name = f"provider {provider.name!r}"
    if isinstance(error, openai.APITimeoutError):
        message = f"{name}: no data from {provider.base_url} within the timeout"
    else:
        cause = error.__cause__
        detail = f" ({redact(str(cause))})" if cause is not None and str(cause) else ""
        message = f"{name}: could not reach {provider.base_url}{detail}"
    return ProviderRequestError(AttemptOutcome.UNREACHABLE, message)


def _server_message(error: openai.APIError) -> str:
    """What the server said, shortened and with anything key-like masked."""
    body = error.body
    text = body.get("message") if isinstance(body, dict) else body
    if not isinstance(text, str):
        text = ""
    text = redact(" ".join(text.split()))
    if len(text) > _LONGEST_SERVER_MESSAGE:
        text = text[: _LONGEST_SERVER_MESSAGE - 1] + "…"
    return text


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a 429 asks for: Retry-After-Ms, or Retry-After in seconds or as a date."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
