"""The text a page draws, read back through each font's ToUnicode map: how `verify` finds the 清单核验码
printed on the 文件清单 page now that it is set in the dossier's embedded font (glyph ids in the content
stream, not letters), and still in old dossiers that drew it in a core font (letters as they are)."""

from __future__ import annotations

import re
from typing import Any

import pikepdf

MAX_CMAP_ENTRIES = 70_000  # a CJK subset has a few thousand; more is not a font of ours
_HEX = rb"<([0-9A-Fa-f]+)>"
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[([^\]]*)\])")


def _unicode(hex_text: bytes) -> str:
    try:
        return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")
    except ValueError:
        return ""


def to_unicode_map(cmap: bytes) -> dict[int, str]:
    """Character code → text of a ToUnicode CMap (bfchar and bfrange entries; at most MAX_CMAP_ENTRIES)."""
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        for code, text in _PAIR.findall(block):
            mapping[int(code, 16)] = _unicode(text)
    for block in _BFRANGE.findall(cmap):
        for low, high, start, listed in _RANGE.findall(block):
            first, last = int(low, 16), int(high, 16)
            if last < first or last - first > MAX_CMAP_ENTRIES - len(mapping):
                continue
            if listed:
                for i, text in enumerate(re.findall(_HEX, listed)):
                    mapping[first + i] = _unicode(text)
            else:
                base = int(start, 16)
                for i in range(last - first + 1):
                    try:
                        mapping[first + i] = chr(base + i)
                    except (ValueError, OverflowError):
                        break
    return mapping


class _Font:
    def __init__(self, font: Any) -> None:
        self.two_bytes = str(font.get("/Subtype", "")) == "/Type0"
        self.map: dict[int, str] | None = None
        cmap = font.get("/ToUnicode")
        if isinstance(cmap, pikepdf.Stream):
            try:
                self.map = to_unicode_map(bytes(cmap.read_bytes()))
            except pikepdf.PdfError:
                self.map = {}

    def text(self, data: bytes) -> str:
        if self.two_bytes:
            codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        else:
            codes = list(data)
        if self.map is None:
            return "".join(chr(c) for c in codes) if not self.two_bytes else ""
        return "".join(self.map.get(c, "") for c in codes)


def page_text(page: pikepdf.Page) -> str:
    """The text `page` draws directly (its content streams, not forms), in drawing order, without spaces
    between the runs: enough to find a line the tool printed."""
    fonts: dict[str, _Font] = {}
    resources = page.obj.get("/Resources")
    font_dict: Any = resources.get("/Font", {}) if isinstance(resources, pikepdf.Dictionary) else {}
    current: _Font | None = None
    out: list[str] = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "Tf" and operands:
            name = str(operands[0])
            if name not in fonts:
                found = font_dict.get(name) if isinstance(font_dict, pikepdf.Dictionary) else None
                fonts[name] = _Font(found if isinstance(found, pikepdf.Dictionary) else pikepdf.Dictionary())
            current = fonts[name]
        elif current is not None and op in ("Tj", "'", '"', "TJ") and operands:
            shown = operands[-1]
            parts = list(shown) if isinstance(shown, pikepdf.Array) else [shown]
            for part in parts:
                if isinstance(part, pikepdf.String):
                    out.append(current.text(bytes(part)))
    return "".join(out)
