"""Where a citation's source text comes from: its captured text, a workspace file, a URL.

In that order: text the agent captured with the citation; a path relative to the
workspace (refused if it leaves the workspace, directly or through a link); an http(s)
URL, fetched only when fetching is allowed. Whatever fails is SourceUnavailableError.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from vetline.adapters.files.safety import link_refusal
from vetline.adapters.sources.documents import (
    SourceKind,
    SourceUnavailableError,
    document_text,
    kind_of,
)
from vetline.adapters.sources.fetch import FetchPolicy, display_url, fetch, is_url
from vetline.core.leash import path_refusal
from vetline.core.model import Citation

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source's words, and where they came from (shown beside them, always)."""

    text: str
    kind: SourceKind
    origin: str


@dataclass(frozen=True, slots=True)
class SourceAccess:
    """What a check may read: the workspace's files (less denied paths) and URLs."""

    workspace: Path | None = None
    denied_paths: tuple[str, ...] = ()
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    max_bytes: int = DEFAULT_MAX_BYTES


def source_key(citation: Citation) -> tuple[str, str]:
    """Citations with equal keys share one source (read once)."""
    if citation.source_text is not None:
        return ("captured", citation.source_text)
    locator = citation.locator.strip()
    return ("url", locator) if is_url(locator) else ("path", _relative(locator))


def origin_of(citation: Citation) -> str:
    """Where a citation's source comes from, in words, before (or without) reading it."""
    if citation.source_text is not None:
        return "given inline with the citation"
    locator = citation.locator.strip()
    if is_url(locator):
        return f"URL {display_url(locator)}"
    return f"workspace file {_relative(locator)}"


def workspace_source(citation: Citation, access: SourceAccess) -> Path:
    """The workspace file a citation cites, checked as reading it is (to open it in a
    viewer); raises SourceUnavailableError with why it cannot be."""
    if access.workspace is None:
        raise SourceUnavailableError("no workspace to find the file in")
    relative = _relative(citation.locator.strip()).split("#", 1)[0]
    target, refusal = _safe_target(relative, access)
    if target is None:
        raise SourceUnavailableError(f"{relative}: {refusal}")
    return target


def load_source_text(citation: Citation, access: SourceAccess) -> SourceText:
    """The text `citation` quotes from; raises SourceUnavailableError with the reason."""
    if citation.source_text is not None:
        return _captured(citation.source_text)
    locator = citation.locator.strip()
    if is_url(locator):
        return _fetched(locator, access)
    scheme = urlsplit(locator).scheme
    if len(scheme) > 1:  # "C:" is a drive letter, refused below as an absolute path
        raise SourceUnavailableError(
            f"only http(s) URLs and workspace paths are read, not {scheme}:"
        )
    return _workspace_file(_relative(locator), access)


def _captured(text: str) -> SourceText:
    data = text.encode("utf-8", "surrogatepass")
    if kind_of("", None, data[:4096]) is SourceKind.HTML:
        return SourceText(
            document_text(data, SourceKind.HTML, "utf-8"),
            SourceKind.HTML,
            "given inline with the citation (HTML)",
        )
    if not any(char.isalnum() for char in text):
        raise SourceUnavailableError("the captured source text has no words in it")
    return SourceText(text, SourceKind.TEXT, "given inline with the citation")


def _fetched(url: str, access: SourceAccess) -> SourceText:
    fetched = fetch(url, access.fetch)
    kind = kind_of(urlsplit(fetched.url).path, fetched.media_type, fetched.data)
    text = document_text(fetched.data, kind, fetched.charset)
    return SourceText(text, kind, f"fetched from {display_url(fetched.url)}")


def _relative(locator: str) -> str:
    return locator.replace("\\", "/").removeprefix("./")


def _workspace_file(relative: str, access: SourceAccess) -> SourceText:
    if access.workspace is None:
        raise SourceUnavailableError(f"no workspace to read {relative} from (give --workspace)")
    target, refusal = _safe_target(relative, access)
    if target is None and "#" in relative:  # "notes.md#section": the file before the anchor
        relative = relative.split("#", 1)[0]
        target, refusal = _safe_target(relative, access)
    if target is None:
        raise SourceUnavailableError(f"{relative}: {refusal}")
    try:
        with target.open("rb") as file:
            data = file.read(access.max_bytes + 1)
    except OSError as error:
        raise SourceUnavailableError(f"{relative}: cannot be read ({error.strerror})") from None
    if len(data) > access.max_bytes:
        raise SourceUnavailableError(
            f"{relative}: larger than {access.max_bytes // 1024 // 1024} MB"
        )
    kind = kind_of(relative, None, data)
    try:
        text = document_text(data, kind)
    except SourceUnavailableError as error:
        raise SourceUnavailableError(f"{relative}: {error}") from None
    return SourceText(text, kind, f"workspace file {relative}")


def _safe_target(relative: str, access: SourceAccess) -> tuple[Path | None, str]:
    """The file to read, or None and why not: outside the workspace, a link leaving it,
    a denied path, missing, or not a regular file (a pipe would block the read)."""
    assert access.workspace is not None
    refusal = path_refusal(relative, access.denied_paths)
    if refusal:
        return None, refusal
    root = access.workspace.resolve()
    target = root / relative
    refusal = link_refusal(target, root)
    if refusal:
        return None, refusal
    try:
        info = target.stat()
    except FileNotFoundError:
        return None, "no such file in the workspace"
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    if info.st_size > access.max_bytes:
        return None, f"larger than {access.max_bytes // 1024 // 1024} MB"
    return target, ""
