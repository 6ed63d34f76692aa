"""A digest of what a page shows, to tell a changed dossier from a merely re-saved one.

Covers the page's content (decoded, with runs of white space made one, so re-compression and content
split into several streams or joined into one do not matter), every resource the content actually
uses — images by their decoded data, forms recursively, fonts by their embedded program and
encoding — the page's boxes and rotation, and its annotations with their appearance (a stamp or
text laid over a page is a change). Resources a page carries but never uses are left out, so a
rewrite that drops them (qpdf --pages, a viewer's save) is not a change; object numbers never enter
the digest.

Scheme 2 (what build records since `pages.scheme` exists) digests everything that changes what the page
shows, wherever it comes from: a font's whole dictionary (widths, ToUnicode, encoding, descriptor, program),
an image's whole dictionary (decode array, masks, colour space, optional content) with its decoded data,
a form's optional content and group, marked content's properties (optional-content layers), every
annotation with all its entries (border, colour, /MK, flags, actions) except the links back to its page,
and the page's geometry with what it inherits (boxes, /UserUnit, rotation). Scheme 1 is kept, unchanged,
to verify dossiers built before.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, cast

import pikepdf

MAX_DEPTH = 12
SCHEME = 2  # the digest build records (manifest pages.scheme); dossiers without it were digested by scheme 1
MAX_NODES = 500_000  # objects one page's digest may visit: a forged PDF must not make it run for ever
# entries of an annotation or object that point back into the document rather than say what is drawn
BACK_LINKS = {"/Parent", "/P", "/Popup", "/IRT", "/StructParent", "/StructParents", "/Length"}
# how a stream is stored, not what it holds (decoded data is digested instead)
STORAGE = {"/Length", "/Filter", "/DecodeParms", "/DL"}
INHERITED = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")
GEOMETRY = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/UserUnit", "/Group", "/VP")
_SPACE = re.compile(rb"\s+")
# the operators that draw a named resource: /Im1 Do, /F1 12 Tf, /GS0 gs, /Sh0 sh, /P0 scn, /CS0 cs
_USES = re.compile(
    rb"/([^\s/\[\]()<>{}%]+)\s+(?:(Do|gs|sh|cs|CS)|[-+\d.]+\s+(Tf)|(?:[-+\d.]+\s+)*(scn|SCN))\b"
)
_PROPERTIES = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+(?:BDC|DP)\b")  # /OC /MC0 BDC: a layer's properties
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
    def __init__(self, fonts: dict[tuple[int, int], str], scheme: int = SCHEME) -> None:
        self.sha = hashlib.sha256()
        self.seen: set[tuple[int, int]] = set()
        self.fonts = fonts  # font object → digest of its program, shared by the pages of one document
        self.scheme = scheme
        self.used_fonts: list[Any] = []
        self.canonical: dict[tuple[int, int], str] = {}
        self.nodes = 0

    def canon(self, value: Any, depth: int = 0, skip: frozenset[str] | set[str] = BACK_LINKS) -> str:
        """A stable text for any object (scheme 2): dictionaries and arrays in full without `skip` keys and
        the storage of streams, streams by their decoded data, a page by the word "page" (a link's target,
        never the page's whole content), indirect objects once each; ValueError past MAX_NODES."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ValueError("page digest: too many objects")
        if depth > MAX_DEPTH:
            return "…"
        key = value.objgen if isinstance(value, pikepdf.Object) and value.is_indirect else None
        if key is not None and key in self.canonical and skip is BACK_LINKS:
            return self.canonical[key]
        if isinstance(value, pikepdf.Dictionary) and value.get("/Type") in (
            pikepdf.Name.Page,
            pikepdf.Name.Pages,
        ):
            text = "page"
        elif isinstance(value, pikepdf.Stream):
            text = (
                "stream{"
                + ",".join(
                    f"{k}:{self.canon(value[k], depth + 1)}"
                    for k in sorted(value.keys())
                    if k not in STORAGE | skip
                )
                + "}"
                + hashlib.sha256(_data(value)).hexdigest()
            )
        elif isinstance(value, pikepdf.Dictionary):
            text = (
                "{"
                + ",".join(
                    f"{k}:{self.canon(value[k], depth + 1)}" for k in sorted(value.keys()) if k not in skip
                )
                + "}"
            )
        elif isinstance(value, pikepdf.Array):
            text = "[" + ",".join(self.canon(v, depth + 1) for v in value) + "]"
        else:
            text = _simple(value, depth)
        if key is not None and skip is BACK_LINKS:
            self.canonical[key] = text
        return text

    def add(self, *parts: bytes | str) -> None:
        for part in parts:
            self.sha.update(part.encode() if isinstance(part, str) else part)
            self.sha.update(b"\0")

    def content(self, data: bytes, resources: Any, depth: int) -> None:
        self.add(_SPACE.sub(b" ", data).strip())
        if depth > MAX_DEPTH or not isinstance(resources, pikepdf.Dictionary):
            return
        resources = cast(Any, resources)
        if self.scheme >= 2:
            for match in _PROPERTIES.finditer(data):
                name = "/" + match.group(1).decode("latin-1")
                properties: Any = resources.get("/Properties", {})
                found = properties.get(name) if isinstance(properties, pikepdf.Dictionary) else None
                self.add("properties", name, self.canon(found) if found is not None else "none")
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
        if obj.get("/Subtype") == pikepdf.Name.Image and self.scheme >= 2:
            # decoded data and the whole dictionary: /Decode, /Mask, /SMask, /ColorSpace, /ImageMask, /OC …
            self.add("image", self.canon(obj))
        elif obj.get("/Subtype") == pikepdf.Name.Image:
            self.add("image", _number(obj.get("/Width")), _number(obj.get("/Height")), _data(obj))
            if "/SMask" in obj:
                self.add("smask", _data(obj.SMask))
        else:
            self.add("form", _simple(obj.get("/Matrix")), _simple(obj.get("/BBox")))
            if self.scheme >= 2:  # /OC, /Group, … (the content and the resources it uses: below)
                self.add("form-dict", self.canon(obj, skip=BACK_LINKS | {"/Resources"}))
            self.content(_data(obj), obj.get("/Resources"), depth)

    def font(self, font: Any) -> None:
        if font is None:
            self.add("missing-font")
            return
        self.used_fonts.append(font)
        key = font.objgen
        if key == (0, 0) or key not in self.fonts:
            inner = _Digest(self.fonts, self.scheme)
            if self.scheme >= 2:  # widths, ToUnicode, encoding, descriptor and program, Type 3 glyphs
                inner.add("font", inner.canon(font))
            else:
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
        annots = page.get("/Annots", [])
        for annot in annots if isinstance(annots, pikepdf.Array) else []:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if self.scheme >= 2:
                self.annotation(annot, depth)
                continue
            subtype = str(annot.get("/Subtype", ""))
            # a link without an appearance shows nothing (a volume drops its 目录's links to other volumes)
            if subtype in SKIPPED_ANNOTATIONS or (subtype == "/Link" and "/AP" not in annot):
                continue
            if subtype == "/Widget" and str(annot.get("/FT", "")) == "/Sig" and "/AP" not in annot:
                continue  # the field of an invisible signature added after the build (build --sign)
            rect = ",".join(_number(v) for v in annot.get("/Rect", []))
            self.add("annot", subtype, rect, str(annot.get("/Contents", "")))
            appearances: Any = annot.get("/AP", {})
            appearance = appearances.get("/N")
            if isinstance(appearance, pikepdf.Stream):
                self.xobject(appearance, depth + 1)
            elif isinstance(appearance, pikepdf.Dictionary):
                for state in sorted(appearance.keys()):
                    self.add(state)
                    self.xobject(appearance[state], depth + 1)

    def annotation(self, annot: Any, depth: int) -> None:
        """Scheme 2: every annotation that can show something, with all its entries and its appearance."""
        subtype = str(annot.get("/Subtype", ""))
        if _shows_nothing(annot, subtype):
            return
        self.add("annot", subtype, self.canon(annot, skip=BACK_LINKS | {"/AP", "/M", "/NM"}))
        appearances = annot.get("/AP")
        if not isinstance(appearances, pikepdf.Dictionary):
            return
        for kind in sorted(appearances.keys()):  # /N, and /D and /R that a viewer shows on hover or press
            appearance = appearances[kind]
            self.add("ap", kind)
            if isinstance(appearance, pikepdf.Stream):
                self.xobject(appearance, depth + 1)
            elif isinstance(appearance, pikepdf.Dictionary):
                for state in sorted(appearance.keys()):
                    self.add(state)
                    self.xobject(appearance[state], depth + 1)


def _shows_nothing(annot: Any, subtype: str) -> bool:
    """True for an annotation without an appearance that draws nothing: a viewer's own note window, a link
    without a border (a volume drops its 目录's links to other volumes), the field of an invisible signature
    added after the build (build --sign). With an appearance or /MK (a viewer draws a field from it),
    everything shows."""
    if "/AP" in annot or "/MK" in annot:
        return False
    if subtype == "/Popup":
        return True
    if subtype == "/Link":
        return not _visible_border(annot)
    return subtype == "/Widget" and str(annot.get("/FT", "")) == "/Sig"


def _visible_border(annot: Any) -> bool:
    """True when a link without an appearance still draws a border (/Border's width, else /BS's; a border
    is 1 point wide unless it says otherwise)."""
    style = annot.get("/BS")
    if isinstance(style, pikepdf.Dictionary) and "/W" in style:
        return _number(style.get("/W")) != "0.0"
    border = annot.get("/Border")
    if isinstance(border, pikepdf.Array) and len(border) >= 3:
        return _number(border[2]) != "0.0"
    return True


def _inherited(obj: Any, key: str) -> Any:
    """A page's entry, or the nearest one of the page tree above it (boxes, rotation and resources are
    inherited)."""
    node, hops = obj, 0
    while isinstance(node, pikepdf.Dictionary) and hops < 64:
        if key in node:
            return node[key]
        node, hops = node.get("/Parent"), hops + 1
    return None


def page_digests(pdf: pikepdf.Pdf, scheme: int = SCHEME) -> list[str]:
    """The digest of every page of `pdf`, in order (fonts shared by pages are digested once), by `scheme`
    (the one recorded in the dossier's manifest; 1 for dossiers built before schemes were recorded)."""
    fonts: dict[tuple[int, int], str] = {}
    return [page_digest(page, fonts, scheme) for page in pdf.pages]


def used_fonts(page: pikepdf.Page) -> list[Any]:
    """Every font `page` draws with: in its content, its forms and its annotations' appearances."""
    digest = _Digest({}, SCHEME)
    _walk(page, digest)
    return digest.used_fonts


def page_digest(
    page: pikepdf.Page, fonts: dict[tuple[int, int], str] | None = None, scheme: int = SCHEME
) -> str:
    """The digest of what `page` shows (see the module docstring)."""
    digest = _Digest({} if fonts is None else fonts, scheme)
    _walk(page, digest)
    return digest.sha.hexdigest()


def _walk(page: pikepdf.Page, digest: _Digest) -> None:
    obj = page.obj
    if digest.scheme >= 2:
        for key in INHERITED[:3]:
            found = _inherited(obj, key)
            digest.add(key, digest.canon(found) if found is not None else "none")
        for key in GEOMETRY:
            if key in obj and key not in INHERITED:
                digest.add(key, digest.canon(obj[key]))
        resources = _inherited(obj, "/Resources")
    else:
        for key in ("/MediaBox", "/CropBox"):
            if key in obj:
                digest.add(key, ",".join(_number(v) for v in obj[key]))
        digest.add("rotate", str(int(obj.get("/Rotate", 0)) % 360))
        resources = obj.get("/Resources")
    contents = obj.get("/Contents")
    streams = (
        list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    )
    data = b"\n".join(_data(stream) for stream in streams if isinstance(stream, pikepdf.Stream))
    digest.content(data, resources, 0)
    digest.annotations(obj, 0)
