"""Drawing an OFD page: text, paths, images, composite units, templates, annotations and seals."""

from __future__ import annotations

import hashlib
import math
import posixpath
from xml.etree import ElementTree as ET

import pikepdf
from pikepdf import Array, Dictionary, Name

from assembler.convert.ofd.common import _MONO, _SERIF, IDENTITY, MAX_SEAL_DEPTH, Matrix
from assembler.convert.ofd.document import _box, _Doc, _load_res, _open_doc
from assembler.convert.ofd.fonts import _Font
from assembler.convert.ofd.images import _image_xobject
from assembler.convert.ofd.package import _floats, _join, _kid, _kid_text, _kids, _local, _Package
from assembler.convert.ofd.seals import find_seal_picture
from assembler.convert.ofd.writer import _Canvas, _m, _mul, _n, _Writer
from assembler.errors import InputError


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
