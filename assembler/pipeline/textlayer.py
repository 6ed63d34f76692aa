"""Text every reader can extract from the pages this tool draws.

fpdf2 embeds its CJK font with a code→CID encoding CMap of its own (named Adobe-Identity-UCS) and a
ToUnicode map keyed by those codes. Poppler and PDFium follow that, but pypdf returns every character
interleaved with NUL bytes and pdfminer.six returns nothing — and reviewers' scripts and search tools
use those. Here each string on our pages is rewritten to hold the CIDs themselves, the font's encoding
becomes the standard /Identity-H and ToUnicode is keyed by CID: the same glyphs in the same places,
and text that all four extract alike.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pikepdf

_CIDCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s+(\d+)")
_CIDRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s+(\d+)")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


def _sections(cmap: bytes, name: bytes) -> list[bytes]:
    return re.findall(rb"begin" + name + rb"(.*?)end" + name, cmap, flags=re.S)


def _code_to_cid(cmap: bytes) -> dict[int, int]:
    out: dict[int, int] = {}
    for block in _sections(cmap, b"cidrange"):
        for lo, hi, cid in _CIDRANGE.findall(block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = int(cid) + i
    for block in _sections(cmap, b"cidchar"):
        for code, cid in _CIDCHAR.findall(block):
            out[int(code, 16)] = int(cid)
    return out


def _code_to_text(cmap: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in _sections(cmap, b"bfchar"):
        for code, text in _BFCHAR.findall(block):
            out[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return out


def _to_unicode(by_cid: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n",
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n",
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    ]
    items = sorted(by_cid.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar\n".encode())
        lines += [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>\n".encode() for cid, text in chunk]
        lines.append(b"endbfchar\n")
    lines.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    return b"".join(lines)


def _remap(data: bytes, cids: dict[int, int]) -> bytes:
    codes = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
    return b"".join(cids.get(code, code).to_bytes(2, "big") for code in codes)


def _rewrite_strings(operands: Any, cids: dict[int, int]) -> list[Any]:
    out: list[Any] = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            out.append(pikepdf.String(_remap(bytes(operand), cids)))
        elif isinstance(operand, pikepdf.Array):
            out.append(pikepdf.Array(_rewrite_strings(operand, cids)))
        else:
            out.append(operand)
    return out


def _fix_fonts(pdf: pikepdf.Pdf) -> dict[tuple[int, int], dict[int, int]]:
    """Give each fpdf2 Type0 font /Identity-H and a CID-keyed ToUnicode; return its code→CID map."""
    fixed: dict[tuple[int, int], dict[int, int]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != pikepdf.Name.Type0:
            continue
        encoding = obj.get("/Encoding")
        if not isinstance(encoding, pikepdf.Stream):
            continue
        cids = _code_to_cid(encoding.read_bytes())
        texts = _code_to_text(obj.ToUnicode.read_bytes()) if "/ToUnicode" in obj else {}
        obj.Encoding = pikepdf.Name("/Identity-H")
        obj.ToUnicode = pdf.make_stream(_to_unicode({cids.get(c, c): t for c, t in texts.items()}))
        fixed[obj.objgen] = cids
    return fixed


def identity_encoded(data: bytes) -> bytes:
    """The PDF `data` (pages drawn by fpdf2) with its CJK text re-encoded as Identity-H (see the module)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fixed = _fix_fonts(pdf)
        if not fixed:
            return data
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
            current: dict[int, int] | None = None
            commands = []
            for operands, operator in pikepdf.parse_content_stream(page):  # type: ignore[misc]
                op = str(operator)
                if op == "Tf":
                    font = fonts.get(str(operands[0]))
                    current = fixed.get(font.objgen) if font is not None else None
                elif op in TEXT_OPERATORS and current is not None:
                    operands = _rewrite_strings(operands, current)
                commands.append((operands, operator))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(commands))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()
