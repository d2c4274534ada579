"""Real patches, mutated: whenever Vetline says it applied one, the files are git's.

Whole or in part: some cases accept only some hunks, and git applies the patch without
the others.

A quick, fixed-seed run; `tools/fuzz_parity.py` runs the same cases for as long as asked.
"""

from __future__ import annotations

from pathlib import Path

from helpers.parity_fuzz import Case, base_repository, run_cases

RUNS = 60
SEED = 2024


def assert_gits_result_or_refused(cases: list[Case]) -> None:
    for case in cases:
        try:
            case.outcome.assert_same_or_refused()
        except AssertionError as error:
            raise AssertionError(f"case {case.number}: {case.patch!r}") from error
    applied = [case for case in cases if case.outcome.vetline_code == 0]
    assert len(applied) >= len(cases) // 10  # the mutations leave enough patches that apply
    # Enough of them in part, so that accepting some hunks is compared too.
    assert sum(bool(case.accepted) for case in applied) >= len(cases) // 20


def test_mutated_real_patches_give_gits_result_or_a_refusal(tmp_path: Path) -> None:
    repo = base_repository(tmp_path / "base")

    assert_gits_result_or_refused(list(run_cases(repo.root, tmp_path / "work", RUNS, SEED)))


def test_in_a_repository_that_converts_line_endings_too(tmp_path: Path) -> None:
    repo = base_repository(tmp_path / "base", converting=True)
    assert b"\r\n" in (repo.root / "notes.txt").read_bytes()

    cases = run_cases(repo.root, tmp_path / "work", RUNS // 2, SEED, in_repository=True)

    assert_gits_result_or_refused(list(cases))
