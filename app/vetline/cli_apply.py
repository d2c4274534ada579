"""`vetline apply`: decide a source's hunks from the command line and write the accepted ones."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from vetline.cli_common import (
    EXIT_OK,
    EXIT_OVER_LEASH,
    login_name,
    open_source_of,
    print_warnings,
    printable_lines,
    settings_of,
    settle_repository_noting,
    workspace_path,
)
from vetline.core.errors import InputError
from vetline.core.escape import printable
from vetline.core.leash import Leash, Level
from vetline.core.model import Proposal

if TYPE_CHECKING:
    from vetline.adapters.decision_log import DecisionLog
    from vetline.core.session import ReviewSession
    from vetline.operations.write_target import WriteTarget


def apply(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.inputs import UnsafeSourceError
    from vetline.adapters.paths import data_dir
    from vetline.core.session import ReviewSession
    from vetline.operations.repository_journal import RepositoryWrites
    from vetline.operations.repository_target import RepositoryTarget
    from vetline.operations.reviewer import Reviewer, refuse_unreviewed
    from vetline.operations.workspace_target import WorkspaceTarget

    settings = settings_of(args)
    level = Level(args.level or settings["review.level"])
    leash: Leash = settings.leash()
    reviewer_name = args.reviewer or settings["review.reviewer"] or login_name()

    def session_on(log: DecisionLog, proposals: list[Proposal]) -> ReviewSession:
        return ReviewSession(
            proposals,
            record=log.append,
            clock=time.monotonic,
            reviewer=reviewer_name,
            level=level,
            leash=leash,
        )

    try:
        source = open_source_of(args)
    except UnsafeSourceError as error:
        # Read, but refused for a path no file should have: the log says so.
        with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
            refuse_unreviewed(
                log, error.proposals, str(error), reviewer=reviewer_name, level=level, leash=leash
            )
        raise
    if source.git_tree is None and args.workspace is None:
        raise InputError("apply needs --workspace DIR, the folder the proposal's paths are in")
    proposals = source.proposals
    accepted = _accepted_ids(args.accept, proposals)

    with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
        print_warnings(log.warnings)
        # What a crash left in the repository is settled first; if that changed it,
        # what was read of it is stale.
        if source.git_tree is not None and settle_repository_noting(source.git_tree, log).changed:
            source = open_source_of(args)
            proposals = source.proposals
            accepted = _accepted_ids(args.accept, proposals)
        session = session_on(log, proposals)
        cited = [why for proposal in proposals if (why := session.citations_refusal(proposal))]
        if cited:  # the leash asks for each citation to be looked at before any hunk is
            Reviewer(session, log).refuse("; ".join(cited))
            for refusal in cited:
                print(f"vetline: apply refused: {printable(refusal)}", file=sys.stderr)
            return EXIT_OVER_LEASH
        if args.accept == "all":
            over = [(p, leash.check(p, level)) for p in proposals]
            over = [(p, v) for p, v in over if v]
            if over:
                refusals = [
                    f"--accept all refused for {proposal.id} (over the leash: "
                    + "; ".join(v.message for v in violations)
                    + "); name the hunks one by one to review them"
                    for proposal, violations in over
                ]
                Reviewer(session, log).refuse("; ".join(refusals))
                for refusal in refusals:
                    print(f"vetline: {printable(refusal)}", file=sys.stderr)
                return EXIT_OVER_LEASH
        target: WriteTarget
        if source.git_tree is not None:
            target = RepositoryTarget(
                source.git_tree,
                session,
                KeptFiles(data_dir()),
                RepositoryWrites(source.git_tree, data_dir(), log),
            )
        else:
            target, finished = WorkspaceTarget.open(
                workspace_path(args.workspace) or Path(),
                session,
                data_dir(),
                leash.denied_paths,
                log=log,
            )
            for note in finished:
                print(f"vetline: {printable(note)}", file=sys.stderr)
        reviewer = Reviewer(session, log, target)
        print(
            printable_lines(
                reviewer.decide_all(accepted, args.reason, accept_flagged=args.accept_flagged)
            )
        )
    return EXIT_OK


def _accepted_ids(spec: str, proposals: list[Proposal]) -> list[str] | None:
    """None means all; named hunks must exist (bad input otherwise). Whether each can be
    accepted is the reviewer's to say, so that a refusal is logged."""
    if spec == "all":
        return None
    if spec == "none":
        return []
    wanted = [part.strip() for part in spec.split(",") if part.strip()]
    known = {hunk.id for proposal in proposals for hunk in proposal.hunks}
    for hunk_id in wanted:
        if hunk_id not in known:
            raise InputError(f"--accept: no hunk {hunk_id!r} in {len(known)} hunks of the source")
    return wanted
