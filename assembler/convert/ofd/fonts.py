"""PDF output: the fonts (Type0, Identity-H, subset with fontTools), embedded or the system CJK font."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


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
