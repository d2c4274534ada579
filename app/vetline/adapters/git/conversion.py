"""git's conversions for a folder that is a git work tree, done by git itself.

`git apply` reads a file through git's conversions (line endings by core.autocrlf or
.gitattributes, filters, ident, a working-tree encoding) and writes its result back
through them. For a patch Vetline does the same, asking git for both forms: the file
as git reads it (`hash-object --path`, renormalizing as git apply does) and the result
as git writes it (`cat-file --filters --path`), with a scratch object folder so the
repository gains nothing. A filter .gitattributes names but nobody configured is
refused. Other writes (texts an agent wrote whole) are raw, so where git would write
other bytes they are refused and say why, rather than differing quietly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from vetline.adapters.git.runner import Git, GitCommandError, read_blobs
from vetline.core.errors import InputError, VetlineError
from vetline.core.text import looks_binary_to_git

_ATTRIBUTES = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")
_UNSET = ("unspecified", "unset")
_NOT_LINE_ENDINGS = ("filter", "ident", "working-tree-encoding")


def _stat_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _is_set(attributes: Mapping[str, str], name: str) -> bool:
    return attributes.get(name, "unspecified") not in _UNSET


class WorkTreeConversions:
    """git's conversions for the files of one folder, if the folder is in a git work tree."""

    def __init__(self, folder: Path) -> None:
        self._git: Git | None = None
        self._prefix = PurePosixPath()
        # Each path's attributes, kept while the attribute files that decide them stay as
        # they were (a review plans the same files again and again).
        self._known: dict[str, tuple[object, dict[str, str]]] = {}
        self._filters: dict[str, bool] = {}
        try:
            top = Git(folder).run(
                "rev-parse", "--show-toplevel", "--show-prefix",
                "--git-path", "objects", "--git-path", "info/attributes", "--git-path", "index",
            )  # fmt: skip
        except VetlineError:
            return  # not in a work tree (or no git at all): nothing converts
        root, prefix, objects, info, index = top.decode("utf-8", "surrogateescape").split("\n")[:5]
        self._git = Git(Path(root))
        self._prefix = PurePosixPath(prefix.strip())
        self._objects = Path(folder) / objects  # relative to the folder asked from
        self._info_attributes = Path(folder) / info
        self._index = Path(folder) / index
        # Read once (a write asks only for the attributes of its files).
        self._autocrlf = self._config("core.autocrlf").lower()
        self._native = self._config("core.eol") or ("crlf" if os.name == "nt" else "lf")

    def to_git(self, path: str, data: bytes, *, keep_line_endings: bool) -> bytes:
        """The file's bytes as `git apply` reads them before patching (path in the folder).

        `keep_line_endings`: the patch's own old lines end in CRLF, so git leaves line
        endings as they are (and so does this, when no filter, ident or encoding is set).
        """
        attributes = self._converting(path)
        if attributes is None:
            return data
        if keep_line_endings:
            others = [name for name in _NOT_LINE_ENDINGS if _is_set(attributes, name)]
            if others:
                raise InputError(
                    f"{path}: the patch's old lines end in CRLF and .gitattributes sets"
                    f" {', '.join(others)}; git keeps the line endings then, which Vetline"
                    " cannot ask git to do, so it refuses"
                )
            return data
        assert self._git is not None
        with self._scratch() as env:
            blob = self._git.run(
                "-c", "core.safecrlf=false", "hash-object", "-w", "--stdin",
                f"--path={self._prefix / path}",
                stdin=data, user_conversions=True, env=env,
            ).strip()  # fmt: skip
            return self._git.run("cat-file", "blob", blob.decode("ascii"), env=env)

    def to_worktree(self, path: str, data: bytes) -> bytes:
        """The bytes `git apply` writes for `data` at `path` (in the folder)."""
        if self._converting(path) is None:
            return data
        assert self._git is not None
        with self._scratch() as env:
            blob = self._git.run(
                "hash-object", "-w", "--no-filters", "--stdin", stdin=data, env=env
            ).strip()
            return self._git.run(
                "cat-file", "--filters", f"--path={self._prefix / path}", blob.decode("ascii"),
                user_conversions=True, env=env,
            )  # fmt: skip

    def as_staged(self, paths: Iterable[str]) -> dict[str, bytes]:
        """What `git add` would put in the index for each work tree file git converts
        (paths from the top of the work tree); a path git leaves as it is is not in it.

        git itself stages them, into a scratch copy of the index and a scratch object
        folder: the repository's own index and objects are not touched.
        """
        converting = [path for path in paths if self._converting(path) is not None]
        if not converting or self._git is None:
            return {}
        with self._scratch() as env:
            scratch_index = Path(env["GIT_OBJECT_DIRECTORY"]).parent / "index"
            if self._index.is_file():
                # With its timestamp: git trusts an entry's stat only when the index was
                # written after the file's second (racy git); a fresh copy's new timestamp
                # would make a same-size rewrite in that second look unchanged.
                shutil.copy2(self._index, scratch_index)
            env["GIT_INDEX_FILE"] = str(scratch_index)
            self._git.run(
                "-c", "core.safecrlf=false", "add", "-f",
                "--pathspec-from-file=-", "--pathspec-file-nul",
                stdin=b"".join(os.fsencode(path) + b"\0" for path in converting),
                user_conversions=True, env=env,
            )  # fmt: skip
            wanted = set(converting)
            blobs: dict[str, str] = {}
            for record in self._git.run("ls-files", "-z", "--stage", env=env).split(b"\0"):
                info, _, name = record.partition(b"\t")
                path = os.fsdecode(name)
                if path in wanted and info.endswith(b" 0"):
                    blobs[path] = info.split(b" ")[1].decode("ascii")
            contents = read_blobs(self._git, blobs.values(), env)
            return {path: contents[blob] for path, blob in blobs.items()}

    def _converting(self, path: str) -> dict[str, str] | None:
        """The path's attributes when git may convert it (None: git writes it as is);
        an unconfigured filter is refused."""
        if self._git is None or "\0" in path:
            return None
        attributes = self._attributes_of(path)
        driver = attributes.get("filter", "unspecified")
        if driver not in (*_UNSET, "set") and not self._filter_configured(driver):
            raise InputError(
                f"{path}: .gitattributes names the filter {driver!r}, but no"
                f" filter.{driver}.clean, .smudge or .process is configured here; Vetline"
                " cannot tell what git would write, so it refuses"
            )
        if any(_is_set(attributes, name) for name in _NOT_LINE_ENDINGS):
            return attributes
        text, eol, crlf = (attributes.get(key, "unspecified") for key in ("text", "eol", "crlf"))
        if text == "unset" or crlf == "unset":
            return None  # binary to git
        if (text, eol, crlf) != ("unspecified",) * 3:
            return attributes
        return attributes if self._autocrlf in ("true", "input") else None

    def read_attributes(self, paths: Iterable[str]) -> None:
        """Ask git for the attributes of many paths at once (one command, not one each)."""
        if self._git is None:
            return
        unknown = [
            path
            for path in paths
            if "\0" not in path and self._known.get(path, (None,))[0] != self._signature(path)
        ]
        found = self._attributes(unknown) if unknown else {}
        for path in unknown:
            self._known[path] = (self._signature(path), found.get(path, {}))

    def _attributes_of(self, path: str) -> dict[str, str]:
        self.read_attributes([path])
        return self._known[path][1]

    def _signature(self, path: str) -> object:
        """The state of every file the path's attributes come from."""
        assert self._git is not None
        folders = (self._prefix / path).parent.parts
        candidates = [self._info_attributes, self._git.root / ".gitattributes"]
        candidates += [
            self._git.root.joinpath(*folders[: depth + 1], ".gitattributes")
            for depth in range(len(folders))
        ]
        return tuple(_stat_signature(candidate) for candidate in candidates)

    def _filter_configured(self, driver: str) -> bool:
        if driver not in self._filters:
            self._filters[driver] = any(
                self._config(f"filter.{driver}.{key}") for key in ("clean", "smudge", "process")
            )
        return self._filters[driver]

    @contextlib.contextmanager
    def _scratch(self) -> Iterator[dict[str, str]]:
        """Environment for git with a scratch object folder (the repository's own objects
        still readable), deleted afterwards."""
        with tempfile.TemporaryDirectory(prefix="vetline-git-") as folder:
            scratch = Path(folder) / "objects"
            scratch.mkdir()
            yield {
                "GIT_OBJECT_DIRECTORY": str(scratch),
                "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(self._objects.absolute()),
            }

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
