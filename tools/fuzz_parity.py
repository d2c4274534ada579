"""A long differential run: mutated real patches applied by git and by Vetline.

Usage: .venv/bin/python tools/fuzz_parity.py [--runs N] [--seed S] [--keep DIR] [--converting]

`--converting` applies inside a repository whose attributes convert line endings.

Every case where Vetline exits 0 with files other than git's (a silent difference), or
refuses but changes files, or shows a traceback, is written to DIR as case-N.patch and
named (with the hunks accepted, when only some were); the exit status is the number of
such cases (0: none).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.parity_fuzz import base_repository, run_cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-cases"))
    parser.add_argument("--converting", action="store_true", help="a CRLF repository")
    args = parser.parse_args()
    problems = 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        # Vetline's own folders (decision log, settings) stay in the scratch folder too.
        os.environ["VETLINE_DATA_DIR"] = str(root / "data")
        os.environ["VETLINE_CONFIG_DIR"] = str(root / "config")
        repo = base_repository(root / "base", converting=args.converting)
        cases = run_cases(
            repo.root, root / "work", args.runs, args.seed, in_repository=args.converting
        )
        for case in cases:
            outcome = case.outcome
            if outcome.silent_difference:
                problem = "silent difference"
            elif outcome.vetline_code != 0 and outcome.vetline_tree != outcome.before:
                problem = "refused but changed files"
            elif "Traceback" in outcome.vetline_error:
                problem = "traceback"
            else:
                continue
            problems += 1
            args.keep.mkdir(parents=True, exist_ok=True)
            kept = args.keep / f"case-{case.number}.patch"
            kept.write_bytes(case.patch)
            accepted = f", --accept {','.join(case.accepted)}" if case.accepted else ""
            print(
                f"{problem}: {kept} (git {outcome.git_code}, vetline {outcome.vetline_code}"
                f"{accepted})"
            )
    print(f"{args.runs} cases, seed {args.seed}: {problems} problems")
    return min(problems, 100)


if __name__ == "__main__":
    sys.exit(main())
