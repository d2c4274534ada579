"""The image view: an image change in four modes, its counts and facts in words, region by region.

Modes: side by side (zoom and pan locked together), swipe (a divider dragged with the
mouse or moved by keys), onion skin (an opacity slider, also moved by keys) and
difference (changed pixels coloured over a dimmed copy, regions boxed and numbered).
Decoding, comparing and scaling run in a background thread (image_prepare); the
newest pair asked for wins and an older result is dropped. Keys are the image
commands of the registry (ui.image_commands names the method each one runs); the view
sets no key of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImageReader
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout, QWidget

from vetline.adapters.images.regions import Box
from vetline.core.image_items import format_name
from vetline.core.model import Change
from vetline.ui.image_canvas import ImageCanvas, ImageMode
from vetline.ui.image_prepare import PreparedPair, prepare_pair, refine_pair
from vetline.ui.svg_preview import NOTE as SVG_NOTE
from vetline.ui.svg_preview import prepare_svg_pair, svg_sides

# Qt never decodes our images (Pillow does, with its pixel limit), but should anything
# hand Qt an image, it refuses to allocate more than this many megabytes for it.
QImageReader.setAllocationLimit(256)

PAN_STEP = 96  # screen pixels per pan key
SWIPE_STEP = 0.05  # of the image's width per key
OPACITY_STEP = 0.1


class _Delivery(QObject):
    """Carries a finished job from the worker thread to the GUI thread (a queued signal)."""

    done = Signal(int, object)


class ImagePairView(QWidget):
    """Shows one image change; `set_images` starts the work, `ready` says it is on screen."""

    ready = Signal()  # a pair was decoded and handed to the canvas
    refined = Signal()  # its box-filtered smaller copies are in
    region_changed = Signal(object)  # the current region's index, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePairView")
        self.canvas = ImageCanvas(self)
        self.facts = _plain_label("factsLabel")
        self.counts = _plain_label("countsLabel")
        self.mode_label = _plain_label("modeLabel")
        self.readout = _plain_label("pixelReadout")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("imageSlider")
        self.slider.setRange(0, 100)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setAccessibleName("Swipe position or onion-skin opacity")
        self._build_layout()
        self._executor: ThreadPoolExecutor | None = None
        self._generation = 0
        self._delivery = _Delivery(self)
        self._delivery.done.connect(self._receive)
        self._refine_after_paint: PreparedPair | None = None
        self._note = ""
        # The region to outline once the pair is in (an item can be shown before that).
        self._wanted_box: tuple[int, int, int, int] | None = None
        self.canvas.painted.connect(self._start_refining)
        self.canvas.hovered.connect(self._show_pixel)
        self.canvas.view_changed.connect(self._view_changed)
        self.slider.valueChanged.connect(self._slider_moved)
        self.setFocusProxy(self.canvas)
        self._show_mode()

    # ---- what is shown --------------------------------------------------------------

    @property
    def pair(self) -> PreparedPair | None:
        return self.canvas.pair

    @property
    def regions(self) -> tuple[Box, ...]:
        pair = self.canvas.pair
        return pair.regions if pair else ()

    def set_images(
        self,
        before: bytes | None,
        after: bytes | None,
        name: str,
        note: str = "",
        prepare: Callable[[bytes | None, bytes | None, str], PreparedPair] = prepare_pair,
    ) -> None:
        """Show this pair once it is decoded (off the GUI thread); a newer call wins.

        `note`, when given, is said instead of the size and format words (e.g. why a
        side is missing although the file has one). `prepare` turns the bytes into what
        is painted, in the worker thread.
        """
        self._generation += 1
        self._note = note
        self._wanted_box = None
        generation = self._generation
        self.canvas.set_pair(None, f"Loading {name}…")
        self.counts.setText("")
        self.facts.setText(name)
        self._submit(generation, prepare, before, after, name)

    def show_change(self, change: Change) -> bool:
        """Show an image change (its sides and proposed boxes); False if it is not one."""
        image = change.image
        if image is None or (image.before_data is None and image.after_data is None):
            return False
        note = "" if image.sides_known else image.whole_reason
        self.set_images(image.before_data, image.after_data, change.path, note)
        self.set_annotations(
            [(box.label or box.annotation_id, Box(*box.box)) for box in image.annotations]
        )
        return True

    def show_svg(self, change: Change) -> None:
        """Show an SVG text change drawn before and after (see ui.svg_preview)."""
        before, after = svg_sides(change)
        self.set_images(before, after, change.path, SVG_NOTE, prepare_svg_pair)
        self.set_annotations([])

    def set_annotations(self, boxes: Sequence[tuple[str, Box]], current: int | None = None) -> None:
        """Labelled boxes to draw over the image (an agent's proposed annotations)."""
        self.canvas.annotations = list(boxes)
        self.canvas.current_annotation = current
        self.canvas.update()
        self._show_counts()

    def shutdown(self) -> None:
        """Stop the worker thread (a job in flight finishes; its result is dropped)."""
        self._generation += 1
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    # ---- modes, regions, zoom -------------------------------------------------------

    def mode(self) -> ImageMode:
        return self.canvas.mode

    def set_mode(self, mode: ImageMode | int) -> None:
        self.canvas.set_mode(ImageMode(mode))
        self._show_mode()

    def side_by_side(self) -> None:
        self.set_mode(ImageMode.SIDE_BY_SIDE)

    def swipe(self) -> None:
        self.set_mode(ImageMode.SWIPE)

    def onion_skin(self) -> None:
        self.set_mode(ImageMode.ONION_SKIN)

    def difference(self) -> None:
        self.set_mode(ImageMode.DIFFERENCE)

    def current_region(self) -> int | None:
        return self.canvas.current_region

    def set_current_region(self, index: int | None) -> None:
        """Outline region `index` (0-based, reading order) and bring it into view."""
        regions = self.regions
        if index is not None and not 0 <= index < len(regions):
            raise IndexError(f"no region {index + 1} of {len(regions)}")
        self.canvas.current_region = index
        if index is not None:
            self.canvas.show_box(regions[index])
        self.canvas.update()
        self._show_counts()
        self.region_changed.emit(index)

    def set_current_box(self, box: tuple[int, int, int, int]) -> None:
        """Make the region with this box current (as an IMAGE_REGION item carries it); if
        the pair is still being decoded, as soon as it is in."""
        self._wanted_box = box
        boxes = [tuple(region) for region in self.regions]
        self.set_current_region(boxes.index(box) if box in boxes else None)

    def next_region(self) -> None:
        self._step_region(+1)

    def previous_region(self) -> None:
        self._step_region(-1)

    def zoom_to_fit(self) -> None:
        self.canvas.zoom_to_fit()

    def zoom_actual(self) -> None:
        self.canvas.zoom_actual()

    def zoom_in(self) -> None:
        self.canvas.zoom_in()

    def zoom_out(self) -> None:
        self.canvas.zoom_out()

    def pan_left(self) -> None:
        """Show more of the picture's left: the picture moves right."""
        self.canvas.pan(PAN_STEP, 0)

    def pan_right(self) -> None:
        self.canvas.pan(-PAN_STEP, 0)

    def pan_up(self) -> None:
        self.canvas.pan(0, PAN_STEP)

    def pan_down(self) -> None:
        self.canvas.pan(0, -PAN_STEP)

    def swipe_left(self) -> None:
        """The swipe divider left (more of the after-image); switches to swipe first."""
        self._move_divider(-SWIPE_STEP)

    def swipe_right(self) -> None:
        self._move_divider(+SWIPE_STEP)

    def opacity_up(self) -> None:
        """More of the after-image over the before; switches to onion skin first."""
        self._change_opacity(+OPACITY_STEP)

    def opacity_down(self) -> None:
        self._change_opacity(-OPACITY_STEP)

    def _move_divider(self, step: float) -> None:
        if self.canvas.mode is not ImageMode.SWIPE:
            self.set_mode(ImageMode.SWIPE)  # the key says where to look: show the divider
        self.canvas.set_swipe(self.canvas.swipe + step)

    def _change_opacity(self, step: float) -> None:
        if self.canvas.mode is not ImageMode.ONION_SKIN:
            self.set_mode(ImageMode.ONION_SKIN)
        self.canvas.set_opacity(self.canvas.opacity + step)

    # ---- background work ------------------------------------------------------------

    def _submit(self, generation: int, job: Callable[..., PreparedPair], *args: object) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vetline-image")
        future = self._executor.submit(job, *args)
        delivery = self._delivery

        def deliver(done: Future[PreparedPair]) -> None:
            if done.cancelled():
                return
            error = done.exception()
            delivery.done.emit(generation, error if error is not None else done.result())

        future.add_done_callback(deliver)

    def _receive(self, generation: int, result: object) -> None:
        if generation != self._generation:
            return  # a newer pair was asked for: this one is stale
        if isinstance(result, BaseException):
            self.canvas.set_pair(None, f"Cannot show the image: {result}")
            return
        assert isinstance(result, PreparedPair)
        if result.refined:
            self.canvas.refine(result)
            self.refined.emit()
            return
        self.canvas.set_pair(result)
        self._show_facts()
        self._show_counts()
        if self._wanted_box is not None:
            self.set_current_box(self._wanted_box)
        self.ready.emit()
        if not result.problem:
            # After the first paint, so the finer copies never hold that paint up.
            self._refine_after_paint = result
            self.canvas.update()

    def _start_refining(self) -> None:
        pending, self._refine_after_paint = self._refine_after_paint, None
        if pending is not None and pending is self.canvas.pair:
            self._submit(self._generation, refine_pair, pending)

    # ---- words ----------------------------------------------------------------------

    def _show_facts(self) -> None:
        pair = self.canvas.pair
        if pair is None:
            return
        if pair.problem:
            self.facts.setText(f"{pair.name}: cannot read the image")
            return
        side = pair.after_side or pair.before_side
        assert side is not None
        head = f"{pair.name} · {format_name(side.format)} {side.width}×{side.height}"
        words = self._note or pair.words
        self.facts.setText(f"{head} · {words}" if words else head)

    def _show_counts(self) -> None:
        pair = self.canvas.pair
        if pair is None or pair.problem:
            self.counts.setText(pair.problem if pair else "")
            return
        if pair.changes is None:
            self.counts.setText("No pixel-by-pixel count: the sizes differ or a side is missing")
            return
        boxes = len(self.canvas.annotations)
        proposed = f" · {boxes} proposed box{'' if boxes == 1 else 'es'}" if boxes else ""
        if not pair.changed_pixels:
            self.counts.setText(f"No pixel changes{proposed}")
            return
        count = len(pair.regions)
        where = ""
        current = self.canvas.current_region
        if current is not None:
            box = pair.regions[current]
            where = f" · region {current + 1}: {box.width}×{box.height} at {box.x},{box.y}"
        self.counts.setText(
            f"{pair.changed_pixels:,} pixels changed · {pair.visible_pixels:,} visibly"
            f" (magenta; the rest blue) · {count} region{'' if count == 1 else 's'}"
            f"{where}{proposed}"
        )

    def _show_mode(self) -> None:
        mode = self.canvas.mode
        self.mode_label.setText(f"{mode.title} ({mode.value})")
        slider_mode = mode in (ImageMode.SWIPE, ImageMode.ONION_SKIN)
        self.slider.setVisible(slider_mode)
        self._sync_slider()

    def _show_pixel(self, spot: object) -> None:
        pair = self.canvas.pair
        if spot is None or pair is None or pair.problem:
            self.readout.setText("")
            return
        assert isinstance(spot, tuple)
        x, y = spot
        parts = [f"x {x}, y {y}"]
        for name, pixels in (("before", pair.before_rgba), ("after", pair.after_rgba)):
            if pixels is not None and x < pixels.shape[1] and y < pixels.shape[0]:
                red, green, blue, alpha = (int(v) for v in pixels[y, x])
                parts.append(f"{name} {red}, {green}, {blue}, {alpha}")
            else:
                parts.append(f"{name} –")
        self.readout.setText(" · ".join(parts))

    def _view_changed(self) -> None:
        self._sync_slider()

    def _sync_slider(self) -> None:
        mode = self.canvas.mode
        share = self.canvas.swipe if mode is ImageMode.SWIPE else self.canvas.opacity
        self.slider.blockSignals(True)
        self.slider.setValue(round(share * 100))
        self.slider.blockSignals(False)

    def _slider_moved(self, value: int) -> None:
        if self.canvas.mode is ImageMode.SWIPE:
            self.canvas.set_swipe(value / 100)
        elif self.canvas.mode is ImageMode.ONION_SKIN:
            self.canvas.set_opacity(value / 100)

    def _step_region(self, step: int) -> None:
        count = len(self.regions)
        if not count:
            return
        current = self.canvas.current_region
        index = (0 if step > 0 else count - 1) if current is None else (current + step) % count
        self.set_current_region(index)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.facts, 1)
        header.addWidget(self.mode_label)
        self.mode_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        footer = QHBoxLayout()
        footer.addWidget(self.readout, 1)
        footer.addWidget(self.slider, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.counts)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(footer)


def _plain_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names are untrusted text
    # A long file name is cut at the window's edge rather than widening the window.
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(40)
    return label
