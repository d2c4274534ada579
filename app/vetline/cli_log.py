"""`vetline log`: export, verify, stats, path, restore, reseal and backups of the decision log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vetline.cli_common import EXIT_LOG_ALTERED, EXIT_OK, print_warnings
from vetline.core.errors import InputError


def log_command(args: argparse.Namespace) -> int:
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

        print_warnings(print_stats(path, args.json, sys.stdout))
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
        print_warnings(log.warnings)
        log.export(args.format, sys.stdout)
    return EXIT_OK


def _log_verify(path: Path) -> int:
    from vetline.adapters.log.inspect import check_log, restore_advice

    report = check_log(path)
    print_warnings(report.warnings)
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
