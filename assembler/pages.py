"""The pages the tool draws itself, with an embedded subset of a CJK font (fpdf2):
cover, checklist (材料清单), table of contents (目录) with link areas, file list (文件清单), and
the stamps laid over every page (page number, and the file name under photos).

Pure drawing: takes plain data, returns PDF bytes and where the links go; no I/O beyond the font.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from assembler.fonts import CjkFont

MM = 72 / 25.4
RED, GREY, BLACK, GREEN = (190, 30, 30), (110, 110, 110), (0, 0, 0), (20, 110, 40)
TOC_LINE = 7.2          # mm per 目录 entry
TOC_TOP, TOC_BOTTOM = 38.0, 270.0


@dataclass(frozen=True)
class CoverInfo:
    """What the cover shows."""

    fund: str
    case: str
    applicant: str
    credit_code: str
    year: int
    amount: str
    amount_capital: str
    contact: str
    date: dt.date
    measures: str
    subtitle: str = ""


@dataclass(frozen=True)
class ChecklistRow:
    """One material on the checklist page."""

    number: str
    title: str
    status: str
    ok: bool
    pages: str


@dataclass(frozen=True)
class TocEntry:
    """One line of the 目录: level 0 material, 1 meeting or file, 2 file of a meeting."""

    level: int
    title: str
    page: int           # 1-based page number in the dossier


@dataclass(frozen=True)
class LinkArea:
    """A clickable rectangle on a generated page (points, PDF coordinates) and its target page (0-based)."""

    page_index: int
    rect: tuple[float, float, float, float]
    target: int


@dataclass(frozen=True)
class StampSpec:
    """What to print over one dossier page, given its displayed size in points."""

    width: float
    height: float
    number: str
    caption: str = ""


@dataclass
class Drawn:
    """Generated pages: the PDF bytes, the number of pages and the link areas on them."""

    data: bytes
    pages: int
    links: list[LinkArea] = field(default_factory=list)
    checklist_pages: int = 0


def toc_pages_needed(entries: int) -> int:
    """How many 目录 pages `entries` lines take (fixed line height, one line per entry)."""
    per_page = int((TOC_BOTTOM - TOC_TOP) // TOC_LINE)
    return max(1, -(-entries // per_page))


class PageMaker:
    """Draws generated pages with one CJK font."""

    def __init__(self, font: CjkFont, date: dt.date) -> None:
        self.font = font
        self.date = dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.timezone.utc)

    def _new(self, unit: str = "mm") -> FPDF:
        pdf = FPDF(unit=unit, format="A4")
        pdf.set_creation_date(self.date)
        pdf.set_auto_page_break(False)
        pdf.add_font("cjk", fname=str(self.font.path), collection_font_number=self.font.index)
        bold = Path(str(self.font.path).replace("Regular", "Bold"))
        if bold != self.font.path and bold.is_file():
            pdf.add_font("cjk", style="B", fname=str(bold), collection_font_number=self.font.index)
        else:
            pdf.add_font("cjk", style="B", fname=str(self.font.path), collection_font_number=self.font.index)
        pdf.set_margins(20, 20, 20)
        return pdf

    @staticmethod
    def _fit(pdf: FPDF, text: str, width: float) -> str:
        """`text` shortened with … so that it fits `width` at the current font."""
        if pdf.get_string_width(text) <= width:
            return text
        while text and pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def cover(self, pdf: FPDF, info: CoverInfo) -> None:
        pdf.add_page()
        pdf.set_font("cjk", size=14)
        pdf.set_xy(20, 30)
        pdf.cell(170, 8, f"{info.year} 年度", align="C")
        pdf.set_font("cjk", "B", size=26)
        pdf.set_xy(20, 62)
        pdf.multi_cell(170, 14, info.fund, align="C")
        pdf.set_font("cjk", "B", size=22)
        pdf.set_x(20)
        pdf.cell(170, 16, "申 报 材 料", align="C")
        if info.subtitle:
            pdf.set_font("cjk", size=13)
            pdf.set_xy(20, pdf.get_y() + 18)
            pdf.cell(170, 8, info.subtitle, align="C")
        rows = [("单位名称", info.applicant), ("统一社会信用代码", info.credit_code), ("申报年度", f"{info.year} 年"),
                ("申报类别", info.case), ("申请金额", info.amount), ("", info.amount_capital),
                ("联 系 人", info.contact), ("汇编日期", f"{info.date.year} 年 {info.date.month} 月 {info.date.day} 日")]
        y = 150
        for label, value in rows:
            pdf.set_font("cjk", "B" if label else "", size=13)
            pdf.set_xy(30, y)
            pdf.cell(42, 9, label)
            pdf.set_font("cjk", size=13)
            pdf.set_xy(72, y)
            pdf.cell(110, 9, self._fit(pdf, value or "无", 108), border="B")
            y += 13
        pdf.set_font("cjk", size=10.5)
        pdf.set_text_color(*GREY)
        pdf.set_xy(20, 262)
        pdf.cell(170, 6, f"依据：{info.measures}", align="C")
        pdf.set_text_color(*BLACK)

    def checklist(self, pdf: FPDF, rows: list[ChecklistRow], award_lines: list[str], problems: list[str]) -> None:
        pdf.add_page()
        pdf.set_font("cjk", "B", size=18)
        pdf.set_xy(20, 22)
        pdf.cell(170, 10, "申报材料清单", align="C")
        widths = [14, 104, 30, 22]
        y = 40
        pdf.set_font("cjk", "B", size=11)
        x = 20
        for w, head in zip(widths, ["序号", "材料", "状态", "页码"]):
            pdf.set_xy(x, y)
            pdf.cell(w, 9, head, border=1, align="C")
            x += w
        y += 9
        for row in rows:
            pdf.set_font("cjk", size=10.5)
            lines = pdf.multi_cell(widths[1] - 2, 6, row.title, dry_run=True, output="LINES")
            h = max(9.0, 6 * len(lines) + 3)
            if y + h > 250:
                pdf.add_page()
                y = 22
            x = 20
            pdf.rect(x, y, sum(widths), h)
            for w in widths[:-1]:
                x += w
                pdf.line(x, y, x, y + h)
            pdf.set_xy(20, y)
            pdf.cell(widths[0], h, row.number, align="C")
            pdf.set_xy(20 + widths[0] + 1, y + 1.5)
            pdf.multi_cell(widths[1] - 2, 6, row.title)
            pdf.set_text_color(*(GREEN if row.ok else RED))
            pdf.set_xy(20 + widths[0] + widths[1], y)
            pdf.cell(widths[2], h, row.status, align="C")
            pdf.set_text_color(*BLACK)
            pdf.set_xy(20 + sum(widths[:3]), y)
            pdf.cell(widths[3], h, row.pages, align="C")
            y += h
        y += 6
        pdf.set_font("cjk", "B", size=12)
        pdf.set_xy(20, y)
        pdf.cell(170, 8, "鼓励金计算")
        pdf.set_font("cjk", size=10.5)
        y += 8
        for line in award_lines:
            pdf.set_xy(24, y)
            pdf.multi_cell(166, 6, line)
            y = pdf.get_y()
        if problems:
            y += 4
            pdf.set_text_color(*RED)
            pdf.set_font("cjk", "B", size=12)
            pdf.set_xy(20, y)
            pdf.cell(170, 8, "材料不完整，以下问题尚未解决：")
            pdf.set_font("cjk", size=10)
            y += 8
            for line in problems:
                if y > 272:
                    pdf.add_page()
                    y = 22
                pdf.set_xy(24, y)
                pdf.multi_cell(166, 5.5, f"· {line}")
                y = pdf.get_y()
            pdf.set_text_color(*BLACK)

    def toc(self, pdf: FPDF, entries: list[TocEntry], first_page_index: int) -> list[LinkArea]:
        links = []
        per_page = int((TOC_BOTTOM - TOC_TOP) // TOC_LINE)
        for start in range(0, max(len(entries), 1), per_page):
            pdf.add_page()
            page_index = first_page_index + start // per_page
            pdf.set_font("cjk", "B", size=18)
            pdf.set_xy(20, 20)
            pdf.cell(170, 10, "目    录" if start == 0 else "目录（续）", align="C")
            y = TOC_TOP
            for entry in entries[start:start + per_page]:
                indent = 20 + 7 * entry.level
                pdf.set_font("cjk", "B" if entry.level == 0 else "", size=11.5 if entry.level == 0 else 10.5)
                number = str(entry.page)
                number_w = pdf.get_string_width(number)
                title = self._fit(pdf, entry.title, 190 - indent - number_w - 14)
                pdf.set_xy(indent, y)
                pdf.cell(pdf.get_string_width(title) + 1, TOC_LINE, title)
                dots_from = indent + pdf.get_string_width(title) + 2
                dots_to = 190 - number_w - 2
                pdf.set_text_color(*GREY)
                pdf.set_font("cjk", size=9)
                dots = "·" * max(0, int((dots_to - dots_from) / pdf.get_string_width("·")))
                pdf.set_xy(dots_from, y)
                pdf.cell(dots_to - dots_from, TOC_LINE, dots, align="R")
                pdf.set_text_color(*BLACK)
                pdf.set_font("cjk", "B" if entry.level == 0 else "", size=11.5 if entry.level == 0 else 10.5)
                pdf.set_xy(190 - number_w, y)
                pdf.cell(number_w, TOC_LINE, number)
                top = 297 - y - TOC_LINE
                links.append(LinkArea(page_index, (indent * MM, top * MM, 190 * MM, (top + TOC_LINE) * MM),
                                      entry.page - 1))
                y += TOC_LINE
        return links

    def front_matter(self, cover: CoverInfo, rows: list[ChecklistRow], award_lines: list[str],
                     problems: list[str], entries: list[TocEntry]) -> Drawn:
        """Cover, checklist and 目录 as one PDF. `checklist_pages` of the result says where the 目录 starts."""
        pdf = self._new()
        self.cover(pdf, cover)
        self.checklist(pdf, rows, award_lines, problems)
        checklist_pages = pdf.page - 1
        links = self.toc(pdf, entries, first_page_index=1 + checklist_pages)
        return Drawn(bytes(pdf.output()), pdf.page, links, checklist_pages)

    def file_list(self, rows: list[tuple[str, str, str, str]], header: str) -> Drawn:
        """The 文件清单 (manifest page): path, pages, size and SHA-256 of every file."""
        pdf = self._new()
        pdf.add_page()
        pdf.set_font("cjk", "B", size=18)
        pdf.set_xy(20, 20)
        pdf.cell(170, 10, "文 件 清 单", align="C")
        pdf.set_font("cjk", size=9)
        pdf.set_text_color(*GREY)
        pdf.set_xy(20, 31)
        pdf.multi_cell(170, 5, header)
        pdf.set_text_color(*BLACK)
        y = pdf.get_y() + 3
        for path, pages, size, digest in rows:
            if y > 275:
                pdf.add_page()
                y = 20
            pdf.set_font("cjk", size=9.5)
            pdf.set_xy(20, y)
            pdf.cell(118, 5, self._fit(pdf, path, 116))
            pdf.set_xy(138, y)
            pdf.cell(26, 5, pages, align="R")
            pdf.set_xy(164, y)
            pdf.cell(26, 5, size, align="R")
            pdf.set_font("cjk", size=7)
            pdf.set_text_color(*GREY)
            pdf.set_xy(24, y + 5)
            pdf.cell(166, 4, f"SHA-256 {digest}")
            pdf.set_text_color(*BLACK)
            y += 10.5
        return Drawn(bytes(pdf.output()), pdf.page)

    def stamps(self, specs: list[StampSpec]) -> bytes:
        """One transparent page per dossier page with its number (— 7 —) and caption, sized as displayed."""
        pdf = self._new(unit="pt")
        for spec in specs:
            pdf.add_page(format=(spec.width, spec.height))
            if spec.caption:
                pdf.set_font("cjk", size=8)
                pdf.set_text_color(*GREY)
                pdf.set_xy(20, spec.height - 44)
                pdf.cell(spec.width - 40, 10, self._fit(pdf, spec.caption, spec.width - 40), align="C")
            pdf.set_font("cjk", size=10.5)
            pdf.set_text_color(*BLACK)
            pdf.set_xy(0, spec.height - 26)
            pdf.cell(spec.width, 12, f"— {spec.number} —", align="C")
        return bytes(pdf.output())
