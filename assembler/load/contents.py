"""The text of evidence files whose content the cross-checks read (minutes, notices, receipts, statements,
dues vouchers): bounded, remembered per folder, and None for a scan or picture (not checked, no error)."""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from collections.abc import Iterable

from assembler.core.models import EvidenceFile
from assembler.load.sources import Source

log = logging.getLogger(__name__)
MAX_PAGES = 12  # pages of a PDF read for its text: minutes, notices and receipts are short
MAX_CHARS = 40_000
MIN_CHARS = 20  # fewer visible characters than this: a scan without a text layer
_TEXTCODE = re.compile(rb"<(?:ofd:)?TextCode[^>]*>([^<]*)</(?:ofd:)?TextCode>")


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])


def _docx(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        cells = []
        for row in book.worksheets[0].iter_rows(max_row=500, max_col=30, values_only=True):
            cells += [str(v) for v in row if v is not None]
        return "\n".join(cells)
    finally:
        book.close()


def _ofd(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = [n for n in zf.namelist() if n.endswith("Content.xml")][:MAX_PAGES]
        texts = []
        for name in parts:
            if zf.getinfo(name).file_size < 8 * 1024 * 1024:
                texts += [m.decode("utf-8", "replace") for m in _TEXTCODE.findall(zf.read(name))]
        return "".join(texts)


_READERS = {"pdf": _pdf, "ofd": _ofd}


def read_text(source: Source, file: EvidenceFile) -> str | None:
    """The text of `file` (at most MAX_CHARS), or None when it has none to read (a scan, a picture, an old
    binary Office format) or cannot be read — the cross-checks then list it as not checked."""
    if not file.usable:
        return None
    reader = _READERS.get(file.kind)
    if file.kind == "word" and file.rel.lower().endswith(".docx"):
        reader = _docx
    elif file.kind == "excel" and file.rel.lower().endswith((".xlsx", ".xlsm")):
        reader = _xlsx
    if reader is None:
        return None
    try:
        text = reader(source.read_bytes(file.rel))
    except Exception as exc:  # a damaged file is reported by the inspection; here it only goes unchecked
        log.info("no text from %s: %s", file.rel, type(exc).__name__)
        return None
    text = text[:MAX_CHARS]
    visible = len(re.sub(r"\s", "", text))
    # a PDF with a few stray characters is a scan (a page number, a stamp's OCR); a Word file's text is real
    return text if visible >= (MIN_CHARS if file.kind == "pdf" else 1) else None


def texts_of(source: Source, files: Iterable[EvidenceFile]) -> dict[str, str | None]:
    """The text of each file (remembered per application folder, like the inspections)."""
    from assembler.load.inspected import InspectionMemo

    memo = InspectionMemo(source.folder, kind="texts") if source.folder is not None else None
    out: dict[str, str | None] = {}
    for file in files:
        found, value = memo.lookup_value(file.rel) if memo is not None else (False, None)
        if not found:
            value = read_text(source, file)
            if memo is not None:
                memo.remember_value(file.rel, value)
        out[file.rel] = value
    if memo is not None:
        memo.save(set(memo.entries))
    return out
