"""Accepted annotation boxes, kept beside their image in `<image>.annotations.json`.

The file is one JSON object:

    {"vetline_annotations": 1,
     "image": "photo.png",
     "image_sha256": "<the image the boxes were drawn on, when known>",
     "annotations": [{"id": "cat-1", "label": "cat", "box": [x, y, width, height]}]}

`image` is the image's file name (it sits in the same folder); boxes are pixels from
the top-left corner. Accepting more boxes later adds them; a box whose id is already
there is replaced. A file at that name that is not such an object is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from vetline.core.errors import InputError
from vetline.core.model import ImageRegion

SIDECAR_VERSION = 1


def sidecar_bytes(
    image_path: str,
    existing: bytes | None,
    accepted: Sequence[ImageRegion],
    image_sha256: str | None,
    sidecar_name: str,
) -> bytes:
    """The sidecar's new content: what `existing` holds, with the accepted boxes merged in."""
    kept = _existing_annotations(existing, sidecar_name)
    by_id: dict[str, dict[str, Any]] = {str(entry.get("id")): entry for entry in kept}
    for box in accepted:
        by_id[box.annotation_id] = {
            "id": box.annotation_id,
            "label": box.label,
            "box": list(box.box),
        }
    document: dict[str, Any] = {
        "vetline_annotations": SIDECAR_VERSION,
        "image": PurePosixPath(image_path).name,
    }
    if image_sha256:
        document["image_sha256"] = image_sha256
    document["annotations"] = list(by_id.values())
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _existing_annotations(existing: bytes | None, name: str) -> list[dict[str, Any]]:
    if existing is None:
        return []
    try:
        document = json.loads(existing.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{name} exists and is not an annotations file: {error}") from error
    if (
        not isinstance(document, dict)
        or document.get("vetline_annotations") != SIDECAR_VERSION
        or not isinstance(document.get("annotations"), list)
        or not all(isinstance(entry, dict) for entry in document["annotations"])
    ):
        raise InputError(
            f"{name} exists and is not a Vetline annotations file (version {SIDECAR_VERSION});"
            " it is left as it is"
        )
    return list(document["annotations"])
