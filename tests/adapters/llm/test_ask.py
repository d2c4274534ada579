"""Asking a real HTTP server on 127.0.0.1: streaming, fail-over, leash, revision, cancel."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers.llm_server import (
    closed_port_provider,
    error,
    expect_in_order,
    provider_at,
    reply_json,
    request_bodies,
    route,
    sse_events,
    streamed,
    whole,
)
from vetline.adapters.llm.ask import (
    AskHooks,
    AskResult,
    AskSettings,
    AskStatus,
    RateLimitWait,
    ask,
    ask_again,
    ask_blocking,
    revise,
)
from vetline.adapters.llm.client import StreamProgress
from vetline.adapters.llm.errors import (
    AskCancelledError,
    AttemptOutcome,
    NoProviderAnsweredError,
    ProviderRefusedError,
)
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.providers import ProviderConfig
from vetline.adapters.llm.reply import IncompleteAnswer
from vetline.core.hunks import hunks_from_texts
from vetline.core.leash import Level
from vetline.core.model import FileStatus

BASE = "".join(f"line {n}\n" for n in range(1, 31))
FILES = [FileText("src/app.py", BASE)]
SMALL = BASE.replace("line 5\n", "line five\n")
# 30 lines replaced: 60 changed lines, over level 2's 40.
LARGE = "".join(f"LINE {n}\n" for n in range(1, 31))


def _ask(providers: list[ProviderConfig], **options: Any) -> AskResult:
    level = options.pop("level", Level.CHUNK)
    return ask_blocking("Rename line 5", FILES, providers, level=level, **options)


def _outcomes(result_or_error: AskResult | Any) -> list[tuple[str, AttemptOutcome]]:
    return [(attempt.provider, attempt.outcome) for attempt in result_or_error.attempts]


def test_a_streamed_answer_becomes_a_proposal_with_hunks_vetline_computes(
    httpserver: HTTPServer,
) -> None:
    provider = provider_at(httpserver, "a")
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Name line five", {"src/app.py": SMALL}), size=7)
    )
    progress: list[StreamProgress] = []

    result = _ask([provider], hooks=AskHooks(on_progress=progress.append))

    assert result.status is AskStatus.READY and result.within_leash
    proposal = result.proposal
    assert proposal is not None
    assert proposal.title == "Name line five"
    assert proposal.task == "Rename line 5"
    assert (proposal.agent.provider, proposal.agent.model) == ("a", "model-a")
    (change,) = proposal.changes
    assert change.status is FileStatus.MODIFIED
    assert change.hunks == hunks_from_texts("src/app.py", BASE, SMALL)
    assert _outcomes(result) == [("a", AttemptOutcome.ANSWERED)]
    assert len(progress) > 5
    assert [p.chunks for p in progress] == list(range(1, len(progress) + 1))
    assert progress[-1].characters == len(reply_json("Name line five", {"src/app.py": SMALL}))


def test_the_request_streams_asks_for_the_schema_and_states_the_limit(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )
    _ask([provider_at(httpserver, "a")], level=Level.CHUNK)

    (body,) = request_bodies(httpserver, route(httpserver, "a"))
    assert body["stream"] is True
    assert body["model"] == "model-a"
    schema_format = body["response_format"]
    assert schema_format["type"] == "json_schema"
    assert schema_format["json_schema"]["name"] == "vetline_proposal"
    assert schema_format["json_schema"]["strict"] is True
    assert schema_format["json_schema"]["schema"]["required"] == [
        "title",
        "rationale",
        "changes",
        "citations",
    ]
    prompt = "\n".join(message["content"] for message in body["messages"])
    assert "at most 40 changed lines" in prompt
    assert "at most 1 file" in prompt
    assert '<file path="src/app.py">\nline 1\n' in prompt
    assert "Task: Rename line 5" in prompt


def test_a_provider_that_does_not_stream_gets_one_whole_request(httpserver: HTTPServer) -> None:
    provider = provider_at(httpserver, "a", stream=False)
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        whole(reply_json("t", {"src/app.py": SMALL}))
    )
    progress: list[StreamProgress] = []

    result = _ask([provider], hooks=AskHooks(on_progress=progress.append))

    assert result.status is AskStatus.READY
    assert "stream" not in request_bodies(httpserver, route(httpserver, "a"))[0]
    assert len(progress) == 1


def test_a_short_retry_after_waits_then_asks_the_same_provider_again(
    httpserver: HTTPServer,
) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [
            error(429, "slow down", {"Retry-After": "1"}),
            streamed(reply_json("t", {"src/app.py": SMALL})),
        ],
    )
    waits: list[RateLimitWait] = []
    started = time.monotonic()

    result = _ask([a, b], hooks=AskHooks(on_rate_limit_wait=waits.append))

    assert time.monotonic() - started >= 0.9
    assert result.status is AskStatus.READY
    assert _outcomes(result) == [("a", AttemptOutcome.RATE_LIMITED), ("a", AttemptOutcome.ANSWERED)]
    assert waits and waits[0].provider == "a" and waits[0].total_s == 1.0
    assert request_bodies(httpserver, route(httpserver, "b")) == []


def test_a_retry_after_over_a_minute_moves_to_the_next_provider_at_once(
    httpserver: HTTPServer,
) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(429, "quota", {"Retry-After": "61"})  # the openai client's rule: at most 60 s
    )
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )
    waits: list[RateLimitWait] = []

    result = _ask([a, b], hooks=AskHooks(on_rate_limit_wait=waits.append))

    assert waits == []  # no countdown: b was asked straight away
    assert _outcomes(result) == [("a", AttemptOutcome.RATE_LIMITED), ("b", AttemptOutcome.ANSWERED)]
    assert "retry after 61 s" in result.attempts[0].detail
    assert result.proposal is not None and result.proposal.agent.provider == "b"


def test_a_second_rate_limit_after_waiting_moves_on(httpserver: HTTPServer) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(429, "busy", {"Retry-After-Ms": "100"})
    )
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([a, b])

    assert _outcomes(result) == [
        ("a", AttemptOutcome.RATE_LIMITED),
        ("a", AttemptOutcome.RATE_LIMITED),
        ("b", AttemptOutcome.ANSWERED),
    ]


def test_a_server_error_moves_to_the_next_provider(httpserver: HTTPServer) -> None:
    a, b = provider_at(httpserver, "a"), provider_at(httpserver, "b")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(error(500, "boom"))
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([a, b])

    assert _outcomes(result) == [("a", AttemptOutcome.SERVER_ERROR), ("b", AttemptOutcome.ANSWERED)]
    assert result.attempts[0].detail == "provider 'a': server error 500: boom"
    assert all(attempt.ms >= 0 for attempt in result.attempts)


def test_a_provider_that_is_down_hands_over_to_the_next(httpserver: HTTPServer) -> None:
    up = provider_at(httpserver, "up")
    httpserver.expect_request(route(httpserver, "up")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([closed_port_provider("down"), up])

    assert _outcomes(result) == [
        ("down", AttemptOutcome.UNREACHABLE),
        ("up", AttemptOutcome.ANSWERED),
    ]
    assert "provider 'down': could not reach http://127.0.0.1:" in result.attempts[0].detail


def test_when_every_provider_fails_the_error_names_each(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(error(503, "busy"))

    with pytest.raises(NoProviderAnsweredError) as caught:
        _ask([closed_port_provider("down"), provider_at(httpserver, "a")])

    message = str(caught.value)
    assert message.startswith("no provider answered: provider 'down': could not reach")
    assert "provider 'a': server error 503: busy" in message
    assert _outcomes(caught.value) == [
        ("down", AttemptOutcome.UNREACHABLE),
        ("a", AttemptOutcome.SERVER_ERROR),
    ]


def test_a_refused_key_is_not_retried_and_says_what_to_fix(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_PROVIDER_KEY", "sk-test-0123456789abcdef")
    a = provider_at(httpserver, "a", api_key_env="TEST_PROVIDER_KEY")
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(401, "Incorrect API key provided")
    )

    with pytest.raises(ProviderRefusedError) as caught:
        _ask([a, provider_at(httpserver, "b")])

    assert str(caught.value).startswith(
        "provider 'a': the API key was refused (401): check TEST_PROVIDER_KEY"
    )
    assert _outcomes(caught.value) == [("a", AttemptOutcome.KEY_REFUSED)]
    assert request_bodies(httpserver, route(httpserver, "b")) == []


def test_a_bad_request_is_not_retried_and_suggests_json_object(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(400, "response_format json_schema is not supported")
    )

    with pytest.raises(ProviderRefusedError) as caught:
        _ask([provider_at(httpserver, "a"), provider_at(httpserver, "b")])

    message = str(caught.value)
    assert "provider 'a': the request was refused (400: response_format" in message
    assert 'set response_format = "json_object"' in message
    assert len(httpserver.log) == 1


def test_a_missing_key_says_which_variable_to_set(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_PROVIDER_KEY", raising=False)

    with pytest.raises(ProviderRefusedError, match="no API key found: set TEST_PROVIDER_KEY"):
        _ask([provider_at(httpserver, "a", api_key_env="TEST_PROVIDER_KEY")])

    assert httpserver.log == []


def test_a_stream_that_ends_without_finishing_is_incomplete_and_can_be_retried(
    httpserver: HTTPServer,
) -> None:
    text = reply_json("t", {"src/app.py": SMALL})
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [streamed(text[:40], finish_reason=None, done=False), streamed(text)],
    )

    result = _ask([provider_at(httpserver, "a")])

    assert result.status is AskStatus.INCOMPLETE and result.proposal is None
    answer = result.answer
    assert isinstance(answer, IncompleteAnswer)
    assert answer.incomplete and not answer.acceptable
    assert answer.raw_text == text[:40]
    assert answer.reason == "the stream ended after 40 characters without the model finishing"
    assert _outcomes(result) == [("a", AttemptOutcome.INCOMPLETE)]

    again = asyncio.run(ask_again(result.request, [provider_at(httpserver, "a")]))
    assert again.status is AskStatus.READY


@pytest.mark.parametrize(
    ("reply", "finish_reason", "reason"),
    [
        ('{"title": "t", "rationale": ', "stop", "not valid JSON at line 1 column 29"),
        ('{"title": "t", "changes": []}', "stop", "$: missing required key 'rationale'"),
        ('{"title": "t", "rationale": "", "changes": [{"path": 3, "new_text": ""}]}', "stop",
         "$.changes[0].path: expected a string"),
        (reply_json("t", {"../etc/passwd": "x"}), "stop", "$.changes[0].path: '../etc/passwd'"),
        (reply_json("t", {"src/app.py": BASE}), "stop", "the answer changes nothing"),
        (reply_json("t", {"src/app.py": SMALL}), "length", "the model hit its output limit"),
    ],
)  # fmt: skip
def test_an_answer_that_is_not_the_schema_is_incomplete(
    httpserver: HTTPServer, reply: str, finish_reason: str, reason: str
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply, finish_reason=finish_reason)
    )

    result = _ask([provider_at(httpserver, "a")])

    assert result.status is AskStatus.INCOMPLETE
    assert isinstance(result.answer, IncompleteAnswer)
    assert result.answer.reason.startswith(reason)
    assert result.answer.raw_text == reply


def test_an_oversize_answer_is_sent_back_and_the_smaller_one_kept(
    httpserver: HTTPServer,
) -> None:
    large = reply_json("Everything", {"src/app.py": LARGE})
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [streamed(large), streamed(reply_json("First part", {"src/app.py": SMALL}))],
    )

    result = _ask([provider_at(httpserver, "a")], level=Level.CHUNK)

    assert result.status is AskStatus.READY
    assert result.sent_back == 1
    assert result.proposal is not None and result.proposal.title == "First part"
    assert _outcomes(result) == [("a", AttemptOutcome.OVER_LEASH), ("a", AttemptOutcome.ANSWERED)]
    first, second = request_bodies(httpserver, route(httpserver, "a"))
    assert second["messages"][: len(first["messages"])] == first["messages"]
    answered, sent_back = second["messages"][len(first["messages"]) :]
    assert answered == {"role": "assistant", "content": large}
    assert sent_back["role"] == "user"
    assert sent_back["content"].startswith("Too large (60 changed lines > 40 allowed at level 2")
    assert "at most 40 changed lines" in sent_back["content"]
    assert "Split the work" in sent_back["content"]


def test_an_answer_still_too_large_after_the_send_backs_is_marked_over_the_leash(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(
        streamed(reply_json("Everything", {"src/app.py": LARGE}))
    )

    result = _ask([provider_at(httpserver, "a")], settings=AskSettings(send_backs=1))

    assert result.status is AskStatus.OVER_LEASH and not result.within_leash
    assert result.proposal is not None
    assert [v.rule for v in result.violations] == ["changed-lines"]
    assert result.sent_back == 1
    assert len(httpserver.log) == 2


def test_revise_sends_the_reason_back_and_links_the_new_proposal_to_the_old(
    httpserver: HTTPServer,
) -> None:
    expect_in_order(
        httpserver,
        route(httpserver, "a"),
        [
            streamed(reply_json("Five", {"src/app.py": SMALL})),
            streamed(reply_json("5", {"src/app.py": BASE.replace("line 5\n", "line 5!\n")})),
        ],
    )
    provider = provider_at(httpserver, "a")
    first = _ask([provider]).proposal
    assert first is not None

    result = asyncio.run(revise(first, "Keep the digit.", [provider], level=Level.CHUNK))

    assert result.status is AskStatus.READY
    second = result.proposal
    assert second is not None
    assert second.parent_id == first.id != second.id
    assert second.task == "Rename line 5"
    assert second.changes[0].base_text == BASE
    messages = request_bodies(httpserver, route(httpserver, "a"))[1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert '"title": "Five"' in messages[2]["content"]
    assert "Their reason: Keep the digit." in messages[3]["content"]


# -- cancellation: a stream of 20 chunks, half a second apart (10 s in all) --


@pytest.fixture
def slow_provider(httpserver: HTTPServer) -> Iterator[ProviderConfig]:
    stop = threading.Event()  # ends the server's generator when the test is over

    def handle(request: Request) -> Response:
        text = reply_json("t", {"src/app.py": SMALL})
        events = sse_events(text, size=max(1, len(text) // 20), delay_s=0.5, stop=stop)
        return Response(events, mimetype="text/event-stream")

    httpserver.expect_request(route(httpserver, "slow")).respond_with_handler(handle)
    yield provider_at(httpserver, "slow", timeout_s=15.0)
    stop.set()


def test_a_cancel_event_stops_a_slow_stream_at_once(slow_provider: ProviderConfig) -> None:
    cancel = threading.Event()

    chunks: list[StreamProgress] = []

    def on_progress(progress: StreamProgress) -> None:
        chunks.append(progress)
        cancel.set()  # after the first chunk, as a person pressing Cancel

    with pytest.raises(AskCancelledError) as caught:
        _ask([slow_provider], hooks=AskHooks(on_progress=on_progress, cancel=cancel))

    assert len(chunks) < 20  # stopped well before the stream's end
    assert _outcomes(caught.value) == [("slow", AttemptOutcome.CANCELLED)]


def test_cancelling_the_task_stops_a_slow_stream_at_once(slow_provider: ProviderConfig) -> None:
    chunks: list[StreamProgress] = []

    async def main() -> None:
        first_chunk = asyncio.Event()

        def on_progress(progress: StreamProgress) -> None:
            chunks.append(progress)
            first_chunk.set()

        task = asyncio.ensure_future(
            ask(
                "Rename line 5",
                FILES,
                [slow_provider],
                level=Level.CHUNK,
                hooks=AskHooks(on_progress=on_progress),
            )
        )
        await first_chunk.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert len(chunks) < 20  # stopped well before the stream's end


def test_a_cancel_during_a_rate_limit_wait_stops_the_countdown(httpserver: HTTPServer) -> None:
    httpserver.expect_request(route(httpserver, "a")).respond_with_response(
        error(429, "busy", {"Retry-After": "8"})
    )
    cancel = threading.Event()
    waits: list[RateLimitWait] = []

    def on_wait(wait: RateLimitWait) -> None:
        waits.append(wait)
        cancel.set()

    with pytest.raises(AskCancelledError):  # not the 429 again after the countdown
        _ask(
            [provider_at(httpserver, "a")],
            hooks=AskHooks(on_rate_limit_wait=on_wait, cancel=cancel),
        )

    assert waits[0].seconds_left > 7


def test_a_stream_that_stalls_past_the_read_timeout_is_incomplete(
    httpserver: HTTPServer, slow_provider: ProviderConfig
) -> None:
    impatient = provider_at(httpserver, "slow", timeout_s=0.2)
    result = _ask([impatient])

    assert result.status is AskStatus.INCOMPLETE  # not the whole answer, 10 s later
    assert isinstance(result.answer, IncompleteAnswer)
    assert result.answer.reason.startswith("the answer broke off after ")
    assert "provider 'slow': no data from http://" in result.answer.reason


def test_a_provider_that_never_answers_times_out_and_hands_over(httpserver: HTTPServer) -> None:
    def hang(request: Request) -> Response:
        time.sleep(0.8)  # longer than the provider's 0.3 s read timeout
        return error(500, "too late")

    httpserver.expect_request(route(httpserver, "hang")).respond_with_handler(hang)
    httpserver.expect_request(route(httpserver, "b")).respond_with_handler(
        streamed(reply_json("t", {"src/app.py": SMALL}))
    )

    result = _ask([provider_at(httpserver, "hang", timeout_s=0.3), provider_at(httpserver, "b")])

    assert _outcomes(result) == [
        ("hang", AttemptOutcome.UNREACHABLE),
        ("b", AttemptOutcome.ANSWERED),
    ]
    assert result.attempts[0].detail.endswith("within the timeout")
