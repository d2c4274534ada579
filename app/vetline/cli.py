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

from vetline.core.errors import InputError, VetlineError
from vetline.core.escape import printable
from vetline.core.hidden_text import (
    citation_words,
    escape_hidden,
    hunk_summary,
    proposal_words,
    texts_summary,
)
from vetline.core.image_items import annotation_hunk, region_hunk
from vetline.core.image_items import summary as image_summary
from vetline.core.leash import Leash, Level, Violation
from vetline.core.model import Change, Hunk, HunkKind, Proposal

if TYPE_CHECKING:
    from vetline.adapters.decision_log import DecisionLog
    from vetline.adapters.git.tree import GitTree
    from vetline.adapters.inputs import OpenedSource
    from vetline.core.citations import CitationCheck
    from vetline.core.model import Citation
    from vetline.operations.repository_journal import Settled
    from vetline.operations.write_target import WriteTarget

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_OVER_LEASH = 3
EXIT_STALE = 4
EXIT_LOG_ALTERED = 5

EPILOG = """\
exit codes: 0 done, 1 Vetline could not do its own part (the decision log busy or damaged,
            an I/O error, git failed), 2 bad input or unsafe path,
            3 refused: over the leash, citations undecided, or hunks that hide characters
            accepted without --accept-flagged (nothing written),
            4 stale base or context mismatch (nothing written), 5 decision log altered,
            6 no model gave a usable answer, 130 interrupted (Ctrl+C)
hidden:     bidirectional controls, invisible characters, variation selectors and
            look-alike letters are shown by code point; check names them, and apply
            refuses a hunk holding one (or writing a file named with one) without
            --accept-flagged
sources:    a unified diff or git format-patch file, a Vetline proposal JSON file,
            SEARCH/REPLACE blocks, a Codex '*** Begin Patch' file, '-' for stdin,
            or a git repository folder (its uncommitted changes: accept stages a hunk,
            reject restores it in the work tree; nothing is committed)
compare:    vetline OLD NEW opens a read-only comparison of two files (either may be
            /dev/null), as `git difftool` calls a tool
"""


class _PrintVersion(argparse.Action):
    """`--version`: the installed version is looked up only when asked (it costs an import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from vetline import __version__

        print(f"vetline {__version__}")  # on stdout, as argparse's own action prints it
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetline",
        description="Verify what AI agents propose, one hunk at a time.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_PrintVersion)
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

    check = commands.add_parser(
        "check",
        help="list a source's proposals, files and hunks, check its citations, and name the "
        "hidden characters (bidi controls, invisible characters, look-alike letters) in them",
    )
    check.add_argument("source", metavar="SOURCE")
    _add_workspace(check)
    _add_level(check)
    check.add_argument(
        "--fetch",
        action="store_true",
        help="fetch cited URLs to check their quotes (default: such citations are "
        "'unavailable: not fetched')",
    )
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
    apply.add_argument(
        "--accept-flagged",
        action="store_true",
        help="accept hunks that hide characters (bidirectional controls, invisible "
        "characters, look-alike letters) among those named; without it they are refused "
        "(exit 3), as the window asks a second time",
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
    ask.add_argument(
        "--store-key",
        action="store_true",
        help="save an API key typed at the prompt in the OS keyring"
        " (default: keep it in memory for this run only)",
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

    _add_log_commands(commands.add_parser("log", help="the decision log"))
    mcp_info = commands.add_parser(
        "mcp-info", help="how agents connect to the running window over MCP (URL, token, configs)"
    )
    mcp_info.add_argument("--json", action="store_true", help="print it as JSON")
    commands.add_parser(
        "mcp-stdio", help="MCP over stdin/stdout, relayed to the running window (for stdio hosts)"
    )
    return parser


def _add_log_commands(log: argparse.ArgumentParser) -> None:
    log_commands = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    export = log_commands.add_parser("export", help="every decision, one record each")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    verify = log_commands.add_parser(
        "verify",
        help="check every page, the hash chain and the end against the head file; "
        "names the first problem (exit 5)",
    )
    verify.add_argument(
        "--export", metavar="FILE", help="check an export (jsonl or csv) instead of the log"
    )
    stats = log_commands.add_parser(
        "stats", help="your own numbers: verdicts by agent, model, level, file type; time by size"
    )
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    log_commands.add_parser("path", help="print where the log is")
    restore = log_commands.add_parser(
        "restore", help="put the newest good copy back in place of a damaged log"
    )
    choice = restore.add_mutually_exclusive_group()
    choice.add_argument("--from", dest="source", metavar="FILE", help="restore this copy")
    choice.add_argument(
        "--new", action="store_true", help="set the damaged log aside and start an empty one"
    )
    log_commands.add_parser(
        "reseal",
        help="accept a sound log's end as it is (after a move without its head file)",
    )
    log_commands.add_parser("backups", help="list the log's rolling copies")


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
    from vetline.cli_compare import commands_of, compare, split_comparison

    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    comparison = split_comparison(arguments, commands_of(parser))  # `vetline OLD NEW`
    args = parser.parse_args(comparison[0] if comparison else arguments)
    try:
        if comparison is not None:
            return compare(args, *comparison[1])
        return _dispatch(args)
    except VetlineError as error:
        # An error may quote what a file, a server or a model said: controls escaped.
        print(f"vetline: {printable_lines(str(error))}", file=sys.stderr)
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
    if args.command == "mcp-info":
        return _mcp_info(args)
    if args.command == "mcp-stdio":
        from vetline.adapters.mcp.relay import run_relay
        from vetline.adapters.paths import data_dir

        run_relay(data_dir())
        return EXIT_OK
    return _log(args)


def _mcp_info(args: argparse.Namespace) -> int:
    """Print the running window's MCP endpoint; NoServerError (exit 1) when none runs."""
    from vetline.adapters.mcp.host_configs import describe, host_configs
    from vetline.adapters.mcp.state import bearer_token, running_endpoint
    from vetline.adapters.paths import data_dir

    folder = data_dir()
    endpoint = running_endpoint(folder)
    token = bearer_token(folder)
    if args.json:
        document = {
            "url": endpoint.url,
            "token": token,
            "pid": endpoint.pid,
            "hosts": host_configs(endpoint.url, token),
        }
        print(json.dumps(document, indent=2))
    else:
        print(describe(endpoint.url, token), end="")
    return EXIT_OK


# The window's Qt-free parts, imported before Qt is: once loaded, PySide6 reads the
# source of every module imported after it (for its __feature__ switches), about
# 0.1 ms each. Each is loaded for the first paint anyway (tests/ui/test_first_paint_imports).
WINDOW_QT_FREE_MODULES = (
    "vetline.adapters.config",
    "vetline.adapters.decision_log",
    "vetline.adapters.files.kept",
    "vetline.adapters.formats.json_reader",
    "vetline.adapters.inputs",
    "vetline.adapters.llm.errors",
    "vetline.adapters.llm.providers",
    "vetline.adapters.llm.redact",
    "vetline.adapters.llm.typed_keys",
    "vetline.adapters.log.stats",
    "vetline.core.autonomy_suggestion",
    "vetline.core.citation_items",
    "vetline.core.commands",
    "vetline.core.hidden_text",
    "vetline.core.hunk_edit",
    "vetline.core.reading_time",
    "vetline.core.session",
    "vetline.core.worddiff",
    "vetline.operations.reviewer",
    "vetline.operations.workspace_target",
    "vetline.resources",
    "vetline.ui.diff_rows",
    "vetline.ui.hunk_badges",
    "vetline.ui.line_text",
    "vetline.ui.queue_index",
    "vetline.ui.stale_bases",
    "vetline.ui.syntax",
    "vetline.ui.tasks",
)


def _open_window(args: argparse.Namespace) -> int:
    import importlib

    for name in WINDOW_QT_FREE_MODULES:
        importlib.import_module(name)
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

    max_bytes = _settings(args)["input.max_source_mb"] << 20
    return open_source(
        args.source, _workspace_path(args.workspace), stdin=sys.stdin.buffer, max_bytes=max_bytes
    )


# --- check ------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from vetline.adapters.sources.checker import CitationChecker, check_json, source_access

    settings = _settings(args)
    level = Level(args.level or settings["review.level"])
    leash = settings.leash()
    source = _open(args)
    proposals = source.proposals
    verdicts = [(proposal, leash.check(proposal, level)) for proposal in proposals]
    workspace = source.git_tree.root if source.git_tree else _workspace_path(args.workspace)
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

    agent = " / ".join(part for part in (proposal.agent.name, proposal.agent.model) if part)
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


def printable_lines(text: str) -> str:
    """`text` with its lines kept and every control a terminal would act on escaped."""
    return "\n".join(map(printable, text.split("\n")))


def shown(text: str) -> str:
    """Untrusted text for the terminal: hidden characters and look-alike letters as
    ⟨U+202E⟩ (as the window shows them), controls a terminal acts on as \\x1b."""
    return printable(escape_hidden(text))


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


# --- apply ------------------------------------------------------------------------


def _apply(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.inputs import UnsafeSourceError
    from vetline.adapters.paths import data_dir
    from vetline.core.session import ReviewSession
    from vetline.operations.repository_journal import RepositoryWrites
    from vetline.operations.repository_target import RepositoryTarget
    from vetline.operations.reviewer import Reviewer, refuse_unreviewed
    from vetline.operations.workspace_target import WorkspaceTarget

    settings = _settings(args)
    level = Level(args.level or settings["review.level"])
    leash: Leash = settings.leash()
    reviewer_name = args.reviewer or settings["review.reviewer"] or _login_name()

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
        source = _open(args)
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
        _print_warnings(log.warnings)
        # What a crash left in the repository is settled first; if that changed it,
        # what was read of it is stale.
        if source.git_tree is not None and _settle_repository(source.git_tree, log).changed:
            source = _open(args)
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
                _workspace_path(args.workspace) or Path(),
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


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


# --- ask --------------------------------------------------------------------------


def _ask(args: argparse.Namespace) -> int:
    from vetline.adapters.llm.ask import AskHooks, AskStatus
    from vetline.adapters.llm.headless import ask_to_file, chosen_providers
    from vetline.adapters.llm.redact import install_redaction
    from vetline.adapters.llm.terminal import StatusLine, type_missing_keys
    from vetline.adapters.llm.typed_keys import TypedKeys
    from vetline.adapters.paths import data_dir

    install_redaction()
    settings = _settings(args)
    workspace = _workspace_path(args.workspace) or Path.cwd()
    out = Path(args.out) if args.out else data_dir() / "asked" / f"ask-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    line = StatusLine(sys.stderr)
    keys = TypedKeys()
    try:
        if sys.stdin.isatty():  # a key is only ever typed at a terminal, never piped in
            type_missing_keys(
                keys,
                chosen_providers(settings, args.provider),
                read_key=lambda prompt: getpass.getpass(prompt, stream=sys.stderr),
                store=args.store_key,
                say=line.say,
            )
        result = ask_to_file(
            instruction=args.instruction,
            file_paths=args.file,
            settings=settings,
            out=out,
            workspace=workspace,
            provider_name=args.provider,
            level=args.level,
            hooks=AskHooks(on_progress=line.progress, on_rate_limit_wait=line.countdown),
            lookup_key=keys.lookup,
        )
    except KeyboardInterrupt:
        line.say("vetline: cancelled: no proposal written")
        return 130  # 128 + SIGINT, as a shell reports Ctrl+C
    finally:
        line.end()  # an error message then starts on its own line
    for warning in result.warnings:
        line.say(f"vetline: {warning}")
    for attempt in result.attempts:
        line.say(f"  {attempt.provider}: {attempt.outcome} ({attempt.ms} ms)")
    agent = result.answer.agent
    if agent.served_model and agent.served_model != agent.model:
        line.say(f"vetline: asked for model {agent.model!r}; {agent.served_model!r} answered")
    over = result.status is AskStatus.OVER_LEASH
    if over:
        line.say(
            "vetline: still over the leash after sending it back: "
            + "; ".join(v.message for v in result.violations)
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
        # The agent chose the names: hidden characters and look-alike letters escaped.
        path = shown(kept.path)
        what = path if kept.existed else f"{path} (the agent had deleted it)"
        print(f"{kept.id}  {kept.kept_at}  {shown(str(kept.repository))}  {what}")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.intents import WriteIntents
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.git.tree import load_worktree
    from vetline.adapters.paths import data_dir
    from vetline.operations.kept_restore import restore_kept

    files = KeptFiles(data_dir())
    kept = files.find(args.kept_id)
    reviewer = args.reviewer or _login_name()
    with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
        _print_warnings(log.warnings)
        # What a killed restore or review left in the repository is settled first.
        _settle_repository(load_worktree(kept.repository), log)
        intents = WriteIntents(data_dir())
        # The message names the agent's path: written out as `kept` writes it.
        print(shown(restore_kept(kept, files, log, reviewer=reviewer, intents=intents)))
    return EXIT_OK


def _settle_repository(tree: GitTree, log: DecisionLog) -> Settled:
    """Settle what a crash left of Vetline's writes in `tree`'s repository, saying what
    was done on stderr."""
    from vetline.adapters.paths import data_dir
    from vetline.operations.repository_journal import settle_repository

    settled = settle_repository(tree, data_dir(), log)
    for note in settled.notes:
        print(f"vetline: {printable(note)}", file=sys.stderr)
    return settled


# --- log --------------------------------------------------------------------------


def _log(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.log import restore
    from vetline.adapters.paths import data_dir

    path = data_dir() / LOG_FILE_NAME
    if args.log_command == "path":
        print(path)
        return EXIT_OK
    if args.log_command == "verify":
        return _log_verify(path) if args.export is None else _export_verify(Path(args.export))
    if args.log_command == "backups":
        return _log_backups(path)
    if args.log_command == "stats":
        from vetline.cli_stats import print_stats

        _print_warnings(print_stats(path, args.json, sys.stdout))
        return EXIT_OK
    if args.log_command == "restore":
        if args.new:
            print(restore.start_new_log(path))
        else:
            print(restore.restore_log(path, Path(args.source) if args.source else None))
        return EXIT_OK
    if args.log_command == "reseal":
        print(restore.reseal_log(path))
        return EXIT_OK
    with DecisionLog(path) as log:
        _print_warnings(log.warnings)
        log.export(args.format, sys.stdout)
    return EXIT_OK


def _log_verify(path: Path) -> int:
    from vetline.adapters.log.inspect import check_log, restore_advice

    report = check_log(path)
    _print_warnings(report.warnings)
    if report.ok:
        print(
            f"intact: {report.rows_checked} decisions" if report.exists else f"no log yet: {path}"
        )
        return EXIT_OK
    for problem in report.problems:
        print(f"vetline: decision log altered: {problem}", file=sys.stderr)
    advice = restore_advice(path, None, only_the_end=report.only_the_end)
    print(f"vetline: {advice}", file=sys.stderr)
    return EXIT_LOG_ALTERED


def _export_verify(export: Path) -> int:
    from vetline.adapters.log.export import check_export

    try:
        with export.open(encoding="utf-8", newline="") as lines:
            result = check_export(lines)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the export {export}: {error}") from error
    if result.ok:
        print(f"intact: {result.rows_checked} decisions in {export}")
        return EXIT_OK
    print(f"vetline: export altered: {result.problem}", file=sys.stderr)
    return EXIT_LOG_ALTERED


def _log_backups(path: Path) -> int:
    from vetline.adapters.log.backups import backup_paths, check_copy

    for copy_path in reversed(backup_paths(path)):
        copy, result = check_copy(copy_path)
        state = "good" if copy is not None and result.ok else f"damaged: {result.problem}"
        what = f"{copy.end.describe()}, made {copy.made_at}" if copy else ""
        print(f"{copy_path}  {what}  {state}")
    return EXIT_OK


def _print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"vetline: warning: {warning}", file=sys.stderr)
