"""Fetching a cited URL, only when asked: short timeout, size cap, no cookies, no scripts.

https is fetched from anywhere; plain http only from this machine's loopback address
unless the settings allow more, and a redirect is held to the same rule. The standard
library's urllib does the work: it keeps no cookies unless told to, follows redirects
through a handler this module controls, and is not tied to the HTTP client the model
library happens to bring along (which has changed name between its versions).
"""

from __future__ import annotations

import http.client
import ipaddress
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote, urlsplit, urlunsplit

from vetline import __version__
from vetline.adapters.sources.documents import SourceUnavailableError

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
_ACCEPT = "text/html, text/plain, text/markdown, application/xhtml+xml, application/pdf;q=0.9"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What fetching may do; `allowed` False means URLs are never fetched."""

    allowed: bool = False
    timeout_s: float = 10.0
    max_bytes: int = 20 * 1024 * 1024
    allow_plain_http: bool = False  # http:// to hosts other than this machine


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    media_type: str | None  # e.g. "text/html", without parameters
    charset: str | None
    url: str  # where the data came from, after redirects


def is_url(locator: str) -> bool:
    return urlsplit(locator.strip()).scheme.lower() in ("http", "https")


def display_url(url: str) -> str:
    """The URL with an international host name in punycode, as it should be shown
    before opening it: "bücher.example" could pass for a look-alike of another host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.isascii():
        return url
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return url  # not a name IDNA can encode: shown as it is, and never fetched
    userinfo, at, host_port = parts.netloc.rpartition("@")
    _, colon, port = host_port.partition(":")
    netloc = f"{userinfo}{at}{ascii_host}{colon}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _request_url(url: str) -> str:
    """The URL as HTTP sends it: punycode host, non-ASCII path and query percent-encoded."""
    parts = urlsplit(display_url(url))
    return urlunsplit(
        parts._replace(
            path=quote(parts.path, safe=_URL_SAFE),
            query=quote(parts.query, safe=_URL_SAFE + "?"),
            fragment="",
        )
    )


def url_refusal(url: str, policy: FetchPolicy) -> str | None:
    """Why `url` may not be fetched under `policy`, or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as error:
        return f"not a valid URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"only http(s) URLs are fetched, not {scheme or 'this'}:"
    if not host:
        return "the URL names no host"
    if scheme == "http" and not (policy.allow_plain_http or is_loopback(host)):
        return "plain http is fetched only from this machine (https is required; see settings)"
    return None


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """The body at `url`; raises SourceUnavailableError (with why) for anything but success."""
    if not policy.allowed:
        raise SourceUnavailableError("not fetched")
    refusal = url_refusal(url, policy)
    if refusal:
        raise SourceUnavailableError(refusal)
    ascii_url = _request_url(url)
    request = urllib.request.Request(  # noqa: S310  (the scheme is checked above)
        ascii_url,
        headers={
            "User-Agent": f"Vetline/{__version__} (citation check)",
            "Accept": _ACCEPT,
            "Accept-Encoding": "identity",
        },
    )
    host = urlsplit(ascii_url).hostname or ""
    # The loopback never goes through a proxy; other hosts follow the environment's.
    proxies = urllib.request.ProxyHandler({} if is_loopback(host) else None)
    opener = urllib.request.build_opener(proxies, _PolicyRedirects(policy))
    started = time.monotonic()
    try:
        with opener.open(request, timeout=policy.timeout_s) as response:
            return _read(response, policy, started)
    except urllib.error.HTTPError as error:
        raise SourceUnavailableError(f"the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _too_slow(policy) from None
        raise SourceUnavailableError(f"cannot fetch {host}: {reason}") from None
    except TimeoutError:
        raise _too_slow(policy) from None
    except (http.client.HTTPException, OSError, ValueError) as error:
        raise SourceUnavailableError(
            f"cannot fetch {host}: {type(error).__name__}: {error}"
        ) from None


def _read(response: http.client.HTTPResponse, policy: FetchPolicy, started: float) -> Fetched:
    headers = response.headers
    declared = headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_large(policy)
    chunks = _read_capped(response, policy, started)
    return Fetched(
        data=b"".join(chunks),
        media_type=headers.get_content_type() if headers.get("Content-Type") else None,
        charset=headers.get_content_charset(),
        url=response.geturl(),
    )


def _read_capped(stream: IO[bytes], policy: FetchPolicy, started: float) -> list[bytes]:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return chunks
        size += len(chunk)
        if size > policy.max_bytes:
            raise _too_large(policy)
        if time.monotonic() - started > policy.timeout_s:
            raise _too_slow(policy)
        chunks.append(chunk)


def _too_large(policy: FetchPolicy) -> SourceUnavailableError:
    return SourceUnavailableError(f"larger than {policy.max_bytes // (1024 * 1024)} MB")


def _too_slow(policy: FetchPolicy) -> SourceUnavailableError:
    return SourceUnavailableError(f"no complete answer within {policy.timeout_s:g} s")


class _PolicyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the policy would fetch in the first place."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__()
        self.policy = policy

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        refusal = url_refusal(newurl, self.policy)
        if refusal:
            raise SourceUnavailableError(f"redirected to {display_url(newurl)}: {refusal}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
