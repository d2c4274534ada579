"""An image change in the window: the image view instead of the diff, keys 1–4 for its
modes, one region accepted and one rejected, and exactly the accepted pixels written."""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
from PySide6.QtCore import Qt

from helpers.images import encode, picture, rgba
from helpers.review_window import WAIT_MS, Review
from vetline.adapters.inputs import load_bytes
from vetline.core.model import HunkKind
from vetline.ui.image_view import ImageMode

CTRL = Qt.KeyboardModifier.ControlModifier


def test_an_image_change_is_reviewed_region_by_region_in_the_window(review: Review) -> None:
    before_pixels = picture(64, 48)
    after_pixels = before_pixels.copy()
    after_pixels[4:10, 4:10] = [255, 0, 0]  # two separate edits: two regions
    after_pixels[30:40, 40:56] = [0, 0, 255]
    before, after = encode(before_pixels, "PNG"), encode(after_pixels, "PNG")
    (review.workspace / "logo.png").write_bytes(before)
    document = {
        "title": "Recolour the logo",
        "changes": [
            {
                "path": "logo.png",
                "base_sha256": hashlib.sha256(before).hexdigest(),
                "new_base64": base64.b64encode(after).decode(),
            }
        ],
    }
    (proposal,) = load_bytes(json.dumps(document).encode(), "logo.json", review.workspace)
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to(proposal.id)
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
