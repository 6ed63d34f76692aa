"""The pages the tool draws itself, with an embedded subset of a CJK font (fpdf2):
cover, checklist (材料清单), table of contents (目录) with link areas, file list (文件清单), and
the stamps laid over every page (page number, and the file name under photos).

Pure drawing: takes plain data, returns PDF bytes and where the links go; no I/O beyond the font.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assembler.system.fonts import CjkFont

MM = 72 / 25.4
RED, GREY, BLACK, GREEN = (190, 30, 30), (110, 110, 110), (0, 0, 0), (20, 110, 40)
TOC_LINE = 7.2  # mm per 目录 entry
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
    period: str = ""  # the activity period (活动期间)


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
    page: int  # 1-based page number in the dossier


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
    blank: bool = False  # a page left empty for double-sided printing: marked 此页无正文


BLANK_MARK = "此页无正文"
BINDING_PREFIX = "sha256:"  # before the manifest's binding on the 文件清单 page (verify reads it back)


def _printable(text: str) -> str:
    """Control characters (a newline in a file name, say) drawn as spaces: fonts have no glyph for them."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def toc_pages_needed(entries: int) -> int:
    """How many 目录 pages `entries` lines take (fixed line height, one line per entry)."""
    per_page = int((TOC_BOTTOM - TOC_TOP) // TOC_LINE)
    return max(1, -(-entries // per_page))


class PageMaker:
    """Draws every generated page of one dossier into one fpdf2 document, so the CJK font is parsed and
    subset once (measured: each load of a Noto CJK collection costs 0.4 s and each subset 0.35 s).

    Page counts are computed before drawing (`checklist_pages`, `file_list_pages`, `toc_pages_needed`),
    so the 目录 can be drawn once with its final page numbers.
    """

    def __init__(self, font: CjkFont, date: dt.date) -> None:
        self.font = font
        from fpdf import FPDF  # imported when pages are drawn: a kept or refused build never loads it

        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_creation_date(dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.UTC))
        self.pdf.set_auto_page_break(False)
        self.pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
        self.pdf.set_margins(20, 20, 20)
        self._drawing = True
        self._counted = 0

    # -- helpers ---------------------------------------------------------------------------------------
    def _page(self, size: tuple[float, float] | None = None) -> None:
        if self._drawing:
            self.pdf.add_page(format=size or "A4")
        else:
            self._counted += 1

    def _text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str,
        size: float,
        align: str = "L",
        color: tuple[int, int, int] = BLACK,
        border: Literal[0, 1] | str = 0,
    ) -> None:
        if not self._drawing:
            return
        self.pdf.set_font("cjk", size=size)
        self.pdf.set_text_color(*color)
        self.pdf.set_xy(x, y)
        self.pdf.cell(w, h, _printable(text), border=border, align=align)
        self.pdf.set_text_color(*BLACK)

    def _lines(self, text: str, width: float, size: float) -> list[str]:
        """`text` wrapped to `width` mm, character by character (Chinese has no spaces to break at)."""
        self.pdf.set_font("cjk", size=size)
        lines = []
        for paragraph in text.split("\n"):
            current = ""
            for ch in paragraph:
                if current and self.pdf.get_string_width(current + ch) > width:
                    lines.append(current)
                    current = ch
                else:
                    current += ch
            lines.append(current)
        return lines

    def fit(self, text: str, width: float, size: float) -> str:
        """`text` shortened with … so that it fits `width` mm at `size` pt."""
        text = _printable(text)
        self.pdf.set_font("cjk", size=size)
        if self.pdf.get_string_width(text) <= width:
            return text
        while text and self.pdf.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def _measure(self, draw) -> int:
        self._drawing, self._counted = False, 0
        try:
            draw()
        finally:
            self._drawing = True
        return self._counted

    @property
    def page_count(self) -> int:
        """Pages drawn so far."""
        return self.pdf.page

    # -- cover -----------------------------------------------------------------------------------------
    def cover(self, info: CoverInfo) -> None:
        """The cover: fund, applicant, code, year, amount, contact, date."""
        self._page()
        self._text(20, 30, 170, 8, f"{info.year} 年度", 14, "C")
        y = 62.0
        for line in self._lines(info.fund, 170, 26):
            self._text(20, y, 170, 14, line, 26, "C")
            y += 14
        self._text(20, y + 2, 170, 16, "申 报 材 料", 22, "C")
        if info.subtitle:
            self._text(20, y + 22, 170, 8, info.subtitle, 13, "C")
        rows = [
            ("单位名称", info.applicant),
            ("统一社会信用代码", info.credit_code),
            ("申报年度", f"{info.year} 年"),
            *([("活动期间", info.period)] if info.period else []),
            ("申报类别", info.case),
            ("申请金额", info.amount),
            ("", info.amount_capital),
            ("联 系 人", info.contact),
            ("汇编日期", f"{info.date.year} 年 {info.date.month} 月 {info.date.day} 日"),
        ]
        y, step = (150.0, 13.0) if len(rows) <= 8 else (146.0, 12.5)
        for label, value in rows:
            self._text(30, y, 42, 9, label, 13)
            self._text(72, y, 110, 9, self.fit(value or "无", 108, 13), 13, border="B")
            y += step
        self._text(20, 262, 170, 6, f"依据：{info.measures}", 10.5, "C", GREY)

    # -- checklist -------------------------------------------------------------------------------------
    def checklist(
        self,
        rows: list[ChecklistRow],
        award_lines: list[str],
        problems: list[str],
        notes: Sequence[str] = (),
    ) -> None:
        """材料清单: each material with its status and pages; the award; in red what is still missing."""
        widths = [14, 104, 30, 22]
        self._page()
        self._text(20, 22, 170, 10, "申报材料清单", 18, "C")
        y = 40.0
        x = 20.0
        for w, head in zip(widths, ["序号", "材料", "状态", "页码"]):
            self._text(x, y, w, 9, head, 11, "C", border=1)
            x += w
        y += 9
        for row in rows:
            lines = self._lines(row.title, widths[1] - 2, 10.5)
            h = max(9.0, 6 * len(lines) + 3)
            if y + h > 250:
                self._page()
                y = 22
            if self._drawing:
                self.pdf.rect(20, y, sum(widths), h)
                x = 20
                for w in widths[:-1]:
                    x += w
                    self.pdf.line(x, y, x, y + h)
            self._text(20, y, widths[0], h, row.number, 10.5, "C")
            for i, line in enumerate(lines):
                self._text(20 + widths[0] + 1, y + 1.5 + 6 * i, widths[1] - 2, 6, line, 10.5)
            self._text(
                20 + widths[0] + widths[1], y, widths[2], h, row.status, 10.5, "C", GREEN if row.ok else RED
            )
            self._text(20 + sum(widths[:3]), y, widths[3], h, row.pages, 10.5, "C")
            y += h
        y += 6
        self._text(20, y, 170, 8, "鼓励金计算", 12)
        y += 8
        for line in award_lines:
            for part in self._lines(line, 166, 10.5):
                self._text(24, y, 166, 6, part, 10.5)
                y += 6
        if problems:
            y = self._bullets(y, "材料不完整，以下问题尚未解决：", problems, RED, RED)
        if notes:
            y = self._bullets(y, "内容核对提示（供评审参考）：", notes, BLACK, GREY)

    def _bullets(
        self,
        y: float,
        title: str,
        items: Sequence[str],
        title_color: tuple[int, int, int],
        color: tuple[int, int, int],
    ) -> float:
        """A titled list under the award on the 材料清单, continued on a new page where the page ends."""
        y += 4
        if y > 262:
            self._page()
            y = 22
        self._text(20, y, 170, 8, title, 12, color=title_color)
        y += 8
        for item in items:
            for part in self._lines(f"· {item}", 166, 10):
                if y > 276:
                    self._page()
                    y = 22
                self._text(24, y, 166, 5.5, part, 10, color=color)
                y += 5.5
        return y

    def checklist_pages(
        self, rows: list[ChecklistRow], award_lines: list[str], problems: list[str], notes: Sequence[str]
    ) -> int:
        """How many pages the checklist takes, without drawing it."""
        return self._measure(lambda: self.checklist(rows, award_lines, problems, notes))

    # -- 目录 -------------------------------------------------------------------------------------------
    def toc(self, entries: list[TocEntry]) -> list[LinkArea]:
        """目录: every material, meeting and file with its start page; each line links to its page."""
        links = []
        per_page = int((TOC_BOTTOM - TOC_TOP) // TOC_LINE)
        for start in range(0, max(len(entries), 1), per_page):
            self._page()
            page_index = self.pdf.page - 1
            self._text(20, 20, 170, 10, "目    录" if start == 0 else "目录（续）", 18, "C")
            y = TOC_TOP
            for entry in entries[start : start + per_page]:
                indent = 20 + 7 * entry.level
                size = 11.5 if entry.level == 0 else 10.5
                number = str(entry.page)
                self.pdf.set_font("cjk", size=size)
                number_w = self.pdf.get_string_width(number)
                title = self.fit(entry.title, 190 - indent - number_w - 14, size)
                title_w = self.pdf.get_string_width(title)
                self._text(indent, y, title_w + 1, TOC_LINE, title, size)
                dots_from, dots_to = indent + title_w + 2, 190 - number_w - 2
                self.pdf.set_font("cjk", size=9)
                dots = "·" * max(0, int((dots_to - dots_from) / self.pdf.get_string_width("·")))
                self._text(dots_from, y, dots_to - dots_from, TOC_LINE, dots, 9, "R", GREY)
                self._text(190 - number_w, y, number_w, TOC_LINE, number, size)
                top = 297 - y - TOC_LINE
                links.append(
                    LinkArea(
                        page_index, (indent * MM, top * MM, 190 * MM, (top + TOC_LINE) * MM), entry.page - 1
                    )
                )
                y += TOC_LINE
        return links

    # -- 文件清单 ----------------------------------------------------------------------------------------
    def file_list(self, rows: list[tuple[str, str, str, str]], header: str, binding: str = "") -> None:
        """文件清单: path, pages, size and SHA-256 of every file placed in the dossier; under the title the
        核验码 that binds the embedded manifest to the printed pages (assembler.integrity.manifest)."""
        self._page()
        self._text(20, 20, 170, 10, "文 件 清 单", 18, "C")
        if binding and self._drawing:
            self._text(20, 283, 22, 4, "清单核验码", 7, color=GREY)
            self._text(42, 283, 150, 4, f"{BINDING_PREFIX}{binding}", 6.5, color=GREY)
        y = 31.0
        for line in self._lines(header, 170, 9):
            self._text(20, y, 170, 5, line, 9, color=GREY)
            y += 5
        y += 3
        for path, pages, size, digest in rows:
            if y > 275:
                self._page()
                y = 20
            self._text(20, y, 118, 5, self.fit(path, 116, 9.5), 9.5)
            self._text(138, y, 26, 5, pages, 9.5, "R")
            self._text(164, y, 26, 5, size, 9.5, "R")
            self._text(24, y + 5, 166, 4, f"SHA-256 {digest}", 7, color=GREY)
            y += 10.5

    def file_list_pages(self, rows: list[tuple[str, str, str, str]], header: str) -> int:
        """How many pages the file list takes, without drawing it."""
        return self._measure(lambda: self.file_list(rows, header))

    # -- stamps ----------------------------------------------------------------------------------------
    def empty_page(self) -> None:
        """An A4 page with nothing on it (its 此页无正文 comes with the page stamps)."""
        self._page()

    def stamps(self, specs: list[StampSpec]) -> None:
        """One transparent page per dossier page with its number (— 7 —) and caption, sized as displayed."""
        for spec in specs:
            w, h = spec.width / MM, spec.height / MM
            self._page((w, h))
            if spec.caption:
                self._text(7, h - 15.5, w - 14, 3.5, self.fit(spec.caption, w - 14, 8), 8, "C", GREY)
            if spec.blank:
                self._text(0, h / 2 - 4, w, 8, BLANK_MARK, 14, "C", GREY)
            self._text(0, h - 9.2, w, 4.2, f"— {spec.number} —", 10.5, "C")

    def output(self) -> bytes:
        """All pages drawn, as one PDF, with text every reader extracts (assembler.pipeline.textlayer)."""
        from assembler.pipeline.textlayer import identity_encoded

        return identity_encoded(bytes(self.pdf.output()))
