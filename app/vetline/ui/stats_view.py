"""The Stats view: the reviewer's own numbers from the decision log, as charts read in seconds.

The figures are core.review_stats's, the same as `vetline log stats`: decisions per hour
and per day, acceptance by agent, model, level and file type, time on screen against hunk
size, the share rejected at each level, rubber stamps, and the suggested level with its
reason. An empty log says so instead of drawing empty charts. The log is read on the
I/O lane, so a long history never holds up the window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vetline.adapters.log.stats import stats_of
from vetline.core.errors import VetlineError
from vetline.core.hidden_text import escape_hidden
from vetline.core.leash import Level
from vetline.core.review_stats import Group, ReviewStats
from vetline.ui.plain_text import name_buttons, plain_label
from vetline.ui.stats_charts import Bar, ColumnChart, RateBars
from vetline.ui.theme import diff_theme

if TYPE_CHECKING:
    from vetline.ui.main_window import MainWindow

DAYS_SHOWN = 31
EMPTY = "No decisions in the log yet: your numbers appear here once you have reviewed."


class StatsView(QDialog):
    """Read-only: the charts in a scrolling page; Escape or Close hides it."""

    def __init__(self, stats: ReviewStats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsView")
        self.setWindowTitle("Your numbers")
        self.setAccessibleName("Your numbers")
        self.stats = stats
        self.page = QWidget(self)
        self.page.setObjectName("statsPage")
        self.page.setAccessibleName("Statistics")
        self.charts: dict[str, QWidget] = {}
        grid = QGridLayout(self.page)
        grid.setSpacing(12)
        if stats.decisions:
            self._fill(grid)
        else:
            grid.addWidget(plain_label(EMPTY, self.page, "No decisions yet"), 0, 0)
            grid.setRowStretch(1, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        line = self.fontMetrics().lineSpacing()
        room = parent.size() if parent is not None else None
        width, height = line * 60, line * 60
        if room is not None:  # as much as fits over the window, scrolling for the rest
            width, height = min(width, room.width()), min(height, room.height())
        self.resize(width, height)

    def _fill(self, grid: QGridLayout) -> None:
        stats = self.stats
        theme = diff_theme(self.palette())
        summary = (
            f"{stats.decisions} decisions: {stats.accepted} accepted, {stats.rejected} rejected,"
            f" {stats.edited} edited · {stats.undone} undone · {stats.rubber_stamps} rubber"
            f" stamp{'s' if stats.rubber_stamps != 1 else ''} (accepted faster than the"
            " reading time)"
        )
        grid.addWidget(plain_label(summary, self.page, "Summary"), 0, 0, 1, 2)
        suggested = stats.suggested
        level = (
            f"Suggested level: {suggested.level} ({Level(suggested.level).title})"
            if suggested.level is not None
            else "Suggested level: none yet"
        )
        self.suggestion = plain_label(f"{level}\n{suggested.reason}", self.page, "Suggested level")
        bold = self.suggestion.font()
        bold.setBold(True)
        self.suggestion.setFont(bold)
        grid.addWidget(self.suggestion, 1, 0, 1, 2)
        accent = theme.current_bar
        hours = self._columns(
            "Decisions per hour of the day",
            "hour of the day",
            "decisions",
            accent,
            [Bar(f"{hour}", count, str(count)) for hour, count in enumerate(stats.per_hour)],
        )
        day_bars, cut = _day_bars(stats.per_day)
        days = self._columns(
            f"Decisions per day (the last {DAYS_SHOWN})" if cut else "Decisions per day",
            "day (month-day)",
            "decisions",
            accent,
            day_bars,
        )
        sizes = self._columns(
            "Time on screen against hunk size",
            "changed lines in the hunk",
            "median seconds",
            theme.edited,
            [
                Bar(bucket.lines, bucket.median_ms / 1000, f"n={bucket.n}")
                for bucket in stats.time_by_size
            ],
            tick_text=lambda value: f"{value:g} s",
        )
        rejected = self._columns(
            "Share of hunks rejected at each level",
            "autonomy level",
            "rejected",
            theme.rejected,
            [
                Bar(f"{level} {Level(level).title}", group.reject_rate, f"{group.reject_rate:.0%}")
                for level, group in stats.by_level.items()
                if level in tuple(Level)
            ],
            tick_text=lambda value: f"{value:.0%}",
        )
        by_level = {
            f"{level} {Level(level).title}" if level in tuple(Level) else str(level): group
            for level, group in stats.by_level.items()
        }
        rates = [
            ("Accepted by agent", stats.by_agent),
            ("Accepted by model", stats.by_model),
            ("Accepted by autonomy level", by_level),
            ("Accepted by file type", stats.by_extension),
        ]
        rate_charts = [self._rates(title, groups, theme.accepted) for title, groups in rates]
        for row, (left, right) in enumerate(
            [
                (hours, days),
                (sizes, rejected),
                *zip(rate_charts[::2], rate_charts[1::2], strict=True),
            ],
            start=2,
        ):
            grid.addWidget(left, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(right, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.setRowStretch(grid.rowCount(), 1)

    def _columns(
        self,
        title: str,
        x_title: str,
        y_title: str,
        colour: QColor,
        bars: list[Bar],
        tick_text: Callable[[float], str] = lambda value: f"{value:g}",
    ) -> ColumnChart:
        chart = ColumnChart(title, x_title, y_title, colour, self.page, tick_text=tick_text)
        chart.set_bars(bars)
        self.charts[title] = chart
        return chart

    def _rates(self, title: str, groups: Mapping[str, Group], colour: QColor) -> RateBars:
        chart = RateBars(title, "share accepted as proposed", colour, self.page)
        chart.set_bars(
            [
                Bar(
                    escape_hidden(name),
                    group.accept_rate,
                    f"{group.accept_rate:.0%} of {group.decisions}",
                )
                for name, group in groups.items()
            ]
        )
        self.charts[title] = chart
        return chart


def _day_bars(per_day: tuple[tuple[str, int], ...]) -> tuple[list[Bar], bool]:
    """Every day from the first to the last with work (quiet days too), the last 31 at most;
    and whether older days were left out."""
    if not per_day:
        return [], False
    counts = dict(per_day)
    last = date.fromisoformat(per_day[-1][0])
    oldest = date.fromisoformat(per_day[0][0])
    first = max(oldest, last - timedelta(days=DAYS_SHOWN - 1))
    bars = []
    day = first
    while day <= last:
        count = counts.get(day.isoformat(), 0)
        bars.append(Bar(day.strftime("%m-%d"), count, str(count)))
        day += timedelta(days=1)
    return bars, first > oldest


def open_stats(window: MainWindow) -> None:
    """Read the whole log on the I/O lane (it may be long), then show the Stats view."""
    controller = window.controller

    async def show() -> None:
        try:
            stats = await controller.gateway.serial(stats_of, controller.log)
        except VetlineError as error:
            controller.problem.emit(f"Cannot show your numbers: {error}")
            return
        window.prompts.open_dialog(StatsView(stats, window))

    controller.start(show())
