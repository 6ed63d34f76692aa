"""The OFD document: its pages, templates and resources."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

from assembler.convert.ofd.common import A4_MM
from assembler.convert.ofd.package import _floats, _join, _kid, _kid_text, _kids, _local, _Package
from assembler.limits import PDF_MAX_PAGES as MAX_PAGES


@dataclass
class _FontRes:
    name: str
    file: str | None
    bold: bool


@dataclass
class _Doc:
    pkg: _Package
    root: ET.Element  # OFD.xml
    dir: str  # folder of Document.xml
    doc: ET.Element
    box: tuple[float, float, float, float]
    pages: list[tuple[str, str]]  # (page ID, part)
    fonts: dict[str, _FontRes] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    composites: dict[str, ET.Element] = field(default_factory=dict)
    params: dict[str, ET.Element] = field(default_factory=dict)
    spaces: dict[str, ET.Element] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)


def _box(el: ET.Element | None) -> tuple[float, float, float, float] | None:
    values = _floats(_kid_text(el, "PhysicalBox"))
    if len(values) == 4 and values[2] > 0 and values[3] > 0:
        return values[0], values[1], values[2], values[3]
    return None


def _open_doc(pkg: _Package) -> _Doc:
    if not pkg.has("OFD.xml"):
        raise pkg.error("OFD 文件缺少入口文件 OFD.xml，不是有效的 OFD 文件")
    root = pkg.xml("OFD.xml")
    if _local(root.tag) != "OFD":
        raise pkg.error("OFD.xml 的根元素不是 ofd:OFD，不是有效的 OFD 文件")
    body = _kid(root, "DocBody")
    doc_part = _join("", _kid_text(body, "DocRoot"))
    if doc_part is None or not pkg.has(doc_part):
        raise pkg.error(f"OFD 文件缺少文档根 {doc_part or 'DocRoot'}")
    doc = pkg.xml(doc_part)
    folder = posixpath.dirname(doc_part)
    common = _kid(doc, "CommonData")
    pages: list[tuple[str, str]] = []
    for page in _kids(_kid(doc, "Pages"), "Page"):
        part = _join(folder, page.get("BaseLoc"))
        if part is None or not pkg.has(part):
            raise pkg.error(f"OFD 文件缺少第 {len(pages) + 1} 页的内容 {part or '（未给出位置）'}")
        pages.append((page.get("ID", ""), part))
        if len(pages) > MAX_PAGES:
            raise pkg.error(f"OFD 文件页数超过 {MAX_PAGES} 页，已拒绝")
    if not pages:
        raise pkg.error("OFD 文件没有任何页面")
    d = _Doc(pkg, root, folder, doc, _box(_kid(common, "PageArea")) or (0.0, 0.0, *A4_MM), pages)
    for tpl in _kids(common, "TemplatePage"):
        part = _join(folder, tpl.get("BaseLoc"))
        if part and tpl.get("ID"):
            d.templates[tpl.get("ID", "")] = part
    for tag in ("PublicRes", "DocumentRes"):
        for res in _kids(common, tag):
            if (res_part := _join(folder, res.text)) is not None:
                _load_res(d, res_part)
    return d


def _load_res(d: _Doc, part: str | None) -> None:
    res = d.pkg.xml_or_none(part)
    if res is None or part is None:
        return
    here = posixpath.dirname(part)
    base = _join(here, res.get("BaseLoc")) or here

    def find(loc: str | None) -> str | None:
        """The file under the BaseLoc folder, else (as some writers put it) next to the resource XML."""
        candidates = [_join(base, loc), _join(here, loc), _join(d.dir, loc)]
        return next((c for c in candidates if d.pkg.has(c)), candidates[0])

    for font in _kids(_kid(res, "Fonts"), "Font"):
        file = find(_kid_text(font, "FontFile"))
        d.fonts[font.get("ID", "")] = _FontRes(
            font.get("FontName") or font.get("FamilyName") or "?",
            file if d.pkg.has(file) else None,
            font.get("Bold") == "true",
        )
    for media in _kids(_kid(res, "MultiMedias"), "MultiMedia"):
        file = find(_kid_text(media, "MediaFile"))
        if file:
            d.media[media.get("ID", "")] = file
    for unit in _kids(_kid(res, "CompositeGraphicUnits"), "CompositeGraphicUnit"):
        d.composites[unit.get("ID", "")] = unit
    for param in _kids(_kid(res, "DrawParams"), "DrawParam"):
        d.params[param.get("ID", "")] = param
    for space in _kids(_kid(res, "ColorSpaces"), "ColorSpace"):
        d.spaces[space.get("ID", "")] = space


def _where(source: str | Path | bytes | BinaryIO, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, (str, Path)):
        return Path(source).name
    return "OFD 文件"


def ofd_page_count(path: str | Path | BinaryIO, name: str | None = None) -> int:
    """The number of pages of an OFD file, after checking its structure (zip limits, OFD.xml, the
    document root and every page part present). Cheap: no page is parsed. Used by evidence checking so
    that a broken OFD is refused at `check` time, with InputError naming the problem in Chinese."""
    with _Package(path, _where(path, name)) as pkg:
        pages = _open_doc(pkg).pages
        for _, part in pages:  # every page part parsed (and its drawn objects counted) as build will
            pkg.xml(part)
        return len(pages)
