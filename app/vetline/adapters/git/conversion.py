"""Whether git would convert what Vetline writes into a folder that is a git work tree.

`git apply` reads a file through git's conversions (line endings by core.autocrlf or
.gitattributes, filters, ident, a working-tree encoding) and writes its result back
through them. Vetline writes the bytes the reviewer accepted, raw. Where git would
write other bytes, the write is refused and says why, rather than differing quietly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from vetline.adapters.git.runner import Git, GitCommandError
from vetline.core.errors import VetlineError
from vetline.core.text import looks_binary_to_git

_ATTRIBUTES = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")
_UNSET = ("unspecified", "unset")


class WorkTreeConversions:
    """git's conversions for the files of one folder, if the folder is in a git work tree."""

    def __init__(self, folder: Path) -> None:
        self._git: Git | None = None
        self._prefix = PurePosixPath()
        try:
            top = Git(folder).run("rev-parse", "--show-toplevel", "--show-prefix")
        except VetlineError:
            return  # not in a work tree (or no git at all): nothing converts
        root, _, prefix = top.decode("utf-8", "surrogateescape").partition("\n")
        self._git = Git(Path(root))
        self._prefix = PurePosixPath(prefix.strip())
        # Read once (a write asks only for the attributes of its files).
        self._autocrlf = self._config("core.autocrlf").lower()
        self._native = self._config("core.eol") or ("crlf" if os.name == "nt" else "lf")

    def refusals(self, writes: Mapping[str, bytes]) -> dict[str, str]:
        """For each file (path in the folder -> the bytes to write) git would write otherwise,
        why; empty when none would change (or the folder is no work tree)."""
        if self._git is None or not writes:
            return {}
        paths = [path for path in writes if "\0" not in path]
        attributes = self._attributes(paths)
        reasons = {}
        for path in paths:
            reason = _refusal(attributes.get(path, {}), self._autocrlf, self._native, writes[path])
            if reason:
                reasons[path] = reason
        return reasons

    def _attributes(self, paths: Iterable[str]) -> dict[str, dict[str, str]]:
        assert self._git is not None
        by_top = {str(self._prefix / path): path for path in paths}
        output = self._git.run(
            "check-attr", "-z", "--stdin", *_ATTRIBUTES,
            stdin=b"".join(os.fsencode(name) + b"\0" for name in by_top),
            user_conversions=True,
        )  # fmt: skip
        fields = output.decode("utf-8", "surrogateescape").split("\0")
        found: dict[str, dict[str, str]] = {}
        for name, attribute, value in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
            if name in by_top:
                found.setdefault(by_top[name], {})[attribute] = value
        return found

    def _config(self, key: str) -> str:
        assert self._git is not None
        try:
            return self._git.run("config", "--get", key, user_conversions=True).decode().strip()
        except GitCommandError:
            return ""  # not set


def _refusal(attributes: Mapping[str, str], autocrlf: str, native: str, data: bytes) -> str:
    """Why git would write `data` otherwise at a path with these attributes, or ""."""
    for attribute in ("filter", "ident", "working-tree-encoding"):
        value = attributes.get(attribute, "unspecified")
        if value not in _UNSET:
            shown = attribute if value == "set" else f"{attribute}={value}"
            return f"git would convert it on the way out (.gitattributes: {shown})"
    if _checkout_eol(attributes, autocrlf, native) != "crlf":
        return ""  # written as is (at most git would have made CRLF into LF on the way in)
    text = attributes.get("text", "unspecified")
    if text != "set" and looks_binary_to_git(data):
        return ""  # binary to git: never converted
    if data.replace(b"\r\n", b"").count(b"\n"):
        return (
            "git would write its line endings as CRLF (core.autocrlf or .gitattributes);"
            " Vetline writes the patch's own"
        )
    return ""


def _checkout_eol(attributes: Mapping[str, str], autocrlf: str, native: str) -> str:
    """The line ending git gives a text file on checkout: "crlf", "lf", or "" (as is)."""
    text, eol, crlf = (attributes.get(key, "unspecified") for key in ("text", "eol", "crlf"))
    if text == "unset" or crlf == "unset":
        return ""
    if eol in ("crlf", "lf"):
        return eol
    if crlf == "input":
        return "lf"
    if text != "unspecified" or crlf == "set":  # text, text=auto
        return "crlf" if autocrlf == "true" else ("lf" if autocrlf == "input" else native)
    if autocrlf == "true":
        return "crlf"
    return ""
