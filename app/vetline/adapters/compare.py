"""Two files compared, as `git difftool` hands them: `vetline OLD NEW`.

The comparison is one proposal with one change, from OLD's bytes to NEW's, built as a
repository's own changes are (text hunks, one binary item, or an image's regions).
Either side may be /dev/null (a file added or deleted) or a temporary file git makes
for a blob; the change is named after NEW (OLD when NEW is /dev/null), so its syntax
colours follow the real file's extension.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from vetline.adapters.git.scan import change_between
from vetline.core.errors import InputError
from vetline.core.model import Agent, Proposal

NULL_FILE = os.devnull
# As large as the largest source a window opens by default (input.max_source_mb, 256 MB).
MAX_COMPARED_BYTES = 256 << 20


def is_comparable(value: str) -> bool:
    """True for what `vetline OLD NEW` takes as a side: a file, or the null device."""
    return value == NULL_FILE or Path(value).is_file()


def compare_files(old: str, new: str) -> Proposal | None:
    """The comparison of OLD with NEW, or None when their bytes are the same."""
    old_bytes = _read(old)
    new_bytes = _read(new)
    if old_bytes is None and new_bytes is None:
        raise InputError(f"{old} and {new}: both sides are {NULL_FILE}: nothing to compare")
    if old_bytes == new_bytes:
        return None
    name = Path(new if new_bytes is not None else old).name
    change = change_between(name, None, old_bytes, new_bytes, None, None)
    digest = hashlib.sha256()
    for side in (old, new):
        digest.update(str(Path(side).absolute()).encode("utf-8", "surrogateescape") + b"\0")
    for data in (old_bytes, new_bytes):
        digest.update(b"-" if data is None else hashlib.sha256(data).digest())
    return Proposal(
        id=f"compare-{digest.hexdigest()[:16]}",
        title=f"{Path(old).name} → {Path(new).name}",
        changes=(change,),
        rationale=f"Comparing {old} with {new}. A read-only comparison: nothing is written.",
        agent=Agent(name="vetline compare"),
    )


def _read(side: str) -> bytes | None:
    """The side's bytes; None for the null device (the file does not exist on that side)."""
    if side == NULL_FILE:
        return None
    path = Path(side)
    try:
        size = path.stat().st_size
        if size > MAX_COMPARED_BYTES:
            raise InputError(f"{side}: {size >> 20} MB is too large to compare")
        return path.read_bytes()
    except IsADirectoryError as error:
        raise InputError(f"{side}: a folder, not a file") from error
    except FileNotFoundError as error:
        raise InputError(f"{side}: no such file") from error
    except OSError as error:
        raise InputError(f"{side}: cannot be read: {error.strerror or error}") from error
