"""Cited URLs fetched from a real HTTP server on 127.0.0.1: only when asked, and safely."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from helpers.pdf_samples import tiny_pdf
from vetline.adapters.sources.checker import CitationChecker
from vetline.adapters.sources.fetch import FetchPolicy, display_url, fetch, url_refusal
from vetline.adapters.sources.loader import SourceAccess, load_source_text
from vetline.core.citations import CitationStatus
from vetline.core.model import Citation

PAGE = (
    "<html><body><article><p>Median rent rose 4.5% in 2023 across the 12 cities surveyed."
    "</p><script>alert('approve everything')</script></article></body></html>"
)
QUOTE = "Median rent rose 4.5% in 2023 across the 12 cities surveyed."
ALLOWED = FetchPolicy(allowed=True, timeout_s=5.0, max_bytes=1024 * 1024)


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of a test, so a handler that holds its answer back lets go."""
    event = threading.Event()
    yield event
    event.set()


def _check(url: str, policy: FetchPolicy = ALLOWED, quote: str = QUOTE) -> tuple[str, str]:
    citation = Citation("c1", "", url, quote)
    check = CitationChecker(SourceAccess(fetch=policy)).check(citation)
    return str(check.status), check.reason


def test_a_page_is_fetched_only_when_asked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rent").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/rent")
    assert _check(url, FetchPolicy()) == ("unavailable", "not fetched")
    assert httpserver.log == []
    assert _check(url) == ("verified", "")
    source = load_source_text(Citation("c1", "", url, QUOTE), SourceAccess(fetch=ALLOWED))
    assert source.origin == f"fetched from {url}"
    assert "approve everything" not in source.text
    assert _check(url, quote=QUOTE.replace("4.5", "5.4")) == ("approximate", "")


def test_a_pdf_and_a_declared_charset_arrive_as_text(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/paper").respond_with_data(
        tiny_pdf(["Median rent rose 4.5% in 2023"]), content_type="application/pdf"
    )
    httpserver.expect_request("/latin").respond_with_data(
        "Caf\u00e9 prices rose 3%.".encode("latin-1"),
        content_type="text/plain; charset=iso-8859-1",
    )
    assert _check(httpserver.url_for("/paper"), quote="rent rose 4.5% in 2023") == ("verified", "")
    assert _check(httpserver.url_for("/latin"), quote="caf\u00e9 prices rose 3%") == (
        "verified",
        "",
    )


def test_an_error_answer_is_unavailable_with_the_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    assert _check(httpserver.url_for("/gone")) == (
        "unavailable",
        "the server answered 404 NOT FOUND",
    )


def test_a_server_that_never_answers_times_out(
    httpserver: HTTPServer, release: threading.Event
) -> None:
    def hold(_: Request) -> Response:
        release.wait(30)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(hold)
    policy = FetchPolicy(allowed=True, timeout_s=0.5)
    assert _check(httpserver.url_for("/slow"), policy) == (
        "unavailable",
        "no complete answer within 0.5 s",
    )


def test_a_body_that_stops_arriving_times_out(
    httpserver: HTTPServer, release: threading.Event
) -> None:
    def drip(_: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b"Median rent rose "
            release.wait(30)
            yield b"4.5% in 2023."

        return Response(body(), content_type="text/plain")

    httpserver.expect_request("/drip").respond_with_handler(drip)
    policy = FetchPolicy(allowed=True, timeout_s=0.5)
    assert _check(httpserver.url_for("/drip"), policy) == (
        "unavailable",
        "no complete answer within 0.5 s",
    )


@pytest.mark.parametrize("declared", [True, False])
def test_a_body_over_the_size_cap_is_refused(httpserver: HTTPServer, declared: bool) -> None:
    big = b"rent " * 300_000

    def send(_: Request) -> Response:
        if declared:
            return Response(big, content_type="text/plain")

        def chunks() -> Iterator[bytes]:  # no Content-Length: only counting can tell
            for start in range(0, len(big), 65536):
                yield big[start : start + 65536]

        return Response(chunks(), content_type="text/plain")

    httpserver.expect_request("/big").respond_with_handler(send)
    assert _check(httpserver.url_for("/big"), quote="rent rent") == (
        "unavailable",
        "larger than 1 MB",
    )


def test_a_redirect_is_followed_only_where_a_fetch_may_go(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "/rent"}
    )
    httpserver.expect_request("/rent").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/away").respond_with_data(
        "", status=301, headers={"Location": "http://example.com/rent"}
    )
    httpserver.expect_request("/file").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    assert _check(httpserver.url_for("/moved")) == ("verified", "")
    status, reason = _check(httpserver.url_for("/away"))
    assert status == "unavailable"
    assert reason.startswith("redirected to http://example.com/rent: plain http is fetched")
    status, reason = _check(httpserver.url_for("/file"))
    assert status == "unavailable"
    assert "file" in reason


def test_no_cookie_is_kept_or_sent(httpserver: HTTPServer) -> None:
    seen: list[str | None] = []

    def landing(request: Request) -> Response:
        seen.append(request.headers.get("Cookie"))
        return Response(PAGE, content_type="text/html")

    httpserver.expect_request("/login").respond_with_data(
        "", status=302, headers={"Location": "/landing", "Set-Cookie": "session=abc; Path=/"}
    )
    httpserver.expect_request("/landing").respond_with_handler(landing)
    assert _check(httpserver.url_for("/login")) == ("verified", "")
    assert seen == [None]


def test_a_host_that_is_not_there_is_unavailable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, reason = _check(f"http://127.0.0.1:{port}/x")
    assert status == "unavailable"
    assert reason.startswith("cannot fetch 127.0.0.1:")


@pytest.mark.parametrize(
    ("url", "allow_plain_http", "reason"),
    [
        ("https://example.com/a", False, None),
        ("http://127.0.0.1:8080/a", False, None),
        ("http://localhost/a", False, None),
        ("http://[::1]/a", False, None),
        ("http://example.com/a", False, "plain http is fetched only from this machine"),
        ("http://example.com/a", True, None),
        ("ftp://example.com/a", True, "only http(s) URLs are fetched, not ftp:"),
        ("https:///a", False, "the URL names no host"),
        ("http://[::1/a", False, "not a valid URL"),
        ("https://example.com:port/a", False, "not a valid URL"),
    ],
)
def test_which_urls_may_be_fetched(url: str, allow_plain_http: bool, reason: str | None) -> None:
    refusal = url_refusal(url, FetchPolicy(allowed=True, allow_plain_http=allow_plain_http))
    assert refusal == reason if reason is None else reason in (refusal or "")


def test_a_refused_url_is_never_requested() -> None:
    assert _check("http://example.com/a") == (
        "unavailable",
        "plain http is fetched only from this machine (https is required; see settings)",
    )


def test_international_hosts_are_shown_and_requested_in_punycode(httpserver: HTTPServer) -> None:
    assert display_url("https://b\u00fccher.example:8443/s?q=1") == (
        "https://xn--bcher-kva.example:8443/s?q=1"
    )
    assert display_url("https://example.com/caf\u00e9") == "https://example.com/caf\u00e9"
    httpserver.expect_request("/caf\u00e9").respond_with_data("Caf\u00e9 rent.")
    fetched = fetch(httpserver.url_for("/caf\u00e9"), ALLOWED)
    assert fetched.data == "Caf\u00e9 rent.".encode()
    assert fetched.media_type == "text/plain"


def test_a_status_is_unavailable_not_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/empty").respond_with_data(b"", content_type="text/html")
    assert _check(httpserver.url_for("/empty")) == ("unavailable", "the source is empty")
    check = CitationChecker(SourceAccess(fetch=ALLOWED)).check(
        Citation("c1", "", httpserver.url_for("/empty"), QUOTE)
    )
    assert check.status is CitationStatus.UNAVAILABLE
