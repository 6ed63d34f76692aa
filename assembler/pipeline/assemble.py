"""Assembling the dossier: parts in checklist order, front matter, stamps, bookmarks, page labels,
TOC links, the embedded manifest, metadata, an atomic write and a self-audit.

pikepdf (qpdf) does the merging: it copies page streams from the source files when saving instead
of holding them all in memory, so memory does not grow with the number of photos, and it writes a
deterministic /ID from the content, so identical inputs give a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import pikepdf
from pydantic import ValidationError

from assembler.core.models import Part, Section
from assembler.errors import FileSystemError, SelfAuditError
from assembler.files import replace_output, usual_permissions
from assembler.integrity.document import info_digest
from assembler.integrity.manifest import Manifest, ManifestContent, ManifestPages, OutlineEntry
from assembler.integrity.pagedigest import SCHEME as DIGEST_SCHEME
from assembler.integrity.pagedigest import page_digests
from assembler.pipeline.pages import LinkArea

log = logging.getLogger(__name__)


def _displayed(page: pikepdf.Page) -> tuple[float, float, int, tuple[float, float, float, float]]:
    box = [float(v) for v in page.obj.get("/CropBox", page.obj.MediaBox)]
    x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    w, h = x1 - x0, y1 - y0
    return (h, w, rotate, (x0, y0, x1, y1)) if rotate in (90, 270) else (w, h, rotate, (x0, y0, x1, y1))


def _placement(rotate: int, box: tuple[float, float, float, float]) -> list[float]:
    """The matrix that maps displayed coordinates (origin bottom-left of the page as seen) into user space."""
    x0, y0, x1, y1 = box
    return {
        0: [1, 0, 0, 1, x0, y0],
        90: [0, 1, -1, 0, x1, y0],
        180: [-1, 0, 0, -1, x1, y1],
        270: [0, -1, 1, 0, x0, y1],
    }[rotate]


def _strip_javascript(page: pikepdf.Page) -> None:
    if "/AA" in page.obj:
        del page.obj["/AA"]
    annots = page.obj.get("/Annots")
    if annots is None:
        return
    keep = pikepdf.Array()
    for annot in annots:
        action = annot.get("/A")
        if "/AA" in annot:
            del annot["/AA"]
        if action is not None and action.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
            continue
        keep.append(annot)
    page.obj.Annots = keep


MAX_SOURCE_BOOKMARKS = 500  # per file: a report's chapters, not a machine-made index of every line
MAX_SOURCE_DEPTH = 4


@dataclass
class SourceBookmark:
    """A bookmark of an evidence PDF: its title, the page it leads to (0-based in that file), its children."""

    title: str
    page: int | None
    children: list[SourceBookmark] = field(default_factory=list)


def _named_destinations(pdf: pikepdf.Pdf) -> Any:
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        return pikepdf.NameTree(names.Dests)
    return pdf.Root.get("/Dests") or {}


def _target_page(item: pikepdf.OutlineItem, pages: dict[Any, int], named: Any) -> int | None:
    dest: Any = item.destination
    action: Any = item.action
    if dest is None and action is not None and action.get("/S") == pikepdf.Name.GoTo:
        dest = action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        try:
            dest = named[str(dest).lstrip("/") if isinstance(dest, pikepdf.Name) else str(dest)]
        except KeyError:
            return None
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return pages.get(dest[0].objgen)
    return None


def source_bookmarks(pdf: pikepdf.Pdf) -> list[SourceBookmark]:
    """The bookmarks of an evidence PDF with the page each leads to (bounded in number and depth). An item
    whose target cannot be resolved leads to its first entry, or is left out when it has none."""
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    named = _named_destinations(pdf)
    budget = [MAX_SOURCE_BOOKMARKS]

    def walk(items: Any, depth: int) -> list[SourceBookmark]:
        out = []
        for item in items:
            if budget[0] <= 0 or depth > MAX_SOURCE_DEPTH:
                break
            budget[0] -= 1
            mark = SourceBookmark(str(item.title or "").strip()[:200], _target_page(item, pages, named))
            mark.children = walk(item.children, depth + 1)
            if mark.page is None and mark.children:
                mark.page = mark.children[0].page  # a heading without a target leads to its first entry
            if mark.page is not None:
                out.append(mark)
        return out

    try:
        with pdf.open_outline() as outline:
            return walk(outline.root, 1)
    except (pikepdf.PdfError, pikepdf.OutlineStructureError, KeyError, ValueError, TypeError, AttributeError):
        return []


def _pdf_date(date: dt.datetime) -> str:
    return date.strftime("D:%Y%m%d%H%M%S+00'00'")


@dataclass
class Generated:
    """The pages the tool drew, in one PDF: front matter, file list and one stamp per dossier page."""

    data: bytes
    front: range
    tail: range
    stamps: range
    links: list[LinkArea]
    checklist_pages: int


def displayed_sizes(path: Path) -> list[tuple[float, float]]:
    """Width and height in points of each page of a PDF as a viewer shows it (rotation applied)."""
    with pikepdf.open(path) as doc:
        return [_displayed(p)[:2] for p in doc.pages]


@dataclass
class Assembly:
    """The result of assembling: the path of the written file and what the manifest records."""

    pages: int
    outline: list[dict]
    digests: list[str]


class DossierWriter:
    """Merges front matter, sections and the file list; stamps, links, bookmarks, manifest; writes
    atomically.
    """

    def __init__(self, date: dt.datetime) -> None:
        self.date = date

    def assemble(
        self,
        generated: Generated,
        sections: list[Section],
        manifest: ManifestContent,
        metadata: dict[str, str],
        out: Path,
        audit: Callable[[Path, Assembly], None],
        attachments: dict[str, bytes] | None = None,
    ) -> Assembly:
        """Write the dossier to `out` atomically, after `audit` has passed on the written file; `attachments`
        (name → bytes) travel inside it beside the manifest (the original OFD files)."""
        pdf = pikepdf.new()
        opened: list[pikepdf.Pdf] = []
        marks: dict[int, list[SourceBookmark]] = {}
        try:
            drawn = pikepdf.open(io.BytesIO(generated.data))
            opened.append(drawn)
            for i in generated.front:
                pdf.pages.append(drawn.pages[i])
            for section in sections:
                for part in section.parts:
                    src = pikepdf.open(part.pdf, access_mode=pikepdf.AccessMode.stream)
                    opened.append(src)
                    if len(pdf.pages) != part.first:
                        raise SelfAuditError(
                            f"“{part.title}”应从第 {part.first + 1} 页开始，实际为第 {len(pdf.pages) + 1} 页"
                        )
                    marks[id(part)] = source_bookmarks(src)
                    # keeps named destinations (internal links) of the evidence; the source's bookmarks are
                    # nested under the file's own bookmark by _outline instead of appended at the top
                    pdf.add_pages_from(src, outlines="ignore")
            tail_first = len(pdf.pages)
            for i in generated.tail:
                pdf.pages.append(drawn.pages[i])
            total = len(pdf.pages)
            if total != len(generated.stamps):
                raise SelfAuditError(f"页码印章 {len(generated.stamps)} 个，页面 {total} 页")
            for page in pdf.pages:
                _strip_javascript(page)
            self._stamp(pdf, drawn, generated.stamps)
            self._links(pdf, generated.links)
            outline = self._outline(pdf, generated.checklist_pages, sections, tail_first, marks)
            pdf.Root.PageLabels = pikepdf.Dictionary(
                Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)])
            )
            pdf.Root.PageMode = pikepdf.Name.UseOutlines
            digests = page_digests(pdf)
            result = Assembly(total, outline, digests)
            try:
                whole = Manifest.of(
                    manifest,
                    ManifestPages(
                        count=total, digests=digests, scheme=DIGEST_SCHEME, info=info_digest(metadata)
                    ),
                    [OutlineEntry.model_validate(o) for o in outline],
                )
            except ValidationError as exc:
                raise SelfAuditError(f"写入的清单不符合格式：{str(exc)[:300]}") from None
            data = whole.to_bytes()
            spec = pikepdf.AttachedFileSpec(
                pdf,
                data,
                description="dossier manifest",
                filename="manifest.json",
                mime_type="application/json",
                creation_date=_pdf_date(self.date),
                mod_date=_pdf_date(self.date),
            )
            pdf.attachments["manifest.json"] = spec
            for name, blob in (attachments or {}).items():
                pdf.attachments[name] = pikepdf.AttachedFileSpec(
                    pdf,
                    blob,
                    description="原始文件",
                    filename=name,
                    creation_date=_pdf_date(self.date),
                    mod_date=_pdf_date(self.date),
                )
            pdf.trailer.Info = pikepdf.Dictionary(
                {f"/{k}": pikepdf.String(v) for k, v in metadata.items()}
                | {
                    "/CreationDate": pikepdf.String(_pdf_date(self.date)),
                    "/ModDate": pikepdf.String(_pdf_date(self.date)),
                }
            )
            needed = len(generated.data) + sum(
                {p.pdf: p.pdf.stat().st_size for s in sections for p in s.parts}.values()
            )
            save_atomically(pdf, out, lambda path: audit(path, result), needed + (1 << 20))
            log.info("wrote %s: %d pages, self-audit passed", out, total)
        finally:
            for src in opened:
                src.close()
            pdf.close()
        return result

    @staticmethod
    def _stamp(pdf: pikepdf.Pdf, drawn: pikepdf.Pdf, stamps: range) -> None:
        for page, index in zip(pdf.pages, stamps):
            _, _, rotate, box = _displayed(page)
            form = pdf.copy_foreign(drawn.pages[index].as_form_xobject())
            existing: Any = cast(Any, page.obj).get("/Resources", {}).get("/XObject", {})
            # pages may share one resource dictionary (LibreOffice writes one for a whole sheet): names
            # already taken by earlier pages are skipped, however many there are
            name = next(
                f"/DossierStamp{i or ''}"
                for i in itertools.count()
                if f"/DossierStamp{i or ''}" not in existing
            )
            page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(name))
            page.contents_add(b"q\n", prepend=True)
            matrix = " ".join(f"{v:g}" for v in _placement(rotate, box))
            page.contents_add(f"Q\nq {matrix} cm {name} Do Q\n".encode(), prepend=False)
            page.contents_coalesce()

    @staticmethod
    def _links(pdf: pikepdf.Pdf, links: list[LinkArea]) -> None:
        for link in links:
            page = pdf.pages[link.page_index]
            target = pdf.pages[link.target].obj
            annot = pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array(list(link.rect)),
                    Border=pikepdf.Array([0, 0, 0]),
                    Dest=pikepdf.Array([target, pikepdf.Name.Fit]),
                )
            )
            if "/Annots" not in page.obj:
                page.obj.Annots = pikepdf.Array()
            page.obj.Annots.append(annot)

    @staticmethod
    def _outline(
        pdf: pikepdf.Pdf,
        checklist_pages: int,
        sections: list[Section],
        tail_first: int,
        marks: dict[int, list[SourceBookmark]],
    ) -> list[dict]:
        record: list[dict] = []

        def item(title: str, page: int, level: int) -> pikepdf.OutlineItem:
            record.append({"title": title, "page": page + 1, "level": level})
            return pikepdf.OutlineItem(title, page)

        def with_source(part: Part, level: int) -> pikepdf.OutlineItem:
            """The file's bookmark with the file's own bookmarks below it, leading to the same pages."""
            top = item(part.title, part.first, level)

            def nest(parent: pikepdf.OutlineItem, children: list[SourceBookmark], depth: int) -> None:
                for mark in children:
                    child = item(mark.title, part.first + (mark.page or 0), depth)
                    parent.children.append(child)
                    nest(child, mark.children, depth + 1)

            nest(top, marks.get(id(part), []), level + 1)
            return top

        with pdf.open_outline() as outline:
            outline.root.append(item("封面", 0, 0))
            outline.root.append(item("申报材料清单", 1, 0))
            outline.root.append(item("目录", 1 + checklist_pages, 0))
            for section in sections:
                if not section.parts:
                    continue
                top = item(section.title, section.parts[0].first, 0)
                groups: dict[str, pikepdf.OutlineItem] = {}
                for part in section.parts:
                    if part.blank:
                        continue
                    if part.group:
                        if part.group not in groups:
                            groups[part.group] = item(part.group, part.first, 1)
                            top.children.append(groups[part.group])
                        groups[part.group].children.append(with_source(part, 2))
                    else:
                        top.children.append(with_source(part, 1))
                outline.root.append(top)
            outline.root.append(item("文件清单", tail_first, 0))
        return record


def _check_free_space(folder: Path, needed: int, out: Path) -> None:
    """FileSystemError (exit 3) before writing when the disk cannot hold the dossier: qpdf writing into a full
    disk aborts the whole process rather than raising."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise FileSystemError(
            f"磁盘空间不足：生成的申报材料约需 {needed / 1e6:.0f} MB，所在磁盘只剩 {free / 1e6:.0f} MB",
            where=str(out),
            fix="请清理磁盘空间，或把申报材料写到空间充足的位置。",
            rule="OUTPUT-NO-SPACE",
        )


class _GuardedWriter(io.RawIOBase):
    """A file qpdf can write into that never raises: the first OSError (disk full, file too large) is kept
    and every later write is dropped, so the save ends normally and the error is raised here, in Python.
    (A write error raised into qpdf ends the whole process with an abort and leaves its files behind.)"""

    def __init__(self, fh: IO[bytes]) -> None:
        super().__init__()
        self.fh = fh
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.error is None:
            try:
                self.fh.write(data)
            except OSError as exc:
                self.error = exc
        return len(data)

    def flush(self) -> None:
        if self.error is None:
            try:
                self.fh.flush()
            except OSError as exc:
                self.error = exc


def save_atomically(pdf: pikepdf.Pdf, out: Path, audit: Callable[[Path], None], needed: int = 0) -> None:
    """Save `pdf` through a temporary file beside `out`, audit it, then rename; on any failure (Ctrl-C, full
    disk, a failed audit) nothing is left behind. The file is written through a Python file object, so a write
    error is an OSError here (never qpdf's abort, never a stray temporary file of its own)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _check_free_space(out.parent, needed, out)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        # unbuffered: every write reaches the file system inside the guard, so a full disk is caught there
        # (a buffered file would raise again when closed, hiding which output failed)
        with open(tmp, "wb", buffering=0) as fh:
            guarded = _GuardedWriter(fh)
            pdf.save(
                cast(BinaryIO, guarded),
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                compress_streams=True,
                fix_metadata_version=False,
            )
            guarded.flush()
            if guarded.error is not None:
                exc = guarded.error
                raise FileSystemError(
                    f"写入申报材料失败（{exc.strerror or exc}）",
                    where=str(out),
                    fix="请检查磁盘空间和文件夹的写入权限，或写到别的位置。",
                    rule="OUTPUT-WRITE-FAILED",
                )
            fh.flush()
            os.fsync(fh.fileno())
        audit(Path(tmp))
        usual_permissions(Path(tmp))
        replace_output(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
