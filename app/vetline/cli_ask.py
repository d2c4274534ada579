"""`vetline ask`: a proposal from a model (OpenAI-compatible), written to a file or opened."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from vetline.cli_common import EXIT_OK, EXIT_OVER_LEASH, settings_of, workspace_path


def ask(args: argparse.Namespace) -> int:
    try:
        return _ask(args)
    except KeyboardInterrupt:  # before the request went out (loading, reading the files)
        print("vetline: cancelled: no proposal written", file=sys.stderr)
        return 130


def _ask(args: argparse.Namespace) -> int:
    from vetline.adapters.llm.ask import AskHooks, AskStatus
    from vetline.adapters.llm.headless import ask_to_file, chosen_providers
    from vetline.adapters.llm.redact import install_redaction
    from vetline.adapters.llm.terminal import StatusLine, type_missing_keys
    from vetline.adapters.llm.typed_keys import TypedKeys
    from vetline.adapters.paths import data_dir

    install_redaction()
    settings = settings_of(args)
    workspace = workspace_path(args.workspace) or Path.cwd()
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

    from vetline.cli_window import open_window

    args.sources, args.command = [str(out)], "review"
    return open_window(args)
