"""A write as the transaction carries it out: one step per path, in an order that works
where case counts and where it does not."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from vetline.adapters.files.transaction import Step
from vetline.core.errors import InputError


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One file's new state, and what must be on disk for it to be written.

    `data` None deletes the file. `expected_sha256` is the sha256 of the bytes at
    `path` the plan was made from; None means `path` must not exist. A rename also
    removes `vacates`, whose bytes must still hash to `vacates_sha256`. `converted`:
    `data` already went through git's conversions for its path, as git apply writes it.
    """

    path: str
    data: bytes | None
    mode: int | None  # permission bits of the written file; None for a delete
    expected_sha256: str | None
    vacates: str | None = None
    vacates_sha256: str | None = None
    converted: bool = False


def steps_of(plan: Iterable[FileWrite]) -> list[Step]:
    steps = []
    for write in plan:
        steps.append(Step(write.path, write.data, write.mode, write.expected_sha256))
        if write.vacates is not None:
            steps.append(Step(write.vacates, None, None, write.vacates_sha256))
    # A name that only changes case (a rename, or undoing one): the old name goes first,
    # for where case does not count it is the new one too.
    removed = {step.path.casefold(): step.path for step in steps if step.data is None}
    ordered = [step for step in steps if step.data is None]
    for step in steps:
        if step.data is None:
            continue
        old = removed.get(step.path.casefold())
        if old is not None and step.expected_sha256 is None and only_case_differs(step.path, old):
            ordered.append(replace(step, same_file_as=old))
        else:
            ordered.append(step)
    return ordered


def refuse_repeated_paths(steps: Sequence[Step]) -> None:
    """One step per path, counting "X" and "x" as one (they are, on Windows and macOS),
    except for the two halves of a rename that changes only case."""
    seen: dict[str, Step] = {}
    for step in steps:
        key = step.path.casefold()
        if key in seen and step.same_file_as != seen[key].path:
            raise InputError(f"{step.path} is changed twice in one write")
        seen[key] = step


def only_case_differs(path: str, other: str) -> bool:
    return path != other and path.casefold() == other.casefold()
