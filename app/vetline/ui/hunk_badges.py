"""What a hunk's header row says: its number, its verdict, and what accepting it does.

No Qt here, only words and tones; ui.diff_paint turns tones into the theme's colours.
Every mark is an icon AND a word, so a verdict never rests on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from vetline.core.model import Change, FileStatus, Hunk, HunkKind
from vetline.core.session import HunkState


class Tone(Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    WARNING = "warning"  # a verdict that removes a file
    NOTICE = "notice"  # worth knowing, harmless: a new file, whitespace only


@dataclass(frozen=True, slots=True)
class Badge:
    """A small labelled pill in a hunk's header."""

    text: str
    tone: Tone


ACCEPTED_BADGE = Badge("✓ Accepted", Tone.ACCEPTED)
REJECTED_BADGE = Badge("✗ Rejected", Tone.REJECTED)
EDITED_BADGE = Badge("✎ Edited", Tone.EDITED)
NEW_FILE_BADGE = Badge("new file", Tone.NOTICE)
DELETES_FILE_BADGE = Badge("⚠ deletes the file", Tone.WARNING)
WHITESPACE_ONLY_BADGE = Badge("whitespace only", Tone.NOTICE)

ACCEPT_BUTTON = "✓ Accept"
REJECT_BUTTON = "✗ Reject"

_VERDICT_BADGES = {
    HunkState.ACCEPTED: ACCEPTED_BADGE,
    HunkState.REJECTED: REJECTED_BADGE,
    HunkState.EDITED: EDITED_BADGE,
}


def verdict_badge(state: HunkState) -> Badge | None:
    """The verdict in force; None while the hunk waits for one (pending or skipped)."""
    return _VERDICT_BADGES.get(state)


def state_of(states: Sequence[HunkState], index: int) -> HunkState:
    """The state of hunk `index`; pending when the view was not told."""
    return states[index] if 0 <= index < len(states) else HunkState.PENDING


def file_effect_badge(change: Change | None) -> Badge | None:
    """Says so before a verdict creates or removes a whole file."""
    if change is None:
        return None
    if change.status is FileStatus.DELETED:
        return DELETES_FILE_BADGE
    if change.status in (FileStatus.ADDED, FileStatus.COPIED):
        return NEW_FILE_BADGE
    return None


def header_title(hunk: Hunk, index: int, count: int) -> str:
    """e.g. "Hunk 2 of 3 · lines 10–14 · −1 +2"; the section name from the patch follows."""
    title = f"Hunk {index + 1} of {count}"
    if hunk.kind is not HunkKind.TEXT:
        return title
    # Where the hunk lands in the new file; a hunk that only removes, where it was.
    first, count = (
        (hunk.new_start, hunk.new_lines) if hunk.new_lines else (hunk.old_start, hunk.old_lines)
    )
    last = first + max(count, 1) - 1
    where = f"line {first}" if first == last else f"lines {first}–{last}"
    title = f"{title} · {where} · −{hunk.removed} +{hunk.added}"
    if hunk.section:
        title += f" · {hunk.section.strip()}"
    return title


def header_badges(change: Change | None, hunk: Hunk, *, whitespace_only: bool) -> tuple[Badge, ...]:
    """The facts about a hunk shown beside its title (not its verdict)."""
    badges = []
    effect = file_effect_badge(change)
    if effect is not None and hunk.kind not in (HunkKind.RENAME, HunkKind.COPY, HunkKind.MODE):
        badges.append(effect)
    if whitespace_only:
        badges.append(WHITESPACE_ONLY_BADGE)
    return tuple(badges)
