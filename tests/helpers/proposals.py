"""Proposals built from texts, as an agent's edit arrives: one change a file, hunks computed."""

from __future__ import annotations

from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, FileStatus, Proposal, sha256_hex


def text_change(path: str, old: str, new: str, *, pin_base: bool = False) -> Change:
    """`path` modified from `old` to `new`; pin_base records the base's hash, as files do."""
    return Change(
        path,
        FileStatus.MODIFIED,
        hunks_from_texts(path, old, new),
        base_text=old,
        new_text=new,
        base_sha256=sha256_hex(old) if pin_base else None,
    )


def proposal_of(*changes: Change, proposal_id: str = "p1", title: str = "test") -> Proposal:
    return Proposal(id=proposal_id, title=title, changes=changes)
