"""The image commands (zoom, pan, modes, divider, opacity, regions) and what each runs.

Each image command runs one method of the image view. The window sends them to the
view on screen; a view shown on its own (a test, a benchmark) gets the same commands
as actions of its own, built by ui.actions like every other key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from vetline.core.commands import COMMANDS, IMAGE
from vetline.core.model import HunkKind
from vetline.ui.actions import Handler, build_actions

if TYPE_CHECKING:
    from vetline.core.session import ReviewItem
    from vetline.ui.controller import ReviewController
    from vetline.ui.image_view import ImagePairView

# Command id → the image view's method that carries it out.
VIEW_METHODS: Mapping[str, str] = {
    "image.side_by_side": "side_by_side",
    "image.swipe": "swipe",
    "image.onion_skin": "onion_skin",
    "image.difference": "difference",
    "image.zoom_to_fit": "zoom_to_fit",
    "image.zoom_actual": "zoom_actual",
    "image.zoom_in": "zoom_in",
    "image.zoom_out": "zoom_out",
    "image.pan_left": "pan_left",
    "image.pan_right": "pan_right",
    "image.pan_up": "pan_up",
    "image.pan_down": "pan_down",
    "image.swipe_left": "swipe_left",
    "image.swipe_right": "swipe_right",
    "image.opacity_up": "opacity_up",
    "image.opacity_down": "opacity_down",
    "image.next_region": "next_region",
    "image.previous_region": "previous_region",
}
IMAGE_COMMANDS = tuple(command for command in COMMANDS if command.context == IMAGE)
# The commands that bring an image view up where the text diff is (an SVG's hunk); the
# others (arrows among them) stay the diff's until the picture is on screen.
MODE_COMMANDS = ("image.side_by_side", "image.swipe", "image.onion_skin", "image.difference")
REGION_STEPS: Mapping[str, int] = {"next_region": +1, "previous_region": -1}


def image_handlers(run: Callable[[str], object]) -> dict[str, Handler]:
    """A handler per image command, each calling `run` with the view method's name."""
    return {command_id: partial(run, method) for command_id, method in VIEW_METHODS.items()}


def add_view_actions(
    view: ImagePairView, keymap: Mapping[str, Sequence[str]]
) -> dict[str, QAction]:
    """The image commands as actions of a view shown on its own window."""
    return build_actions(
        view,
        keymap,
        image_handlers(lambda method: getattr(view, method)()),
        IMAGE_COMMANDS,
    )


def sibling_region(controller: ReviewController, step: int) -> ReviewItem | None:
    """When the current item is a region of changed pixels, the file's region `step`
    away (wrapping round); None otherwise, so the view walks its own outlines."""
    item = controller.current
    if item is None or item.hunk.kind is not HunkKind.IMAGE_REGION:
        return None
    siblings = controller.queue_index.items_of(item.proposal, item.change)
    regions = [each for each in siblings if each.hunk.kind is HunkKind.IMAGE_REGION]
    here = next((index for index, each in enumerate(regions) if each is item), None)
    if here is None:
        return None
    return regions[(here + step) % len(regions)]
