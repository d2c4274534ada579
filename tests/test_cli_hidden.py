"""`vetline apply` is no weaker than the window: hunks that hide characters are refused
unless --accept-flagged confirms them, and the log says what each one hid."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers.command_line import vetline

# One file per kind the window flags: a Trojan Source bidi control, a look-alike letter,
# a variation selector and a zero-width space.
HIDING = {
    "bidi.py": ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE", "reorders how the line is drawn"),
    "lookalike.py": ("\u0430", "“⟨U+0430⟩dmin”", "looks like a Latin letter"),
    "selector.py": ("\ufe0f", "U+FE0F VARIATION SELECTOR-16", "can carry hidden text"),
    "zero_width.py": ("\u200b", "U+200B ZERO WIDTH SPACE", "draws as nothing"),
}
OLD = "role = 'user'\n"


def hiding_patch(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace with a file per kind, and a patch adding one hidden character to each."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    parts = []
    for name, (char, _named, _does) in HIDING.items():
        (workspace / name).write_text(OLD, encoding="utf-8")
        new = f"role = '{char}dmin'\n" if char == "\u0430" else f"role = 'ad{char}min'\n"
        parts.append(f"--- a/{name}\n+++ b/{name}\n@@ -1 +1 @@\n-{OLD}+{new}")
    patch = tmp_path / "hiding.patch"
    patch.write_text("".join(parts), encoding="utf-8")
    return workspace, patch


def hunk_ids(patch: Path, data: Path) -> dict[str, str]:
    listed = vetline("check", str(patch), "--level", "4", "--json", data_dir=data)
    document = json.loads(listed.stdout)
    files = document["proposals"][0]["files"]
    return {file["path"]: file["hunks"][0]["id"] for file in files}


def apply(
    patch: Path, workspace: Path, data: Path, accept: str, *more: str
) -> subprocess.CompletedProcess[str]:
    arguments = ("--workspace", str(workspace), "--accept", accept, *more)
    return vetline("apply", str(patch), *arguments, data_dir=data)


def exported(data: Path) -> list[dict[str, object]]:
    export = vetline("log", "export", data_dir=data)
    assert export.returncode == 0, export.stderr
    return [json.loads(line) for line in export.stdout.splitlines()]


def test_apply_refuses_hunks_that_hide_characters_and_names_each(tmp_path: Path) -> None:
    workspace, patch = hiding_patch(tmp_path)
    data = tmp_path / "data"
    ids = hunk_ids(patch, data)

    result = apply(patch, workspace, data, "all", "--level", "4")

    assert result.returncode == 3, result.stderr
    message = result.stderr
    for name, (char, named, does) in HIDING.items():
        assert f"hunk {ids[name]} of {name} hides {named}" in message
        assert does in message
        assert char not in message  # named, never printed raw
        assert (workspace / name).read_text(encoding="utf-8") == OLD  # nothing written
    assert "--accept-flagged" in message
    rows = exported(data)
    assert {row["verdict"] for row in rows} == {"refused"}
    assert len(rows) == len(HIDING)


def test_accept_flagged_writes_them_and_the_log_says_what_each_hid(tmp_path: Path) -> None:
    workspace, patch = hiding_patch(tmp_path)
    data = tmp_path / "data"
    ids = hunk_ids(patch, data)
    named = ",".join(ids[name] for name in ("bidi.py", "lookalike.py"))

    result = apply(patch, workspace, data, named, "--accept-flagged", "--level", "4")

    assert result.returncode == 0, result.stderr
    assert (workspace / "bidi.py").read_text(encoding="utf-8") == "role = 'ad\u202emin'\n"
    assert (workspace / "selector.py").read_text(encoding="utf-8") == OLD  # rejected
    flagged = {row["path"]: row["flagged"] for row in exported(data)}
    assert flagged == {
        "bidi.py": HIDING["bidi.py"][1],
        "lookalike.py": HIDING["lookalike.py"][1],
        "selector.py": "",  # rejected: nothing hidden was accepted
        "zero_width.py": "",
    }


def test_a_new_file_with_a_lookalike_name_is_refused_without_the_flag(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    name = "\u0430dmin.py"
    patch = tmp_path / "new.patch"
    patch.write_text(
        f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+ALLOWED = True\n", encoding="utf-8"
    )
    data = tmp_path / "data"

    refused = apply(patch, workspace, data, "all")
    assert refused.returncode == 3, refused.stderr
    assert "of ⟨U+0430⟩dmin.py hides “⟨U+0430⟩dmin” in the file name" in refused.stderr
    assert not (workspace / name).exists()

    accepted = apply(patch, workspace, data, "all", "--accept-flagged")
    assert accepted.returncode == 0, accepted.stderr
    assert (workspace / name).read_text(encoding="utf-8") == "ALLOWED = True\n"
    assert exported(data)[-1]["flagged"] == "“⟨U+0430⟩dmin” in the file name"


def test_check_prints_untrusted_text_escaped_and_names_what_it_hides(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "notes").mkdir(parents=True)
    (workspace / "notes" / "wells.txt").write_text("42 of 50 wells were safe.\n", "utf-8")
    (workspace / "auth.py").write_text(OLD, encoding="utf-8")
    document = {
        "vetline": 1,
        "proposals": [
            {
                "id": "answer",
                "title": "Water \u202etxt.exe",
                "answer": "Safe\x1b[2J\x07 [1].",
                "citations": [
                    {
                        "id": "1\x1b]0;pwned\x07",
                        "locator": "notes/wells.txt\x1b[31m\x07",
                        "quote": "42 of 50 wells\u202e were safe",
                    }
                ],
            },
            {
                "id": "edit",
                "title": "Admin role",
                "changes": [{"path": "auth.py", "base": OLD, "new": "role = '\u0430dmin'\n"}],
            },
        ],
    }
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(document), encoding="utf-8")

    result = vetline("check", str(source), "--workspace", str(workspace), data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for raw in ("\x1b", "\x07", "\u202e", "\u0430"):
        assert raw not in out  # no terminal control, bidi control or look-alike raw
    assert "  answer  Safe\\x1b[2J\\x07 [1]." in out
    assert "  citation 1\\x1b]0;pwned\\x07  " in out
    assert "notes/wells.txt\\x1b[31m\\x07" in out
    assert "proposal answer  Water ⟨U+202E⟩txt.exe" in out
    assert "  hidden characters in the title: U+202E RIGHT-TO-LEFT OVERRIDE" in out
    assert "    hidden characters in the cited quote: U+202E RIGHT-TO-LEFT OVERRIDE" in out
    assert "      hides “⟨U+0430⟩dmin”" in out

    as_json = vetline(
        "check", str(source), "--workspace", str(workspace), "--json", data_dir=tmp_path
    )
    proposals = json.loads(as_json.stdout)["proposals"]
    assert proposals[0]["hidden"] == "the title: U+202E RIGHT-TO-LEFT OVERRIDE"
    assert proposals[0]["citations"][0]["hidden"] == (
        "the cited quote: U+202E RIGHT-TO-LEFT OVERRIDE"
    )
    assert proposals[1]["files"][0]["hunks"][0]["hidden"] == "“⟨U+0430⟩dmin”"


def test_help_names_every_exit_code_and_the_flag(tmp_path: Path) -> None:
    help_text = vetline("--help", data_dir=tmp_path).stdout
    for code in ("0 done", "1 ", "2 bad input", "3 refused", "130 interrupted"):
        assert code in help_text
    assert "hidden characters" in help_text
    apply_help = vetline("apply", "--help", data_dir=tmp_path).stdout
    assert "--accept-flagged" in apply_help
