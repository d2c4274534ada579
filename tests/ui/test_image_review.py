"""An image change in the window: the image view instead of the diff, keys 1–4 for its
modes, one region accepted and one rejected, and exactly the accepted pixels written."""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from helpers.images import encode, picture, rgba
from helpers.review_window import WAIT_MS, Review
from vetline.adapters.inputs import load_bytes
from vetline.core.model import HunkKind, Proposal
from vetline.ui.image_view import ImageMode

CTRL = Qt.KeyboardModifier.ControlModifier


def propose_image(review: Review, path: str, before: bytes, after: bytes, title: str) -> Proposal:
    """`before` in the workspace, a proposal JSON replacing it by `after`, shown in the window."""
    (review.workspace / path).write_bytes(before)
    document = {
        "title": title,
        "changes": [
            {
                "path": path,
                "base_sha256": hashlib.sha256(before).hexdigest(),
                "new_base64": base64.b64encode(after).decode(),
            }
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "image.json", review.workspace)
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to(proposal.id)
    return proposal


def test_an_image_change_is_reviewed_region_by_region_in_the_window(review: Review) -> None:
    before_pixels = picture(64, 48)
    after_pixels = before_pixels.copy()
    after_pixels[4:10, 4:10] = [255, 0, 0]  # two separate edits: two regions
    after_pixels[30:40, 40:56] = [0, 0, 255]
    before, after = encode(before_pixels, "PNG"), encode(after_pixels, "PNG")
    proposal = propose_image(review, "logo.png", before, after, "Recolour the logo")
    window = review.window
    assert window.view_pages.currentWidget() is window.image_view
    items = [i for i in review.controller.session.items if i.proposal.id == proposal.id]
    assert [item.hunk.kind for item in items] == [HunkKind.IMAGE_REGION] * 2

    review.press(Qt.Key.Key_4)  # difference mode, from the command registry's key
    assert window.image_view.mode() is ImageMode.DIFFERENCE
    review.qtbot.waitUntil(lambda: window.image_view.pair is not None, timeout=WAIT_MS)
    review.shot("34-image-difference")

    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # the first region
    review.press_and_wait(Qt.Key.Key_N, CTRL)  # not the second
    written = rgba((review.workspace / "logo.png").read_bytes())
    expected = rgba(before).copy()
    expected[4:10, 4:10] = rgba(after)[4:10, 4:10]
    assert np.array_equal(written, expected)
    assert [row["verdict"] for row in review.rows()] == ["accepted", "rejected"]

    review.go_to("demo-pager-fix")  # a text hunk: the diff comes back
    assert window.view_pages.currentWidget() is window.diff


def settings_screen(accent: str, caption: str, level_step: bool = False) -> np.ndarray:
    """A real screenshot: a small settings form drawn by Qt, as RGBA pixels."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QPushButton, QWidget

    form = QWidget()
    form.setStyleSheet("QWidget { background: #f4f4f4; color: #202020; font-size: 14px; }")
    layout = QFormLayout(form)
    layout.addRow("Name", QLineEdit("Vetline"))
    layout.addRow("Email", QLineEdit("review@example.com"))
    layout.addRow("", QCheckBox(caption))
    button = QPushButton("Save changes")
    button.setStyleSheet(f"background: {accent}; color: white; padding: 8px 24px;")
    layout.addRow("", button)
    form.resize(480, 220)
    image = form.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    form.deleteLater()
    pixels = (
        np.frombuffer(image.constBits(), np.uint8)
        .reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width()]
        .copy()
    )
    if level_step:  # a one-level change the eye cannot see, in the top-left corner
        pixels[4:24, 4:40, 2] ^= 1
    return pixels


def test_in_the_window_j_k_walk_the_regions_and_the_image_keys_work(review: Review) -> None:
    before_pixels = settings_screen("#1565c0", "Send me the weekly digest")
    after_pixels = settings_screen("#2e7d32", "Send me the daily digest", level_step=True)
    assert before_pixels.shape == after_pixels.shape
    before, after = encode(before_pixels, "PNG"), encode(after_pixels, "PNG")
    proposal = propose_image(review, "settings.png", before, after, "Green button, daily digest")
    window = review.window
    view = window.image_view
    review.qtbot.waitUntil(lambda: view.pair is not None, timeout=WAIT_MS)
    items = [i for i in review.controller.session.items if i.proposal.id == proposal.id]
    assert len(items) >= 2 and all(i.hunk.kind is HunkKind.IMAGE_REGION for i in items)
    assert view.current_region() == 0
    assert "visibly" in view.counts.text()
    review.shot("36-image-window-difference")

    review.press(Qt.Key.Key_Z)  # 1:1, then 4:1: most of the picture is out of view
    for _ in range(8):
        review.press(Qt.Key.Key_Plus)
    assert view.canvas.zoom == pytest.approx(4.0)
    canvas = view.canvas
    pane = canvas.panes()[0]
    review.press(Qt.Key.Key_J)  # the next item is the next region: outlined, in view
    assert review.controller.current is items[1]
    assert view.current_region() == 1
    assert pane.contains(canvas.box_rect(view.regions[1], pane))
    assert canvas.zoom < 4.0  # the caption and button together are wider than the pane
    review.press(Qt.Key.Key_K)
    assert review.controller.current is items[0]
    review.press(Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # wraps within the image
    assert review.controller.current is items[-1]
    assert view.current_region() == len(items) - 1
    review.press(Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    assert review.controller.current is items[0]

    centre = QPointF(canvas.centre)
    review.press(Qt.Key.Key_Left)
    review.press(Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.centre.x() < centre.x() and canvas.centre.y() > centre.y()
    review.press(Qt.Key.Key_Down)  # Down is still the next hunk, never a pan
    assert review.controller.current is items[1]

    review.press(Qt.Key.Key_F)
    for key, name in ((Qt.Key.Key_1, "1-side-by-side"), (Qt.Key.Key_3, "3-onion-skin")):
        review.press(key)
        review.shot(f"36-image-window-{name}")
    review.press(Qt.Key.Key_Comma)  # the divider: swipe, and more of the after-image
    assert view.mode() is ImageMode.SWIPE and canvas.swipe == pytest.approx(0.45)
    review.shot("36-image-window-2-swipe")

    review.press(Qt.Key.Key_4)
    review.press(Qt.Key.Key_Z)  # 1:1 over the button, the pointer on a changed pixel
    box = view.regions[view.current_region() or 0]
    spot = canvas.to_view(QPointF(box.x + box.width / 2 + 0.5, box.y + box.height / 2 + 0.5), pane)
    review.qtbot.mouseMove(canvas, spot.toPoint())
    x, y = canvas.pixel_at(spot)  # type: ignore[misc]
    red, green, blue, alpha = (int(v) for v in after_pixels[y, x])
    assert view.readout.text().endswith(f"after {red}, {green}, {blue}, {alpha}")
    review.shot("36-image-window-4-difference-1to1-readout")


SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32" viewBox="0 0 64 32">
  <rect x="0" y="0" width="64" height="32" fill="#ffffff"/>
  <circle cx="16" cy="16" r="10" fill="{left}"/>
  <rect x="36" y="6" width="20" height="20" fill="#888888"/>
</svg>
"""


def test_an_svg_is_reviewed_as_text_and_drawn_on_the_image_keys(review: Review) -> None:
    before, after = SVG.format(left="#1565c0"), SVG.format(left="#c62828")
    (review.workspace / "icon.svg").write_text(before, encoding="utf-8")
    document = {"title": "Red dot", "changes": [{"path": "icon.svg", "base": before, "new": after}]}
    (proposal,) = load_bytes(json.dumps(document).encode(), "svg.json", review.workspace)
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to(proposal.id)
    window = review.window
    assert window.view_pages.currentWidget() is window.diff  # text, with text hunks
    assert review.controller.current.hunk.kind is HunkKind.TEXT
    actions = window.command_actions
    assert not actions["image.pan_left"].isEnabled()  # the arrows stay the text's
    assert actions["image.difference"].isEnabled()

    review.press(Qt.Key.Key_4)
    view = window.image_view
    assert actions["image.pan_left"].isEnabled()
    assert window.view_pages.currentWidget() is view
    review.qtbot.waitUntil(lambda: view.pair is not None, timeout=WAIT_MS)
    assert view.pair is not None and view.pair.problem == ""
    assert view.facts.text().startswith("icon.svg · SVG 512×256 · drawn from its text")
    assert [tuple(box) for box in view.regions] == [(48, 48, 160, 160)]  # the dot, drawn at 8:1
    review.press(Qt.Key.Key_1)
    review.shot("37-svg-drawn-side-by-side")

    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # the text hunk: the text is written
    assert (review.workspace / "icon.svg").read_text(encoding="utf-8") == after
    assert window.view_pages.currentWidget() is window.diff
