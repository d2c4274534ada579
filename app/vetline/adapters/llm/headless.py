"""`vetline ask` without a window: read the files, ask, write the proposal JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from vetline.adapters.formats.json_writer import write_proposal_file
from vetline.adapters.inputs import workspace_reader
from vetline.adapters.llm.ask import (
    DEFAULT_LONGEST_RATE_LIMIT_WAIT_S,
    DEFAULT_SEND_BACKS,
    AskHooks,
    AskResult,
    AskSettings,
    ask_blocking,
    lookup_provider_key,
)
from vetline.adapters.llm.errors import IncompleteAnswerError
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.providers import (
    ProviderConfig,
    choose_providers,
    providers_from_settings,
)
from vetline.adapters.llm.secrets import KeyLookup
from vetline.core.errors import InputError
from vetline.core.leash import Level
from vetline.core.model import Proposal
from vetline.core.settings import Settings
from vetline.core.text import TextDecodeError, decode, is_binary

KeyLookupFunction = Callable[[ProviderConfig], KeyLookup]


def ask_to_file(
    *,
    instruction: str,
    file_paths: Sequence[str],
    settings: Settings,
    out: Path,
    workspace: Path,
    provider_name: str | None = None,
    level: int | None = None,
    settings_source: str = "settings",
    hooks: AskHooks | None = None,
    lookup_key: KeyLookupFunction = lookup_provider_key,
) -> AskResult:
    """Ask for a proposal and write it to `out` as Vetline proposal JSON.

    A proposal still over the leash is written too (the result says so, for exit code
    3); an incomplete answer, or one that changes files it was not asked about, writes
    nothing and raises IncompleteAnswerError.
    """
    if not instruction.strip():
        raise InputError("--instruction must not be empty")
    providers = chosen_providers(settings, provider_name, settings_source)
    files = read_workspace_files(workspace, file_paths)
    result = ask_blocking(
        instruction,
        files,
        providers,
        level=Level(level if level is not None else settings["review.level"]),
        settings=ask_settings(settings, lookup_key),
        hooks=hooks,
        workspace=workspace,
    )
    if not isinstance(result.answer, Proposal):
        raise IncompleteAnswerError(
            f"no proposal written: {result.answer.reason}; run the command again to retry",
            result.attempts,
        )
    write_proposal_file(out, [result.answer])
    return result


def chosen_providers(
    settings: Settings, provider_name: str | None = None, settings_source: str = "settings"
) -> tuple[ProviderConfig, ...]:
    """The providers to ask, in order: all of the settings' or the one named."""
    return choose_providers(
        providers_from_settings(settings.providers, settings_source), provider_name
    )


def ask_settings(
    settings: Settings, lookup_key: KeyLookupFunction = lookup_provider_key
) -> AskSettings:
    """The leash and retry limits in force (llm.* keys fall back to their defaults).

    `lookup_key` finds each provider's key; TypedKeys.lookup adds keys typed in.
    """
    return AskSettings(
        lookup_key=lookup_key,
        leash=settings.leash(),
        send_backs=int(settings.values.get("llm.send_backs", DEFAULT_SEND_BACKS)),
        longest_rate_limit_wait_s=float(
            settings.values.get("llm.longest_rate_limit_wait_s", DEFAULT_LONGEST_RATE_LIMIT_WAIT_S)
        ),
    )


def read_workspace_files(workspace: Path, file_paths: Sequence[str]) -> list[FileText]:
    """The named text files, by workspace-relative path (an absolute path inside is fine)."""
    read = workspace_reader(workspace)
    root = workspace.resolve()
    files: list[FileText] = []
    for given in file_paths:
        path = Path(given)
        if path.is_absolute():
            if not path.resolve().is_relative_to(root):
                raise InputError(f"--file {given}: not inside the workspace {workspace}")
            path = path.resolve().relative_to(root)
        relative = path.as_posix()
        data = read(relative)
        if data is None:
            raise InputError(f"--file {given}: no such file in the workspace {workspace}")
        if is_binary(data):
            raise InputError(f"--file {given}: a binary file cannot be sent to the model")
        try:
            text, encoding = decode(data)
        except TextDecodeError as error:
            raise InputError(f"--file {given}: {error}") from error
        files.append(FileText(relative, text, encoding))
    return files
