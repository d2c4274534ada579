"""Keys stay out of logs and error text, even when a server echoes them back."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers.llm_server import provider_at, route
from vetline.adapters.llm.ask import ask_blocking
from vetline.adapters.llm.errors import ProviderRefusedError
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.redact import (
    REDACTED,
    SecretRedactor,
    install_redaction,
    redact,
    register_secret,
)
from vetline.core.leash import Level

FAKE_KEY = "vl-fake-key-4d1f0c9e7b2a"  # not sk- shaped: only registration can mask it


def test_registered_secrets_and_key_shaped_tokens_are_masked() -> None:
    redactor = SecretRedactor()
    redactor.add_secret("abc")  # too short to mask safely: ignored
    redactor.add_secret("my-long-secret-value")
    text = redactor.redact(
        "key my-long-secret-value, header Authorization: Bearer tok.en-123, "
        "token sk-proj-ABCdef123456 and abc stays"
    )
    assert text == (
        f"key {REDACTED}, header Authorization: Bearer {REDACTED}, "
        f"token sk-{REDACTED} and abc stays"
    )


def test_the_filter_masks_messages_arguments_and_tracebacks() -> None:
    redactor = SecretRedactor()
    redactor.add_secret(FAKE_KEY)
    try:
        raise ValueError(f"bad key {FAKE_KEY}")
    except ValueError:
        record = logging.LogRecord(
            "openai._base_client", logging.DEBUG, __file__, 1, "sent %s", (FAKE_KEY,), None
        )
        record.exc_info = sys.exc_info()
    assert redactor.filter(record) is True
    assert record.getMessage() == f"sent {REDACTED}"
    assert record.exc_text is not None
    assert FAKE_KEY not in record.exc_text and "ValueError: bad key" in record.exc_text


def test_installed_filter_masks_records_from_library_child_loggers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    register_secret(FAKE_KEY)
    install_redaction()
    logging.getLogger("openai._base_client").debug("request with %s", FAKE_KEY)
    logging.getLogger("httpx2").info("Authorization: Bearer %s", "whatever-token-1234")
    logging.getLogger("vetline.somewhere").warning("oops %s", FAKE_KEY)
    assert FAKE_KEY not in caplog.text
    assert "whatever-token-1234" not in caplog.text
    assert caplog.text.count(REDACTED) == 3
    assert redact(f"x{FAKE_KEY}x") == f"x{REDACTED}x"


def test_a_refused_key_is_absent_from_the_error_and_the_logs(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("VETLINE_TEST_KEY", FAKE_KEY)
    provider = provider_at(httpserver, "a", api_key_env="VETLINE_TEST_KEY")
    received: list[str] = []

    def echo_the_key(request: Request) -> Response:
        # As real providers do: "Incorrect API key provided: <the key>".
        received.append(request.headers.get("Authorization", ""))
        body = {"error": {"message": f"Incorrect API key provided: {received[-1]}"}}
        return Response(json.dumps(body), status=401, content_type="application/json")

    httpserver.expect_request(route(httpserver, "a")).respond_with_handler(echo_the_key)

    with pytest.raises(ProviderRefusedError) as caught:
        ask_blocking("Do it", [FileText("a.txt", "a\n")], [provider], level=Level.FILE)

    assert received == [f"Bearer {FAKE_KEY}"]  # the key really was sent
    shown = str(caught.value)
    assert shown.startswith("provider 'a': the API key was refused (401): check VETLINE_TEST_KEY")
    assert "Incorrect API key provided" in shown
    assert FAKE_KEY not in shown
    assert all(FAKE_KEY not in attempt.detail for attempt in caught.value.attempts)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    logging.getLogger("openai").debug("echo %s", FAKE_KEY)  # even a library that logged it
    assert FAKE_KEY not in caplog.text
