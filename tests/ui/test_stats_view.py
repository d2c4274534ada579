"""The Stats view: opened with its key over a real log of a few hundred decisions, or empty."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from helpers import HANG_GUARD_MS
from helpers.review_history import build_history
from helpers.review_window import Review
from vetline.adapters.log.stats import stats_of
from vetline.ui.stats_charts import ColumnChart, RateBars
from vetline.ui.stats_view import EMPTY, StatsView

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def labels(view: StatsView) -> dict[str, str]:
    return {label.accessibleName(): label.text() for label in view.findChildren(QLabel)}


def test_the_stats_view_charts_a_reviewers_history(review: Review) -> None:
    build_history(review.log, 180)
    expected = stats_of(review.log)
    assert expected.decisions >= 300
    review.press(Qt.Key.Key_S, CTRL_SHIFT)
    view = review.dialog(StatsView)
    shown = labels(view)
    assert shown["Summary"].startswith(
        f"{expected.decisions} decisions: {expected.accepted} accepted"
    )
    assert f"{expected.rubber_stamps} rubber stamps" in shown["Summary"]
    assert expected.suggested.reason in shown["Suggested level"]
    columns = {chart.title: chart for chart in view.findChildren(ColumnChart)}
    rates = {chart.title: chart for chart in view.findChildren(RateBars)}
    assert len(columns) == 4
    assert set(rates) == {
        "Accepted by agent",
        "Accepted by model",
        "Accepted by autonomy level",
        "Accepted by file type",
    }
    hours = columns["Decisions per hour of the day"]
    assert sum(bar.value for bar in hours.bars) == expected.decisions
    agents = rates["Accepted by agent"]
    assert {bar.label for bar in agents.bars} == set(expected.by_agent)
    sizes = columns["Time on screen against hunk size"]
    assert [bar.label for bar in sizes.bars] == [b.lines for b in expected.time_by_size]
    review.shot("stats-view", view.page)
    review.shot("stats-view-window", view)
    review.qtbot.keyClick(view, Qt.Key.Key_Escape)
    review.qtbot.waitUntil(lambda: not view.isVisible(), timeout=HANG_GUARD_MS)


def test_with_an_empty_log_the_view_says_so(review: Review) -> None:
    review.press(Qt.Key.Key_S, CTRL_SHIFT)
    view = review.dialog(StatsView)
    assert labels(view)["No decisions yet"] == EMPTY
    assert not view.findChildren(ColumnChart)
    review.shot("stats-view-empty", view)
    view.reject()
