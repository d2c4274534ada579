"""The `vetline` command: headless check/apply/log, and the window (loaded only when asked).

This module holds the parser and the dispatch; each command lives in its own `cli_*`
module, imported only when that command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vetline.cli_common import EXIT_OK, printable_lines
from vetline.core.errors import VetlineError
from vetline.core.leash import Level

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
    # Each command's module is imported only when that command runs.
    if args.command in (None, "review", "demo"):
        from vetline.cli_window import open_window

        return open_window(args)
    if args.command == "check":
        from vetline.cli_check import check

        return check(args)
    if args.command == "apply":
        from vetline.cli_apply import apply

        return apply(args)
    if args.command == "ask":
        from vetline.cli_ask import ask

        return ask(args)
    if args.command == "kept":
        from vetline.cli_kept import list_kept

        return list_kept()
    if args.command == "restore":
        from vetline.cli_kept import restore

        return restore(args)
    if args.command == "mcp-info":
        from vetline.cli_mcp import mcp_info

        return mcp_info(args)
    if args.command == "mcp-stdio":
        from vetline.cli_mcp import mcp_stdio

        return mcp_stdio()
    from vetline.cli_log import log_command

    return log_command(args)
