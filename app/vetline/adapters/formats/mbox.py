"""`git format-patch` mailboxes: where each commit's mail starts, and what its headers say."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from datetime import UTC
from email import policy
from email.errors import MessageError
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr, parsedate_to_datetime

from vetline.core.errors import InputError
from vetline.core.text import strip_ending

# git format-patch starts each commit with this line (a SHA-1 or SHA-256 commit id).
MBOX_FROM = re.compile(r"From (?:[0-9a-f]{40}|[0-9a-f]{64}) ")
# A header line: a field name of printable characters other than ':' and then ':'.
_HEADER_FIELD = re.compile(r"[!-9;-~]+:")
_SUBJECT_PREFIX = re.compile(r"\s*\[[^\]]*\b(?:PATCH|RFC)\b[^\]]*\]\s*", re.IGNORECASE)


def split_mbox(lines: list[str]) -> list[tuple[int, int]]:
    """Each commit's (first, past-last) line index; [] unless `lines` is a format-patch mailbox."""
    starts = [i for i, line in enumerate(lines) if MBOX_FROM.match(line)]
    if not starts or "".join(lines[: starts[0]]).strip():
        return []
    return list(zip(starts, [*starts[1:], len(lines)], strict=True))


def headers_end(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """Where a mail's headers (from `start`) end, and where its body starts.

    As `git mailinfo` reads a mail: the headers end at a blank line (which belongs to
    neither) or at the first line that is no header, which is then the body's first line
    (a message with no headers at all starts with its diff).
    """
    index = start
    while index < end:
        line = strip_ending(lines[index])
        if not line:
            return index, index + 1
        continues = line[:1] in (" ", "\t") and index > start
        if not (continues or _HEADER_FIELD.match(line)):
            break
        index += 1
    return index, index


def starts_mail_patch(line: str) -> bool:
    """Whether a mail body's patch starts at `line`, as `git mailinfo` decides: a "diff -"
    or "Index: " line, "--- " and a file name, or "---" alone (the separator
    format-patch writes before its diffstat)."""
    if line.startswith(("diff -", "Index: ")):
        return True
    if not line.startswith("---") or len(line) < 4:
        return False
    if line[3] == " " and line[4:5] not in ("", " ", "\t", "\r", "\n"):
        return True
    return line[3:].strip(" \t\r\n\v\f") == "" and line.endswith("\n")


def read_headers(text: str, where: str) -> Message:
    """A mail's headers; InputError, starting with `where`, for a body git am cannot read."""
    headers = HeaderParser(policy=policy.default).parsestr(text)
    transfer = transfer_encoding(headers)
    if transfer not in ("", "7bit", "8bit", "binary", "base64", "quoted-printable"):
        raise InputError(
            f"{where}: Content-Transfer-Encoding {transfer} is not supported;"
            " give the patch as git format-patch wrote it"
        )
    return headers


def transfer_encoding(headers: Message) -> str:
    return _header(headers, "Content-Transfer-Encoding").lower()


def decode_body(body: bytes, transfer: str, where: str) -> bytes:
    """A base64 or quoted-printable body (as mail software sends a patch on) as its bytes."""
    if transfer == "quoted-printable":
        return quopri.decodestring(body)
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except binascii.Error as error:
        raise InputError(f"{where}: the base64 body does not decode: {error}") from error


def mail_subject(headers: Message) -> str:
    """The subject without its "[PATCH n/m]" (or "[RFC …]") prefixes."""
    subject = _header(headers, "Subject")
    while match := _SUBJECT_PREFIX.match(subject):
        subject = subject[match.end() :]
    return subject.strip()


def mail_author(headers: Message) -> str:
    """The sender's name, else their address."""
    name, address = parseaddr(_header(headers, "From"))
    return name or address


def mail_date(headers: Message) -> str:
    """The Date header in ISO 8601 (UTC); "" when it is missing or unreadable."""
    return _iso_date(_header(headers, "Date"))


def _header(headers: Message, name: str) -> str:
    try:
        value = headers.get(name)
    except (MessageError, ValueError, LookupError, OverflowError):
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _iso_date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).astimezone(UTC).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
