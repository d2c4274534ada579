"""Citations in the window: decided with the hunk keys, a cited answer shown as plain text
with its markers, the source with the passage highlighted, opening and fetching sources,
and the leash's citations-first rule. Real keys, a real log, a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review, open_proposals_review
from vetline.core.model import Citation, Proposal
from vetline.core.settings import settings_from_document
from vetline.ui.citation_view import CitationView
from vetline.ui.sources_panel import SourcesPanel

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
SURVEY = (
    "Survey notes.\n\n"
    "The survey of 412 readers found that most pages load in under 2 seconds. "
    "Readers said the layout was clear and the search was quick to use. "
    "Nobody asked for a dark theme, and the newsletter was never mentioned.\n"
)
# Markdown with a link, emphasis and a tag: all of it must stay text.
ANSWER = (
    "**Speed.** Most pages load in under 2 seconds [1], and readers found the layout "
    "plain [2]. Some say under 20 seconds [3]. Colours were liked [4], and the "
    "[press page](https://example.org/press) agrees [5]. <b>approve everything</b>\n"
)
CITATIONS = (
    Citation("1", "Survey", "notes/survey.md", "most pages load in under 2 seconds"),
    Citation("2", "Survey", "notes/survey.md", "Readers said the layout was plain"),
    Citation("3", "Survey", "notes/survey.md", "most pages load in under 20 seconds"),
    Citation("4", "Survey", "notes/survey.md", "the colours were liked by all of them"),
    Citation("5", "Press", "https://bücher.example/press", "approve everything"),
)


def cited_answer() -> Proposal:
    return Proposal("answer", "How fast are the pages?", (), answer=ANSWER, citations=CITATIONS)


def cited_edit() -> Proposal:
    old = "Speed\n"
    proposal = proposal_of(
        text_change("notes/speed.md", old, old + "Pages load in under 2 seconds.\n"),
        proposal_id="edit",
    )
    hunk_id = proposal.hunks[0].id
    backing = Citation("s1", "Survey", "notes/survey.md", CITATIONS[0].quote, hunk_id=hunk_id)
    return Proposal("edit", "Speed note", proposal.changes, citations=(backing,))


def workspace_with_sources(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    (workspace / "notes").mkdir(parents=True)
    (workspace / "notes" / "survey.md").write_text(SURVEY, encoding="utf-8")
    (workspace / "notes" / "speed.md").write_text("Speed\n", encoding="utf-8")
    return workspace


@pytest.fixture
def answered(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    workspace = workspace_with_sources(tmp_path)
    yield from open_proposals_review(qtbot, tmp_path, [cited_answer(), cited_edit()], workspace)


def panel_of(review: Review) -> SourcesPanel:
    return review.window.details.sources


def view_of(review: Review) -> CitationView:
    return review.window.citation_view


def wait_checked(review: Review) -> None:
    panel = panel_of(review)
    review.qtbot.waitUntil(
        lambda: panel.statuses() and not any("checking…" in w for w in panel.statuses()),
        timeout=WAIT_MS,
    )


def test_a_cited_answer_is_plain_text_with_its_markers_and_every_status(
    answered: Review,
) -> None:
    review = answered
    wait_checked(review)
    view = view_of(review)
    assert review.window.view_pages.currentWidget() is view
    assert view.answer.toPlainText() == ANSWER  # the Markdown as written: nothing rendered
    marked = [
        view.answer.toPlainText()[s.cursor.selectionStart() : s.cursor.selectionEnd()]
        for s in view.answer.extraSelections()
    ]
    assert marked == ["[1]", "[2]", "[3]", "[4]", "[5]"]
    verified, approximate, critical, missing, unavailable = panel_of(review).statuses()
    assert "verified" in verified and "source: workspace file notes/survey.md" in verified
    assert "approximate: close, but words differ" in approximate
    assert "CRITICAL" in critical and "quote “20” · source “2”" in critical
    assert "not found in the source" in missing
    assert "source unavailable" in unavailable and "not fetched" in unavailable
    assert "URL https://xn--bcher-kva.example/press" in unavailable
    review.shot("50-cited-answer")
    names = ["verified", "approximate", "approximate-critical", "not-found", "unavailable"]
    for number, name in enumerate(names, start=1):
        assert panel_of(review).selected_rows() == [number - 1]
        assert f"[{number}]" in review.window.file_header.text()
        review.shot(f"51-citation-{number}-{name}")
        review.shot(f"52-sources-panel-{number}-{name}", panel_of(review))
        if number < len(names):
            review.press(Qt.Key.Key_J)


def test_an_approximate_quote_is_shown_above_its_passage_with_the_differences_marked(
    answered: Review,
) -> None:
    review = answered
    wait_checked(review)
    review.go_to("answer", 3)
    view = view_of(review)
    assert view.comparison.isVisible() and view.legend.isVisible()
    quote_line, source_line = view.comparison.toPlainText().splitlines()
    assert quote_line.endswith(CITATIONS[2].quote)
    assert source_line.endswith("most pages load in under 2 seconds")
    marked = {
        view.comparison.toPlainText()[
            s.cursor.selectionStart() : s.cursor.selectionEnd()
        ]: s.format.fontUnderline()
        for s in view.comparison.extraSelections()
    }
    assert marked == {"20": True, "2": True}  # critical: bold and underlined, not colour only
    passage = view.source.extraSelections()[0]
    text = view.source.toPlainText()
    assert text[passage.cursor.selectionStart() : passage.cursor.selectionEnd()] == (
        "most pages load in under 2 seconds"
    )
    assert view.source.cursorRect().intersects(view.source.viewport().rect())  # in view
    review.go_to("answer", 1)
    assert not view.comparison.isVisible()


def test_citations_are_decided_with_the_hunk_keys_logged_and_undone(answered: Review) -> None:
    review = answered
    wait_checked(review)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    presets = [panel.presets.item(row).text() for row in range(panel.presets.count())]
    assert presets[:4] == ["not in source", "misquoted", "does not support", "source unreliable"]
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Down)  # "misquoted"
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(panel.presets, Qt.Key.Key_Return)
    rows = review.rows()
    assert [(r["kind"], r["hunk_id"], r["verdict"], r["reason"]) for r in rows] == [
        ("citation", "1", "accepted", ""),
        ("citation", "2", "rejected", "misquoted"),
    ]
    assert rows[0]["path"] == "notes/survey.md"
    session = review.controller.session
    assert session.decided_count == 2
    review.press_and_wait(Qt.Key.Key_Z, CTRL)
    assert review.rows()[-1]["verdict"] == "undone" and review.rows()[-1]["kind"] == "citation"
    assert session.decided_count == 1
    assert session.current is not None and session.current.item_id == "2"
    assert not (review.workspace / "notes" / "answer").exists()
    assert (review.workspace / "notes" / "speed.md").read_text() == "Speed\n"  # nothing written


def test_choosing_a_row_a_marker_or_a_hunk_selects_the_other(answered: Review) -> None:
    review = answered
    wait_checked(review)
    panel = panel_of(review)
    row = panel.list.visualItemRect(panel.list.item(3)).center()
    review.qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=row)
    assert review.controller.current.item_id == "4"
    assert panel.selected_rows() == [3]
    view = view_of(review)
    marker = ANSWER.index("[2]") + 1
    cursor = view.answer.textCursor()
    cursor.setPosition(marker)
    spot = view.answer.cursorRect(cursor).center()
    review.qtbot.mouseClick(view.answer.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert review.controller.current.item_id == "2"
    assert panel.selected_rows() == [1]
    current = [s for s in view.answer.extraSelections() if s.format.fontUnderline()]
    assert [ANSWER[s.cursor.selectionStart() : s.cursor.selectionEnd()] for s in current] == ["[2]"]
    review.go_to("edit", 1)  # the hunk: the citation backing it is selected
    assert review.window.view_pages.currentWidget() is review.window.diff
    review.qtbot.waitUntil(lambda: panel.selected_rows() == [0], timeout=WAIT_MS)
    review.press(Qt.Key.Key_J)  # its citation: the claim names the hunk
    assert review.controller.current.item_id == "s1"
    assert "Cited for a hunk of notes/speed.md" in view.answer.toPlainText()
    wait_checked(review)


class Opened(QObject):
    """Stands in for the desktop: records what Qt was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


@pytest.fixture
def opened() -> Iterator[Opened]:
    catcher = Opened()
    for scheme in ("file", "https", "http"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    yield catcher
    for scheme in ("file", "https", "http"):
        QDesktopServices.unsetUrlHandler(scheme)


def test_one_key_opens_a_file_source_and_a_url_only_after_showing_it(
    answered: Review, opened: Opened
) -> None:
    review = answered
    wait_checked(review)
    review.press(Qt.Key.Key_G)
    review.qtbot.waitUntil(lambda: len(opened.urls) == 1, timeout=WAIT_MS)
    assert opened.urls[0].endswith("/workspace/notes/survey.md")
    review.go_to("answer", 5)
    review.press(Qt.Key.Key_G)
    box = review.dialog(QMessageBox)
    assert box.objectName() == "confirmOpenUrl"
    assert "https://xn--bcher-kva.example/press" in box.text()
    assert "bücher" not in box.text()
    review.shot("53-open-url-confirm", box)
    assert len(opened.urls) == 1  # nothing opened before the yes
    box.accept()
    review.qtbot.waitUntil(lambda: len(opened.urls) == 2, timeout=WAIT_MS)
    assert opened.urls[1] == "https://xn--bcher-kva.example/press"


@pytest.fixture
def fetching(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, httpserver: HTTPServer
) -> Iterator[tuple[Review, HTTPServer]]:
    httpserver.expect_request("/page.html").respond_with_data(
        "<html><body><script>alert(1)</script><p>Tea was first drunk in China.</p></body></html>",
        content_type="text/html",
    )
    url = httpserver.url_for("/page.html")
    proposal = Proposal(
        "fetched",
        "Tea",
        (),
        answer="Tea came from China [1].",
        citations=(Citation("1", "Tea page", url, "Tea was first drunk in China"),),
    )
    workspace = workspace_with_sources(tmp_path)
    for review in open_proposals_review(qtbot, tmp_path, [proposal], workspace):
        yield review, httpserver


def test_fetching_cited_urls_shows_the_hosts_first_then_checks_again(
    fetching: tuple[Review, HTTPServer],
) -> None:
    review, server = fetching
    wait_checked(review)
    (before,) = panel_of(review).statuses()
    assert "not fetched" in before and not server.log
    review.press(Qt.Key.Key_U, CTRL | SHIFT)
    box = review.dialog(QMessageBox)
    assert box.objectName() == "confirmFetch" and "• localhost" in box.text()
    assert not server.log  # asked first
    review.shot("54-fetch-confirm", box)
    box.accept()
    review.qtbot.waitUntil(lambda: "verified" in panel_of(review).statuses()[0], timeout=WAIT_MS)
    assert len(server.log) == 1
    assert "fetched from http://localhost" in panel_of(review).statuses()[0]
    assert "alert" not in view_of(review).source.toPlainText()  # scripts are dropped, not run


@pytest.fixture
def leashed(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    settings = settings_from_document({"leash": {"citations_first": True}})
    workspace = workspace_with_sources(tmp_path)
    yield from open_proposals_review(qtbot, tmp_path, [cited_edit()], workspace, settings)


def test_the_leash_can_ask_for_every_citation_before_accepting_the_rest(
    leashed: Review,
) -> None:
    review = leashed
    wait_checked(review)
    review.press(Qt.Key.Key_Return, CTRL)
    banner = review.window.banner
    review.qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    said = banner.accessibleDescription()
    assert "every citation to be decided first" in said and "[1]" in said
    assert "Accept the rest waits" in review.window.details.leash.body.text()
    review.shot("55-leash-citations-first")
    assert QApplication.activeModalWidget() is None and review.rows() == []
    review.press(Qt.Key.Key_J)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # the source supports it
    review.go_to("edit", 1)
    assert "Accept the rest waits" not in review.window.details.leash.body.text()
    review.press(Qt.Key.Key_Return, CTRL)
    box = review.dialog(QMessageBox)
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        box.accept()
    assert [(r["kind"], r["verdict"]) for r in review.rows()] == [
        ("citation", "accepted"),
        ("hunk", "accepted"),
    ]
    assert "Pages load" in (review.workspace / "notes" / "speed.md").read_text()
    finished = review.window.finished
    review.qtbot.waitUntil(finished.isVisible, timeout=WAIT_MS)
    assert finished.title.text() == "All 1 hunk and 1 citation decided"
    assert "Citations: ✓ 1 supported by their source, ✗ 0 not" in finished.figures.text()


@pytest.fixture
def hiding(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    source = "Intro \u202egnirts\u202c text. The dose was 5 mg per day for adults.\n"
    proposal = Proposal(
        "hidden",
        "Dose",
        (),
        answer="The dose\u200b is 50 mg [1].",
        citations=(Citation("1", "Leaflet", "", "The dose was 50 mg per day", source_text=source),),
    )
    yield from open_proposals_review(qtbot, tmp_path, [proposal], workspace_with_sources(tmp_path))


def test_hidden_characters_in_an_answer_or_a_source_are_shown_not_obeyed(hiding: Review) -> None:
    review = hiding
    wait_checked(review)
    view = view_of(review)
    assert view.answer.toPlainText() == "The dose⟨U+200B⟩ is 50 mg [1]."
    (marker,) = view.answer.extraSelections()
    assert marker.cursor.selectedText() == "[1]"
    assert "⟨U+202E⟩gnirts⟨U+202C⟩" in view.source.toPlainText()
    passage = view.source.extraSelections()[0]
    assert passage.cursor.selectedText() == "The dose was 5 mg per day"
    marked = [s.cursor.selectedText() for s in view.comparison.extraSelections()]
    assert marked == ["50", "5"]
    assert "given inline with the citation" in panel_of(review).statuses()[0]
    review.shot("56-hidden-characters-shown")
