"""PDF output: the writer shared by all pages (and by the seal OFDs drawn into them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name

from assembler.convert.ofd.common import Matrix
from assembler.convert.ofd.document import _Doc, _FontRes
from assembler.convert.ofd.fonts import _Font
from assembler.errors import InputError, ToolMissingError
from assembler.system.fonts import FONT_HELP, CjkFont, find_cjk_font


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
