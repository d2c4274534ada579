"""How long a hunk takes to read, and whether an accept came faster than that (a rubber stamp).

The reading time is a floor plus a time per changed line (both settings), so a one-line
fix needs a moment and a forty-line hunk needs many. An accept of one hunk on screen for
less than that is flagged in the decision log (`rubber_stamp`) and counted in the stats;
it is still an accept: the flag tells the reviewer about their habits, it decides nothing.
Optionally (a setting, off by default) the window asks first for big hunks.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MS_PER_LINE = 200
DEFAULT_FLOOR_MS = 1000


@dataclass(frozen=True, slots=True)
class ReadingTime:
    ms_per_line: int = DEFAULT_MS_PER_LINE
    floor_ms: int = DEFAULT_FLOOR_MS
    # Above this many changed lines, the window asks "accept without reading?" before a
    # too-fast accept (0: it never asks).
    ask_above_lines: int = 0

    def needed_ms(self, changed_lines: int) -> int:
        """The least time on screen that counts as having read a hunk of this size."""
        return max(self.floor_ms, self.ms_per_line * max(0, changed_lines))

    def too_fast(self, ms_on_screen: int, changed_lines: int) -> bool:
        return ms_on_screen < self.needed_ms(changed_lines)

    def asks(self, ms_on_screen: int, changed_lines: int) -> bool:
        """Ask before this accept: the hunk is big enough to ask about, and unread."""
        return (
            self.ask_above_lines > 0
            and changed_lines > self.ask_above_lines
            and self.too_fast(ms_on_screen, changed_lines)
        )
