"""Rendering: an OFD file to PDF pages, its page count and its scanned-page pictures."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.convert.ofd.common import MM, OfdInfo
from assembler.convert.ofd.document import _Doc, _load_res, _open_doc, _where
from assembler.convert.ofd.invoice import _structured
from assembler.convert.ofd.package import _join, _kids, _local, _Package
from assembler.convert.ofd.paint import _Painter
from assembler.convert.ofd.writer import _Canvas, _n, _Writer
from assembler.system.fonts import CjkFont


def render_ofd(
    path: str | Path | BinaryIO, out_pdf: str | Path, font: CjkFont | None = None, name: str | None = None
) -> OfdInfo:
    """Render every page of an OFD file to `out_pdf` (one PDF page per OFD page, same size).

    Draws templates, page content, annotations and the seal pictures of the signatures, text in the
    file's embedded fonts or else in `font` (default: the system CJK font of assembler.system.fonts, looked up
    only when needed). The PDF bytes depend only on the input. Raises InputError (Chinese message,
    `where` = the file) when the file is not a valid OFD or exceeds the safety limits; ToolMissingError
    when a substitute font is needed and none is installed."""
    with _Package(path, _where(path, name)) as pkg:
        d = _open_doc(pkg)
        writer = _Writer(font)
        try:
            info = _render(d, writer, Path(out_pdf))
        finally:
            writer.close()
    return info


def _render(d: _Doc, writer: _Writer, out: Path) -> OfdInfo:
    painter = _Painter(writer, d)
    canvases: list[_Canvas] = []
    boxes: list[tuple[float, float, float, float]] = []
    by_id: dict[str, _Canvas] = {}
    for page_id, part in d.pages:
        canvas = _Canvas()
        canvas.ops.append("")  # placeholder for the page matrix, known once the page is read
        box = painter.page_box(painter.page(canvas, page_id, part))
        x0, y0, _, h = box
        canvas.ops[0] = f"{_n(MM)} 0 0 {_n(-MM)} {_n(-x0 * MM)} {_n((h + y0) * MM)} cm"
        canvases.append(canvas)
        boxes.append(box)
        by_id.setdefault(page_id, canvas)
    painter.seals(by_id)
    for canvas, (_, _, w, h) in zip(canvases, boxes):
        page = Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, round(w * MM, 3), round(h * MM, 3)]),
            Contents=writer.pdf.make_stream(canvas.content()),
            Resources=canvas.resources(),
        )
        writer.pdf.pages.append(pikepdf.Page(page))
    partial = out.with_name(out.name + ".part")
    try:
        writer.finish(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    if writer.substituted:
        writer.note("以下字体未嵌入或缺字，已用系统中文字体代替：" + "、".join(writer.substituted))
    return OfdInfo(
        pages=len(d.pages),
        seals=writer.seals,
        embedded_fonts=tuple(writer.embedded),
        fallback_fonts=tuple(writer.substituted),
        notes=tuple(writer.notes),
        structured=_structured(d),
    )


def ofd_page_pictures(
    source: str | Path | BinaryIO, limit: int, name: str | None = None
) -> list[tuple[int, bytes]]:
    """(page number, image bytes) of each scanned page of an OFD file: a page that shows pictures and no
    text, with its largest picture (for near-duplicate fingerprints). At most `limit` pages are read."""
    out: list[tuple[int, bytes]] = []
    with _Package(source, _where(source, name)) as pkg:
        d = _open_doc(pkg)
        for number, (_, part) in enumerate(d.pages[:limit], start=1):
            page = pkg.xml(part)
            for res in _kids(page, "PageRes"):
                _load_res(d, _join(posixpath.dirname(part), res.text))
            tags = [(_local(el.tag), el) for el in page.iter()]
            if any(tag == "TextObject" for tag, _ in tags):
                continue
            parts = [d.media.get(el.get("ResourceID", "")) for tag, el in tags if tag == "ImageObject"]
            found = [(pkg.read(p), p) for p in parts if p and pkg.has(p)]
            if found:
                out.append((number, max(found, key=lambda f: len(f[0]))[0]))
    return out
