"""Unified diffs and `git format-patch` mailboxes read into proposals, keeping the patch's hunks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vetline.adapters.formats.mbox import (
    decode_body,
    headers_end,
    mail_author,
    mail_date,
    mail_subject,
    read_headers,
    split_mbox,
    starts_mail_patch,
    transfer_encoding,
)
from vetline.adapters.formats.patch_names import (
    BadNameError,
    NameStrip,
    git_extended_name,
    git_header_names,
    git_section_names,
    is_dev_null,
    snippet,
    traditional_header,
)
from vetline.adapters.formats.patch_source import (
    decode_patch,
    proposal_id,
    refuse_nul,
    title_from_source,
)
from vetline.core.binary_patch import BinaryPatchError, decode_base85_line, inflate
from vetline.core.errors import InputError
from vetline.core.model import (
    Agent,
    BinaryData,
    Change,
    DiffLine,
    FileStatus,
    Hunk,
    HunkKind,
    Proposal,
)
from vetline.core.text import encode, split_lines, strip_ending

# Line numbers and sizes are bounded (18 digits): longer ones are malformed, not crashes.
_HUNK_HEADER = re.compile(r"@@ -(\d{1,18})(?:,(\d{1,18}))? \+(\d{1,18})(?:,(\d{1,18}))? @@(.*)")
_INDEX = re.compile(r"index ([0-9a-fA-F]+)\.\.([0-9a-fA-F]+)(?: ([0-7]{6}))?")
_MODE = re.compile(r"[0-7]{6}")
_BINARY_BLOCK = re.compile(r"(literal|delta) (\d{1,18})")
# The blob ids git gives "no file" and the empty file; an abbreviation is a prefix of these.
_NO_BLOB = "0" * 40
_EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def parse_unified(data: bytes, source_name: str) -> list[Proposal]:
    """One proposal per commit of a format-patch mailbox, or one for a plain diff."""
    lines = split_lines(decode_patch(data, source_name))
    commits = split_mbox(lines)
    if commits:
        proposals = [
            proposal
            for start, end in commits
            if (proposal := _commit_proposal(lines, start, end, source_name)) is not None
        ]
    else:
        reader = _DiffReader(lines, source_name, 0, len(lines))
        changes = reader.read_changes()
        proposals = []
        if changes:
            proposal = Proposal(
                id=proposal_id("".join(lines)),
                title=title_from_source(source_name, "Patch"),
                changes=tuple(changes),
                rationale="".join(lines[: reader.first_header]).strip(),
            )
            proposals.append(proposal)
    if not proposals:
        raise InputError(f"{source_name}: no changes found")
    return proposals


def parse_file_diffs(text: str, where: str, line_offset: int = 0) -> tuple[Change, ...]:
    """The changes of a diff given as text; errors begin with `where` (e.g. a JSON path).

    `line_offset` is added to the line numbers in errors, for a caller that put lines
    of its own in front of the text.
    """
    lines = split_lines(text)
    refuse_nul(text, where)
    reader = _DiffReader(lines, where, 0, len(lines), line_offset)
    reader.whole_lines = False  # a diff inside a JSON string often lacks its last newline
    changes = reader.read_changes()
    if not changes:
        raise InputError(f"{where}: no changes found")
    return tuple(changes)


# ---- mailboxes -------------------------------------------------------------------------------


def _commit_proposal(mail: list[str], start: int, end: int, source: str) -> Proposal | None:
    header_end, body = headers_end(mail, start + 1, end)
    where = f"{source} line {start + 1}"
    headers = read_headers("".join(mail[start + 1 : header_end]), where)
    lines, mail_end = mail, end
    transfer = transfer_encoding(headers)
    if transfer in ("base64", "quoted-printable"):
        # As git am reads such a mail: the body decoded first (errors then count its lines).
        decoded = decode_body(encode("".join(mail[body:end])), transfer, where)
        lines = split_lines(decode_patch(decoded, f"{where} ({transfer})"))
        body, end, source = 0, len(lines), f"{where}, its {transfer} body,"
    # The message ends where `git mailinfo` sees the patch begin; a bare '---' belongs to
    # neither.
    separator = next((i for i in range(body, end) if starts_mail_patch(lines[i])), end)
    bare = separator < end and strip_ending(lines[separator]).rstrip() == "---"
    diff_start = separator + bare
    changes = _DiffReader(lines, source, diff_start, end).read_changes()
    if not changes:
        return None  # a cover letter or an empty commit: nothing to review
    subject = mail_subject(headers)
    author = mail_author(headers)
    return Proposal(
        id=proposal_id("".join(mail[start:mail_end])),
        title=subject or "Patch",
        changes=tuple(changes),
        rationale="".join(lines[body:separator]).strip(),
        agent=Agent(name=author),
        created_at=mail_date(headers),
    )


# ---- diffs -----------------------------------------------------------------------------------


@dataclass
class _FileSection:
    """What one file's part of a patch says, gathered before it becomes a Change."""

    line: int  # index of its first line
    is_git: bool
    header_names: tuple[str, str] | None = None
    minus_name: str | None = None
    plus_name: str | None = None
    dev_null_old: bool = False
    dev_null_new: bool = False
    rename_from: str | None = None
    rename_to: str | None = None
    copy_from: str | None = None
    copy_to: str | None = None
    kind_line: int | None = None  # the first line that made it new, deleted, renamed or copied
    created: bool = False
    deleted: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    old_blob: str | None = None
    new_blob: str | None = None
    binary: bool = False
    binary_old: BinaryData | None = None
    binary_new: BinaryData | None = None
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def is_created(self) -> bool:
        return self.created or self.dev_null_old

    @property
    def is_deleted(self) -> bool:
        return self.deleted or self.dev_null_new

    @property
    def old_name(self) -> str | None:
        """The name 'rename from' or 'copy from' gives."""
        return self.rename_from or self.copy_from

    @property
    def new_name(self) -> str | None:
        return self.rename_to or self.copy_to

    @property
    def is_copy(self) -> bool:
        return bool(self.is_git and (self.copy_from or self.copy_to))  # as git: either line


class _DiffReader:
    """Reads the file sections in lines[start:end], skipping junk between them as git does."""

    def __init__(
        self, lines: list[str], where: str, start: int, end: int, line_offset: int = 0
    ) -> None:
        self.lines = lines
        self.line_offset = line_offset
        self.where = where
        self.pos = start
        self.end = end
        self.first_header = end
        self.strip = NameStrip()
        self.whole_lines = True

    def _whole_line(self, index: int) -> bool:
        """Whether the line ends in a newline, as every line git reads in a patch file must
        (only the last line of a patch given as text, as in a JSON proposal, may not)."""
        return self.lines[index].endswith("\n") or not self.whole_lines

    def error(self, index: int, message: str) -> InputError:
        return InputError(f"{self.where} line {index + 1 + self.line_offset}: {message}")

    def bare_at(self, index: int) -> str:
        return strip_ending(self.lines[index]) if index < self.end else ""

    def read_changes(self) -> list[Change]:
        changes: list[Change] = []
        seen: dict[str, int] = {}
        while self.pos < self.end:
            line = self.lines[self.pos]
            start = self.pos
            if line.startswith("diff --git "):
                try:
                    section = self._git_section()
                except BadNameError as error:
                    raise self.error(self.pos, str(error)) from error
            elif line.startswith(("diff --cc ", "diff --combined ")):
                raise self.error(start, "combined (merge) diffs are not supported")
            elif line.startswith("--- ") and self.pos + 1 >= self.end:
                raise self.error(start, "the patch ends after a '---' line: truncated?")
            elif line.startswith("--- ") and self.bare_at(self.pos + 1).startswith("+++ "):
                section = _FileSection(start, is_git=False)
                self._names_and_hunks(section)
            elif line.startswith("@@"):
                raise self.error(start, "hunk header before any '---'/'+++' file header")
            elif line.startswith("Binary files "):
                raise self.error(
                    start, "binary file without a git header: make the patch with git diff --binary"
                )
            else:
                self.pos += 1
                continue
            self.first_header = min(self.first_header, start)
            change = self._change(section)
            # A copy only reads its source, which another section may change too: git
            # copies from the file as it was before the patch.
            copied = change.status is FileStatus.COPIED
            for path in {change.path} if copied else {change.path, change.source_path}:
                if path in seen:
                    raise self.error(start, f"{path} is changed twice (also at line {seen[path]})")
                seen[path] = start + 1
            changes.append(change)
        return changes

    # -- one file --

    def _git_section(self) -> _FileSection:
        section = _FileSection(self.pos, is_git=True)
        section.header_names = git_header_names(
            strip_ending(self.lines[self.pos])[len("diff --git ") :], self.strip.count
        )
        self.pos += 1
        while (
            self.pos < self.end
            and self._whole_line(self.pos)
            and self._extended_header(section, self.bare_at(self.pos))
        ):
            self.pos += 1
        line = self.bare_at(self.pos)
        if line.startswith("--- "):
            self._names_and_hunks(section)
        elif line.startswith("Binary files ") and line.endswith(" differ"):
            section.binary = True
            self.pos += 1
            section.binary_old = None if section.is_created else BinaryData(None)
            section.binary_new = None if section.is_deleted else BinaryData(None)
        elif line == "GIT binary patch":
            self.pos += 1
            self._binary_patch(section)
        return section

    def _extended_header(self, section: _FileSection, line: str) -> bool:
        key, value = _split_header(line)
        if key in ("old mode", "new mode", "deleted file mode", "new file mode"):
            if not _MODE.fullmatch(value):
                raise self.error(self.pos, f"malformed file mode {snippet(value)}")
            if key in ("old mode", "deleted file mode"):
                section.old_mode = value
            else:
                section.new_mode = value
            section.deleted = section.deleted or key == "deleted file mode"
            section.created = section.created or key == "new file mode"
        elif key == "rename from":
            section.rename_from = git_extended_name(value)
        elif key == "rename to":
            section.rename_to = git_extended_name(value)
        elif key == "copy from":
            section.copy_from = git_extended_name(value)
        elif key == "copy to":
            section.copy_to = git_extended_name(value)
        elif key in ("similarity index", "dissimilarity index"):
            pass
        elif key == "index":
            match = _INDEX.fullmatch(line)
            if not match:
                raise self.error(self.pos, f"malformed index line {snippet(line)}")
            section.old_blob, section.new_blob, mode = match.groups()
            if mode:
                section.old_mode = section.old_mode or mode
                section.new_mode = section.new_mode or mode
        else:
            return False
        self._check_one_kind(section)
        return True

    def _check_one_kind(self, section: _FileSection) -> None:
        """As git: a section is at most one of new, deleted, renamed or copied."""
        kinds = (
            section.created
            + section.deleted
            + bool(section.rename_from or section.rename_to)
            + bool(section.copy_from or section.copy_to)
        )
        if kinds and section.kind_line is None:
            section.kind_line = self.pos
        if kinds > 1:
            assert section.kind_line is not None
            raise self.error(
                self.pos,
                f"inconsistent header lines {section.kind_line + 1 + self.line_offset} and"
                f" {self.pos + 1 + self.line_offset}: a file is at most one of new, deleted,"
                " renamed or copied",
            )

    def _names_and_hunks(self, section: _FileSection) -> None:
        minus, plus = self.bare_at(self.pos), self.bare_at(self.pos + 1)
        if self.pos + 1 >= self.end:
            raise self.error(self.pos, "the patch ends after a '---' line: truncated?")
        if not plus.startswith("+++ "):
            raise self.error(self.pos, "a '---' line must be followed by a '+++' line")
        try:
            self._read_names(section, minus[4:], plus[4:])
        except BadNameError as error:
            raise self.error(self.pos, str(error)) from error
        self.pos += 2
        path = self._path(section)[1]
        while self.pos < self.end and self.lines[self.pos].startswith("@@"):
            header_index = self.pos
            hunk = self._hunk(path)
            self._check_hunk_place(section, hunk, header_index)
            section.hunks.append(hunk)
        if not section.hunks:
            raise self.error(self.pos - 1, "no hunks after the '+++' line")

    def _read_names(self, section: _FileSection, minus: str, plus: str) -> None:
        """The names on the '---' and '+++' lines, read as `git apply` reads them."""
        if section.is_git:
            section.dev_null_old, section.dev_null_new = is_dev_null(minus), is_dev_null(plus)
            known = section.header_names or (None, None)
            section.minus_name, section.plus_name = git_section_names(
                minus,
                plus,
                self.strip.count,
                old=section.old_name or (known[0] if section.deleted else None),
                new=section.new_name or (known[1] if section.created else None),
                created=section.created,
                deleted=section.deleted,
            )
            return
        traditional = traditional_header(minus, plus, self.strip)
        section.minus_name = section.plus_name = traditional.name
        # GNU diff -N marks a missing side with /dev/null or an epoch date.
        section.created, section.deleted = traditional.created, traditional.deleted

    def _check_hunk_place(self, section: _FileSection, hunk: Hunk, where: int) -> None:
        if section.is_created and (hunk.old_lines or hunk.old_start):
            raise self.error(where, "a new file's hunk must start '@@ -0,0'")
        if section.is_deleted and (hunk.new_lines or hunk.new_start):
            raise self.error(where, "a deleted file's hunk must end '+0,0 @@'")
        if section.hunks:
            previous = section.hunks[-1]
            previous_end = _start_index(previous) + previous.old_lines
            if _start_index(hunk) < previous_end:
                raise self.error(where, "hunk overlaps or comes before the previous hunk")

    def _hunk(self, path: str) -> Hunk:
        header_index = self.pos
        header = strip_ending(self.lines[self.pos])
        match = _HUNK_HEADER.fullmatch(header)
        if not match:
            raise self.error(header_index, f"malformed hunk header {snippet(header)}")
        old_start, old_count, new_start, new_count = (
            int(group) if group is not None else 1 for group in match.groups()[:4]
        )
        section = match.group(5).removeprefix(" ")
        self.pos += 1
        lines: list[DiffLine] = []
        old_left, new_left = old_count, new_count
        closed = ""  # the sides whose last line has been marked "\ No newline at end of file"
        while old_left > 0 or new_left > 0 or self._no_newline_marker(self.pos):
            if self.pos >= self.end:
                raise self.error(
                    header_index,
                    _count_message(old_count, old_left, new_count, new_left)
                    + "; the patch is truncated",
                )
            line = self.lines[self.pos]
            if not self._whole_line(self.pos) and not self._no_newline_marker(self.pos):
                raise self.error(self.pos, "the patch ends in the middle of a line: truncated?")
            kind = line[0] if line not in ("\n", "\r\n") else " "
            if kind == "\\" and not self._no_newline_marker(self.pos):
                raise self.error(self.pos, f"malformed line {snippet(strip_ending(line))}")
            if kind == "\\":
                if not lines or not lines[-1].text.endswith("\n"):
                    raise self.error(self.pos, "'\\ No newline at end of file' without a line")
                last = lines[-1]
                lines[-1] = DiffLine(last.kind, last.text[:-1])
                closed += {" ": "-+", "-": "-", "+": "+"}[last.kind]
                self.pos += 1
                continue
            if kind not in " -+":
                raise self.error(
                    header_index, _count_message(old_count, old_left, new_count, new_left)
                )
            if kind in closed or (kind == " " and closed):
                raise self.error(self.pos, "line after a '\\ No newline at end of file' marker")
            text = line[1:] if line not in ("\n", "\r\n") else line
            # Only the last line of a diff inside JSON can lack "\n"; the marker, not that,
            # means "no newline at end of file".
            lines.append(DiffLine(kind, text if text.endswith("\n") else text + "\n"))
            old_left -= kind != "+"
            new_left -= kind != "-"
            if old_left < 0 or new_left < 0:
                side, count = ("old", old_count) if old_left < 0 else ("new", new_count)
                raise self.error(
                    header_index,
                    f"hunk says {count} {side} lines but line {self.pos + 1} is one more",
                )
            self.pos += 1
        self._refuse_overlong_hunk(header_index, old_count, new_count)
        if all(line.kind == " " for line in lines):
            raise self.error(header_index, "hunk changes nothing (git calls it corrupt)")
        return Hunk.from_lines(path, old_start, old_count, new_start, new_count, lines, section)

    def _no_newline_marker(self, index: int) -> bool:
        """'\\ No newline at end of file', in any language: git takes a line starting
        with a backslash and a space, at least 12 characters long, as the marker."""
        return (
            index < self.end
            and self.lines[index].startswith("\\ ")
            and (len(self.lines[index]) >= 12)
        )

    def _refuse_overlong_hunk(self, header_index: int, old_count: int, new_count: int) -> None:
        if self.pos >= self.end:
            return
        line = self.bare_at(self.pos)
        next_is_file = line.startswith("--- ") and self.bare_at(self.pos + 1).startswith("+++ ")
        if line[:1] in (" ", "-", "+") and line not in ("-- ", "--") and not next_is_file:
            raise self.error(
                header_index,
                f"hunk says {old_count} old and {new_count} new lines,"
                f" but line {self.pos + 1} continues it",
            )

    def _binary_patch(self, section: _FileSection) -> None:
        section.binary = True
        forward = self._binary_block()
        reverse = None
        if _BINARY_BLOCK.fullmatch(self.bare_at(self.pos)):
            reverse = self._binary_block()
        section.binary_new = None if section.is_deleted else forward
        section.binary_old = None if section.is_created else (reverse or BinaryData(None))

    def _binary_block(self) -> BinaryData:
        header_index = self.pos
        match = _BINARY_BLOCK.fullmatch(self.bare_at(self.pos))
        if not match:
            raise self.error(self.pos, "expected 'literal N' or 'delta N' in a git binary patch")
        self.pos += 1
        chunks: list[bytes] = []
        while self.pos < self.end and (line := self.bare_at(self.pos)):
            try:
                chunks.append(decode_base85_line(line))
            except BinaryPatchError as error:
                raise self.error(self.pos, str(error)) from error
            self.pos += 1
        self.pos += 1  # the blank line that ends the block
        try:
            data = inflate(b"".join(chunks), int(match.group(2)))
        except BinaryPatchError as error:
            raise self.error(header_index, str(error)) from error
        return BinaryData(data, is_delta=match.group(1) == "delta")

    # -- from section to Change --

    def _path(self, section: _FileSection) -> tuple[str | None, str]:
        """(old name or None for a new file, new name or the old one for a deletion)."""
        names = section.header_names
        old = section.old_name or section.minus_name or (names[0] if names else None)
        new = section.new_name or section.plus_name or (names[1] if names else None)
        if section.is_created:
            old = None
        if section.is_deleted:
            new = old
        path = new or old
        if path is None:
            raise self.error(section.line, "cannot tell the file's name from this header")
        return old, path

    def _change(self, section: _FileSection) -> Change:
        old, path = self._path(section)
        copied = section.is_copy and old is not None and not section.is_created
        copied = copied and not section.is_deleted
        renamed = not copied and section.is_git and old is not None and old != path
        renamed = renamed and not section.is_deleted
        # "new mode" with no "old mode" changes the mode from whatever the file has (git
        # takes the old one from the disk).
        mode_changed = (
            section.old_mode != section.new_mode
            and not section.is_created
            and not section.is_deleted
            and section.new_mode is not None
        )
        hunks: list[Hunk] = []
        if section.binary and copied:
            raise self.error(section.line, f"{path}: a copy with binary changes is not supported")
        if section.binary:
            status = FileStatus.BINARY
            hunks.append(_zero_line_hunk(path, HunkKind.BINARY))
        else:
            if renamed or copied:
                hunks.append(_zero_line_hunk(path, HunkKind.COPY if copied else HunkKind.RENAME))
            if mode_changed:
                hunks.append(_zero_line_hunk(path, HunkKind.MODE))
            hunks += section.hunks
            status = FileStatus.COPIED if copied else _status(section, renamed)
            if not section.hunks:
                self._refuse_missing_hunks(section, path)
                if section.is_created:
                    hunks.append(_zero_line_hunk(path, HunkKind.CREATE_EMPTY))
                elif section.is_deleted:
                    hunks.append(_zero_line_hunk(path, HunkKind.DELETE_EMPTY))
        return Change(
            path=path,
            status=status,
            hunks=tuple(hunks),
            old_path=old if renamed or copied else None,
            old_mode=section.old_mode,
            new_mode=None if section.is_deleted else section.new_mode,
            binary_old=section.binary_old,
            binary_new=section.binary_new,
            base_blob_sha1=_blob(section.old_blob),
            new_blob_sha1=_blob(section.new_blob),
        )

    def _refuse_missing_hunks(self, section: _FileSection, path: str) -> None:
        """A header that promises content but no hunks follow: the patch was cut short."""
        if section.is_created:
            blob = section.new_blob
        elif section.is_deleted:
            blob = section.old_blob
        elif (section.old_name and section.new_name) or (
            section.old_mode and section.new_mode and section.old_mode != section.new_mode
        ):
            return  # a rename, a copy or a mode change needs no hunks (git's "metadata changes")
        else:
            raise self.error(section.line, f"no changes for {path}: truncated patch?")
        if blob is not None and not _EMPTY_BLOB.startswith(blob.lower()):
            raise self.error(
                section.line, f"{path} is not empty but has no hunks: truncated patch?"
            )


def _status(section: _FileSection, renamed: bool) -> FileStatus:
    if section.is_created:
        return FileStatus.ADDED
    if section.is_deleted:
        return FileStatus.DELETED
    return FileStatus.RENAMED if renamed else FileStatus.MODIFIED


def _zero_line_hunk(path: str, kind: HunkKind) -> Hunk:
    return Hunk(path, 0, 0, 0, 0, kind=kind)


def _start_index(hunk: Hunk) -> int:
    """0-based index of the first base line a hunk covers (or sits before)."""
    return hunk.old_start - 1 if hunk.old_lines else hunk.old_start


def _blob(blob: str | None) -> str | None:
    """A blob id, or None where git writes zeros for "no file"."""
    return None if blob is None or _NO_BLOB.startswith(blob) else blob.lower()


def _count_message(old_count: int, old_left: int, new_count: int, new_left: int) -> str:
    if old_left:
        return f"hunk says {old_count} old lines but has {old_count - old_left}"
    return f"hunk says {new_count} new lines but has {new_count - new_left}"


def _split_header(line: str) -> tuple[str, str]:
    for key in (
        "old mode",
        "new mode",
        "deleted file mode",
        "new file mode",
        "rename from",
        "rename to",
        "copy from",
        "copy to",
        "similarity index",
        "dissimilarity index",
        "index",
    ):
        if line.startswith(key + " "):
            return key, line[len(key) + 1 :]
    return "", line
