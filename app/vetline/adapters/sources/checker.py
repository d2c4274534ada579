"""Citations checked against their sources, each source read and normalised once.

The one entry point for the command line and the window: make a CitationChecker with
what it may read, then call `check` per citation (or iterate `check_all`) — in a worker,
since reading a URL or a PDF takes time — and hand each result on as it comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vetline.adapters.sources.documents import SourceUnavailableError
from vetline.adapters.sources.fetch import FetchPolicy, display_url, is_url
from vetline.adapters.sources.loader import (
    SourceAccess,
    SourceText,
    load_source_text,
    origin_of,
    source_key,
)
from vetline.core.citations import CitationCheck, PreparedSource, check_quote, prepare_source
from vetline.core.model import Citation
from vetline.core.settings import Settings

# Characters of source text shown around a passage: enough to read it in context, little
# enough to hand from the worker to the window for a 10 MB source.
EXCERPT_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class CheckedCitation:
    """A check with what the window shows beside it: where the source came from, and the
    source text around the passage (spans in `check` are shifted by `excerpt_start`)."""

    check: CitationCheck
    origin: str
    excerpt: str = ""
    excerpt_start: int = 0  # where `excerpt` starts in the source text as given


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

    def check_shown(self, citation: Citation, room: int = EXCERPT_CHARS) -> CheckedCitation:
        """The check, its source's origin, and the source text around the passage."""
        try:
            source, prepared = self.source(citation)
        except SourceUnavailableError as error:
            return CheckedCitation(CitationCheck.unavailable(str(error)), origin_of(citation))
        check = check_quote(citation.quote, prepared)
        middle = check.source_span[0] if check.source_span is not None else 0
        start = max(0, min(middle - room // 2, len(source.text) - room))
        return CheckedCitation(check, source.origin, source.text[start : start + room], start)


def checked_citations(
    citations: Sequence[Citation], settings: Settings, workspace: str | None, *, fetch: bool
) -> list[CheckedCitation]:
    """Each citation checked as the window shows it (run in a worker)."""
    root = Path(workspace) if workspace else None
    checker = CitationChecker(source_access(settings, root, fetch=fetch))
    return [checker.check_shown(citation) for citation in citations]


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
