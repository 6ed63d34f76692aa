"""A Word document laid out as a 公文 after GB/T 9704-2012, as far as the union's notices need it:
A4 with the standard margins (天头 37 mm, 订口 28 mm), 发文机关标志 in red 小标宋 over a red rule,
发文字号, 标题 in 2号小标宋, 正文 in 3号仿宋 (22 lines of 28 characters), 一级标题 in 黑体, 落款 and
成文日期 with room for the seal, 附注, and page numbers “— 1 —” in 4号宋体 (odd right, even left).

Fonts are named as the union's Word has them (方正小标宋简体, 仿宋, 黑体, 宋体); where they are missing,
LibreOffice uses Noto Serif CJK SC / Noto Sans CJK SC (see docs/union.md).
"""

from __future__ import annotations

import io
from typing import Any

TITLE_FONT, BODY_FONT, HEAD_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋", "黑体", "宋体"
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0  # 2号, 3号, 4号 in points
LINE = 28.9  # exact line pitch that gives 22 lines on the 225 mm type area
RED = "C00000"


def set_fonts(element: Any, east_asia: str, latin: str = "Times New Roman") -> None:
    """Name the East-Asian and Latin fonts of a run or style, with zh-CN as the East-Asian language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(author: str, *, landscape: bool = False) -> Any:
    """An empty A4 公文 page (portrait, or landscape for wide tables) with 3号仿宋 as the body style."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.0)
    for name in ("Normal", "Table Grid"):
        set_fonts(doc.styles[name].element, BODY_FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE)
    props = doc.core_properties
    props.author = props.last_modified_by = author
    props.title = props.comments = props.subject = props.keywords = ""
    props.revision = 1
    _page_numbers(doc)
    return doc


def para(
    doc: Any,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = SIZE_3,
    align: str = "justify",
    indent: bool = False,
    right_chars: float = 0,
    color: str | None = None,
    keep: bool = False,
) -> Any:
    """One paragraph; `indent` gives the 2-character first-line indent of 正文."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * size)
    if right_chars:
        p.paragraph_format.right_indent = Pt(right_chars * size)
    if size > SIZE_3:
        p.paragraph_format.line_spacing = Pt(size * 1.4)
    p.paragraph_format.keep_with_next = keep
    p.paragraph_format.widow_control = True
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
        set_fonts(run._r, font)
    return p


def red_rule(paragraph: Any) -> None:
    """The red separator line under the 发文字号 (a bottom border of its paragraph)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def head(doc: Any, issuer: str, number: str) -> None:
    """版头: 发文机关标志 (red 小标宋), 发文字号 and the red rule."""
    size = min(36.0, float(int(430 / max(len(issuer), 1))))  # one line across the 156 mm type area
    para(doc, issuer, font=TITLE_FONT, size=size, align="center", color=RED)
    para(doc)
    red_rule(para(doc, number, align="center"))
    para(doc)


def title(doc: Any, text: str) -> None:
    """标题 in 2号小标宋, centred, followed by one empty line."""
    para(doc, text, font=TITLE_FONT, size=SIZE_2, align="center")
    para(doc)


def heading(doc: Any, text: str) -> None:
    """一级标题 (一、…) in 黑体, indented like 正文."""
    para(doc, text, font=HEAD_FONT, indent=True, keep=True)


def signature(doc: Any, issuer: str, date_text: str) -> None:
    """落款 and 成文日期 on the right with room above for the seal; kept together with the last lines."""
    for _ in range(3):
        para(doc, keep=True)
    para(doc, issuer, align="right", right_chars=2, keep=True)
    para(doc, date_text, align="right", right_chars=4)


def _field(paragraph: Any, instruction: str, size: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(size)
        set_fonts(run._r, NUMBER_FONT)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    value = OxmlElement("w:t")
    value.text = "1"
    run_with(value)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page_numbers(doc: Any) -> None:
    """“— n —” in 4号宋体: odd pages on the right, even pages on the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(SIZE_4)
        else:
            p.paragraph_format.left_indent = Pt(SIZE_4)
        for text in ("— ", None, " —"):
            if text is None:
                _field(p, "PAGE", SIZE_4)
                continue
            run = p.add_run(text)
            run.font.size = Pt(SIZE_4)
            set_fonts(run._r, NUMBER_FONT)


def table(
    doc: Any, headers: list[str], rows: list[list[str]], widths_cm: list[float], *, size: float = 12
) -> Any:
    """A bordered table with a bold header row repeated on every page; the last column (an amount) right-
    aligned, rows never split across pages.
    """
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for column, width in zip(t.columns, widths_cm):
        column.width = Cm(width)
    numeric = [
        all(_is_amount(r[i]) for r in rows if r[i]) and any(r[i] for r in rows) for i in range(len(headers))
    ]
    for index, values in enumerate([headers, *rows]):
        row = t.rows[0] if index == 0 else t.add_row()
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if index == 0:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            tr_pr.append(repeat)
        for i, (cell, value, width) in enumerate(zip(row.cells, values, widths_cm)):
            cell.width = Cm(width)
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing = 1.0
            if index == 0:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif numeric[i]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.keep_with_next = index < len(rows)  # a short table stays on one page
            run = p.add_run(value)
            run.font.size = Pt(size)
            set_fonts(run._r, HEAD_FONT if index == 0 else BODY_FONT)
    return t


def _is_amount(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").isdigit()


def save(doc: Any) -> bytes:
    """The document's bytes with fixed zip timestamps (same content, same bytes)."""
    from assembler.pipeline.wordforms import normalize_docx

    buf = io.BytesIO()
    doc.save(buf)
    return normalize_docx(buf.getvalue())
