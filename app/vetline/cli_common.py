"""What the command line's commands share: exit codes, settings, the source and workspace
they name, the reviewer's name, and untrusted text written safely to the terminal."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vetline.core.errors import InputError
from vetline.core.escape import printable
from vetline.core.hidden_text import escape_hidden

if TYPE_CHECKING:
    from vetline.adapters.decision_log import DecisionLog
    from vetline.adapters.git.tree import GitTree
    from vetline.adapters.inputs import OpenedSource
    from vetline.operations.repository_journal import Settled

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_OVER_LEASH = 3
EXIT_STALE = 4
EXIT_LOG_ALTERED = 5


def workspace_path(value: str | None) -> Path | None:
    return folder_option("--workspace", value)


def folder_option(option: str, value: str | None) -> Path | None:
    """The folder an option names, resolved; bad input when it is not one."""
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise InputError(f"{option} {value}: not a folder")
    return path.resolve()


def settings_of(args: argparse.Namespace) -> Any:
    from vetline.adapters.config import load_settings

    return load_settings(args.config)


def open_source_of(args: argparse.Namespace) -> OpenedSource:
    from vetline.adapters.inputs import open_source

    max_bytes = settings_of(args)["input.max_source_mb"] << 20
    return open_source(
        args.source, workspace_path(args.workspace), stdin=sys.stdin.buffer, max_bytes=max_bytes
    )


def printable_lines(text: str) -> str:
    """`text` with its lines kept and every control a terminal would act on escaped."""
    return "\n".join(map(printable, text.split("\n")))


def shown(text: str) -> str:
    """Untrusted text for the terminal: hidden characters and look-alike letters as
    ⟨U+202E⟩ (as the window shows them), controls a terminal acts on as \\x1b."""
    return printable(escape_hidden(text))


def print_warnings(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"vetline: warning: {warning}", file=sys.stderr)


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def settle_repository_noting(tree: GitTree, log: DecisionLog) -> Settled:
    """Settle what a crash left of Vetline's writes in `tree`'s repository, saying what
    was done on stderr."""
    from vetline.adapters.paths import data_dir
    from vetline.operations.repository_journal import settle_repository

    settled = settle_repository(tree, data_dir(), log)
    for note in settled.notes:
        print(f"vetline: {printable(note)}", file=sys.stderr)
    return settled
