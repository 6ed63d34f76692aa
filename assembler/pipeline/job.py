"""The job context of one build: what the user asked for, what the check found, and what each step made.

Every step of the pipeline (steps.py) reads and fills one BuildJob, as OCRmyPDF's steps work over
one PdfContext: the steps stay small and testable, and the order lives in one place (__init__.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assembler.convert.photosettings import PhotoSettings
from assembler.convert.soffice import Soffice
from assembler.core.application import LoadedApplication
from assembler.core.checklist import Checklist
from assembler.core.models import EvidenceFile, Print, Report, Section
from assembler.load.sources import Source
from assembler.system.cache import PdfCache
from assembler.system.fonts import CjkFont


@dataclass
class BuildOptions:
    """Everything `build` can be told besides the application."""

    out: Path | None = None
    allow_incomplete: bool = False
    accept_xfa: bool = False  # --accept-xfa: put an XFA form's static pages in (check warns about them)
    checklists: Path | None = None
    templates: Path | None = None
    soffice: Path | None = None
    font: Path | None = None
    photo: PhotoSettings = field(default_factory=PhotoSettings)
    max_size: int | None = None  # bytes
    cache_dir: Path | None = None
    call: Path | None = None  # the zone union's call (--call); default: the bundled one for the year
    duplex: bool = False  # --print duplex: every material starts on a right-hand page
    split_size: int | None = None  # --split-size: also write volumes of at most this many bytes
    sign: Path | None = None  # --sign KEY.p12: sign the dossier (and its volumes) with the unit's key
    progress: Callable[[str], None] = lambda step: None


@dataclass
class BuildResult:
    """The written dossier and what the user should know."""

    path: Path
    pages: int
    size: int
    report: Report
    photo: PhotoSettings
    notes: list[str]
    volumes: list[Path] = field(default_factory=list)  # with --split-size: the volumes written beside it


@dataclass
class BuildJob:
    """One build in progress: its inputs (set once) and the products of the steps (filled in order)."""

    source: Source
    loaded: LoadedApplication
    report: Report
    checklist: Checklist
    opts: BuildOptions
    out: Path
    work: Path  # a private temporary folder, removed after the build
    office: Soffice
    font: CjkFont
    date: dt.datetime
    cache: PdfCache
    evidence: dict[str, EvidenceFile] = field(default_factory=dict)
    included: list[str] = field(default_factory=list)  # evidence paths that go in, in checklist order
    snapshots: dict[str, Path] = field(default_factory=dict)  # rel → the bytes that were hashed, on disk
    forms: dict[str, Path] = field(default_factory=dict)  # material number → filled .docx
    pdfs: dict[str, Path] = field(default_factory=dict)  # rel or material number → its PDF
    sizes: dict[Path, list[tuple[float, float]]] = field(default_factory=dict)  # PDF → displayed page sizes
    sections: list[Section] = field(default_factory=list)
    photo: PhotoSettings = field(default_factory=PhotoSettings)
    prints: dict[str, tuple[Print, ...]] = field(default_factory=dict)  # rel → fingerprints the workers made
    key: str = ""  # build_key of the inputs, recorded in the manifest
    data: dict[str, dict] = field(
        default_factory=dict
    )  # rel → structured data the file carries (OFD invoices)
    attachments: dict[str, Path] = field(default_factory=dict)  # name in the dossier → original file
    removed: dict[str, list[str]] = field(default_factory=dict)  # rel → active content taken out of it

    def progress(self, step: str) -> None:
        """Tell the user (terminal or web page) which step is running."""
        self.opts.progress(step)
