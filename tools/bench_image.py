"""The image view's benchmark: a 3840×2160 PNG pair, from bytes to the difference overlay painted.

Prints one JSON object as its last line:

* `image_overlay_4k_ms`: median ms from `ImagePairView.set_images(before, after)` (the
  PNG files' bytes, so both decodes are included) to the end of the first paint of the
  canvas showing the difference overlay, for a screenshot-like pair (flat panels, lines
  of "text", an edited button and a moved block).
* `image_details`: every sample, split into preparing (decode, compare, scale: in wall
  time, and in CPU time of the busier of its two threads, which is what it takes on
  idle cores) and painting; the same for a photo-like pair (noise everywhere, which
  makes PNG decoding the slowest it gets); the PNG sizes; the canvas size; and the
  load average, since a busy machine stretches every wall-clock figure.
  `frame_ms` (in each pair's details): ms per frame, median and slowest, while the 4K
  picture is panned in each mode at fit, 0.7, 1:1 and 4:1, and while the wheel zooms it
  about the pointer (a step, then a synchronous repaint of the canvas).

Each sample uses a new view in this process (the first sample also pays for imports).
Run on its own:  QT_QPA_PLATFORM=offscreen .venv/bin/python tools/bench_image.py
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from typing import Any

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 3840, 2160
RUNS = 7
CANVAS = (1600, 900)  # the image pane of a 1080p window


def screenshot_like(rng: np.random.Generator) -> np.ndarray:
    """Panels, a toolbar, rows of text-like strokes: what a UI screenshot looks like to zlib."""
    pixels = np.full((HEIGHT, WIDTH, 3), 246, dtype=np.uint8)
    pixels[:120] = (40, 44, 52)  # toolbar
    pixels[120:, :640] = (230, 232, 236)  # sidebar
    for top in range(180, HEIGHT - 60, 44):  # lines of "text" in the main area
        left = 720
        while left < WIDTH - 200:
            word = int(rng.integers(24, 140))
            shade = int(rng.integers(20, 90))
            pixels[top : top + 18, left : left + word] = shade
            pixels[top + 4 : top + 14 : 3, left : left + word] = 200  # glyph-like gaps
            left += word + int(rng.integers(10, 22))
    for top in range(200, HEIGHT - 100, 90):  # sidebar entries
        pixels[top : top + 40, 60:560] = rng.integers(150, 220, 3, dtype=np.uint8)
    return pixels


def photo_like(rng: np.random.Generator) -> np.ndarray:
    """Gradients with noise everywhere: the slowest PNG to inflate."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    pixels = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    pixels[..., 0] = (x * 255 // WIDTH).astype(np.uint8)
    pixels[..., 1] = (y * 255 // HEIGHT).astype(np.uint8)
    pixels[..., 2] = ((x + y) % 256).astype(np.uint8)
    pixels += rng.integers(0, 8, (HEIGHT, WIDTH, 1), dtype=np.uint8)
    return pixels


def edited(pixels: np.ndarray) -> np.ndarray:
    after = pixels.copy()
    after[20:100, 3400:3700] = (0, 120, 215)  # a recoloured button
    after[900:1100, 1400:2200] = pixels[960:1160, 1400:2200]  # a block moved up
    after[1800:1900, 2600:3000, 1] ^= 1  # one level: changed, not visibly
    return after


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def measure(before: bytes, after: bytes) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtTest import QTest

    from vetline.ui.image_view import ImagePairView

    samples: list[float] = []
    prepare: list[float] = []  # decode, compare and scale, in the worker thread
    prepare_cpu: list[float] = []  # the same in CPU time of its busier thread (no waiting)
    paint: list[float] = []  # from the pair handed to the canvas to the end of its paint
    paint_cpu: list[float] = []  # the same in the GUI thread's CPU time
    frames: dict[str, Any] = {}
    for _ in range(RUNS):
        view = ImagePairView()
        view.canvas.resize(*CANVAS)
        view.resize(CANVAS[0] + 8, CANVAS[1] + 90)
        view.show()
        if not QTest.qWaitForWindowExposed(view, 5000):
            raise RuntimeError("the image view was never exposed")
        loop = QEventLoop()
        shown: list[float] = []
        shown_cpu: list[float] = []
        handed: list[float] = []
        handed_cpu: list[float] = []

        def on_ready(handed: list[float] = handed, handed_cpu: list[float] = handed_cpu) -> None:
            handed.append(time.perf_counter())
            handed_cpu.append(time.thread_time())

        view.ready.connect(on_ready)

        def on_paint(
            view: ImagePairView = view,
            shown: list[float] = shown,
            shown_cpu: list[float] = shown_cpu,
            loop: QEventLoop = loop,
        ) -> None:
            if view.pair is not None and view.pair.changes is not None and not shown:
                shown.append(time.perf_counter())
                shown_cpu.append(time.thread_time())
                loop.quit()

        view.canvas.painted.connect(on_paint)
        QTimer.singleShot(60_000, loop.quit)
        started = time.perf_counter()
        view.set_images(before, after, "bench.png")
        loop.exec()
        if not shown:
            raise RuntimeError("the overlay was not painted within 60 s")
        samples.append((shown[0] - started) * 1000)
        assert view.pair is not None
        prepare.append(view.pair.seconds * 1000)
        prepare_cpu.append(view.pair.cpu_seconds * 1000)
        paint.append((shown[0] - handed[0]) * 1000)
        paint_cpu.append((shown_cpu[0] - handed_cpu[0]) * 1000)
        if len(samples) == RUNS:  # the last view, once its finer copies are in
            frames = frame_times(view, loop)
        view.shutdown()
        view.close()
        view.deleteLater()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "samples_ms": [round(sample, 1) for sample in samples],
        "prepare_ms": [round(sample, 1) for sample in prepare],
        "prepare_cpu_ms": [round(sample, 1) for sample in prepare_cpu],
        "paint_ms": [round(sample, 1) for sample in paint],
        "paint_cpu_ms": [round(sample, 1) for sample in paint_cpu],
        "frame_ms": frames,
    }


# Zooms the frame times are taken at: fitted (~0.42 here), between a half and 1 (each
# frame smoothed from a finer copy), 1:1 and 4:1 (pixels as blocks).
FRAME_ZOOMS = (("fit", None), ("0.7", 0.7), ("1:1", 1.0), ("4:1", 4.0))
FRAMES = 40  # pan steps per zoom and mode


def frame_times(view: Any, loop: Any) -> dict[str, Any]:
    """Median and slowest ms per frame while panning (and zooming) the 4K pair, in each
    mode at each zoom: a pan or zoom step, then a synchronous repaint of the canvas."""
    from PySide6.QtCore import QPointF, QTimer

    from vetline.ui.image_canvas import ImageMode

    if view.pair is None or not view.pair.refined:
        view.refined.connect(loop.quit)
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()
    canvas = view.canvas
    found: dict[str, Any] = {}
    for mode in ImageMode:
        view.set_mode(mode)
        for name, zoom in FRAME_ZOOMS:
            canvas.zoom_to_fit()
            if zoom is not None:
                canvas.set_zoom(zoom)
            times = []
            for step in range(FRAMES):
                started = time.perf_counter()
                canvas.pan(12 if step % 20 < 10 else -12, 7)
                canvas.repaint()
                times.append((time.perf_counter() - started) * 1000)
            found[f"{mode.name.lower()} {name}"] = _frames(times)
    view.set_mode(ImageMode.DIFFERENCE)
    canvas.zoom_to_fit()
    times = []
    pointer = QPointF(canvas.width() / 3, canvas.height() / 3)
    for step in range(FRAMES):  # the wheel: in, in, ..., out again, about the pointer
        started = time.perf_counter()
        canvas.wheel_zoom(1 if step < FRAMES // 2 else -1, pointer)
        canvas.repaint()
        times.append((time.perf_counter() - started) * 1000)
    found["difference wheel zoom"] = _frames(times)
    return found


def _frames(times: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(times), 2), "max": round(max(times), 2)}


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = np.random.default_rng(4)
    details: dict[str, Any] = {"canvas": list(CANVAS), "runs": RUNS}
    results: dict[str, Any] = {}
    for name, make in (("screenshot_like", screenshot_like), ("photo_like", photo_like)):
        pixels = make(rng)
        before, after = png(pixels), png(edited(pixels))
        report = measure(before, after)
        report["png_bytes"] = [len(before), len(after)]
        details[name] = report
        print(f"bench_image: {name}: {report['median_ms']} ms", file=sys.stderr, flush=True)
    results["image_overlay_4k_ms"] = details["screenshot_like"]["median_ms"]
    details["load_average"] = [round(value, 2) for value in os.getloadavg()]
    results["image_details"] = details
    del app
    print(json.dumps(results), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
