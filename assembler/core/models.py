"""The data that flows between the steps: evidence files, findings, material results, the award, the
report.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from assembler.core.checklist import ActivityPeriod, Call

Severity = Literal["error", "warning", "info"]
Status = Literal["ok", "missing", "invalid", "optional", "not-applicable"]
Kind = Literal["pdf", "image", "word", "excel", "ofd", "other"]
KIND_TITLES = {
    "pdf": "PDF",
    "image": "图片",
    "word": "Word/WPS 文档",
    "excel": "Excel/WPS 表格",
    "ofd": "OFD 版式文件",
    "other": "其他",
}


# a fingerprint's thumbnail: side in pixels of a picture in colour (a photo) and of a grey one (a scanned
# page, whose thin lines and handwriting need the finer grid; it compresses well, being mostly paper)
PHOTO_SIDE = 64
PAGE_SIDE = 128
SIMILAR_RULE = "EVIDENCE-SIMILAR"  # two files of one application show the same picture (core.similar)
# and a page's ink map (Print.ink): this many rows, at the page's own aspect, one bit a pixel; fine enough
# to see a changed date or number, which the square grey thumbnail cannot
PAGE_ROWS = 480


@dataclass(frozen=True)
class Print:
    """The fingerprint of one picture: an image file, or one page of a scanned PDF or OFD."""

    page: int  # 1 for an image; the page's number in a PDF or OFD
    phash: str  # 16 hex digits
    thumb: str  # base64 of the zlib-compressed square grey thumbnail (PHOTO_SIDE or PAGE_SIDE), by rows
    width: int = 0  # the picture's size in pixels (0 when unknown)
    height: int = 0
    chroma: str = ""  # base64 of the zlib-compressed colour (Cb, Cr) in CHROMA × CHROMA blocks ("": none)
    # a page's ink map: base64 of zlib of (rows, columns as two big-endian uint16, then the bits by rows);
    # "" for a photo, and for a page fingerprinted before the maps existed (such pages are not compared)
    ink: str = ""

    def to_json(self) -> dict[str, object]:
        """The manifest's and the register's form of this fingerprint (`ink` only when there is one, so that
        a photo's form is what it always was)."""
        out: dict[str, object] = {
            "page": self.page,
            "phash": self.phash,
            "thumb": self.thumb,
            "chroma": self.chroma,
            "size": [self.width, self.height],
        }
        if self.ink:
            out["ink"] = self.ink
        return out


def ink_shape(ink: str) -> tuple[int, int] | None:
    """The (rows, columns) of a page's ink map, None when the text is not a well-formed map."""
    try:
        raw = zlib.decompress(base64.b64decode(ink, validate=True))
    except (ValueError, zlib.error):
        return None
    if len(raw) < 4:
        return None
    rows, cols = int.from_bytes(raw[:2], "big"), int.from_bytes(raw[2:4], "big")
    if not rows or not cols or len(raw) - 4 != (rows * cols + 7) // 8:
        return None
    return rows, cols


def print_from_json(data: dict[str, Any]) -> Print | None:
    """A fingerprint read back from a manifest or the inspection memo; None when it does not fit."""
    try:
        size = data.get("size") or [0, 0]
        p = Print(
            int(data["page"]),
            str(data["phash"]),
            str(data["thumb"]),
            int(size[0]),
            int(size[1]),
            str(data.get("chroma") or ""),
            str(data.get("ink") or ""),
        )
        int(p.phash, 16)
        if len(p.phash) != 16 or len(zlib.decompress(base64.b64decode(p.thumb, validate=True))) not in (
            PHOTO_SIDE**2,
            PAGE_SIDE**2,
        ):
            return None
        if p.ink and ink_shape(p.ink) is None:
            return None
        return p
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, zlib.error):
        return None


@dataclass(frozen=True)
class EvidenceFile:
    """One file of the application as found and lightly validated (nothing decoded in full)."""

    rel: str  # posix path relative to the application root
    size: int
    sha256: str
    kind: Kind
    pages: int | None = None  # PDF pages / TIFF frames when known cheaply
    problem: str | None = None  # why it cannot go into a dossier (Chinese), None when usable
    note: str | None = None  # something worth telling that does not stop it (Chinese)
    warning: str | None = None  # something the user should act on that does not stop check (an XFA form)
    prints: tuple[Print, ...] = ()  # perceptual fingerprints: an image's, a scanned page's (core.similar)

    @property
    def usable(self) -> bool:
        """Whether the file can be placed in a dossier."""
        return self.problem is None


@dataclass(frozen=True)
class Finding:
    """One result of a rule: a stable id, its severity, where, and what to do.

    `message` is the Chinese sentence; where it was rendered from a template (core/messages.py),
    `template` names it and `values` holds what went into it, for programs that must not parse the text.
    """

    rule: str
    severity: Severity
    message: str
    material: str | None = None
    path: str | None = None
    fix: str | None = None
    # the field of the application it is about, as a path in the application's schema
    # ("applicant.credit_code", "projects[2].bonus"), so that a front end can show it beside that field
    field: str | None = None
    values: Mapping[str, object] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    template: str | None = None


@dataclass(frozen=True)
class MeetingGroup:
    """The evidence of one review meeting: the sub-folder of material 4 named by its date."""

    date: dt.date
    folder: str | None  # None when the meeting is declared but has no folder
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MaterialResult:
    """A checklist material after matching and rules: its status and the files that make it up."""

    number: str
    title: str
    required: bool
    status: Status
    files: tuple[str, ...] = ()
    generated: str | None = None
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meetings: tuple[MeetingGroup, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Award:
    """The computed award: exact amount in yuan (None when not eligible) and Chinese explanation lines."""

    amount: Decimal | None  # what is claimed (the requested total where a part awaits the committee)
    lines: tuple[str, ...]
    # Some parts are not set by the measures' tables but by the committee or a higher union: the matched
    # amount of a new studio, the annual tier. Then the amount is requested (申请（待核定）) until a reviewer
    # confirms it, and `minimum` is what the measures guarantee if the claim is approved.
    pending: bool = False
    minimum: Decimal | None = None

    @property
    def amount_fen(self) -> int | None:
        """The amount in integer fen, for exact comparison by other programs."""
        return None if self.amount is None else int(self.amount * 100)

    @property
    def status(self) -> str:
        """computed (the tables fix it) | requested (awaits the committee or a reviewer) | ineligible."""
        return "ineligible" if self.amount is None else "requested" if self.pending else "computed"

    @property
    def label(self) -> str:
        """The amount's Chinese label: 申请（待核定） while pending, else 申请."""
        return "申请（待核定）" if self.pending else "申请"


@dataclass(frozen=True)
class Report:
    """Everything `check` found about one application."""

    scheme: str
    case: str | None
    scheme_title: str  # the fund's title as the checklist prints it
    case_title: str  # the case's title ('' for a fund without cases)
    year: int
    measures: str
    applicant: str
    credit_code: str
    award: Award
    materials: tuple[MaterialResult, ...]
    findings: tuple[Finding, ...]
    evidence: tuple[EvidenceFile, ...] = ()
    period: ActivityPeriod | None = None  # the activity period the dates were checked against
    call: Call | None = None  # the zone union's call in use, None under the default reading

    @property
    def complete(self) -> bool:
        """No finding of severity error."""
        return not any(f.severity == "error" for f in self.findings)


@dataclass
class Part:
    """One document placed in the dossier, with its bookmark path."""

    title: str  # bookmark and 目录 title
    pdf: Path  # the PDF whose pages are placed
    material: str | None  # checklist material number
    group: str | None = None  # meeting title for grouped files
    rel: str | None = None  # evidence path in the application (None for generated forms)
    caption: str = ""  # printed under a photo
    pages: int = 0
    first: int = 0  # 0-based index of its first page in the dossier
    blank: bool = False  # an empty page so that the next material starts on a right-hand page


@dataclass
class Section:
    """A material: its bookmark title and its parts (in order)."""

    number: str
    title: str
    parts: list[Part] = field(default_factory=list)
