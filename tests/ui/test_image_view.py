"""The image view on real image pairs, driven by real key and mouse events; screenshots of
each mode are saved to test-artifacts/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.images import encode, picture, rgba
from vetline.core.commands import DEFAULT_KEYMAP
from vetline.ui.image_canvas import ANNOTATION_COLOUR, ImageMode
from vetline.ui.image_commands import add_view_actions
from vetline.ui.image_layers import INVISIBLE_COLOUR, VISIBLE_COLOUR
from vetline.ui.image_view import ImagePairView

pytestmark = pytest.mark.gui

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

BEFORE = picture(800, 600, alpha=True, seed=3)
AFTER = BEFORE.copy()
AFTER[100:160, 200:320] = [255, 40, 40, 255]  # plainly visible
AFTER[400:420, 600:700, 1] ^= 1  # one level of green: real, invisible to the eye
AFTER[450:470, 100:130] = [20, 20, 220, 255]


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[ImagePairView]:
    shown = ImagePairView()
    qtbot.addWidget(shown)
    add_view_actions(shown, DEFAULT_KEYMAP)  # the registry's image keys, as in the window
    shown.resize(1000, 700)
    with qtbot.waitExposed(shown, timeout=HANG_GUARD_MS):
        shown.show()
    shown.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is shown, timeout=HANG_GUARD_MS)
    yield shown
    shown.shutdown()


def load(qtbot: QtBot, view: ImagePairView, before: bytes | None, after: bytes | None) -> None:
    with qtbot.waitSignal(view.refined, timeout=HANG_GUARD_MS):
        view.set_images(before, after, "art/hero.png")


def shot(qtbot: QtBot, view: ImagePairView, name: str) -> None:
    layout = view.layout()
    assert layout is not None
    layout.activate()  # labels whose text just changed get their room before the grab
    view.canvas.repaint()
    ARTIFACTS.mkdir(exist_ok=True)
    assert view.grab().save(str(ARTIFACTS / f"image-view-{name}.png"))


def colour_at(view: ImagePairView, image_x: float, image_y: float, pane: int = 0) -> QColor:
    """The colour the canvas shows at an image point, in pane `pane`."""
    canvas = view.canvas
    canvas.repaint()
    point = canvas.to_view(QPointF(image_x, image_y), canvas.panes()[pane]).toPoint()
    return canvas.grab().toImage().pixelColor(point)


def rgb(colour: QColor) -> tuple[int, int, int]:
    return (colour.red(), colour.green(), colour.blue())


SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(
    qtbot: QtBot,
    view: ImagePairView,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A real key event, matched by the image commands' actions like the window's keys."""
    qtbot.keyClick(view.canvas, key, modifiers)


def test_the_difference_mode_colours_changes_and_numbers_the_regions(
    qtbot: QtBot, view: ImagePairView
) -> None:
    assert view.mode() is ImageMode.DIFFERENCE
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    assert [tuple(box) for box in view.regions] == [
        (200, 100, 120, 60),
        (600, 400, 100, 20),
        (100, 450, 30, 20),
    ]
    assert view.counts.text().startswith("9,800 pixels changed · 7,800 visibly")
    assert view.facts.text() == "art/hero.png · PNG 800×600"
    assert rgb(colour_at(view, 260, 130)) == VISIBLE_COLOUR
    assert rgb(colour_at(view, 650, 410)) == INVISIBLE_COLOUR
    faded = colour_at(view, 500, 300)  # unchanged: the after-image faded towards white
    *colour, alpha = (int(value) for value in AFTER[300, 500])
    for shown, own in zip(rgb(faded), colour, strict=True):
        assert shown == pytest.approx(255 - (255 - own) * 0.3 * alpha / 255, abs=3)
    shot(qtbot, view, "4-difference")


def test_side_by_side_shows_both_sides_with_zoom_and_pan_locked(
    qtbot: QtBot, view: ImagePairView
) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    press(qtbot, view, Qt.Key.Key_1)
    assert view.mode() is ImageMode.SIDE_BY_SIDE
    assert view.mode_label.text() == "Side by side (1)"
    press(qtbot, view, Qt.Key.Key_Plus)
    press(qtbot, view, Qt.Key.Key_Right)
    left, right = view.canvas.panes()
    for spot in (QPointF(260, 130), QPointF(0, 0)):
        in_left = view.canvas.to_view(spot, left)
        in_right = view.canvas.to_view(spot, right)
        assert in_right - in_left == right.topLeft() - left.topLeft()  # the same place in each
    assert rgb(colour_at(view, 260, 130, pane=1)) == (255, 40, 40)
    assert rgb(colour_at(view, 260, 130, pane=0)) != (255, 40, 40)
    view.zoom_to_fit()
    shot(qtbot, view, "1-side-by-side")


def test_swipe_divider_follows_keys_and_the_mouse(qtbot: QtBot, view: ImagePairView) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    press(qtbot, view, Qt.Key.Key_2)
    assert view.slider.isVisible()
    assert view.canvas.swipe == pytest.approx(0.5)
    assert rgb(colour_at(view, 260, 130)) != (255, 40, 40)  # left of the divider: before
    for _ in range(6):
        press(qtbot, view, Qt.Key.Key_Comma)
    assert view.canvas.swipe == pytest.approx(0.2)
    assert view.slider.value() == 20
    assert rgb(colour_at(view, 260, 130)) == (255, 40, 40)  # now right of it: after
    canvas = view.canvas
    start = QPoint(round(canvas.divider_x()), canvas.height() // 2)
    end = start + QPoint(300, 0)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert canvas.divider_x() == pytest.approx(end.x(), abs=1)
    assert canvas.zoom == pytest.approx(canvas.zoom)  # the drag moved the divider, not the view
    shot(qtbot, view, "2-swipe")


def test_the_divider_and_opacity_keys_bring_their_mode(qtbot: QtBot, view: ImagePairView) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    press(qtbot, view, Qt.Key.Key_Period)
    assert view.mode() is ImageMode.SWIPE
    assert view.canvas.swipe == pytest.approx(0.55)
    press(qtbot, view, Qt.Key.Key_O, SHIFT)
    assert view.mode() is ImageMode.ONION_SKIN
    assert view.canvas.opacity == pytest.approx(0.4)
    assert view.slider.value() == 40


def test_onion_skin_opacity_follows_keys_and_the_slider(qtbot: QtBot, view: ImagePairView) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    press(qtbot, view, Qt.Key.Key_3)
    for _ in range(5):
        press(qtbot, view, Qt.Key.Key_O)
    assert view.canvas.opacity == pytest.approx(1.0)
    assert view.slider.value() == 100
    assert rgb(colour_at(view, 260, 130)) == (255, 40, 40)
    view.slider.setValue(0)
    assert view.canvas.opacity == 0.0
    assert rgb(colour_at(view, 260, 130)) != (255, 40, 40)
    view.slider.setValue(50)
    half = colour_at(view, 260, 130)
    assert 0 < half.green() < 255 or half.red() != 255
    shot(qtbot, view, "3-onion-skin")


def test_shift_j_and_k_walk_the_regions_and_bring_each_into_view(
    qtbot: QtBot, view: ImagePairView
) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    press(qtbot, view, Qt.Key.Key_Z)
    assert view.canvas.zoom == 1.0
    for _ in range(8):  # 4:1, so most of the picture is out of view
        press(qtbot, view, Qt.Key.Key_Plus)
    assert view.canvas.zoom == pytest.approx(4.0)
    pane = view.canvas.panes()[0]
    assert not pane.contains(view.canvas.box_rect(view.regions[1], pane))
    press(qtbot, view, Qt.Key.Key_J, SHIFT)
    press(qtbot, view, Qt.Key.Key_J, SHIFT)
    assert view.current_region() == 1
    assert view.canvas.zoom == pytest.approx(4.0)  # moved to it, not zoomed out
    assert pane.contains(view.canvas.box_rect(view.regions[1], pane))
    assert "region 2: 100×20 at 600,400" in view.counts.text()
    press(qtbot, view, Qt.Key.Key_K, SHIFT)
    press(qtbot, view, Qt.Key.Key_K, SHIFT)
    assert view.current_region() == 2  # wraps round
    view.set_current_box((200, 100, 120, 60))
    assert view.current_region() == 0
    shot(qtbot, view, "4-difference-current-region")


def test_zoom_and_pan_by_keys_and_mouse(qtbot: QtBot, view: ImagePairView) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    canvas = view.canvas
    fit = canvas.zoom
    press(qtbot, view, Qt.Key.Key_Plus)
    assert canvas.zoom == pytest.approx(fit * 2 ** (1 / 4))
    press(qtbot, view, Qt.Key.Key_Minus)
    press(qtbot, view, Qt.Key.Key_Minus)
    assert canvas.zoom < fit
    press(qtbot, view, Qt.Key.Key_F)
    assert canvas.zoom == pytest.approx(fit)
    centre = QPointF(canvas.centre)
    press(qtbot, view, Qt.Key.Key_Left)
    assert canvas.centre.x() < centre.x()
    press(qtbot, view, Qt.Key.Key_Right)
    press(qtbot, view, Qt.Key.Key_Down, SHIFT)
    assert canvas.centre.x() == pytest.approx(centre.x())
    assert canvas.centre.y() > centre.y()
    press(qtbot, view, Qt.Key.Key_Up, SHIFT)
    assert canvas.centre.y() == pytest.approx(centre.y())
    press(qtbot, view, Qt.Key.Key_Z)
    assert canvas.zoom == 1.0
    press(qtbot, view, Qt.Key.Key_F)

    # The wheel zooms around the pointer: the image point under it stays under it.
    pointer = QPointF(300, 200)
    under = canvas.to_image(pointer, canvas.panes()[0])
    for _ in range(3):
        wheel(canvas, pointer, 120)
    assert canvas.zoom == pytest.approx(fit * 2 ** (3 / 4))
    assert canvas.to_image(pointer, canvas.panes()[0]).x() == pytest.approx(under.x())
    assert canvas.drafting  # quick drafts while the wheel turns, then smooth again
    qtbot.waitUntil(lambda: not canvas.drafting, timeout=HANG_GUARD_MS)

    # A drag pans by exactly the distance dragged.
    before_drag = QPointF(canvas.centre)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    qtbot.mouseMove(canvas, QPoint(450, 340))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(450, 340))
    moved = (before_drag - canvas.centre) * canvas.zoom
    assert (moved.x(), moved.y()) == pytest.approx((50, 40))
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    assert canvas.zoom == pytest.approx(fit)


def wheel(widget: QWidget, point: QPointF, delta: int) -> None:
    """A real wheel event (one notch is 120)."""
    event = QWheelEvent(
        point,
        widget.mapToGlobal(point),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_pixel_under_the_pointer_is_read_out(qtbot: QtBot, view: ImagePairView) -> None:
    load(qtbot, view, encode(BEFORE, "PNG"), encode(AFTER, "PNG"))
    canvas = view.canvas
    point = canvas.to_view(QPointF(260.5, 130.5), canvas.panes()[0]).toPoint()
    qtbot.mouseMove(canvas, point)
    x, y = canvas.pixel_at(QPointF(point))  # type: ignore[misc]
    red, green, blue, alpha = (int(value) for value in BEFORE[y, x])
    assert view.readout.text() == (
        f"x {x}, y {y} · before {red}, {green}, {blue}, {alpha} · after 255, 40, 40, 255"
    )


def test_size_format_and_alpha_changes_are_said_in_words(qtbot: QtBot, view: ImagePairView) -> None:
    before = encode(picture(800, 600), "PNG")
    after = encode(picture(1024, 768, alpha=True), "WEBP", lossless=True)
    load(qtbot, view, before, after)
    assert view.facts.text() == (
        "art/hero.png · WebP 1024×768 · 800×600 → 1024×768, PNG → WebP, alpha added"
    )
    assert "sizes differ" in view.counts.text()
    press(qtbot, view, Qt.Key.Key_1)
    shot(qtbot, view, "1-side-by-side-resized")


def test_a_broken_image_is_said_and_nothing_breaks(qtbot: QtBot, view: ImagePairView) -> None:
    good = encode(BEFORE, "PNG")
    with qtbot.waitSignal(view.ready, timeout=HANG_GUARD_MS):
        view.set_images(good, good[: len(good) // 2], "art/hero.png")
    assert "art/hero.png (after): the image is corrupt" in view.counts.text()
    assert view.facts.text() == "art/hero.png: cannot read the image"
    for key in (Qt.Key.Key_J, Qt.Key.Key_Plus, Qt.Key.Key_2, Qt.Key.Key_Comma, Qt.Key.Key_O):
        press(qtbot, view, key, SHIFT if key is Qt.Key.Key_J else Qt.KeyboardModifier.NoModifier)
    shot(qtbot, view, "broken")


def test_the_work_is_off_the_gui_thread_and_the_newest_pair_wins(
    qtbot: QtBot, view: ImagePairView
) -> None:
    first = encode(BEFORE, "PNG")
    second = encode(np.ascontiguousarray(AFTER[:300, :400]), "PNG")
    view.set_images(first, encode(AFTER, "PNG"), "first.png")
    assert view.pair is None  # set_images returned before anything was decoded
    with qtbot.waitSignal(view.ready, timeout=HANG_GUARD_MS):
        view.set_images(second, second, "second.png")
    assert view.pair is not None and view.pair.name == "second.png"
    assert view.counts.text() == "No pixel changes"
    qtbot.waitSignal(view.refined, timeout=HANG_GUARD_MS).wait()
    assert view.pair is not None and view.pair.name == "second.png"


def test_a_change_with_proposed_boxes_is_shown_with_them(
    qtbot: QtBot, view: ImagePairView, tmp_path: Path
) -> None:
    import json

    from vetline.adapters.inputs import load_bytes

    image = encode(BEFORE, "PNG")
    (tmp_path / "photo.png").write_bytes(image)
    document = {
        "title": "Label the photo",
        "changes": [
            {
                "path": "photo.png",
                "annotations": [{"id": "sun", "label": "the sun", "box": [500, 250, 120, 80]}],
            }
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "p.json", tmp_path)
    with qtbot.waitSignal(view.refined, timeout=HANG_GUARD_MS):
        assert view.show_change(proposal.changes[0])
    view.set_mode(ImageMode.SIDE_BY_SIDE)
    assert view.counts.text() == "No pixel changes · 1 proposed box"
    edge = colour_at(view, 560, 250, pane=1)
    assert rgb(edge) == (
        ANNOTATION_COLOUR.red(),
        ANNOTATION_COLOUR.green(),
        ANNOTATION_COLOUR.blue(),
    )
    shot(qtbot, view, "annotations")


def test_an_svg_is_drawn_within_bounds_and_a_broken_one_is_named(qtbot: QtBot) -> None:
    from vetline.adapters.images.decode import ImageError
    from vetline.ui.svg_preview import LARGEST_SIDE, render_svg

    huge = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="50000">'
        b'<rect width="100000" height="50000" fill="red"/></svg>'
    )
    drawn = render_svg(huge, "poster.svg")
    assert drawn is not None
    pixels = rgba(drawn)
    assert pixels.shape == (LARGEST_SIDE // 2, LARGEST_SIDE, 4)  # never 5 billion pixels
    assert tuple(pixels[10, 10]) == (255, 0, 0, 255)
    with pytest.raises(ImageError, match="broken.svg"):
        render_svg(b"<svg this is not", "broken.svg")
    with pytest.raises(ImageError, match="photo.svg"):
        render_svg(encode(BEFORE, "PNG"), "photo.svg")  # only the SVG reader is asked
