"""The views that take the diff's place: a citation's source, an image pair, an SVG drawn.

Each is made when first needed (they bring numpy, Pillow and the source checker, which
a queue of text hunks never needs before its first paint) and added beside the diff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget, QWidget

from vetline.core.image_items import is_svg_text
from vetline.core.model import Change, HunkKind
from vetline.core.session import ReviewItem
from vetline.ui.image_commands import IMAGE_COMMANDS, MODE_COMMANDS, REGION_STEPS, sibling_region

if TYPE_CHECKING:
    from vetline.ui.citation_view import CitationView
    from vetline.ui.controller import ReviewController
    from vetline.ui.dialogs import ReviewPrompts
    from vetline.ui.image_view import ImagePairView
    from vetline.ui.sources_panel import SourcesPanel


class CentreViews:
    """The citation and image views in `pages`, beside the diff, and the image commands."""

    def __init__(
        self,
        window: QWidget,
        controller: ReviewController,
        pages: QStackedWidget,
        diff: QWidget,
        command_actions: Mapping[str, QAction],
        *,
        sources: SourcesPanel,
        prompts: ReviewPrompts,
        note: Callable[[str], None],
    ) -> None:
        self._window = window  # the views' parent
        self._controller = controller
        self._pages = pages
        self._diff = diff
        self._sources = sources
        self._prompts = prompts
        self._command_actions = command_actions
        self._note = note
        self._image_view: ImagePairView | None = None
        self._image_on_screen: Change | None = None
        self._citation_view: CitationView | None = None

    def enable_image_commands(self, enabled: bool) -> None:
        for command in IMAGE_COMMANDS:
            self._command_actions[command.id].setEnabled(enabled)

    @property
    def citation_view(self) -> CitationView:
        """The citation item's view, made when first needed: not for the first paint."""
        if self._citation_view is None:
            from vetline.ui.citation_view import CitationView

            self._citation_view = CitationView(
                self._controller, self._sources, self._prompts, self._window
            )
            self._pages.addWidget(self._citation_view)
        return self._citation_view

    def show_citation(self, item: ReviewItem) -> None:
        view = self.citation_view
        view.show_item(item)
        self._pages.setCurrentWidget(view)
        self.enable_image_commands(False)

    @property
    def image_view(self) -> ImagePairView:
        """The image view, made (and added beside the diff) when first needed."""
        if self._image_view is None:
            from vetline.ui.image_view import ImagePairView

            self._image_view = ImagePairView(self._window)
            self._image_view.setAccessibleName("Image change: before and after")
            self._pages.addWidget(self._image_view)
        return self._image_view

    def show_image(self, item: ReviewItem) -> bool:
        """An image change goes to the image view (its region outlined); False otherwise."""
        change = item.change
        image = change.image
        is_image = image is not None and (
            image.before_data is not None or image.after_data is not None
        )
        svg = is_svg_text(change)
        for command in IMAGE_COMMANDS:
            enabled = is_image or (svg and command.id in MODE_COMMANDS)
            self._command_actions[command.id].setEnabled(enabled)
        if not is_image:
            self._image_on_screen = None
            self._pages.setCurrentWidget(self._diff)
            return False
        if self._image_on_screen is not change:
            self.image_view.show_change(change)
            self._image_on_screen = change
        region = item.hunk.region
        if region is not None and item.hunk.kind is HunkKind.IMAGE_REGION:
            self.image_view.set_current_box((region.x, region.y, region.width, region.height))
        self._pages.setCurrentWidget(self.image_view)
        return True

    def run_image_command(self, method: str) -> None:
        """An image key: a step between the image's regions (items, as J / K walk them),
        or the image view's own method."""
        step = REGION_STEPS.get(method)
        region = sibling_region(self._controller, step) if step else None
        if region is not None:  # the regions are items: J / K's walk, within this image
            self._controller.show_item(region)
            return
        self._image_mode(lambda view: getattr(view, method)())

    def _image_mode(self, mode: Callable[[ImagePairView], None]) -> None:
        item = self._controller.current
        if item is not None and is_svg_text(item.change) and self._image_on_screen is None:
            self.image_view.show_svg(item.change)  # drawn for a look, until the next hunk
            self._image_on_screen = item.change
            self._pages.setCurrentWidget(self.image_view)
            self.enable_image_commands(True)
        view = self._image_view
        if view is None or self._pages.currentWidget() is not view:
            self._note("This hunk has no image to compare")
            return
        mode(view)
        view.setFocus()

    def shutdown(self) -> None:
        """The window closes: an image view's decoding ends with it."""
        if self._image_view is not None:
            self._image_view.shutdown()
