"""Pagination for the reading-list service: pages of entries and their titles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


def page_count(total: int, page_size: int = DEFAULT_PAGE_SIZE) -> int:
    """How many pages `total` entries fill (at least one, so page 1 always exists)."""
    return max(1, (total + page_size - 1) // page_size)


def paginate(items: Sequence[T], page: int, page_size: int = DEFAULT_PAGE_SIZE) -> list[T]:
    """The entries on `page`, numbered from 1 as the page links are."""
    if page < 1:
        raise ValueError(f"pages start at 1, not {page}")
    start = page * page_size
    return list(items[start : start + page_size])


def page_links(total: int, current: int, page_size: int = DEFAULT_PAGE_SIZE) -> list[str]:
    """Labels for the page links, the current page in brackets."""
    return [
        f"[{number}]" if number == current else str(number)
        for number in range(1, page_count(total, page_size) + 1)
    ]


def entry_title(entry: Mapping[str, str] | None) -> str:
    """The title shown for an entry; imported entries may have none."""
    return entry.get("title", "").strip() or "(untitled)"
