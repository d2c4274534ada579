"""The domain values: proposals, their changes, hunks, citations and decisions."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress, repeat
from operator import eq
from typing import TYPE_CHECKING, NamedTuple

from vetline.core.hunk_body import count_lines_of_kind, split_piece


class FileStatus(StrEnum):
    """What a change does to its file, as `vetline check --json` reports it."""

    MODIFIED = "modified"
    ADDED = "added"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"  # a new file at path, made from old_path (which stays as it is)
    BINARY = "binary"


class HunkKind(StrEnum):
    """A text hunk changes lines; the other kinds are one reviewable item with no lines."""

    TEXT = "text"
    RENAME = "rename"  # the file moves from old_path to path
    COPY = "copy"  # a new file at path, made from old_path with the change's other items
    MODE = "mode"  # the file's permission bits change
    CREATE_EMPTY = "create-empty"  # a new file with no content
    DELETE_EMPTY = "delete-empty"  # an empty file is removed
    BINARY = "binary"  # the whole binary file, replaced or created or deleted
    IMAGE_REGION = "image-region"  # a box around changed pixels of an image (`Hunk.region`)
    ANNOTATION = "annotation"  # a labelled box an agent proposes on an image (`Hunk.region`)
    CITATION = "citation"  # a cited source: does it support the claim (core.citation_items)


class ItemKind(StrEnum):
    """What a decision is about, as the log's `kind` column says."""

    HUNK = "hunk"  # a change to a file: any HunkKind but CITATION
    CITATION = "citation"  # whether a cited source supports its claim


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EDITED = "edited"
    SKIPPED = "skipped"
    UNDONE = "undone"
    NOT_APPLIED = "not_applied"  # an accept the writer refused: the hunk is undecided again
    REFUSED = "refused"  # a review refused before any verdict took effect (the reason says why)


def sha256_hex(data: str | bytes) -> str:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


class DiffLine(NamedTuple):
    """One line of a hunk. `text` keeps its own line ending (none at a missing final newline).

    A named tuple rather than a dataclass: a 100k-line diff builds tens of thousands.
    """

    kind: str  # " " context, "-" removed, "+" added
    text: str

    @property
    def old_side(self) -> bool:
        return self.kind in (" ", "-")

    @property
    def new_side(self) -> bool:
        return self.kind in (" ", "+")


@dataclass(frozen=True, slots=True)
class Hunk:
    """A contiguous run of changed lines with context, positioned in the base text.

    Starts are 1-based as in a unified diff; a side with zero lines names the line
    after which it sits (0 = before the first line), again as in a unified diff.
    The lines are kept as two parallel columns, `kinds` (one of " ", "-", "+" per
    line) and `texts` (each with its own line ending), because a 100k-line diff
    builds tens of thousands of them; `lines` pairs them up. A hunk cut from a patch
    (`hunks_from_pieces`) holds its piece of the patch text instead, and fills both
    columns from it when either is first read (core.hunk_body).
    """

    path: str
    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    kinds: str = ""
    texts: tuple[str, ...] = ()
    kind: HunkKind = HunkKind.TEXT
    section: str = ""  # the text after the @@ markers, if the patch had one
    region: ImageRegion | None = None  # the box of an IMAGE_REGION or ANNOTATION item
    # The sha256, once asked for: a million-line hunk takes most of a second to hash, and
    # its id is read on every key press. Not an argument, so dataclasses.replace never
    # copies it to a changed hunk; pickled with the hunk, so a worker's hash travels.
    _sha256: str = field(default="", init=False, compare=False, repr=False)
    _counts: tuple[int, int] = field(default=(-1, -1), init=False, compare=False, repr=False)
    # The patch piece of a hunk whose kinds and texts are not split yet (None once they are).
    _piece: str | None = field(default=None, init=False, compare=False, repr=False)

    if not TYPE_CHECKING:  # hidden from mypy, which would let any misspelt field pass

        def __getattr__(self, name: str) -> object:
            """Reached only for an unset slot: the kinds and texts of a piece not yet split."""
            if name in _SPLIT_ON_FIRST_READ:
                piece = self._piece
                if piece is not None:
                    kinds, texts = split_piece(piece)
                    _set_kinds(self, kinds)
                    _set_texts(self, texts)
                    _set_piece(self, None)
                return object.__getattribute__(self, name)  # set now, here or by another thread
            raise AttributeError(name, name=name, obj=self)

    def __reduce__(self) -> tuple[Callable[..., Hunk], tuple[object, ...]]:
        """Pickled as its slots' values (the remembered hash included, so a worker's hash
        travels) and rebuilt by `restore_hunk`: the window's process unpickles a
        background diff's thousands of hunks, holding the GIL against the key presses.
        A hunk whose piece is not split yet travels as that one string."""
        piece = self._piece
        if piece is not None:
            return restore_piece_hunk, (
                self.path, self.old_start, self.old_lines, self.new_start, self.new_lines,
                piece, self._sha256, self._counts,
            )  # fmt: skip
        return restore_hunk, (
            self.path, self.old_start, self.old_lines, self.new_start, self.new_lines,
            self.kinds, self.texts, self.kind, self.section, self.region,
            self._sha256, self._counts,
        )  # fmt: skip

    @classmethod
    def from_lines(
        cls,
        path: str,
        old_start: int,
        old_lines: int,
        new_start: int,
        new_lines: int,
        lines: Iterable[DiffLine],
        section: str = "",
    ) -> Hunk:
        pairs = list(lines)
        return cls(
            path,
            old_start,
            old_lines,
            new_start,
            new_lines,
            kinds="".join(line.kind for line in pairs),
            texts=tuple(line.text for line in pairs),
            section=section,
        )

    @property
    def lines(self) -> tuple[DiffLine, ...]:
        return tuple(map(DiffLine, self.kinds, self.texts))

    @property
    def id(self) -> str:
        """Stable across runs: a hash of path, base range, and content."""
        return self.sha256[:12]

    @property
    def sha256(self) -> str:
        if not self._sha256:
            object.__setattr__(self, "_sha256", self._digest())
        return self._sha256

    def _digest(self) -> str:
        digest = hashlib.sha256()
        header = f"{self.kind}\0{self.path}\0{self.old_start},{self.old_lines}\0"
        digest.update(header.encode("utf-8", "surrogateescape"))
        digest.update(self.kinds.encode())
        if self.texts:  # each text after a NUL, hashed in one piece
            joined = "\0" + "\0".join(self.texts)
            digest.update(joined.encode("utf-8", "surrogateescape"))
        if self.region is not None:
            digest.update(b"\0" + self.region.identity.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    @property
    def added(self) -> int:
        return self._added_removed()[0]

    @property
    def removed(self) -> int:
        return self._added_removed()[1]

    def _added_removed(self) -> tuple[int, int]:
        """Counted once (a view asks on every key; a big hunk has a million kinds)."""
        if self._counts[0] < 0:
            piece = self._piece
            if piece is not None:  # counted in the piece, which stays unsplit
                counts = (count_lines_of_kind(piece, "+"), count_lines_of_kind(piece, "-"))
            else:
                counts = (self.kinds.count("+"), self.kinds.count("-"))
            object.__setattr__(self, "_counts", counts)
        return self._counts

    def side(self, new: bool) -> list[str]:
        """The lines of the new side (context and added) or the old (context and removed)."""
        dropped = "-" if new else "+"
        return [text for kind, text in zip(self.kinds, self.texts, strict=True) if kind != dropped]

    @property
    def old_text(self) -> str:
        return "".join(self.side(new=False))

    @property
    def new_text(self) -> str:
        return "".join(self.side(new=True))

    @property
    def is_whitespace_only(self) -> bool:
        """True when the change is only in spaces, tabs or line endings."""
        if self.kind is not HunkKind.TEXT or not (self.added or self.removed):
            return False
        if not (self.added and self.removed):  # one side only: is any of its lines more?
            wanted = "+" if self.added else "-"
            side = compress(self.texts, map(eq, self.kinds, repeat(wanted)))
            return not any(map(str.strip, side))  # stops at the first line with a letter

        def squeeze(wanted: str) -> str:
            return "".join(
                "".join(text.split())
                for kind, text in zip(self.kinds, self.texts, strict=True)
                if kind == wanted
            )

        return squeeze("-") == squeeze("+")


# Each slot's setter, in the slots' order. A Hunk built by setting its slots directly is
# about twice as fast as `Hunk(...)`, whose frozen __init__ goes through
# object.__setattr__ by name for each field, and three times as fast as unpickling
# through the dataclass's __setstate__. A 100k-line diff builds (and unpickles) thousands.
(
    _set_path,
    _set_old_start,
    _set_old_lines,
    _set_new_start,
    _set_new_lines,
    _set_kinds,
    _set_texts,
    _set_kind,
    _set_section,
    _set_region,
    _set_sha256,
    _set_counts,
    _set_piece,
) = (Hunk.__dict__[name].__set__ for name in Hunk.__slots__)
_SPLIT_ON_FIRST_READ = frozenset(("kinds", "texts"))
_NO_COUNTS = (-1, -1)
_new = object.__new__


def restore_hunk(  # one argument per field, in the slots' order
    path: str,
    old_start: int,
    old_lines: int,
    new_start: int,
    new_lines: int,
    kinds: str,
    texts: tuple[str, ...],
    kind: HunkKind,
    section: str,
    region: ImageRegion | None,
    sha256: str,
    counts: tuple[int, int],
) -> Hunk:
    """Hunk(*fields) with the hash and counts it remembered: how a pickled hunk is rebuilt."""
    hunk = _hunk_without_lines(
        path, old_start, old_lines, new_start, new_lines, kind, section, region, sha256, counts
    )
    _set_kinds(hunk, kinds)
    _set_texts(hunk, texts)
    _set_piece(hunk, None)
    return hunk


def restore_piece_hunk(
    path: str,
    old_start: int,
    old_lines: int,
    new_start: int,
    new_lines: int,
    piece: str,
    sha256: str,
    counts: tuple[int, int],
) -> Hunk:
    """A text hunk whose kinds and texts are split from `piece` when first read: how a
    pickled one is rebuilt, with the hash and counts it remembered."""
    hunk = _hunk_without_lines(
        path, old_start, old_lines, new_start, new_lines, HunkKind.TEXT, "", None, sha256, counts
    )
    _set_piece(hunk, piece)
    return hunk


def _hunk_without_lines(
    path: str,
    old_start: int,
    old_lines: int,
    new_start: int,
    new_lines: int,
    kind: HunkKind,
    section: str,
    region: ImageRegion | None,
    sha256: str,
    counts: tuple[int, int],
) -> Hunk:
    hunk = _new(Hunk)
    _set_path(hunk, path)
    _set_old_start(hunk, old_start)
    _set_old_lines(hunk, old_lines)
    _set_new_start(hunk, new_start)
    _set_new_lines(hunk, new_lines)
    _set_kind(hunk, kind)
    _set_section(hunk, section)
    _set_region(hunk, region)
    _set_sha256(hunk, sha256)
    _set_counts(hunk, counts)
    return hunk


def hunks_from_pieces(
    path: str, headers: Iterable[tuple[int, int, int, int]], pieces: list[str]
) -> tuple[Hunk, ...]:
    """The text hunks of a patch: each its "@@" numbers (old start, old lines, new start,
    new lines) and its piece of the patch text (core.hunk_body), whose lines are split
    only when its kinds or texts are first read. Equal to the Hunks built from those
    lines, and built a field at a time across all of them, with no Python code run per
    hunk: a 100k-line diff makes thousands."""
    hunks = list(map(_new, repeat(Hunk, len(pieces))))
    old_starts, old_counts, new_starts, new_counts = zip(*headers, strict=True)
    for set_field, values in (
        (_set_path, repeat(path)),
        (_set_old_start, old_starts),
        (_set_old_lines, old_counts),
        (_set_new_start, new_starts),
        (_set_new_lines, new_counts),
        (_set_kind, repeat(HunkKind.TEXT)),
        (_set_section, repeat("")),
        (_set_region, repeat(None)),
        (_set_sha256, repeat("")),
        (_set_counts, repeat(_NO_COUNTS)),
        (_set_piece, pieces),
    ):
        deque(map(set_field, hunks, values), maxlen=0)
    return tuple(hunks)


@dataclass(frozen=True, slots=True)
class BinaryData:
    """One side of a binary change as a git binary patch carries it.

    `data` is None when the patch only says "Binary files ... differ". Otherwise it is
    the inflated payload: the whole content (a literal) or, when `is_delta`, a git delta
    that rebuilds the content from the other side.
    """

    data: bytes | None
    is_delta: bool = False


@dataclass(frozen=True, slots=True)
class ImageRegion:
    """A box in an image, in pixels from the top-left corner: changed pixels, or an annotation.

    For a region of changed pixels, `changed_pixels` counts them and `digest` is the
    sha256 of both sides' pixels inside the box, so the item's id changes with its
    content. For an annotation, `annotation_id` and `label` are the agent's.
    """

    x: int
    y: int
    width: int
    height: int
    changed_pixels: int = 0
    digest: str = ""
    label: str = ""
    annotation_id: str = ""

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x, y, width, height), as `vetline check --json` writes it."""
        return (self.x, self.y, self.width, self.height)

    @property
    def identity(self) -> str:
        """What makes the item's id: where the box is and what it holds or says."""
        return f"{self.box}\0{self.digest}\0{self.annotation_id}\0{self.label}"


@dataclass(frozen=True, slots=True)
class ImageSide:
    """What one side of an image change is, read from the file (never from its name)."""

    format: str  # "PNG", "JPEG", "WEBP", "GIF" or "BMP"
    width: int
    height: int
    mode: str  # Pillow's colour mode: "RGB", "RGBA", "P" (a palette), "L" (grey)...
    has_alpha: bool
    lossless: bool  # JPEG and lossy WebP are not: a partly accepted image cannot be exact
    frames: int = 1  # an animation is compared by its first frame

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)


@dataclass(frozen=True, slots=True)
class ImageDiff:
    """An image change's facts: both sides, how many pixels differ, and where.

    `regions` are boxes around connected groups of changed pixels; they never overlap
    and every changed pixel lies in one. They are the change's items when
    `regions_are_items`; otherwise `whole_reason` says why the image is one item.
    `problem` says what is wrong for the reviewer to see: a side that cannot be read
    (the change is then one item), a name that promises another format, a box that
    reaches past the image.
    `before_data` / `after_data` are the sides' bytes as shown (None: no such side).
    """

    before: ImageSide | None
    after: ImageSide | None
    changed_pixels: int = 0
    visible_pixels: int = 0  # changed enough for the eye (a perceptual threshold)
    regions: tuple[ImageRegion, ...] = ()
    regions_are_items: bool = False
    whole_reason: str = ""
    problem: str = ""
    annotations: tuple[ImageRegion, ...] = ()
    annotated_sha256: str | None = None  # the image the annotations were drawn on
    # False when a side exists but is in neither the source nor a workspace (a side
    # that is None is then unknown, not absent).
    sides_known: bool = True
    before_data: bytes | None = field(default=None, repr=False)
    after_data: bytes | None = field(default=None, repr=False)

    @property
    def format(self) -> str:
        side = self.after or self.before
        return side.format if side else ""

    @property
    def changed_fraction(self) -> float:
        """The share of pixels whose RGBA value differs at all.

        An image created, deleted or resized is changed everywhere (1.0).
        """
        if self.before is None and self.after is None:
            return 0.0
        if self.before is None or self.after is None or self.before.size != self.after.size:
            return 1.0
        total = self.before.width * self.before.height
        return self.changed_pixels / total if total else 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """A change to one file.

    `hunks` are the reviewable items, in order. For a change computed from two texts,
    `base_text` and `new_text` are set; for a patch they may be None, and the base
    comes from the workspace at apply time (checked against `base_sha256` when known).
    Texts are str decoded by `core.text.decode`, so they round-trip byte for byte.
    """

    path: str
    status: FileStatus
    hunks: tuple[Hunk, ...]
    old_path: str | None = None  # set for renames and copies (and equal to path otherwise)
    base_text: str | None = None
    new_text: str | None = None
    base_sha256: str | None = None  # of the base file's bytes
    encoding: str = "utf-8"
    old_mode: str | None = None  # e.g. "100644"
    new_mode: str | None = None
    binary_old: BinaryData | None = None
    binary_new: BinaryData | None = None
    base_blob_sha1: str | None = None  # git's "index abc..def" blob ids, when the patch has them
    new_blob_sha1: str | None = None
    image: ImageDiff | None = None  # set when the file is an image (adapters.images)

    @property
    def is_binary(self) -> bool:
        return self.status is FileStatus.BINARY

    @property
    def source_path(self) -> str:
        """Where the base lives in the workspace (the old name of a rename)."""
        return self.old_path or self.path

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks)


@dataclass(frozen=True, slots=True)
class Citation:
    """A source an agent cites for a claim, with the passage it quotes."""

    id: str
    title: str
    locator: str  # URL or file path
    quote: str
    claim: str = ""
    hunk_id: str | None = None  # the hunk whose text makes the claim
    source_text: str | None = None  # captured copy of the source, if the agent sent one


@dataclass(frozen=True, slots=True)
class Agent:
    name: str = ""
    model: str = ""  # the model asked for
    provider: str = ""
    # The model that actually answered, as the response named it: a router such as
    # OpenRouter may fall back to another model. "" when unknown.
    served_model: str = ""

    @property
    def model_words(self) -> str:
        """The model asked for, and the one that answered when it was another one."""
        if self.served_model and self.served_model != self.model:
            asked = self.model or "a model"
            return f"{asked} (answered by {self.served_model})"
        return self.model or self.served_model


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    title: str
    changes: tuple[Change, ...]
    rationale: str = ""
    task: str = ""
    agent: Agent = field(default_factory=Agent)
    created_at: str = ""  # ISO 8601, UTC
    citations: tuple[Citation, ...] = ()
    parent_id: str | None = None  # the proposal this one revises
    # A cited answer: Markdown with citation markers such as [1], and no file changes.
    answer: str = ""

    @property
    def hunks(self) -> tuple[Hunk, ...]:
        return tuple(h for change in self.changes for h in change.hunks)

    @property
    def changed_lines(self) -> int:
        return sum(c.added + c.removed for c in self.changes)

    def change_of(self, hunk_id: str) -> Change:
        for change in self.changes:
            if any(h.id == hunk_id for h in change.hunks):
                return change
        raise KeyError(hunk_id)


@dataclass(frozen=True, slots=True)
class Decision:
    """One verdict on one hunk, built in core and appended to the log by an adapter."""

    proposal_id: str
    hunk_id: str
    hunk_sha256: str
    path: str
    verdict: Verdict
    decided_at: str  # ISO 8601, UTC, millisecond precision
    ms_on_screen: int
    reviewer: str = ""
    level: int = 0
    agent: str = ""
    model: str = ""
    added: int = 0
    removed: int = 0
    reason: str = ""
    edited_text: str | None = None  # the new side as the reviewer edited it
    undoes: int | None = None  # log sequence number of the decision an undo reverses
    # Decided together with others by one command (accept the rest, a scripted apply):
    # only the hunk that was on screen carries screen time, the others 0.
    bulk: bool = False
    # A reject in a repository: the id under which the agent's version of the file was
    # kept in the data folder before the reject took it out ("" when nothing was kept).
    kept: str = ""
    # An accepted hunk that hides characters (core.hidden_text), accepted only after the
    # reviewer was told and confirmed: what it hides, in words ("" when nothing).
    flagged: str = ""
    # The model that actually answered, when the server says (a fallback may serve another
    # than the one asked for, which is `model`).
    served_model: str = ""
    # A hunk, or a citation (its `hunk_id` is then the citation's id, `path` its locator,
    # and accepted means "the source supports the claim").
    kind: ItemKind = ItemKind.HUNK
    # An accept (one hunk, on screen) faster than the reading time for its size
    # (core.reading_time): the reviewer may not have read it.
    rubber_stamp: bool = False
