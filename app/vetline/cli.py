"""The `vetline` command: headless check/apply/log, and the window (loaded only when asked)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vetline import __version__
from vetline.core.errors import InputError, VetlineError
from vetline.core.leash import Leash, Level, Violation
from vetline.core.model import HunkKind, Proposal

if TYPE_CHECKING:
    from vetline.adapters.inputs import OpenedSource
    from vetline.operations.write_target import WriteTarget

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_OVER_LEASH = 3
EXIT_STALE = 4
EXIT_LOG_ALTERED = 5

EPILOG = """\
exit codes: 0 done, 2 bad input or unsafe path, 3 over the leash,
            4 stale base or context mismatch (nothing written), 5 decision log altered,
            6 no model gave a usable answer
sources:    a unified diff or git format-patch file, a Vetline proposal JSON file,
            SEARCH/REPLACE blocks, a Codex '*** Begin Patch' file, '-' for stdin,
            or a git repository folder (its uncommitted changes: accept stages a hunk,
            reject restores it in the work tree; nothing is committed)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetline",
        description="Verify what AI agents propose, one hunk at a time.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vetline {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation: review the demo offscreen in a temporary folder "
        "(one accept, one reject), check the decision log and the files; exit 0 if all hold",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the decision log and state here (default: $VETLINE_DATA_DIR or the "
        "platform's data folder)",
    )
    parser.add_argument(
        "--config", metavar="FILE", help="settings file (default: $VETLINE_CONFIG or settings.toml)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    review = commands.add_parser("review", help="open the review window on SOURCEs")
    review.add_argument("sources", nargs="*", metavar="SOURCE")
    review.add_argument(
        "--watch",
        metavar="DIR",
        help="an inbox folder agents drop proposal files into; verdicts go to DIR/outbox/",
    )
    _add_workspace(review)
    _add_level(review)

    commands.add_parser("demo", help="open the review window on the bundled demo queue")

    check = commands.add_parser("check", help="list a source's proposals, files and hunks")
    check.add_argument("source", metavar="SOURCE")
    _add_workspace(check)
    _add_level(check)
    check.add_argument("--json", action="store_true", help="print one JSON object")

    apply = commands.add_parser("apply", help="decide hunks from a script and write them")
    apply.add_argument("source", metavar="SOURCE")
    _add_workspace(apply)
    apply.add_argument(
        "--accept",
        default="none",
        metavar="all|none|ID,ID…",
        help="hunks to accept; all others are rejected (default: none)",
    )
    apply.add_argument("--reason", default="", help="reason logged with each rejection")
    _add_level(apply)
    apply.add_argument("--reviewer", metavar="NAME", help="name in the log (default: login)")

    ask = commands.add_parser(
        "ask", help="ask a model (OpenAI-compatible) for a proposal on the leash"
    )
    ask.add_argument(
        "--file", action="append", required=True, metavar="PATH", help="a file to work on"
    )
    ask.add_argument("--instruction", required=True, help="what the model should do")
    ask.add_argument("--provider", metavar="NAME", help="only this provider from the settings")
    _add_level(ask)
    ask.add_argument(
        "--out", metavar="FILE", help="write the proposal JSON here (default: open the window)"
    )
    _add_workspace(ask)

    commands.add_parser(
        "kept", help="list the agent's files kept before a reject took them out of a repository"
    )
    restore = commands.add_parser(
        "restore", help="put a kept file back in its repository's work tree (see `kept`)"
    )
    restore.add_argument("kept_id", metavar="ID")
    restore.add_argument("--reviewer", metavar="NAME", help="name in the log (default: login)")

    log = commands.add_parser("log", help="the decision log")
    log_commands = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    export = log_commands.add_parser("export", help="every decision, one record each")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    log_commands.add_parser("verify", help="check the hash chain; names the first altered row")
    log_commands.add_parser("path", help="print where the log is")
    return parser


def _add_workspace(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        required=required,
        help="the folder the proposal's paths are relative to",
    )


def _add_level(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--level",
        type=int,
        choices=[int(level) for level in Level],
        help="autonomy level: 1 Suggest, 2 Chunk, 3 File, 4 Repo (default: from settings)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except VetlineError as error:
        print(f"vetline: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`vetline log export | head -1`): end quietly, as a
        # command line tool should. Point stdout at nothing so the interpreter's own
        # flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test:
        from vetline.ui.self_test import run_self_test  # Qt loads only for the window

        passed: int = run_self_test()
        return passed
    if args.data_dir:
        # The window and any worker process read the same folder.
        os.environ["VETLINE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if args.command in (None, "review", "demo"):
        return _open_window(args)
    if args.command == "check":
        return _check(args)
    if args.command == "apply":
        return _apply(args)
    if args.command == "ask":
        return _ask(args)
    if args.command == "kept":
        return _kept()
    if args.command == "restore":
        return _restore(args)
    return _log(args)


def _open_window(args: argparse.Namespace) -> int:
    from vetline.ui.app import run_gui  # Qt loads only for the window

    exit_code: int = run_gui(
        sources=list(getattr(args, "sources", []) or []),
        workspace=_workspace_path(getattr(args, "workspace", None)),
        demo=args.command == "demo",
        data_dir=Path(args.data_dir) if args.data_dir else None,
        config=Path(args.config) if args.config else None,
        level=getattr(args, "level", None),
        watch=_watch_path(getattr(args, "watch", None)),
    )
    return exit_code


def _watch_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise InputError(f"--watch {value}: not a folder")
    return path.resolve()


def _workspace_path(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise InputError(f"--workspace {value}: not a folder")
    return path.resolve()


def _settings(args: argparse.Namespace) -> Any:
    from vetline.adapters.config import load_settings

    return load_settings(args.config)


def _open(args: argparse.Namespace) -> OpenedSource:
    from vetline.adapters.inputs import open_source

    return open_source(args.source, _workspace_path(args.workspace), stdin=sys.stdin.buffer)


# --- check ------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    level = Level(args.level or settings["review.level"])
    leash = settings.leash()
    proposals = _open(args).proposals
    verdicts = [(proposal, leash.check(proposal, level)) for proposal in proposals]
    if args.json:
        json.dump(
            {"proposals": [_proposal_json(p, level, v) for p, v in verdicts]},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
    else:
        for proposal, violations in verdicts:
            _print_proposal(proposal, level, violations, sys.stdout)
    return EXIT_OVER_LEASH if any(v for _, v in verdicts) else EXIT_OK


def _proposal_json(proposal: Proposal, level: Level, violations: list[Violation]) -> Any:
    return {
        "id": proposal.id,
        "title": proposal.title,
        "files": [
            {
                "path": change.path,
                "status": str(change.status),
                "hunks": [
                    {
                        "id": hunk.id,
                        "old_start": hunk.old_start,
                        "old_lines": hunk.old_lines,
                        "new_start": hunk.new_start,
                        "new_lines": hunk.new_lines,
                        "added": hunk.added,
                        "removed": hunk.removed,
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


def _print_proposal(
    proposal: Proposal, level: Level, violations: list[Violation], out: TextIO
) -> None:
    agent = " / ".join(part for part in (proposal.agent.name, proposal.agent.model) if part)
    out.write(
        f"proposal {proposal.id}  {proposal.title}" + (f"  [{agent}]" if agent else "") + "\n"
    )
    for change in proposal.changes:
        renamed = f" (from {change.old_path})" if change.old_path not in (None, change.path) else ""
        out.write(
            f"  {change.status:<8}  {change.path}{renamed}  +{change.added} -{change.removed}\n"
        )
        for hunk in change.hunks:
            what = "" if hunk.kind is HunkKind.TEXT else f"  ({hunk.kind})"
            out.write(
                f"    hunk {hunk.id}  -{hunk.old_start},{hunk.old_lines} "
                f"+{hunk.new_start},{hunk.new_lines}  +{hunk.added} -{hunk.removed}{what}\n"
            )
    title = f"level {int(level)} ({level.title})"
    if violations:
        out.write(f"  leash {title}: OVER\n")
        out.writelines(f"    - {violation.message}\n" for violation in violations)
    else:
        out.write(f"  leash {title}: ok\n")


# --- apply ------------------------------------------------------------------------


def _apply(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.paths import data_dir
    from vetline.core.session import ReviewSession
    from vetline.operations.repository_target import RepositoryTarget
    from vetline.operations.reviewer import Reviewer
    from vetline.operations.workspace_target import WorkspaceTarget

    settings = _settings(args)
    level = Level(args.level or settings["review.level"])
    leash: Leash = settings.leash()
    source = _open(args)
    if source.git_tree is None and args.workspace is None:
        raise InputError("apply needs --workspace DIR, the folder the proposal's paths are in")
    proposals = source.proposals
    accepted = _accepted_ids(args.accept, proposals)

    if args.accept == "all":
        over = [(p, leash.check(p, level)) for p in proposals]
        over = [(p, v) for p, v in over if v]
        if over:
            for proposal, violations in over:
                print(
                    f"vetline: --accept all refused for {proposal.id} (over the leash: "
                    + "; ".join(v.message for v in violations)
                    + "); name the hunks one by one to review them",
                    file=sys.stderr,
                )
            return EXIT_OVER_LEASH

    reviewer_name = args.reviewer or settings["review.reviewer"] or _login_name()
    with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
        session = ReviewSession(
            proposals,
            record=log.append,
            clock=time.monotonic,
            reviewer=reviewer_name,
            level=level,
            leash=leash,
        )
        target: WriteTarget
        if source.git_tree is not None:
            target = RepositoryTarget(source.git_tree, session, KeptFiles(data_dir()))
        else:
            target, finished = WorkspaceTarget.open(
                _workspace_path(args.workspace) or Path(), session, data_dir(), leash.denied_paths
            )
            for note in finished:
                print(f"vetline: {note}", file=sys.stderr)
        print(Reviewer(session, log, target).decide_all(accepted, reason=args.reason))
    return EXIT_OK


def _accepted_ids(spec: str, proposals: list[Proposal]) -> list[str] | None:
    """None means all; names must exist and be acceptable (bad input otherwise)."""
    if spec == "all":
        unacceptable = [
            f"{change.path} (binary, the patch carries no data)"
            for proposal in proposals
            for change in proposal.changes
            if change.binary_new is not None and change.binary_new.data is None
        ]
        if unacceptable:
            raise InputError("cannot accept " + ", ".join(unacceptable))
        return None
    if spec == "none":
        return []
    wanted = [part.strip() for part in spec.split(",") if part.strip()]
    known = {hunk.id: (proposal, hunk) for proposal in proposals for hunk in proposal.hunks}
    for hunk_id in wanted:
        if hunk_id not in known:
            raise InputError(f"--accept: no hunk {hunk_id!r} in {len(known)} hunks of the source")
        proposal, hunk = known[hunk_id]
        change = proposal.change_of(hunk_id)
        if hunk.kind is HunkKind.BINARY and (
            change.binary_new is not None and change.binary_new.data is None
        ):
            raise InputError(
                f"--accept: hunk {hunk_id} ({change.path}) is binary and the patch carries "
                "no data, so it cannot be accepted"
            )
    return wanted


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


# --- ask --------------------------------------------------------------------------


def _ask(args: argparse.Namespace) -> int:
    from vetline.adapters.llm.ask import AskHooks, AskStatus
    from vetline.adapters.llm.client import StreamProgress
    from vetline.adapters.llm.headless import ask_to_file
    from vetline.adapters.llm.redact import install_redaction
    from vetline.adapters.paths import data_dir

    install_redaction()
    settings = _settings(args)
    workspace = _workspace_path(args.workspace) or Path.cwd()
    out = Path(args.out) if args.out else data_dir() / "asked" / f"ask-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    def progress(update: StreamProgress) -> None:
        print(
            f"\r{update.provider}: {update.chunks} tokens, {update.elapsed_s:.1f} s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    result = ask_to_file(
        instruction=args.instruction,
        file_paths=args.file,
        settings=settings,
        out=out,
        workspace=workspace,
        provider_name=args.provider,
        level=args.level,
        hooks=AskHooks(on_progress=progress),
    )
    print(file=sys.stderr)
    for warning in result.warnings:
        print(f"vetline: {warning}", file=sys.stderr)
    for attempt in result.attempts:
        print(f"  {attempt.provider}: {attempt.outcome} ({attempt.ms} ms)", file=sys.stderr)
    over = result.status is AskStatus.OVER_LEASH
    if over:
        print(
            "vetline: still over the leash after sending it back: "
            + "; ".join(v.message for v in result.violations),
            file=sys.stderr,
        )
    if args.out:
        print(out)
        return EXIT_OVER_LEASH if over else EXIT_OK
    args.sources, args.command = [str(out)], "review"
    return _open_window(args)


# --- kept files -------------------------------------------------------------------


def _kept() -> int:
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.paths import data_dir

    files = KeptFiles(data_dir())
    for kept in files.all():
        what = kept.path if kept.existed else f"{kept.path} (the agent had deleted it)"
        print(f"{kept.id}  {kept.kept_at}  {kept.repository}  {what}")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.paths import data_dir
    from vetline.operations.kept_restore import restore_kept

    files = KeptFiles(data_dir())
    kept = files.find(args.kept_id)
    with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
        print(restore_kept(kept, files, log, reviewer=args.reviewer or _login_name()))
    return EXIT_OK


# --- log --------------------------------------------------------------------------


def _log(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.paths import data_dir

    path = data_dir() / LOG_FILE_NAME
    if args.log_command == "path":
        print(path)
        return EXIT_OK
    with DecisionLog(path) as log:
        if args.log_command == "export":
            log.export(args.format, sys.stdout)
            return EXIT_OK
        result = log.verify()
    if result.ok:
        print(f"intact: {result.rows_checked} decisions")
        return EXIT_OK
    print(f"vetline: decision log altered: {result.problem}", file=sys.stderr)
    return EXIT_LOG_ALTERED
