"""`vetline OLD NEW`: compare two files in the window, as `git difftool` calls a tool.

The command line is told from the others by its shape: exactly two positional
arguments, the first not a command's name, both existing files (or /dev/null).
The window it opens is a read-only comparison: verdicts go to the decision log like
any others, but nothing is written, because git's sides are often temporary copies it
deletes when the tool exits. It always opens its own window (never hands over to a
running one), since `git difftool` waits for the tool to close before the next file.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

# The top-level options that take a value (the value is not a positional argument).
_OPTIONS_WITH_VALUE = ("--data-dir", "--config")


def split_comparison(
    argv: Sequence[str], commands: Sequence[str]
) -> tuple[list[str], tuple[str, str]] | None:
    """(the options, (OLD, NEW)) when argv asks to compare two files; None otherwise."""
    options: list[str] = []
    positional: list[str] = []
    taking_value = False
    for argument in argv:
        if taking_value:
            options.append(argument)
            taking_value = False
        elif argument.startswith("-") and argument != "-":
            options.append(argument)
            taking_value = argument in _OPTIONS_WITH_VALUE
        else:
            positional.append(argument)
    if len(positional) != 2 or positional[0] in commands:
        return None
    from vetline.adapters.compare import is_comparable  # only for two bare paths: git loads

    if not all(is_comparable(side) for side in positional):
        return None
    return options, (positional[0], positional[1])


def compare(args: argparse.Namespace, old: str, new: str) -> int:
    """Open the comparison window; identical files are said and no window opens."""
    from vetline.adapters.compare import compare_files

    comparison = compare_files(old, new)
    if comparison is None:
        print(f"{old} and {new} are identical")
        return 0
    from vetline.ui.app import run_gui  # Qt loads only for the window

    exit_code: int = run_gui(
        sources=[],
        workspace=None,
        demo=False,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        config=Path(args.config) if args.config else None,
        level=None,
        comparison=comparison,
    )
    return exit_code


def commands_of(parser: argparse.ArgumentParser) -> list[str]:
    """The names of the parser's sub-commands."""
    for action in parser._actions:  # argparse keeps its sub-parsers here
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []
