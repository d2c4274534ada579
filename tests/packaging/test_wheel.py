"""A plain, non-editable install works: the sdist and wheel carry the resources and the version.

The sdist is built from this tree and the wheel from that sdist, as a release would;
the wheel goes into a fresh venv in tmp_path, and the installed `vetline` runs its
self-test from a folder far from the source tree. pip resolves the dependencies as for
any user's install; its cache already holds their wheels from the test venv's own setup.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
# Files under resources/ that are tools for editing the demo, not read at run time.
NOT_SHIPPED = {"demo/make_proposals.py"}
TIMEOUT_S = 600  # a hang guard for pip and the build; they normally take well under a minute


def shipped_resources() -> set[str]:
    files = (path for path in RESOURCES.rglob("*") if path.is_file())
    names = {str(path.relative_to(RESOURCES)) for path in files if "__pycache__" not in path.parts}
    return names - NOT_SHIPPED


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel): the wheel built from the sdist, without network or build isolation."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    (sdist,) = out.glob("vetline-*.tar.gz")
    (wheel,) = out.glob("vetline-*.whl")
    return sdist, wheel


def test_the_wheel_and_sdist_carry_every_resource(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    expected = shipped_resources()
    assert "icons/vetline.svg" in expected
    assert "demo/workspace/src/pager.py" in expected  # data, although it is Python

    with zipfile.ZipFile(wheel) as archive:
        prefix = "vetline/resources/"
        in_wheel = {n.removeprefix(prefix) for n in archive.namelist() if n.startswith(prefix)}
    assert expected <= in_wheel
    assert in_wheel - expected == set(), "the wheel carries files that are not resources"

    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    top = names[0].split("/")[0]
    in_sdist = {n.removeprefix(f"{top}/resources/") for n in names if "/resources/" in n}
    assert expected <= in_sdist


def test_a_fresh_venv_runs_the_self_test_from_the_installed_wheel(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wheel = built
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_S,
    )
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VETLINE_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(tmp_path / "home")

    version = run(venv / "bin" / "vetline", "--version", cwd=away, env=env)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert version.stdout == f"vetline {declared['project']['version']}\n"

    checked = run(venv / "bin" / "vetline", "--self-test", cwd=away, env=env)
    installed = run(
        python,
        "-c",
        "import vetline, pathlib; print(pathlib.Path(vetline.__file__).parent)",
        cwd=away,
        env=env,
    ).stdout.strip()
    assert f"resources and icon found in {installed}/resources" in checked.stdout
    assert str(ROOT) not in checked.stdout
    assert checked.stdout.rstrip().endswith("self-test passed")


def run(*arguments: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done
