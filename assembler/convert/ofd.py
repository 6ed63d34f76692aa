"""OFD (GB/T 33190) to PDF: e-invoices, receipts and sealed documents rendered as they look in an OFD reader.

An OFD file is a zip of XML parts: `OFD.xml` names the document root (`Doc_0/Document.xml`), which lists
the pages (`Content.xml`), the resources (fonts, images, composite units), templates, annotations and
attachments; `Signs/` holds the electronic seals. This module reads those parts with the standard
library and writes the PDF with pikepdf (content streams written here, fonts subset with fontTools,
both already dependencies):

- coordinates are millimetres with the origin at the top left and Y down; each page gets one matrix
  that maps them to PDF points with Y up, so every object is drawn in OFD's own coordinates;
- text is placed glyph by glyph (TextCode X/Y, DeltaX/DeltaY with the `g` shorthand, CGTransform glyph
  ids) in the file's embedded TrueType/OpenType font, or in the system CJK font (assembler/fonts.py)
  when none is embedded or the embedded one lacks the glyph; a ToUnicode map keeps the text searchable;
- paths (AbbreviatedData M S L Q B A C/Z), images, composite units, templates, the annotation layer;
- the seal pictures of signatures: SES v1 (GM/T 0031) and v4 (GB/T 38540) seals keep the picture inside
  the ASN.1 of SignedValue.dat (or Seal.esl); it is drawn at the StampAnnot boundary, and a picture that
  is itself an OFD is rendered recursively.

Why not a ready converter: PyMuPDF is AGPL, and the Java/JS OFD readers are not Python; none of the small
Python ones draws the seals of SES signatures, which are what makes an invoice or ruling valid.

Untrusted input: the zip is bounded (part count, part size, total size, compression ratio), XML with a
DTD is refused, images are bounded by pixel count, recursion into seal OFDs by depth. Problems raise
`InputError` with a Chinese message; the output bytes are deterministic (no dates, /ID from content).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import math
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO, Self
from xml.etree import ElementTree as ET

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.errors import InputError, ToolMissingError
from assembler.fonts import FONT_HELP, CjkFont, find_cjk_font
from assembler.limits import IMAGE_MAX_PIXELS as MAX_IMAGE_PIXELS
from assembler.limits import OFD_MAX_OBJECTS_PER_PAGE as MAX_OBJECTS
from assembler.limits import OFD_MAX_PART_BYTES as MAX_PART_BYTES
from assembler.limits import OFD_MAX_PARTS as MAX_PARTS
from assembler.limits import OFD_MAX_RATIO as MAX_RATIO
from assembler.limits import OFD_MAX_TOTAL_BYTES as MAX_TOTAL_BYTES
from assembler.limits import OFD_MAX_XML_BYTES as MAX_XML_BYTES
from assembler.limits import OFD_RATIO_FLOOR as RATIO_FLOOR
from assembler.limits import PDF_MAX_PAGES as MAX_PAGES

CACHE_KIND = "ofd"  # for assembler.cache, like convert/images.py
CONVERTER_VERSION = "2"  # part of the cache key: bump when the drawing changes (2: object alpha, gradients)
MM = 72 / 25.4
A4_MM = (210.0, 297.0)

MAX_SEAL_DEPTH = 2
MAX_DER_DEPTH = 24

_SERIF = re.compile(r"宋|仿|楷|明|Song|Fang|Kai|Ming|Serif|Times|SimSun|STSong", re.IGNORECASE)
_MONO = re.compile(r"Courier|Mono|Consolas|OCR", re.IGNORECASE)
FIX_EXPORT = (
    "请用 OFD 阅读器（如数科、福昕、WPS）打开确认；能打开的请“另存为/打印为 PDF”后放入，"
    "打不开的请向出具方重新索取。"
)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


# ------------------------------------------------------------------------------------------------
# public data
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceData:
    """Structured data an OFD carries besides its pages (e-invoice XML attachment, CustomData)."""

    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    buyer: str | None = None
    buyer_tax_id: str | None = None
    seller: str | None = None
    seller_tax_id: str | None = None
    amount: Decimal | None = None  # 合计金额 (without tax)
    tax: Decimal | None = None  # 合计税额
    total: Decimal | None = None  # 价税合计
    sources: tuple[str, ...] = ()  # the parts the values came from


@dataclass(frozen=True)
class OfdInfo:
    """What `render_ofd` drew: pages, seals, which fonts were the file's own and which were substituted."""

    pages: int
    seals: int  # signatures whose seal picture was drawn
    embedded_fonts: tuple[str, ...]  # font names (as the OFD calls them) drawn from the file's own fonts
    fallback_fonts: tuple[str, ...]  # font names drawn, wholly or for some glyphs, in the system CJK face
    notes: tuple[str, ...]  # Chinese notes for the user: substituted fonts, pictures that could not be shown
    structured: InvoiceData | None


# ------------------------------------------------------------------------------------------------
# the package: a bounded zip of XML parts
# ------------------------------------------------------------------------------------------------
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(el: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name] if el is not None else []


def _kid(el: ET.Element | None, name: str) -> ET.Element | None:
    found = _kids(el, name)
    return found[0] if found else None


def _kid_text(el: ET.Element | None, name: str) -> str | None:
    child = _kid(el, name)
    return child.text.strip() if child is not None and child.text and child.text.strip() else None


def _floats(text: str | None) -> list[float]:
    if not text:
        return []
    out = []
    for token in text.replace(",", " ").split():
        try:
            out.append(float(token))
        except ValueError:
            continue
    return [v if math.isfinite(v) else 0.0 for v in out]


_SERIALS = itertools.count()
# what zipfile raises on damaged archives (NotImplementedError: an unknown method or version)
_DRAWN = {"TextObject", "PathObject", "ImageObject", "CompositeObject", "PageBlock"}
_COUNT_OVER = 256 * 1024  # parts smaller than this cannot hold MAX_OBJECTS objects: not counted twice
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
    struct.error,
)


class _Package:
    """The zip, opened once, with its size limits checked before anything is decompressed."""

    def __init__(self, source: str | Path | bytes | BinaryIO, where: str) -> None:
        self.where = where
        self.serial = next(_SERIALS)  # tells packages apart in caches (an id() can be reused)
        try:
            handle = io.BytesIO(source) if isinstance(source, bytes) else source
            self.zf = zipfile.ZipFile(handle)
            infos = self.zf.infolist()
        except _ZIP_ERRORS as exc:
            raise self.error(
                f"OFD 文件已损坏，无法作为压缩包打开（{type(exc).__name__}），可能下载或复制不完整"
            ) from exc
        if len(infos) > MAX_PARTS:
            raise self.error(f"OFD 文件包含的部件过多（{len(infos)} 个），已拒绝")
        total = 0
        self.names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise self.error("OFD 文件的部件已加密，无法读取")
            if info.file_size > MAX_PART_BYTES or (
                info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise self.error(
                    f"OFD 文件中的部件 {info.filename} 解压后异常巨大（{info.file_size // 1_000_000} MB），"
                    "可能是压缩炸弹，已拒绝"
                )
            total += info.file_size
            name = info.filename.replace("\\", "/").lstrip("/")
            if not info.is_dir():
                self.names.setdefault(name.lower(), info)
        if total > MAX_TOTAL_BYTES:
            raise self.error(f"OFD 文件解压后共 {total // 1_000_000} MB，超过上限，可能是压缩炸弹，已拒绝")

    def error(self, message: str) -> InputError:
        return InputError(message, where=self.where, fix=FIX_EXPORT)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def has(self, name: str | None) -> bool:
        return name is not None and name.lower() in self.names

    def read(self, name: str) -> bytes:
        info = self.names.get(name.lower())
        if info is None:
            raise self.error(f"OFD 文件缺少部件 {name}")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(min(info.file_size, MAX_PART_BYTES) + 1)
        except _ZIP_ERRORS as exc:
            raise self.error(f"OFD 文件的部件 {name} 已损坏，无法解压（{type(exc).__name__}）") from exc
        if len(data) > info.file_size:
            raise self.error(f"OFD 文件的部件 {name} 比声明的大，可能是压缩炸弹，已拒绝")
        return data

    def xml(self, name: str) -> ET.Element:
        info = self.names.get(name.lower())
        if info is not None and info.file_size > MAX_XML_BYTES:
            raise self.error(f"OFD 文件的部件 {name} 过大（{info.file_size // 1_000_000} MB），已拒绝")
        data = self.read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise self.error(f"OFD 文件的部件 {name} 含有 DTD 声明，不符合 OFD 标准，已拒绝")
        try:
            if len(data) > _COUNT_OVER:
                self._count_objects(name, data)
            return ET.fromstring(data)
        except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding
            raise self.error(f"OFD 文件的部件 {name} 不是有效的 XML（{exc}）") from exc

    def _count_objects(self, name: str, data: bytes) -> None:
        """InputError when the part draws more than OFD_MAX_OBJECTS_PER_PAGE objects, counted streaming
        (no tree is built): 400,000 text objects on one page took the renderer past 8 GB."""
        count = 0
        for _, element in ET.iterparse(io.BytesIO(data), events=("end",)):
            if _local(element.tag) in _DRAWN:
                count += 1
                if count > MAX_OBJECTS:
                    raise self.error(
                        f"OFD 文件的部件 {name} 的图文对象超过 {MAX_OBJECTS:,} 个的上限（每页），已拒绝"
                    )
                element.clear()

    def xml_or_none(self, name: str | None) -> ET.Element | None:
        return self.xml(name) if name is not None and self.has(name) else None


def _join(base_dir: str, loc: str | None) -> str | None:
    """A part name from a location that is absolute (`/Doc_0/…`) or relative to `base_dir`."""
    if not loc:
        return None
    loc = loc.strip().replace("\\", "/")
    path = posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))
    return None if path.startswith("..") or path == "." else path


# ------------------------------------------------------------------------------------------------
# the document: pages and resources
# ------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------
# PDF output: fonts
# ------------------------------------------------------------------------------------------------
class _Font:
    """One font in the PDF (Type0, Identity-H): the codes used, their text, subset at the end."""

    def __init__(
        self, label: str, resname: str, data: bytes | None = None, path: Path | None = None, index: int = 0
    ) -> None:
        from fontTools.ttLib import TTFont

        self.label = label
        self.resname = resname
        self.data, self.path, self.index = data, path, index
        source = io.BytesIO(data) if data is not None else str(path)
        self.tt = TTFont(source, fontNumber=index, lazy=True, recalcTimestamp=False)
        self.glyf = "glyf" in self.tt
        self.cff = "CFF " in self.tt
        if not (self.glyf or self.cff) or "hmtx" not in self.tt or "head" not in self.tt:
            raise ValueError("no outlines")
        self.order = self.tt.getGlyphOrder()
        self.cid_keyed = self.cff and hasattr(self.tt["CFF "].cff.topDictIndex[0], "ROS")
        self.cmap = self.tt.getBestCmap() or {}
        self.upem = self.tt["head"].unitsPerEm or 1000
        self.hmtx = self.tt["hmtx"]
        self.used: dict[int, tuple[str, str]] = {}  # code -> (glyph name, text)
        self.ref: pikepdf.Object | None = None

    def _code(self, glyph: str) -> int:
        if self.cid_keyed:
            return (
                int(glyph[3:])
                if glyph.startswith("cid") and glyph[3:].isdigit()
                else self.tt.getGlyphID(glyph)
            )
        return self.tt.getGlyphID(glyph)

    def glyph_for_char(self, ch: str) -> str | None:
        return self.cmap.get(ord(ch)) if len(ch) == 1 else None

    def glyph_for_gid(self, gid: int) -> str | None:
        return self.order[gid] if 0 < gid < len(self.order) else None

    def use(self, glyph: str, text: str) -> int:
        code = self._code(glyph)
        self.used.setdefault(code, (glyph, text))
        return code

    def advance(self, glyph: str | None) -> float:
        """The glyph's advance in em (0.5 when unknown)."""
        try:
            return self.hmtx[glyph][0] / self.upem if glyph else 0.5
        except KeyError:
            return 0.5

    # -- writing --------------------------------------------------------------------------------
    def _subset(self) -> tuple[bytes, str]:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        source = io.BytesIO(self.data) if self.data is not None else str(self.path)
        font = TTFont(source, fontNumber=self.index, recalcTimestamp=False)
        glyphs = sorted({g for g, _ in self.used.values()} | {".notdef"} & set(self.order))
        options = subset.Options()
        options.retain_gids = not self.cid_keyed
        options.notdef_outline = True
        options.name_IDs = []
        options.layout_features = []
        options.drop_tables += [
            "GSUB",
            "GPOS",
            "GDEF",
            "BASE",
            "JSTF",
            "DSIG",
            "VORG",
            "vhea",
            "vmtx",
            "meta",
        ]
        try:
            subsetter = subset.Subsetter(options)
            subsetter.populate(glyphs=glyphs)
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
            data = out.getvalue()
        except Exception:  # fontTools raises many types on odd fonts; embed the font whole
            if self.data is None:
                raise
            data = self.data
        finally:
            font.close()
        if self.cff and self.cid_keyed:
            return TTFont(io.BytesIO(data), recalcTimestamp=False).getTableData("CFF "), "CIDFontType0C"
        return data, "TrueType" if self.glyf else "OpenType"

    def finish(self, pdf: pikepdf.Pdf) -> None:
        data, kind = self._subset()
        scale = 1000 / self.upem
        head, hhea = self.tt["head"], self.tt.get("hhea")
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(self.label.encode()).digest()[:6])
        base = Name("/" + tag + "+" + (re.sub(r"[^A-Za-z0-9_-]", "", self.label) or self.resname))
        ascent = hhea.ascent * scale if hhea else 880
        descent = hhea.descent * scale if hhea else -120
        descriptor = Dictionary(
            Type=Name.FontDescriptor,
            FontName=base,
            Flags=4,
            ItalicAngle=0,
            StemV=80,
            FontBBox=Array([round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]),
            Ascent=round(ascent),
            Descent=round(descent),
            CapHeight=round(ascent),
        )
        stream = pikepdf.Stream(pdf, data)
        if kind == "TrueType":
            stream.Length1 = len(data)
            descriptor.FontFile2 = stream
        else:
            stream.Subtype = Name("/" + kind)
            descriptor.FontFile3 = stream
        widths = Array()
        for code in sorted(self.used):
            widths.extend([code, Array([round(self.advance(self.used[code][0]) * 1000)])])  # type: ignore[list-item]
        registry, ordering, supplement = "Adobe", "Identity", 0
        if self.cid_keyed:
            registry, ordering, supplement = self.tt["CFF "].cff.topDictIndex[0].ROS
        cid = Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2 if self.glyf else Name.CIDFontType0,
            BaseFont=base,
            FontDescriptor=pdf.make_indirect(descriptor),
            W=widths,
            DW=1000,
            CIDSystemInfo=Dictionary(
                Registry=pikepdf.String(registry), Ordering=pikepdf.String(ordering), Supplement=supplement
            ),
        )
        if self.glyf:
            cid.CIDToGIDMap = Name.Identity
        font = Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=base,
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([pdf.make_indirect(cid)]),
            ToUnicode=pikepdf.Stream(pdf, _to_unicode(self.used)),
        )
        assert self.ref is not None
        self.ref.update(font)


def _to_unicode(used: dict[int, tuple[str, str]]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    entries = [(code, text) for code, (_, text) in sorted(used.items()) if text]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


# ------------------------------------------------------------------------------------------------
# PDF output: the writer shared by all pages (and by the seal OFDs drawn into them)
# ------------------------------------------------------------------------------------------------
def _n(v: float) -> str:
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _m(m: Matrix) -> str:
    return " ".join(_n(v) for v in m)


def _mul(first: Matrix, then: Matrix) -> Matrix:
    """The matrix that applies `first`, then `then` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    A, B, C, D, E, F = then
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


@dataclass
class _Canvas:
    """One content stream being written, and the resources it uses."""

    ops: list[str] = field(default_factory=list)
    fonts: dict[str, pikepdf.Object] = field(default_factory=dict)
    xobjects: dict[str, pikepdf.Object] = field(default_factory=dict)
    gstates: dict[str, pikepdf.Object] = field(default_factory=dict)
    shadings: dict[str, pikepdf.Object] = field(default_factory=dict)

    def resources(self) -> Dictionary:
        res = Dictionary()
        if self.fonts:
            res.Font = Dictionary({"/" + k: v for k, v in sorted(self.fonts.items())})
        if self.xobjects:
            res.XObject = Dictionary({"/" + k: v for k, v in sorted(self.xobjects.items())})
        if self.gstates:
            res.ExtGState = Dictionary({"/" + k: v for k, v in sorted(self.gstates.items())})
        if self.shadings:
            res.Shading = Dictionary({"/" + k: v for k, v in sorted(self.shadings.items())})
        return res

    def content(self) -> bytes:
        return "\n".join(self.ops).encode("latin-1")


class _Writer:
    """The PDF being written and what its pages share: fonts (subset at the end), pictures, opacity
    states, and what the caller is told (fonts used and substituted, notes, seals drawn)."""

    def __init__(self, font: CjkFont | None) -> None:
        self.pdf = pikepdf.new()
        self.font_spec = font
        self.fallbacks: dict[str, _Font] = {}
        self.fonts: dict[tuple[int, str], _Font | None] = {}
        self.images: dict[tuple[int, str], tuple[str, pikepdf.Object] | None] = {}
        self.gstates: dict[tuple[int, bool | None], tuple[str, pikepdf.Object]] = {}
        self.seal_images: dict[bytes, pikepdf.Object] = {}
        self.counter = 0
        self.embedded: list[str] = []
        self.substituted: list[str] = []
        self.notes: list[str] = []
        self.seals = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fallback_font(self, style: str) -> _Font:
        """The system CJK face standing in for a font that is not embedded. `style` "serif" (宋体, 仿宋,
        楷体…) takes the serif sibling of the face when one is installed next to it (Noto Sans CJK → Noto
        Serif CJK), "mono" (Courier…) the monospaced face of Noto's collection; else the face itself."""
        if style not in self.fallbacks:
            spec = self.font_spec or find_cjk_font()
            self.font_spec = spec
            path, index = spec.path, spec.index
            sibling = path.with_name(path.name.replace("Sans", "Serif"))
            if style == "serif" and sibling != path and sibling.is_file():
                path = sibling
            elif style == "mono" and path.name.startswith("NotoSansCJK") and index == 2:
                index = 7  # Noto Sans Mono CJK SC in the same collection
            same = next((f for f in self.fallbacks.values() if (f.path, f.index) == (path, index)), None)
            if same is None:
                try:
                    same = _Font(path.stem, self.name("F"), path=path, index=index)
                except Exception:  # noqa: BLE001 - no such face in this collection: the plain face
                    return self.fallback_font("sans") if style != "sans" else self._raise_no_font()
                same.ref = self.pdf.make_indirect(Dictionary())
                if "name" in same.tt:  # the face's PostScript name, e.g. NotoSansMonoCJKsc-Regular
                    same.label = same.tt["name"].getDebugName(6) or same.label
            self.fallbacks[style] = same
        return self.fallbacks[style]

    def _raise_no_font(self) -> _Font:
        raise ToolMissingError("系统中文字体无法读取，无法显示 OFD 中未嵌入字体的文字", fix=FONT_HELP)

    def embedded_font(self, d: _Doc, res: _FontRes) -> _Font | None:
        if res.file is None:
            return None
        key = (d.pkg.serial, res.file)
        if key not in self.fonts:
            try:
                font = _Font(res.name, self.name("F"), data=d.pkg.read(res.file))
                font.ref = self.pdf.make_indirect(Dictionary())
            except InputError:
                raise
            except Exception:  # noqa: BLE001 - any font the parser cannot use is replaced, with a note
                font = None
                self.note(f"嵌入字体 {res.name} 无法使用，已改用系统中文字体")
            self.fonts[key] = font
        return self.fonts[key]

    def alpha(self, canvas: _Canvas, value: int, stroke: bool | None) -> str:
        """The ExtGState setting the stroke or fill opacity, or both (None: an object's own Alpha), from
        OFD's 0..255."""
        key = (value, stroke)
        if key not in self.gstates:
            state = Dictionary(Type=Name.ExtGState)
            for which in ("/CA", "/ca") if stroke is None else ("/CA" if stroke else "/ca",):
                state[which] = value / 255
            self.gstates[key] = (self.name("GS"), self.pdf.make_indirect(state))
        name, indirect = self.gstates[key]
        canvas.gstates[name] = indirect
        return name

    def close(self) -> None:
        """Release the PDF and the font files."""
        for font in {id(f): f for f in [*self.fonts.values(), *self.fallbacks.values()] if f}.values():
            font.tt.close()
        self.pdf.close()

    def finish(self, out: Path) -> None:
        for font in {id(f): f for f in [*self.fonts.values(), *self.fallbacks.values()] if f}.values():
            if font.ref is not None:
                if font.used:
                    font.finish(self.pdf)
                else:
                    font.ref.update(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
        self.pdf.docinfo = self.pdf.make_indirect(Dictionary(Producer=pikepdf.String("dossier (OFD)")))
        self.pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )


# ------------------------------------------------------------------------------------------------
# images
# ------------------------------------------------------------------------------------------------
def _image_xobject(pdf: pikepdf.Pdf, data: bytes, seal: bool) -> pikepdf.Object:
    """An image XObject: JPEG passed through, everything else decoded with Pillow and Flate-compressed.
    A seal picture without transparency gets its white made transparent, as OFD readers draw seals."""
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise ValueError("too many pixels")
            if im.format == "JPEG" and im.mode in ("L", "RGB") and not seal:
                return pikepdf.Stream(
                    pdf,
                    data,
                    Type=Name.XObject,
                    Subtype=Name.Image,
                    Width=im.width,
                    Height=im.height,
                    BitsPerComponent=8,
                    Filter=Name.DCTDecode,
                    ColorSpace=Name.DeviceGray if im.mode == "L" else Name.DeviceRGB,
                )
            im.seek(0)
            im.load()
            return _raw_image(pdf, im, seal)
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _raw_image(pdf: pikepdf.Pdf, im, seal: bool) -> pikepdf.Object:  # im: a PIL image
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.mode in ("P", "PA"):
        im = im.convert("RGBA")
    alpha = None
    if im.mode in ("RGBA", "LA"):
        alpha = im.getchannel("A")
        im = im.convert("RGB" if im.mode == "RGBA" else "L")
    elif im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    if alpha is not None and alpha.getextrema() == (255, 255):
        alpha = None
    if seal and alpha is None:
        gray = im.convert("L")
        alpha = gray.point(lambda v: 0 if v > 235 else 255)
        if alpha.getextrema() == (255, 255):
            alpha = None
    xobj = pikepdf.Stream(
        pdf,
        zlib.compress(im.tobytes(), 6),
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=im.width,
        Height=im.height,
        BitsPerComponent=8,
        Filter=Name.FlateDecode,
        ColorSpace=Name.DeviceGray if im.mode == "L" else Name.DeviceRGB,
    )
    if alpha is not None and alpha.getextrema() != (255, 255):
        xobj.SMask = pikepdf.Stream(
            pdf,
            zlib.compress(alpha.convert("L").tobytes(), 6),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=im.width,
            Height=im.height,
            BitsPerComponent=8,
            ColorSpace=Name.DeviceGray,
            Filter=Name.FlateDecode,
        )
    return xobj


# ------------------------------------------------------------------------------------------------
# drawing
# ------------------------------------------------------------------------------------------------
def _deltas(text: str | None) -> list[float]:
    """DeltaX/DeltaY values with the `g N value` shorthand expanded (N repeats of value)."""
    if not text:
        return []
    tokens = text.split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < 100_000:
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                out += [float(tokens[i + 2])] * min(int(float(tokens[i + 1])), 100_000)
            except ValueError:
                pass
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    return out


def _object_matrix(el: ET.Element) -> Matrix:
    """Object space to its parent's space: the CTM, then a translation to the Boundary's origin."""
    boundary = _floats(el.get("Boundary"))
    ctm = _floats(el.get("CTM"))
    m: Matrix = tuple(ctm) if len(ctm) == 6 else IDENTITY  # type: ignore[assignment]
    if len(boundary) >= 2:
        m = _mul(m, (1.0, 0.0, 0.0, 1.0, boundary[0], boundary[1]))
    return m


def _path_ops(data: str | None, m: Matrix = IDENTITY) -> list[str]:
    """AbbreviatedData as PDF path operators: S/M move, L line, Q quadratic, B cubic, A arc, C/Z close;
    every point mapped through `m` (clip paths are written in their parent's space)."""
    tokens = (data or "").split()
    ops: list[str] = []

    def pts(*xy: float) -> str:
        out = []
        for i in range(0, len(xy), 2):
            x, y = xy[i], xy[i + 1]
            out += [_n(m[0] * x + m[2] * y + m[4]), _n(m[1] * x + m[3] * y + m[5])]
        return " ".join(out)

    cur = start = (0.0, 0.0)
    arity = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0, "Z": 0}
    i = 0
    while i < len(tokens):
        cmd = tokens[i]
        count = arity.get(cmd)
        if count is None:
            i += 1
            continue
        args = _floats(" ".join(tokens[i + 1 : i + 1 + count]))
        i += 1 + count
        if len(args) != count:
            break
        if cmd in ("S", "M"):
            cur = start = (args[0], args[1])
            ops.append(f"{pts(args[0], args[1])} m")
        elif cmd == "L":
            cur = (args[0], args[1])
            ops.append(f"{pts(args[0], args[1])} l")
        elif cmd == "Q":
            (x1, y1), (x2, y2) = (args[0], args[1]), (args[2], args[3])
            c1 = (cur[0] + 2 / 3 * (x1 - cur[0]), cur[1] + 2 / 3 * (y1 - cur[1]))
            c2 = (x2 + 2 / 3 * (x1 - x2), y2 + 2 / 3 * (y1 - y2))
            ops.append(pts(*c1, *c2, x2, y2) + " c")
            cur = (x2, y2)
        elif cmd == "B":
            ops.append(pts(*args) + " c")
            cur = (args[4], args[5])
        elif cmd == "A":
            for curve in _arc(cur, *args):
                ops.append(pts(*curve) + " c")
            cur = (args[5], args[6])
        else:
            ops.append("h")
            cur = start
    return ops


def _arc(
    p0: tuple[float, float],
    rx: float,
    ry: float,
    angle: float,
    large: float,
    sweep: float,
    x: float,
    y: float,
) -> list[tuple[float, ...]]:
    """An SVG-style endpoint arc as cubic Béziers (W3C SVG implementation notes F.6)."""
    x0, y0 = p0
    if rx == 0 or ry == 0 or (x0, y0) == (x, y):
        return [(x0, y0, x, y, x, y)]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(angle)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x) / 2, (y0 - y) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    lam = (x1 / rx) ** 2 + (y1 / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    den = rx * rx * y1 * y1 + ry * ry * x1 * x1
    coef = math.sqrt(max(num, 0) / den) if den else 0.0
    if bool(large) == bool(sweep):
        coef = -coef
    cx1, cy1 = coef * rx * y1 / ry, -coef * ry * x1 / rx
    cx, cy = cos * cx1 - sin * cy1 + (x0 + x) / 2, sin * cx1 + cos * cy1 + (y0 + y) / 2

    def ang(ux: float, uy: float, vx: float, vy: float) -> float:
        a = math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)
        return a

    t1 = ang(1, 0, (x1 - cx1) / rx, (y1 - cy1) / ry)
    dt_ = ang((x1 - cx1) / rx, (y1 - cy1) / ry, (-x1 - cx1) / rx, (-y1 - cy1) / ry)
    if not sweep and dt_ > 0:
        dt_ -= 2 * math.pi
    elif sweep and dt_ < 0:
        dt_ += 2 * math.pi
    segments = max(1, math.ceil(abs(dt_) / (math.pi / 2)))
    step = dt_ / segments
    k = 4 / 3 * math.tan(step / 4)
    out: list[tuple[float, ...]] = []

    def point(t: float) -> tuple[float, float]:
        return (
            cx + rx * math.cos(t) * cos - ry * math.sin(t) * sin,
            cy + rx * math.cos(t) * sin + ry * math.sin(t) * cos,
        )

    def deriv(t: float) -> tuple[float, float]:
        return (
            -rx * math.sin(t) * cos - ry * math.cos(t) * sin,
            -rx * math.sin(t) * sin + ry * math.cos(t) * cos,
        )

    for s in range(segments):
        a, b = t1 + s * step, t1 + (s + 1) * step
        pa, pb, da, db = point(a), point(b), deriv(a), deriv(b)
        out.append((pa[0] + k * da[0], pa[1] + k * da[1], pb[0] - k * db[0], pb[1] - k * db[1], pb[0], pb[1]))
    return out


class _Painter:
    """Draws the objects of one OFD document onto canvases."""

    def __init__(self, writer: _Writer, d: _Doc, depth: int = 0) -> None:
        self.w = writer
        self.d = d
        self.depth = depth  # seals drawn inside seals
        self.nesting = 0  # composite units inside composite units
        self.object_alpha = 255  # the Alpha of the object being drawn (colours' own alpha multiply it)

    # -- colours and parameters ----------------------------------------------------------------
    def _color(self, el: ET.Element | None) -> tuple[str, int | None] | None:
        """(`r g b` or `g` or `c m y k` in 0..1, alpha 0..255 or None) of a Color element."""
        if el is None:
            return None
        if el.get("Value") is None:  # a shading (AxialShd, RadialShd…): its first colour, solid
            el = next((c for c in el.iter() if _local(c.tag) == "Color" and c.get("Value")), None)
            if el is None:
                return None
        tokens = (el.get("Value") or "").split()
        bits = 8
        space = self.d.spaces.get(el.get("ColorSpace", ""))
        if space is not None:
            bits = (
                int(_floats(space.get("BitsPerComponent"))[0])
                if _floats(space.get("BitsPerComponent"))
                else 8
            )
        top = (1 << max(1, min(bits, 16))) - 1
        values = []
        for t in tokens:
            try:
                values.append(int(t[1:], 16) if t.startswith("#") else float(t))
            except ValueError:
                return None
        if len(values) not in (1, 3, 4):
            return None
        alpha = el.get("Alpha")
        alpha_value = int(min(max(_floats(alpha)[0], 0), 255)) if _floats(alpha) else None
        return " ".join(_n(min(max(v / top, 0.0), 1.0)) for v in values), alpha_value

    def _param(self, el: ET.Element, layer_param: str | None, attr: str | None, child: str | None) -> object:
        """An attribute or child of the object, else of its DrawParam, else of the layer's (with Relative)."""
        if attr and el.get(attr) is not None:
            return el.get(attr)
        if child and _kid(el, child) is not None:
            return _kid(el, child)
        for pid in (el.get("DrawParam"), layer_param):
            seen = 0
            while pid and pid in self.d.params and seen < 8:
                param = self.d.params[pid]
                if attr and param.get(attr) is not None:
                    return param.get(attr)
                if child and _kid(param, child) is not None:
                    return _kid(param, child)
                pid, seen = param.get("Relative"), seen + 1
        return None

    def _set_color(self, canvas: _Canvas, color: tuple[str, int | None] | None, stroke: bool) -> None:
        if color is None:
            return
        values, alpha = color
        op = {1: "g", 3: "rg", 4: "k"}[len(values.split())]
        canvas.ops.append(f"{values} {op.upper() if stroke else op}")
        if alpha is not None and alpha < 255:
            canvas.ops.append(f"/{self.w.alpha(canvas, alpha * self.object_alpha // 255, stroke)} gs")

    # -- blocks --------------------------------------------------------------------------------
    def block(self, canvas: _Canvas, el: ET.Element, layer_param: str | None = None) -> None:
        for child in el:
            tag = _local(child.tag)
            if child.get("Visible") == "false":
                continue
            if tag == "TextObject":
                self.text(canvas, child, layer_param)
            elif tag == "PathObject":
                self.path(canvas, child, layer_param)
            elif tag == "ImageObject":
                self.image(canvas, child)
            elif tag == "CompositeObject":
                self.composite(canvas, child, layer_param)
            elif tag == "PageBlock":
                self.block(canvas, child, child.get("DrawParam") or layer_param)

    def layers(self, canvas: _Canvas, page: ET.Element | None) -> None:
        order = {"Background": 0, "Body": 1, "Foreground": 2}
        layers = _kids(_kid(page, "Content"), "Layer")
        for layer in sorted(layers, key=lambda el: order.get(el.get("Type", "Body"), 1)):
            self.block(canvas, layer, layer.get("DrawParam"))

    # -- objects -------------------------------------------------------------------------------
    def _begin(self, canvas: _Canvas, el: ET.Element, crop: bool = False) -> None:
        """`q`, the object's clip paths (in its parent's space), then the object's own matrix. With `crop`
        the object is also clipped to its Boundary (done for pictures, which some writers crop that way;
        text and path boundaries are often computed too tight to clip by)."""
        canvas.ops.append("q")
        own = _floats(el.get("Alpha"))
        self.object_alpha = int(min(max(own[0], 0), 255)) if own else 255
        if self.object_alpha < 255:  # the object's own transparency (a watermark, a shape meant to be hidden)
            canvas.ops.append(f"/{self.w.alpha(canvas, self.object_alpha, None)} gs")
        box = _floats(el.get("Boundary"))
        if crop and len(box) == 4 and box[2] > 0 and box[3] > 0:
            canvas.ops.append(f"{' '.join(_n(v) for v in box)} re W n")
        clips = _kid(el, "Clips")
        if clips is not None:
            ctm = _floats(el.get("CTM"))
            outer: Matrix = (1.0, 0.0, 0.0, 1.0, *(box[:2] if len(box) >= 2 else (0.0, 0.0)))
            if clips.get("TransFlag") == "true" and len(ctm) == 6:
                outer = _mul((ctm[0], ctm[1], ctm[2], ctm[3], ctm[4], ctm[5]), outer)
            for clip in _kids(clips, "Clip"):
                ops: list[str] = []
                for area in _kids(clip, "Area"):
                    shape = _kid(area, "Path")  # a clip area made of text is not supported
                    if shape is None:
                        continue
                    area_ctm = _floats(area.get("CTM"))
                    m = _object_matrix(shape)
                    if len(area_ctm) == 6:
                        m = _mul(
                            m, (area_ctm[0], area_ctm[1], area_ctm[2], area_ctm[3], area_ctm[4], area_ctm[5])
                        )
                    ops += _path_ops(_kid_text(shape, "AbbreviatedData"), _mul(m, outer))
                if ops:
                    canvas.ops += [*ops, "W n"]
        canvas.ops.append(f"{_m(_object_matrix(el))} cm")

    def path(self, canvas: _Canvas, el: ET.Element, layer_param: str | None) -> None:
        ops = _path_ops(_kid_text(el, "AbbreviatedData"))
        if not ops:
            return
        stroke = (el.get("Stroke") or "true") != "false"
        fill = el.get("Fill") == "true"
        fill_color = self._color(self._param(el, layer_param, None, "FillColor"))  # type: ignore[arg-type]
        stroke_color = self._color(self._param(el, layer_param, None, "StrokeColor"))  # type: ignore[arg-type]
        fill = fill and fill_color is not None
        if not (stroke or fill):
            return
        width = _floats(self._param(el, layer_param, "LineWidth", None))  # type: ignore[arg-type]
        self._begin(canvas, el)
        canvas.ops.append(f"{_n(width[0] if width else 0.353)} w")
        join = {"Miter": 0, "Round": 1, "Bevel": 2}.get(el.get("Join", ""), None)
        cap = {"Butt": 0, "Round": 1, "Square": 2}.get(el.get("Cap", ""), None)
        if join is not None:
            canvas.ops.append(f"{join} j")
        if cap is not None:
            canvas.ops.append(f"{cap} J")
        dash = _floats(el.get("DashPattern"))
        if dash and all(v >= 0 for v in dash) and any(dash):
            offset = (_floats(el.get("DashOffset")) or [0.0])[0]
            canvas.ops.append(f"[{' '.join(_n(v) for v in dash)}] {_n(offset)} d")
        even_odd = el.get("Rule") == "Even-Odd"
        shading = self._shading(canvas, self._param(el, layer_param, None, "FillColor")) if fill else None
        if shading is not None:  # a gradient: the path clips the shading, then the outline is stroked
            canvas.ops += ["q", *ops, "W* n" if even_odd else "W n", f"/{shading} sh", "Q"]
            fill = False
            if not stroke:
                canvas.ops.append("Q")
                return
        self._set_color(canvas, fill_color if fill else None, False)
        self._set_color(canvas, stroke_color or ("0", None), True)
        canvas.ops.extend(ops)
        op = ("B*" if even_odd else "B") if fill and stroke else ("f*" if even_odd else "f") if fill else "S"
        canvas.ops.append(op)
        canvas.ops.append("Q")

    def _shading(self, canvas: _Canvas, color: object) -> str | None:
        """The PDF shading (axial or radial, its colours interpolated segment by segment) of a colour that is
        an AxialShd or RadialShd, added to the canvas; None for a plain colour or one that cannot be read."""
        if not isinstance(color, ET.Element):
            return None
        shd = next((c for c in color if _local(c.tag) in ("AxialShd", "RadialShd")), None)
        if shd is None:
            return None
        start, end = _floats(shd.get("StartPoint")), _floats(shd.get("EndPoint"))
        stops = []
        for segment in _kids(shd, "Segment"):
            parsed = self._color(_kid(segment, "Color"))
            position = _floats(segment.get("Position"))
            if parsed is not None:
                stops.append((position[0] if position else None, [float(v) for v in parsed[0].split()]))
        if len(start) < 2 or len(end) < 2 or len(stops) < 2 or len({len(c) for _, c in stops}) != 1:
            return None
        count = len(stops)
        positions = [p if p is not None else i / (count - 1) for i, (p, _) in enumerate(stops)]
        colors = [c for _, c in stops]
        pieces = [
            Dictionary(FunctionType=2, Domain=[0, 1], C0=colors[i], C1=colors[i + 1], N=1)
            for i in range(count - 1)
        ]
        function = (
            pieces[0]
            if count == 2
            else Dictionary(
                FunctionType=3,
                Domain=[0, 1],
                Functions=pieces,
                Bounds=[min(max(p, 0.0), 1.0) for p in positions[1:-1]],
                Encode=[0, 1] * (count - 1),
            )
        )
        extend = int((_floats(shd.get("Extend")) or [0])[0])
        space = {1: Name.DeviceGray, 3: Name.DeviceRGB, 4: Name.DeviceCMYK}[len(colors[0])]
        if _local(shd.tag) == "AxialShd":
            coords = [start[0], start[1], end[0], end[1]]
            kind = 2
        else:
            r0 = (_floats(shd.get("StartRadius")) or [0.0])[0]
            r1 = (_floats(shd.get("EndRadius")) or [0.0])[0]
            coords = [start[0], start[1], max(r0, 0.0), end[0], end[1], max(r1, 0.0)]
            kind = 3
        shading = Dictionary(
            ShadingType=kind,
            ColorSpace=space,
            Coords=coords,
            Function=function,
            Extend=[bool(extend & 1), bool(extend & 2)],
        )
        name = self.w.name("Sh")
        canvas.shadings[name] = self.w.pdf.make_indirect(shading)
        return name

    def image(self, canvas: _Canvas, el: ET.Element) -> None:
        part = self.d.media.get(el.get("ResourceID", ""))
        if part is None or not self.d.pkg.has(part):
            self.w.note(f"图像资源 {el.get('ResourceID')} 缺失，未能显示")
            return
        entry = self._image_entry(part)
        if entry is None:
            return
        name, xobj = entry
        canvas.xobjects[name] = xobj
        self._begin(canvas, el, crop=True)
        box = _floats(el.get("Boundary"))
        if not el.get("CTM") and len(box) == 4:  # no CTM: the picture fills its boundary
            canvas.ops.append(f"{_n(box[2])} 0 0 {_n(box[3])} 0 0 cm")
        canvas.ops.append(f"1 0 0 -1 0 1 cm /{name} Do Q")

    def _image_entry(self, part: str) -> tuple[str, pikepdf.Object] | None:
        key = (self.d.pkg.serial, part)
        if key not in self.w.images:
            try:
                xobj = self.w.pdf.make_indirect(_image_xobject(self.w.pdf, self.d.pkg.read(part), seal=False))
                self.w.images[key] = (self.w.name("Im"), xobj)
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - Pillow raises many types on odd images
                self.w.note(f"图像 {posixpath.basename(part)} 无法解码（{type(exc).__name__}），未能显示")
                self.w.images[key] = None
        return self.w.images[key]

    def composite(self, canvas: _Canvas, el: ET.Element, layer_param: str | None) -> None:
        unit = self.d.composites.get(el.get("ResourceID", ""))
        if unit is None or self.nesting > 8:
            return
        content = _kid(unit, "Content")
        self._begin(canvas, el)
        self.nesting += 1
        try:
            if content is not None:
                self.block(canvas, content, layer_param)
        finally:
            self.nesting -= 1
        canvas.ops.append("Q")

    # -- text ----------------------------------------------------------------------------------
    def text(self, canvas: _Canvas, el: ET.Element, layer_param: str | None) -> None:
        res = self.d.fonts.get(el.get("Font", ""))
        size = (_floats(el.get("Size")) or [3.5])[0]
        embedded = self.w.embedded_font(self.d, res) if res is not None else None
        glyphs = self._placed_glyphs(el, embedded)
        if not glyphs:
            return
        fill = el.get("Fill") != "false"
        stroke = el.get("Stroke") == "true"
        fill_color = self._color(self._param(el, layer_param, None, "FillColor"))  # type: ignore[arg-type]
        stroke_color = self._color(self._param(el, layer_param, None, "StrokeColor"))  # type: ignore[arg-type]
        hscale = (_floats(el.get("HScale")) or [1.0])[0] or 1.0
        # glyph space (Y up) to object space (Y down), turned clockwise by CharDirection (0/90/180/270)
        turn = math.radians((_floats(el.get("CharDirection")) or [0.0])[0])
        cos, sin = round(math.cos(turn), 6), round(math.sin(turn), 6)
        glyph_matrix = " ".join(
            _n(v) for v in (size * hscale * cos, size * hscale * sin, size * sin, -size * cos)
        )
        bold = (res is not None and res.bold) or (_floats(el.get("Weight")) or [400])[0] >= 700
        self._begin(canvas, el)
        self._set_color(canvas, fill_color or ("0", None), False)
        self._set_color(canvas, stroke_color or ("0", None), True)
        mode = 3 if not (fill or stroke) else 2 if fill and stroke else 1 if stroke else 0
        width = _floats(self._param(el, layer_param, "LineWidth", None))  # type: ignore[arg-type]
        canvas.ops.append(f"{_n(width[0] if width else 0.353)} w")
        canvas.ops.append("BT")
        current, current_mode = None, None
        for font, code, x, y in glyphs:
            glyph_mode = 2 if font.path is not None and bold and mode == 0 else mode
            if glyph_mode != current_mode:
                if (
                    glyph_mode == 2 and mode == 0
                ):  # bold drawn by the substitute face: outline in the fill colour
                    canvas.ops.append(f"{_n(size * 0.03)} w")
                    self._set_color(canvas, ((fill_color or ("0", None))[0], None), True)
                canvas.ops.append(f"{glyph_mode} Tr")
                current_mode = glyph_mode
            if font is not current:
                canvas.fonts[font.resname] = font.ref  # type: ignore[assignment]
                canvas.ops.append(f"/{font.resname} 1 Tf")
                current = font
            canvas.ops.append(f"{glyph_matrix} {_n(x)} {_n(y)} Tm <{code:04X}> Tj")
        canvas.ops.append("ET Q")

    def _placed_glyphs(self, el: ET.Element, embedded: _Font | None) -> list[tuple[_Font, int, float, float]]:
        """Every glyph of a TextObject with its font, code and position in object space.

        Glyph i of a TextCode sits at X + ΣDeltaX[:i], Y + ΣDeltaY[:i]; a DeltaX list shorter than the
        text repeats its last value, a missing one advances by the glyph's width."""
        res = self.d.fonts.get(el.get("Font", ""))
        label = res.name if res is not None else el.get("Font", "?")
        size = (_floats(el.get("Size")) or [3.5])[0]
        transforms = self._cg_transforms(el)
        out: list[tuple[_Font, int, float, float]] = []
        x = y = 0.0
        index = 0
        advance = 0.0
        skip_until = -1
        for code_el in _kids(el, "TextCode"):
            text = code_el.text or ""
            xs, ys = _floats(code_el.get("X")), _floats(code_el.get("Y"))
            x = xs[0] if xs else x + size * advance
            y = ys[0] if ys else y
            dx, dy = _deltas(code_el.get("DeltaX")), _deltas(code_el.get("DeltaY"))
            for i, ch in enumerate(text):
                if i > 0:
                    x += dx[i - 1] if i - 1 < len(dx) else dx[-1] if dx else size * advance
                    y += dy[i - 1] if i - 1 < len(dy) else dy[-1] if dy else 0.0
                advance = 0.25 if ch.isspace() else 0.5
                if index + i <= skip_until:  # a character drawn by the glyph of a CGTransform group
                    continue
                cg = transforms.get(index + i)
                chars = ch
                if cg is not None and cg[1] > 1:
                    chars = text[i : i + cg[1]]
                    skip_until = index + i + cg[1] - 1
                placed = self._glyph(embedded, cg, chars, label)
                if placed is not None:
                    font, code = placed
                    advance = font.advance(font.used[code][0])
                    out.append((font, code, x, y))
            index += len(text)
        return out

    @staticmethod
    def _cg_transforms(el: ET.Element) -> dict[int, tuple[list[int], int]]:
        """Character index → (glyph ids, number of characters they stand for) from CGTransform."""
        out: dict[int, tuple[list[int], int]] = {}
        for cg in _kids(el, "CGTransform"):
            pos = int((_floats(cg.get("CodePosition")) or [0])[0])
            count = int((_floats(cg.get("CodeCount")) or [1])[0])
            gids = [int(v) for v in _floats(_kid_text(cg, "Glyphs"))]
            if not gids:
                continue
            glyph_count = int((_floats(cg.get("GlyphCount")) or [len(gids)])[0])
            gids = gids[:glyph_count] or gids
            if len(gids) == count:
                for i, gid in enumerate(gids):
                    out[pos + i] = ([gid], 1)
            else:
                out[pos] = (gids, count)
        return out

    def _glyph(
        self, embedded: _Font | None, cg: tuple[list[int], int] | None, ch: str, label: str
    ) -> tuple[_Font, int] | None:
        if embedded is not None:
            glyph = embedded.glyph_for_gid(cg[0][0]) if cg else None
            glyph = glyph or embedded.glyph_for_char(ch[:1])
            if glyph is not None:
                if label not in self.w.embedded:
                    self.w.embedded.append(label)
                return embedded, embedded.use(glyph, ch)
        if ch.isspace():
            return None
        style = "mono" if _MONO.search(label) else "serif" if _SERIF.search(label) else "sans"
        fallback = self.w.fallback_font(style)
        glyph = fallback.glyph_for_char(ch[:1])
        if label not in self.w.substituted:
            self.w.substituted.append(label)
        if glyph is None:
            self.w.note(f"字符 {ch!r} 在嵌入字体和系统字体中都没有字形")
            return None
        return fallback, fallback.use(glyph, ch)

    # -- pages ---------------------------------------------------------------------------------
    def page_box(self, page: ET.Element) -> tuple[float, float, float, float]:
        return _box(_kid(page, "Area")) or self.d.box

    def page(self, canvas: _Canvas, page_id: str, part: str) -> ET.Element:
        """Templates (background), the page's layers, foreground templates, then its annotations."""
        page = self.d.pkg.xml(part)
        for res in _kids(page, "PageRes"):
            _load_res(self.d, _join(posixpath.dirname(part), res.text))
        templates = [
            (t.get("ZOrder", "Background"), self.d.templates.get(t.get("TemplateID", "")))
            for t in _kids(page, "Template")
        ]
        for zorder, tpl in templates:
            if zorder != "Foreground" and self.d.pkg.has(tpl):
                self.layers(canvas, self.d.pkg.xml(tpl))  # type: ignore[arg-type]
        self.layers(canvas, page)
        for zorder, tpl in templates:
            if zorder == "Foreground" and self.d.pkg.has(tpl):
                self.layers(canvas, self.d.pkg.xml(tpl))  # type: ignore[arg-type]
        self.annotations(canvas, page_id)
        return page

    def annotations(self, canvas: _Canvas, page_id: str) -> None:
        index = _join(self.d.dir, _kid_text(self.d.doc, "Annotations"))
        annots = self.d.pkg.xml_or_none(index)
        if annots is None or index is None:
            return
        for page in _kids(annots, "Page"):
            if page.get("PageID") != page_id:
                continue
            part = _join(posixpath.dirname(index), _kid_text(page, "FileLoc"))
            for annot in _kids(self.d.pkg.xml_or_none(part), "Annot"):
                appearance = _kid(annot, "Appearance")
                if "false" in (annot.get("Visible"), annot.get("Print")) or appearance is None:  # not printed
                    continue
                canvas.ops.append(f"q {_m(_object_matrix(appearance))} cm")
                self.block(canvas, appearance)
                canvas.ops.append("Q")

    # -- seals ---------------------------------------------------------------------------------
    def seals(self, canvases: dict[str, _Canvas]) -> None:
        body = _kid(self.d.root, "DocBody")
        index = _join("", _kid_text(body, "Signatures"))
        signatures = self.d.pkg.xml_or_none(index)
        if signatures is None or index is None:
            return
        for sig in _kids(signatures, "Signature"):
            part = _join(posixpath.dirname(index), sig.get("BaseLoc"))
            signature = self.d.pkg.xml_or_none(part)
            if signature is None or part is None:
                self.w.note(f"签章 {sig.get('ID')} 的 Signature.xml 缺失")
                continue
            info = _kid(signature, "SignedInfo")
            stamps = _kids(info, "StampAnnot")
            if not stamps:
                continue
            picture = self._seal_picture(signature, info, posixpath.dirname(part))
            if picture is None:
                self.w.note(f"签章 {sig.get('ID')} 中没有可显示的印章图片")
                continue
            drawn = False
            for stamp in stamps:
                canvas = canvases.get(stamp.get("PageRef", ""))
                box = _floats(stamp.get("Boundary"))
                if canvas is None or len(box) != 4:
                    continue
                drawn = self._draw_seal(canvas, picture, box) or drawn
            self.w.seals += int(drawn)

    def _seal_picture(
        self, signature: ET.Element, info: ET.Element | None, folder: str
    ) -> tuple[str, bytes] | None:
        parts = [_join(folder, _kid_text(signature, "SignedValue"))]
        parts.append(_join(folder, _kid_text(_kid(info, "Seal"), "BaseLoc")))
        for part in parts:
            if self.d.pkg.has(part):
                found = find_seal_picture(self.d.pkg.read(part))  # type: ignore[arg-type]
                if found is not None:
                    return found
        return None

    def _draw_seal(self, canvas: _Canvas, picture: tuple[str, bytes], box: list[float]) -> bool:
        kind, data = picture
        if data[:2] == b"PK" or kind.lower() == "ofd":
            form = self._seal_form(data)
            if form is None:
                return False
            xobj, (w, h) = form
            name = self.w.name("Seal")
            canvas.xobjects[name] = xobj
            sx, sy = box[2] / w, box[3] / h
            canvas.ops.append(f"q {_n(sx)} 0 0 {_n(-sy)} {_n(box[0])} {_n(box[1] + h * sy)} cm /{name} Do Q")
            return True
        digest = hashlib.sha256(data).digest()
        if digest not in self.w.seal_images:
            try:
                self.w.seal_images[digest] = self.w.pdf.make_indirect(
                    _image_xobject(self.w.pdf, data, seal=True)
                )
            except Exception as exc:  # noqa: BLE001 - Pillow raises many types on odd images
                self.w.note(f"印章图片（{kind}）无法解码（{type(exc).__name__}）")
                return False
        xobj = self.w.seal_images[digest]
        name = self.w.name("Seal")
        canvas.xobjects[name] = xobj
        canvas.ops.append(
            f"q {_n(box[2])} 0 0 {_n(box[3])} {_n(box[0])} {_n(box[1])} cm 1 0 0 -1 0 1 cm /{name} Do Q"
        )
        return True

    def _seal_form(self, data: bytes) -> tuple[pikepdf.Object, tuple[float, float]] | None:
        """The first page of a seal that is itself an OFD, as a Form XObject in millimetres (Y up)."""
        if self.depth >= MAX_SEAL_DEPTH:
            self.w.note("印章 OFD 嵌套过深，未显示")
            return None
        try:
            seal_doc = _open_doc(_Package(data, self.d.pkg.where + "（印章）"))
            painter = _Painter(self.w, seal_doc, self.depth + 1)
            page_id, part = seal_doc.pages[0]
            canvas = _Canvas()
            x0, y0, w, h = painter.page_box(seal_doc.pkg.xml(part))
            canvas.ops.append(f"1 0 0 -1 {_n(-x0)} {_n(h + y0)} cm")
            painter.page(canvas, page_id, part)
        except InputError as exc:
            self.w.note(f"印章 OFD 无法显示：{exc.message}")
            return None
        form = pikepdf.Stream(
            self.w.pdf,
            canvas.content(),
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=Array([0, 0, w, h]),
            Resources=canvas.resources(),
        )
        return self.w.pdf.make_indirect(form), (w, h)


# ------------------------------------------------------------------------------------------------
# seals: the picture inside SES v1 / v4 ASN.1
# ------------------------------------------------------------------------------------------------
def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """(identifier octet, content) of the DER/BER items that make up `data`, read by asn1crypto's parser;
    [] when malformed."""
    from asn1crypto import parser

    items = []
    rest = data
    while rest:
        try:
            class_, method, tag, header, content, trailer = parser.parse(rest, strict=False)
        except ValueError:
            return []
        items.append(((class_ << 6) | (method << 5) | min(tag, 0x1F), content))
        rest = rest[len(header) + len(content) + len(trailer) :]
    return items


def find_seal_picture(data: bytes) -> tuple[str, bytes] | None:
    """The seal picture (type, bytes) in an SES signature or seal (GM/T 0031 v1, GB/T 38540 v4).

    Both versions keep it as SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING,
    width INTEGER, height INTEGER } inside SESeal → eSealInfo; the first such SEQUENCE found depth-first
    is the seal, so vendor variants of the surrounding structure (and a bare Seal.esl) work too.
    Returns None for other signatures (e.g. a plain PKCS#7 digital signature)."""

    def walk(content: bytes, depth: int) -> tuple[str, bytes] | None:
        if depth > MAX_DER_DEPTH:
            return None
        items = _der_items(content)
        if (
            len(items) == 4
            and items[0][0] in (0x16, 0x13, 0x0C)
            and items[1][0] == 0x04
            and items[2][0] == 0x02
            and items[3][0] == 0x02
            and len(items[1][1]) > 16
        ):
            kind = items[0][1].decode("latin-1", "replace").strip()
            if 0 < len(kind) <= 8:
                return kind, items[1][1]
        for tag, inner in items:
            if tag in (0x30, 0x31, 0xA0, 0xA1, 0xA2, 0xA3):
                found = walk(inner, depth + 1)
                if found is not None:
                    return found
        return None

    if not data or data[0] != 0x30:
        return None
    return walk(data, 0)


# ------------------------------------------------------------------------------------------------
# structured data
# ------------------------------------------------------------------------------------------------
_XML_KEYS = {
    "invoice_code": ("InvoiceCode",),
    "invoice_number": ("InvoiceNo", "InvoiceNumber", "EIid"),
    "issue_date": ("IssueDate", "IssueTime", "RequestTime"),
    "buyer": ("BuyerName",),
    "buyer_tax_id": ("BuyerTaxID", "BuyerIdNum"),
    "seller": ("SellerName",),
    "seller_tax_id": ("SellerTaxID", "SellerIdNum"),
    "amount": ("TaxExclusiveTotalAmount", "TotalAmWithoutTax"),
    "tax": ("TaxTotalAmount", "TotalTaxAm"),
    "total": ("TaxInclusiveTotalAmount", "TotalTax-includedAmount"),
}
_CUSTOM_KEYS = {
    "invoice_code": ("发票代码",),
    "invoice_number": ("发票号码",),
    "issue_date": ("开票日期",),
    "buyer": ("购买方名称", "购方名称"),
    "buyer_tax_id": ("购买方纳税人识别号", "购方识别号"),
    "seller": ("销售方名称", "销方名称"),
    "seller_tax_id": ("销售方纳税人识别号", "销方识别号"),
    "amount": ("合计金额",),
    "tax": ("合计税额",),
    "total": ("价税合计",),
}
_MONEY = {"amount", "tax", "total"}


def _money(text: str) -> Decimal | None:
    cleaned = re.sub(r"[¥￥,，\s元]", "", text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> dt.date | None:
    match = re.search(r"(\d{4})\s*[年/.-]?\s*(\d{1,2})\s*[月/.-]?\s*(\d{1,2})", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _attachments(d: _Doc) -> list[tuple[str, ET.Element]]:
    index = _join(d.dir, _kid_text(d.doc, "Attachments"))
    listing = d.pkg.xml_or_none(index)
    out = []
    for att in _kids(listing, "Attachment"):
        part = _join(posixpath.dirname(index or ""), _kid_text(att, "FileLoc"))
        if part and part.lower().endswith(".xml") and d.pkg.has(part):
            try:
                out.append((part, d.pkg.xml(part)))
            except InputError:
                continue
    return out


def _pick(leaves: dict[str, str], names_by_key: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Our keys from a document's names: the first name present for each key."""
    found = {}
    for key, names in names_by_key.items():
        value = next((leaves[n] for n in names if leaves.get(n)), None)
        if value is not None:
            found[key] = value
    return found


def _leaves(root: ET.Element, objects: dict[str, str] | None = None) -> dict[str, str]:
    """Element name → text of the leaves of an XML tree; an element holding ObjectRefs (CustomTags) gets
    the text of the page objects it points at."""
    out: dict[str, str] = {}
    for el in root.iter():
        refs = _kids(el, "ObjectRef")
        if refs and objects is not None:
            text = "".join(objects.get((r.text or "").strip(), "") for r in refs).strip()
        elif len(el) == 0:
            text = (el.text or "").strip()
        else:
            continue
        if text:
            out.setdefault(_local(el.tag), text)
    return out


def _object_texts(d: _Doc) -> dict[str, str]:
    """TextObject ID → its text, over all pages (what CustomTags point at)."""
    out: dict[str, str] = {}
    for _, part in d.pages:
        for el in d.pkg.xml(part).iter():
            if _local(el.tag) == "TextObject" and el.get("ID"):
                out.setdefault(el.get("ID", ""), "".join(c.text or "" for c in _kids(el, "TextCode")))
    return out


def _tag_files(d: _Doc) -> list[tuple[str, ET.Element]]:
    index = _join(d.dir, _kid_text(d.doc, "CustomTags"))
    if not d.pkg.has(index):
        index = _join(d.dir, "Tags/CustomTags.xml")
    listing = d.pkg.xml_or_none(index)
    out = []
    for tag in _kids(listing, "CustomTag"):
        part = _join(posixpath.dirname(index or ""), _kid_text(tag, "FileLoc"))
        if part and d.pkg.has(part):
            try:
                out.append((part, d.pkg.xml(part)))
            except InputError:
                continue
    return out


def _structured(d: _Doc) -> InvoiceData | None:
    """Invoice fields from, in this order: XML attachments, CustomTags, the CustomData of OFD.xml."""
    values: dict[str, str] = {}
    sources: list[str] = []

    def take(source: str, found: dict[str, str]) -> None:
        if found:
            sources.append(source)
            for key, value in found.items():
                values.setdefault(key, value)

    for part, root in _attachments(d):
        take(part, _pick(_leaves(root), _XML_KEYS))
    tag_files = _tag_files(d)
    objects = _object_texts(d) if tag_files else None
    for part, root in tag_files:
        take(part, _pick(_leaves(root, objects), _XML_KEYS))
    custom = {
        c.get("Name", ""): (c.text or "").strip()
        for c in _kids(_kid(_kid(_kid(d.root, "DocBody"), "DocInfo"), "CustomDatas"), "CustomData")
    }
    take("OFD.xml CustomData", _pick(custom, _CUSTOM_KEYS))
    if not values:
        return None
    typed: dict[str, object] = {}
    for key, value in values.items():
        typed[key] = _money(value) if key in _MONEY else _date(value) if key == "issue_date" else value
    return InvoiceData(**typed, sources=tuple(sources))  # type: ignore[arg-type]


def read_structured(path: str | Path | BinaryIO, name: str | None = None) -> InvoiceData | None:
    """The invoice data an OFD carries (XML attachment such as Attachs/original_invoice.xml, else the
    page text its CustomTags point at, else the CustomData of OFD.xml): numbers, buyer, seller, the date
    as a date and amounts as Decimal; None when the file has none. Lets a caller check an invoice's
    amount and payer without reading the picture."""
    with _Package(path, _where(path, name)) as pkg:
        return _structured(_open_doc(pkg))


# ------------------------------------------------------------------------------------------------
# rendering
# ------------------------------------------------------------------------------------------------
def render_ofd(
    path: str | Path | BinaryIO, out_pdf: str | Path, font: CjkFont | None = None, name: str | None = None
) -> OfdInfo:
    """Render every page of an OFD file to `out_pdf` (one PDF page per OFD page, same size).

    Draws templates, page content, annotations and the seal pictures of the signatures, text in the
    file's embedded fonts or else in `font` (default: the system CJK font of assembler.fonts, looked up
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
