"""What a provider reports, told plainly: the model that served, a context too long, a wait."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers.llm_server import error, provider_at, reply_json, route, streamed, whole
from vetline.adapters.llm.ask import (
    AskHooks,
    AskResult,
    AskSettings,
    RateLimitWait,
    ask_blocking,
)
from vetline.adapters.llm.errors import (
    AskCancelledError,
    ContextTooLongError,
    MissingKeyError,
    ProviderRefusedError,
)
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.providers import ProviderConfig
from vetline.core.leash import Level

BASE = "".join(f"line {n}\n" for n in range(1, 31))
SMALL = BASE.replace("line 5\n", "line five\n")
FILES = [FileText("src/app.py", BASE), FileText("docs/guide.md", "# Guide\n")]


def _ask(providers: list[ProviderConfig], **options: Any) -> AskResult:
    return ask_blocking("Rename line 5", FILES, providers, level=Level.REPO, **options)


def _streamed_as(model: str, text: str) -> Response:
    """A stream whose chunks name `model`, as a router names the model it fell back to."""
    events = [
        {"model": model, "choices": [{"index": 0, "delta": {"content": text}}]},
        {"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    body = "".join(
        f"data: {json.dumps({'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, **e})}\n\n"
        for e in events
    )
    return Response(body + "data: [DONE]\n\n", mimetype="text/event-stream")


def test_the_model_that_served_is_recorded_beside_the_one_asked_for(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        _streamed_as("anthropic/claude-fallback", reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([provider_at(httpserver, "a")])

    assert result.proposal is not None
    agent = result.proposal.agent
    assert (agent.model, agent.served_model, agent.provider) == (
        "model-a",
        "anthropic/claude-fallback",
        "a",
    )


def test_a_whole_reply_records_its_model_too(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        whole(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([provider_at(httpserver, "a", stream=False)])

    assert result.proposal is not None
    assert result.proposal.agent.served_model == "test-model"


def test_a_served_model_name_is_kept_plain(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        _streamed_as(" evil\u202emodel\n" + "x" * 500, reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([provider_at(httpserver, "a")])

    assert result.proposal is not None
    served = result.proposal.agent.served_model
    assert served.startswith("evil⟨U+202E⟩model⟨U+000A⟩xxx")
    assert len(served) == 120 and served.endswith("…")


def test_an_incomplete_answer_also_names_the_model_that_served(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        _streamed_as("router/other", "not json")
    )

    result = _ask([provider_at(httpserver, "a")])

    assert result.proposal is None
    assert result.answer.agent.served_model == "router/other"


@pytest.mark.parametrize(
    "refusal",
    [
        # OpenAI and vLLM
        {
            "message": "This model's maximum context length is 8192 tokens. However, your"
            " messages resulted in 9120 tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        },
        # llama.cpp's server
        {
            "code": 400,
            "message": "request (9120 tokens) exceeds the available context size (8192 tokens),"
            " try increasing it",
            "type": "exceed_context_size_error",
        },
        # a server that only says so in words
        {"message": "Input is too long for requested model.", "type": "BadRequest"},
    ],
)
def test_a_context_too_long_says_so_and_names_the_files(
    httpserver: HTTPServer, refusal: dict[str, Any]
) -> None:
    body = json.dumps({"error": refusal})
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        Response(body, status=400, content_type="application/json")
    )

    with pytest.raises(ContextTooLongError) as caught:
        _ask([provider_at(httpserver, "a"), provider_at(httpserver, "b")])

    message = str(caught.value)
    assert message.startswith("provider 'a': the context is too long for model 'model-a' (400")
    assert "the files sent were 'src/app.py' (231 characters), 'docs/guide.md' (8 characters)" in (
        message
    )
    assert "response_format" not in message and "check model" not in message
    assert len(httpserver.log) == 1  # not retried, not handed over


def test_another_bad_request_still_points_at_the_model_and_the_format(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(400, "unknown field: response_format")
    )

    with pytest.raises(ProviderRefusedError) as caught:
        _ask([provider_at(httpserver, "a")])

    assert not isinstance(caught.value, ContextTooLongError)
    assert 'set response_format = "json_object"' in str(caught.value)


def test_a_rate_limit_of_half_a_minute_is_waited_out_with_a_countdown(
    httpserver: HTTPServer,
) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(429, "busy", {"Retry-After": "30"})
    )
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )
    cancel = threading.Event()
    waits: list[RateLimitWait] = []

    def on_wait(wait: RateLimitWait) -> None:
        waits.append(wait)
        cancel.set()  # the countdown started: that is all this test needs to see

    with pytest.raises(AskCancelledError, match="cancelled while waiting"):
        _ask([a, b], hooks=AskHooks(on_rate_limit_wait=on_wait, cancel=cancel))

    assert waits[0].total_s == 30.0 and waits[0].provider == "a"
    assert [request.path for request, _ in httpserver.log] == [route(httpserver, "a")]


def test_a_shorter_limit_in_the_settings_still_hands_over(httpserver: HTTPServer) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(429, "busy", {"Retry-After": "30"})
    )
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([a, b], settings=AskSettings(longest_rate_limit_wait_s=10))

    assert result.proposal is not None and result.proposal.agent.provider == "b"


def test_a_missing_key_is_its_own_error_naming_the_provider(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_PROVIDER_KEY", raising=False)

    with pytest.raises(MissingKeyError) as caught:
        _ask([provider_at(httpserver, "a", api_key_env="TEST_PROVIDER_KEY")])

    assert caught.value.provider == "a"
    assert httpserver.log == []


def test_a_request_handler_sees_the_key_typed_in(httpserver: HTTPServer) -> None:
    from vetline.adapters.llm.typed_keys import TypedKeys

    seen: list[str] = []

    def answer(request: Request) -> Response:
        seen.append(request.headers.get("Authorization", ""))
        return whole(reply_json("t", {"src/app.py": SMALL}))

    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(answer)
    provider = provider_at(httpserver, "a", api_key_env="TEST_UNSET_KEY_VARIABLE", stream=False)
    keys = TypedKeys()
    keys.remember(provider, "sk-typed-0123456789")

    result = _ask([provider], settings=AskSettings(lookup_key=keys.lookup))

    assert result.proposal is not None
    assert seen == ["Bearer sk-typed-0123456789"]
