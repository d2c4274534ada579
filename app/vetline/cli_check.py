"""`vetline check`: a source's proposals, files, hunks and citations, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from vetline.cli_common import (
    EXIT_OK,
    EXIT_OVER_LEASH,
    open_source_of,
    settings_of,
    shown,
    workspace_path,
)
from vetline.core.escape import printable
from vetline.core.hidden_text import citation_words, hunk_summary, proposal_words, texts_summary
from vetline.core.image_items import annotation_hunk, region_hunk
from vetline.core.image_items import summary as image_summary
from vetline.core.leash import Level, Violation
from vetline.core.model import Change, Hunk, HunkKind, Proposal

if TYPE_CHECKING:
    from vetline.core.citations import CitationCheck
    from vetline.core.model import Citation


def check(args: argparse.Namespace) -> int:
    from vetline.adapters.sources.checker import CitationChecker, check_json, source_access

    settings = settings_of(args)
    level = Level(args.level or settings["review.level"])
    leash = settings.leash()
    source = open_source_of(args)
    proposals = source.proposals
    verdicts = [(proposal, leash.check(proposal, level)) for proposal in proposals]
    workspace = source.git_tree.root if source.git_tree else workspace_path(args.workspace)
    checker = CitationChecker(source_access(settings, workspace, fetch=args.fetch))
    # Citation statuses inform; they never change the exit code.
    cited = {proposal.id: list(checker.check_all(proposal.citations)) for proposal in proposals}
    if args.json:
        document = {
            "proposals": [
                {
                    **_proposal_json(p, level, v),
                    "citations": [
                        {**check_json(c, r), "hidden": _citation_hidden(c)} for c, r in cited[p.id]
                    ],
                }
                for p, v in verdicts
            ]
        }
        sys.stdout.write(_json_text(document) + "\n")
    else:
        for proposal, violations in verdicts:
            _print_proposal(proposal, level, violations, sys.stdout)
            _print_citations(cited[proposal.id], sys.stdout)
    return EXIT_OVER_LEASH if any(v for _, v in verdicts) else EXIT_OK


def _json_text(document: Any) -> str:
    """JSON that any terminal and any UTF-8 stream take: characters that hide or reorder
    text, and the lone surrogates of a name that is not UTF-8, as \\u escapes (which
    read back as the same string)."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return "".join(
        f"\\u{ord(char):04x}" if not char.isascii() and printable(char) != char else char
        for char in text
    )


def _proposal_json(proposal: Proposal, level: Level, violations: list[Violation]) -> Any:
    return {
        "id": proposal.id,
        "title": proposal.title,
        "hidden": _proposal_hidden(proposal),
        "files": [
            {
                "path": change.path,
                "status": str(change.status),
                **({"image": _image_json(change)} if change.image is not None else {}),
                "hunks": [
                    {
                        "id": hunk.id,
                        "old_start": hunk.old_start,
                        "old_lines": hunk.old_lines,
                        "new_start": hunk.new_start,
                        "new_lines": hunk.new_lines,
                        "added": hunk.added,
                        "removed": hunk.removed,
                        "hidden": hunk_summary(hunk),
                    }
                    for hunk in change.hunks
                ],
            }
            for change in proposal.changes
        ],
        "leash": {
            "level": int(level),
            "ok": not violations,
            "violations": [violation.message for violation in violations],
        },
    }


def _image_json(change: Change) -> dict[str, Any]:
    """An image change's facts: sides, how much changed, and the regions with their item ids."""
    image = change.image
    assert image is not None
    out: dict[str, Any] = {
        "format": image.format or None,
        "before_size": list(image.before.size) if image.before else None,
        "after_size": list(image.after.size) if image.after else None,
        "changed_fraction": image.changed_fraction,
        "changed_pixels": image.changed_pixels,
        "visible_pixels": image.visible_pixels,
        "regions": [
            {
                "id": region_hunk(change.path, region).id,
                "box": list(region.box),
                "changed_pixels": region.changed_pixels,
            }
            for region in image.regions
        ],
        "regions_are_items": image.regions_are_items,
    }
    if image.whole_reason:
        out["whole_reason"] = image.whole_reason
    if image.problem:
        out["problem"] = image.problem
    if image.annotations:
        out["annotations"] = [
            {
                "id": annotation_hunk(change.path, box).id,
                "annotation_id": box.annotation_id,
                "label": box.label,
                "box": list(box.box),
            }
            for box in image.annotations
        ]
    return out


def _print_proposal(
    proposal: Proposal, level: Level, violations: list[Violation], out: TextIO
) -> None:
    def line(text: str) -> None:
        out.write(shown(text) + "\n")  # names and titles come from the agent

    agent = " / ".join(part for part in (proposal.agent.name, proposal.agent.model_words) if part)
    line(f"proposal {proposal.id}  {proposal.title}" + (f"  [{agent}]" if agent else ""))
    for change in proposal.changes:
        renamed = f" (from {change.old_path})" if change.old_path not in (None, change.path) else ""
        line(f"  {change.status:<8}  {change.path}{renamed}  +{change.added} -{change.removed}")
        image = change.image
        if image is not None:
            line(f"    image: {image_summary(image)}")
            if image.whole_reason and image.sides_known and image.before and image.after:
                line(f"    one item: {image.whole_reason}")
        for hunk in change.hunks:
            if hunk.region is not None:
                out.write(f"    {hunk.kind.value} {hunk.id}  {_box_words(hunk)}\n")
                continue
            what = "" if hunk.kind is HunkKind.TEXT else f"  ({hunk.kind})"
            line(
                f"    hunk {hunk.id}  -{hunk.old_start},{hunk.old_lines} "
                f"+{hunk.new_start},{hunk.new_lines}  +{hunk.added} -{hunk.removed}{what}"
            )
            hidden = hunk_summary(hunk)
            if hidden:  # already escaped: names, never the characters
                out.write(f"      hides {hidden}\n")
    if proposal.answer:
        first_line = proposal.answer.strip().splitlines()[0]
        line(f"  answer  {first_line[:72]}{'…' if len(first_line) > 72 else ''}")
    hidden = _proposal_hidden(proposal)
    if hidden:
        out.write(f"  hidden characters in {hidden}\n")
    title = f"level {int(level)} ({level.title})"
    if violations:
        line(f"  leash {title}: OVER")
        for violation in violations:
            line(f"    - {violation.message}")
    else:
        out.write(f"  leash {title}: ok\n")


def _print_citations(cited: list[tuple[Citation, CitationCheck]], out: TextIO) -> None:
    """One line per citation (status, score, where), then its differing words."""
    for citation, check in cited:
        status = str(check.status).replace("_", " ")
        if check.critical:
            status += ", CRITICAL"
        where = f"  at {check.source_offset}" if check.source_offset is not None else ""
        why = f"  ({check.reason})" if check.reason else ""
        out.write(
            shown(
                f"  citation {citation.id}  {status}  score {check.score:.2f}{where}"
                f"  {citation.locator}{why}"
            )
            + "\n"
        )
        hidden = _citation_hidden(citation)
        if hidden:
            out.write(f"    hidden characters in {hidden}\n")
        for difference in check.differences:
            marks = f"  [{', '.join(difference.touches)}]" if difference.touches else ""
            out.write(
                shown(
                    f"    quote {json.dumps(difference.quote, ensure_ascii=False)}"
                    f" / source {json.dumps(difference.source, ensure_ascii=False)}{marks}"
                )
                + "\n"
            )


def _proposal_hidden(proposal: Proposal) -> str:
    """What the proposal's own words hide ("" for nothing)."""
    return texts_summary(proposal_words(proposal))


def _citation_hidden(citation: Citation) -> str:
    return texts_summary(citation_words(citation))


def _box_words(hunk: Hunk) -> str:
    region = hunk.region
    assert region is not None
    where = f"{region.width}×{region.height} at {region.x},{region.y}"
    if hunk.kind is HunkKind.ANNOTATION:
        return shown(f"{where}  “{region.label}” ({region.annotation_id})")
    return f"{where}  {region.changed_pixels:,} px changed"
