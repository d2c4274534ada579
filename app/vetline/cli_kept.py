"""`vetline kept` and `vetline restore`: the agent's files a reject took out of a repository."""

from __future__ import annotations

import argparse

from vetline.cli_common import (
    EXIT_OK,
    login_name,
    print_warnings,
    settle_repository_noting,
    shown,
)


def list_kept() -> int:
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.paths import data_dir

    files = KeptFiles(data_dir())
    for kept in files.all():
        # The agent chose the names: hidden characters and look-alike letters escaped.
        path = shown(kept.path)
        what = path if kept.existed else f"{path} (the agent had deleted it)"
        print(f"{kept.id}  {kept.kept_at}  {shown(str(kept.repository))}  {what}")
    return EXIT_OK


def restore(args: argparse.Namespace) -> int:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.adapters.files.intents import WriteIntents
    from vetline.adapters.files.kept import KeptFiles
    from vetline.adapters.git.tree import load_worktree
    from vetline.adapters.paths import data_dir
    from vetline.operations.kept_restore import restore_kept

    files = KeptFiles(data_dir())
    kept = files.find(args.kept_id)
    reviewer = args.reviewer or login_name()
    with DecisionLog(data_dir() / LOG_FILE_NAME) as log:
        print_warnings(log.warnings)
        # What a killed restore or review left in the repository is settled first.
        settle_repository_noting(load_worktree(kept.repository), log)
        intents = WriteIntents(data_dir())
        # The message names the agent's path: written out as `kept` writes it.
        print(shown(restore_kept(kept, files, log, reviewer=reviewer, intents=intents)))
    return EXIT_OK
