"""A Chat Completions server for tests (pytest-httpserver): replies, failures, providers.

Streamed (server-sent events) and whole replies, the failures real providers produce,
and ProviderConfig values pointed at the server.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vetline.adapters.llm.providers import ProviderConfig
from vetline.core.settings import Settings, default_settings

Handler = Callable[[Request], Response]


def provider_at(server: HTTPServer, name: str, **overrides: Any) -> ProviderConfig:
    """A provider whose requests land on `/<name>/v1/chat/completions` of the test server."""
    settings: dict[str, Any] = {"timeout_s": 3.0, "connect_timeout_s": 1.0}
    settings.update(overrides)
    return ProviderConfig(name, server.url_for(f"/{name}/v1"), f"model-{name}", **settings)


def window_settings(server: HTTPServer, name: str = "local", **extra: Any) -> Settings:
    """Default settings with one provider, named `name`, on the test server (for a window)."""
    provider = {
        "name": name,
        "base_url": server.url_for(f"/{name}/v1"),
        "model": "test-model",
        "timeout_s": 15,
        **extra,
    }
    return replace(default_settings(), providers=(provider,))


def closed_port_provider(name: str = "down") -> ProviderConfig:
    """A provider on a local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return ProviderConfig(name, f"http://127.0.0.1:{port}/v1", "m", connect_timeout_s=1.0)


def route(server: HTTPServer, name: str) -> str:
    return f"/{name}/v1/chat/completions"


def reply_json(title: str, changes: Mapping[str, str], rationale: str = "Because.") -> str:
    """What a model answers in the reply schema: full new texts by path."""
    return json.dumps(
        {
            "title": title,
            "rationale": rationale,
            "changes": [{"path": path, "new_text": text} for path, text in changes.items()],
        }
    )


def chunk(content: str | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    delta = {"content": content} if content is not None else {}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def pieces(text: str, size: int = 16) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def sse_events(
    text: str,
    *,
    finish_reason: str | None = "stop",
    done: bool = True,
    size: int = 16,
    delay_s: float = 0.0,
    stop: threading.Event | None = None,
) -> Iterator[bytes]:
    """Server-sent events carrying `text` in pieces; finish_reason None drops the ending."""
    yield _event(chunk(""))  # servers open with a role-only delta
    for index, piece in enumerate(pieces(text, size)):
        if index and delay_s:
            if stop is not None and stop.wait(delay_s):
                return
            if stop is None:
                time.sleep(delay_s)
        yield _event(chunk(piece))
    if finish_reason is not None:
        yield _event(chunk(finish_reason=finish_reason))
    if done:
        yield b"data: [DONE]\n\n"


def _event(data: Mapping[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def streamed(text: str, **options: Any) -> Handler:
    """A handler that streams `text` as Chat Completions chunks."""

    def handle(request: Request) -> Response:
        return Response(sse_events(text, **options), mimetype="text/event-stream")

    return handle


def whole(text: str, finish_reason: str = "stop") -> Response:
    """A non-streamed chat.completion reply."""
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
    }
    return Response(json.dumps(body), content_type="application/json")


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = {"error": {"message": message, "type": "test_error", "code": None}}
    return Response(
        json.dumps(body),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json",
    )


def expect_in_order(server: HTTPServer, path: str, handlers: Sequence[Handler | Response]) -> None:
    """Answer the next requests to `path` with these, one each, in this order."""
    for handler in handlers:
        expected = server.expect_oneshot_request(path, method="POST")
        if isinstance(handler, Response):
            expected.respond_with_response(handler)
        else:
            expected.respond_with_handler(handler)


def request_bodies(server: HTTPServer, path: str) -> list[dict[str, Any]]:
    """The JSON bodies the server received at `path`, oldest first."""
    return [json.loads(request.get_data()) for request, _ in server.log if request.path == path]
