"""Citations checked against their sources, each source read and normalised once.

The one entry point for the command line and the window: make a CitationChecker with
what it may read, then call `check` per citation (or iterate `check_all`) — in a worker,
since reading a URL or a PDF takes time — and hand each result on as it comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vetline.adapters.sources.documents import SourceUnavailableError
from vetline.adapters.sources.fetch import FetchPolicy, display_url, is_url
from vetline.adapters.sources.loader import SourceAccess, SourceText, load_source_text, source_key
from vetline.core.citations import CitationCheck, PreparedSource, check_quote, prepare_source
from vetline.core.model import Citation
from vetline.core.settings import Settings


class CitationChecker:
    """Checks citations, remembering each source (or why it is unavailable) by its key.

    Not thread-safe: give each worker its own.
    """

    def __init__(self, access: SourceAccess) -> None:
        self.access = access
        self._sources: dict[tuple[str, str], tuple[SourceText, PreparedSource] | str] = {}

    def source(self, citation: Citation) -> tuple[SourceText, PreparedSource]:
        """The citation's source text, prepared; raises SourceUnavailableError with why."""
        key = source_key(citation)
        if key not in self._sources:
            try:
                text = load_source_text(citation, self.access)
                self._sources[key] = (text, prepare_source(text.text))
            except SourceUnavailableError as error:
                self._sources[key] = str(error)
        found = self._sources[key]
        if isinstance(found, str):
            raise SourceUnavailableError(found)
        return found

    def check(self, citation: Citation) -> CitationCheck:
        try:
            _, prepared = self.source(citation)
        except SourceUnavailableError as error:
            return CitationCheck.unavailable(str(error))
        return check_quote(citation.quote, prepared)

    def check_all(self, citations: Iterable[Citation]) -> Iterator[tuple[Citation, CitationCheck]]:
        for citation in citations:
            yield citation, self.check(citation)


def source_access(settings: Settings, workspace: Path | None, *, fetch: bool) -> SourceAccess:
    """What a check may read under the user's settings; URLs only when `fetch`."""
    max_bytes = settings["sources.max_source_mb"] * 1024 * 1024
    return SourceAccess(
        workspace=workspace,
        denied_paths=tuple(settings["leash.denied_paths"]),
        fetch=FetchPolicy(
            allowed=fetch,
            timeout_s=float(settings["sources.fetch_timeout_s"]),
            max_bytes=max_bytes,
            allow_plain_http=settings["sources.allow_plain_http"],
        ),
        max_bytes=max_bytes,
    )


def urls_to_fetch(citations: Iterable[Citation]) -> list[str]:
    """The URLs a check would fetch (punycode hosts), each once, in order: what to show
    the reviewer before asking whether to fetch them."""
    seen: dict[str, None] = {}
    for citation in citations:
        if citation.source_text is None and is_url(citation.locator.strip()):
            seen.setdefault(display_url(citation.locator.strip()))
    return list(seen)


def check_json(citation: Citation, check: CitationCheck) -> dict[str, Any]:
    """One citation's result as `vetline check --json` prints it."""
    return {
        "id": citation.id,
        "status": str(check.status),
        "score": check.score,
        "source_offset": check.source_offset,
        "critical": check.critical,
        "differences": [
            {"quote": difference.quote, "source": difference.source}
            for difference in check.differences
        ],
        "reason": check.reason,
    }
