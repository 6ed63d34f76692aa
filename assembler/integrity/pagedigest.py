"""A digest of what a page shows, to tell a changed dossier from a merely re-saved one.

Covers the page's content (decoded, with runs of white space made one, so re-compression and content
split into several streams or joined into one do not matter), every resource the content actually
uses — images by their decoded data, forms recursively, fonts by their embedded program and
encoding — the page's boxes and rotation, and its annotations with their appearance (a stamp or
text laid over a page is a change). Resources a page carries but never uses are left out, so a
rewrite that drops them (qpdf --pages, a viewer's save) is not a change; object numbers never enter
the digest.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pikepdf

MAX_DEPTH = 12
_SPACE = re.compile(rb"\s+")
# the operators that draw a named resource: /Im1 Do, /F1 12 Tf, /GS0 gs, /Sh0 sh, /P0 scn, /CS0 cs
_USES = re.compile(
    rb"/([^\s/\[\]()<>{}%]+)\s+(?:(Do|gs|sh|cs|CS)|[-+\d.]+\s+(Tf)|(?:[-+\d.]+\s+)*(scn|SCN))\b"
)
SKIPPED_ANNOTATIONS = {"/Popup"}  # added and removed by viewers on their own


def _data(stream: Any) -> bytes:
    """Decoded data where the filters allow (independent of recompression), else the raw bytes (JPEG)."""
    try:
        return bytes(stream.read_bytes(pikepdf.StreamDecodeLevel.generalized))
    except pikepdf.PdfError:
        try:
            return bytes(stream.read_raw_bytes())
        except (
            pikepdf.PdfError
        ):  # a stream qpdf cannot even copy (a broken LZW stream): its bytes are unknown
            return b"undecodable"


def _text(value: Any) -> str:
    """str() of a PDF object; a name that is not UTF-8 (Chinese software writes font names such as 黑体 in
    GBK) as its escaped form, /#BA#DA#CC#E5, instead of failing."""
    try:
        return str(value)
    except UnicodeDecodeError:
        return bytes(value.unparse()).decode("latin-1")


def _number(value: Any) -> str:
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return "?"


def _simple(value: Any, depth: int = 0) -> str:
    """A stable text for a small dictionary or array (ExtGState, shading parameters): no object numbers."""
    if depth > MAX_DEPTH:
        return "…"
    if isinstance(value, pikepdf.Stream):
        return hashlib.sha256(_data(value)).hexdigest()
    if isinstance(value, pikepdf.Dictionary):
        return "{" + ",".join(f"{k}:{_simple(value[k], depth + 1)}" for k in sorted(value.keys())) + "}"
    if isinstance(value, pikepdf.Array):
        return "[" + ",".join(_simple(v, depth + 1) for v in value) + "]"
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return _number(value)
    return _text(value)


class _Digest:
    def __init__(self, fonts: dict[tuple[int, int], str]) -> None:
        self.sha = hashlib.sha256()
        self.seen: set[tuple[int, int]] = set()
        self.fonts = fonts  # font object → digest of its program, shared by the pages of one document

    def add(self, *parts: bytes | str) -> None:
        for part in parts:
            self.sha.update(part.encode() if isinstance(part, str) else part)
            self.sha.update(b"\0")

    def content(self, data: bytes, resources: Any, depth: int) -> None:
        self.add(_SPACE.sub(b" ", data).strip())
        if depth > MAX_DEPTH or resources is None:
            return
        for match in _USES.finditer(data):
            name = "/" + match.group(1).decode("latin-1")
            operator = (match.group(2) or match.group(3) or match.group(4) or b"").decode()
            if operator == "Do":
                self.xobject(resources.get("/XObject", {}).get(name), depth + 1)
            elif operator == "Tf":
                self.font(resources.get("/Font", {}).get(name))
            elif operator == "gs":
                self.add("gs", _simple(resources.get("/ExtGState", {}).get(name)))
            elif operator == "sh":
                self.add("sh", _simple(resources.get("/Shading", {}).get(name)))
            elif operator in ("scn", "SCN", "cs", "CS"):
                found = resources.get("/Pattern", {}).get(name) or resources.get("/ColorSpace", {}).get(name)
                self.add(operator, _simple(found))

    def xobject(self, obj: Any, depth: int) -> None:
        if obj is None:
            self.add("missing-xobject")
            return
        key = obj.objgen
        if key != (0, 0) and key in self.seen:
            self.add("again")
            return
        self.seen.add(key)
        if obj.get("/Subtype") == pikepdf.Name.Image:
            self.add("image", _number(obj.get("/Width")), _number(obj.get("/Height")), _data(obj))
            if "/SMask" in obj:
                self.add("smask", _data(obj.SMask))
        else:
            self.add("form", _simple(obj.get("/Matrix")), _simple(obj.get("/BBox")))
            self.content(_data(obj), obj.get("/Resources"), depth)

    def font(self, font: Any) -> None:
        if font is None:
            self.add("missing-font")
            return
        key = font.objgen
        if key == (0, 0) or key not in self.fonts:
            inner = _Digest(self.fonts)
            inner.font_program(font)
            self.fonts[key] = inner.sha.hexdigest()
        self.add("font", self.fonts[key])

    def font_program(self, font: Any) -> None:
        self.add(_text(font.get("/BaseFont", "")), _simple(font.get("/Encoding")))
        descriptors = [font] + list(font.get("/DescendantFonts", []))
        for part in descriptors:
            descriptor = part.get("/FontDescriptor")
            if descriptor is None:
                continue
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    self.add(key, _data(descriptor[key]))

    def annotations(self, page: Any, depth: int) -> None:
        for annot in page.get("/Annots", []):
            subtype = str(annot.get("/Subtype", ""))
            # a link without an appearance shows nothing (a volume drops its 目录's links to other volumes)
            if subtype in SKIPPED_ANNOTATIONS or (subtype == "/Link" and "/AP" not in annot):
                continue
            if subtype == "/Widget" and str(annot.get("/FT", "")) == "/Sig" and "/AP" not in annot:
                continue  # the field of an invisible signature added after the build (build --sign)
            rect = ",".join(_number(v) for v in annot.get("/Rect", []))
            self.add("annot", subtype, rect, str(annot.get("/Contents", "")))
            appearance = annot.get("/AP", {}).get("/N")
            if isinstance(appearance, pikepdf.Stream):
                self.xobject(appearance, depth + 1)
            elif isinstance(appearance, pikepdf.Dictionary):
                for state in sorted(appearance.keys()):
                    self.add(state)
                    self.xobject(appearance[state], depth + 1)


def page_digests(pdf: pikepdf.Pdf) -> list[str]:
    """The digest of every page of `pdf`, in order (fonts shared by pages are digested once)."""
    fonts: dict[tuple[int, int], str] = {}
    return [page_digest(page, fonts) for page in pdf.pages]


def page_digest(page: pikepdf.Page, fonts: dict[tuple[int, int], str] | None = None) -> str:
    """The digest of what `page` shows (see the module docstring)."""
    digest = _Digest({} if fonts is None else fonts)
    obj = page.obj
    for key in ("/MediaBox", "/CropBox"):
        if key in obj:
            digest.add(key, ",".join(_number(v) for v in obj[key]))
    digest.add("rotate", str(int(obj.get("/Rotate", 0)) % 360))
    contents = obj.get("/Contents")
    streams = (
        list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    )
    data = b"\n".join(_data(stream) for stream in streams if isinstance(stream, pikepdf.Stream))
    digest.content(data, obj.get("/Resources"), 0)
    digest.annotations(obj, 0)
    return digest.sha.hexdigest()
