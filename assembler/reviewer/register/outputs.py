"""What the union office takes out of the register for one year: a 补正通知 per returned application
(.docx), the 公示名单 of approved awards (.docx and .xlsx), the 拨款明细 per base union (.xlsx) and the
year summary per fund and case (.xlsx, for the report under 第四条).

Only the current version of each application counts, with its current decision. Text cells that begin
with = + - @ are written as text, never as formulas.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assembler.core.application import LEVEL_TITLES
from assembler.core.dates import beijing_now
from assembler.reviewer.register import db as store
from assembler.reviewer.register.decisions import Decision, current_decisions
from assembler.reviewer.register.intake import refresh_findings
from assembler.reviewer.register.records import Record, beijing_text, from_fen, scheme_title
from assembler.reviewer.register.records import case_title as _case_title

UNION = "天津滨海高新技术产业开发区总工会"
BODY_FONT, TITLE_FONT = "仿宋", "黑体"
MONEY_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Entry:
    """One application (its current version) with its current decision."""

    record: Record
    decision: Decision | None

    @property
    def approved(self) -> Decimal | None:
        return self.decision.approved if self.decision and self.decision.decision == "approved" else None


def year_entries(db: Database, year: int | None) -> list[Entry]:
    """The current version of every application of `year` (every year when None), with its current
    decision.
    """
    where = "a.year = ? AND" if year is not None else ""
    ids = [
        r["id"]
        for r in db.query(
            f"SELECT a.id FROM applications a WHERE {where} NOT EXISTS "
            "(SELECT 1 FROM applications b WHERE b.previous_id = a.id) ORDER BY a.id",
            [year] if year is not None else [],
        )
    ]
    decisions = current_decisions(db)
    return [Entry(r, decisions.get(r.id or 0)) for r in store.load_records(db, ids)]


def case_title(r: Record) -> str:
    """情形一/情形二, or the studio's name and level."""
    if r.scheme == "studio":
        return f"{r.studio_name or ''}（{LEVEL_TITLES.get(r.studio_level or '', '')}）"
    return _case_title(r.case)


def _date_words(day: dt.date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:60]


# ---- Word ----------------------------------------------------------------------------------------


def _set_fonts(element: Any, east_asia: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _document(landscape: bool = False) -> Any:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    for name in ("Normal", "Table Grid"):
        _set_fonts(doc.styles[name].element, BODY_FONT)
    doc.styles["Normal"].font.size = Pt(14)
    doc.core_properties.author = UNION
    return doc


def _para(doc: Any, text: str, *, font: str = BODY_FONT, size: float = 14, align: str = "left", bold=False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    p.paragraph_format.space_after = Pt(6)
    p.paragraph_format.line_spacing = 1.3
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._r, font)
    return p


def _save_docx(doc: Any) -> bytes:
    from assembler.pipeline.wordforms import normalize_docx

    buf = io.BytesIO()
    doc.save(buf)
    return normalize_docx(buf.getvalue())


def notice_items(db: Database, entry: Entry) -> list[str]:
    """What the applicant has to correct: the reviewers' reasons, then every error and warning found
    (by verify/check and across the register), each with its fix, in the words of the forms.
    """
    record = entry.record
    assert record.id is not None
    refresh_findings(db, record.id)
    lines: list[str] = []
    if entry.decision and entry.decision.reasons:
        lines.extend(s.strip() for s in re.split(r"[；;\n]", entry.decision.reasons) if s.strip())
    for f in store.stored_findings(db, record.id):
        if f.severity not in ("error", "warning"):
            continue
        text = re.sub(r"^\[[A-Z0-9-]+\]\s*", "", f.message)
        where = f"（材料 {f.material}）" if f.material and f"材料 {f.material}" not in text else ""
        fix = f"处理办法：{f.fix}" if f.fix else ""
        lines.append(f"{text}{where}。{fix}".replace("。。", "。"))
    return lines


def notice_docx(db: Database, entry: Entry, today: dt.date | None = None) -> bytes:
    """补正通知 for one returned application."""
    from docx.shared import Pt

    r = entry.record
    day = today or (
        dt.date.fromisoformat(beijing_text(entry.decision.decided_at)[:10])
        if entry.decision
        else beijing_now().date()
    )
    doc = _document()
    _para(doc, "补 正 通 知", font=TITLE_FONT, size=22, align="center")
    _para(doc, f"登记号：{r.id}（第 {r.version} 版）", size=12, align="right")
    _para(doc, f"{r.unit_name}（{r.union_name or '工会'}）：")
    received = r.received_on
    fund = scheme_title(r.scheme)
    what = f"，{case_title(r)}" if case_title(r) else ""
    body = _para(
        doc,
        f"贵单位于 {_date_words(dt.date.fromisoformat(received))}报送的 {r.year} 年度{fund}申报材料"
        f"（{r.source_name}{what}）经审核，需补正以下事项：",
        align="justify",
    )
    body.paragraph_format.first_line_indent = Pt(28)
    items = notice_items(db, entry) or ["请按评审意见补充完善申报材料。"]
    for i, line in enumerate(items, start=1):
        p = _para(doc, f"{i}. {line}", align="justify")
        p.paragraph_format.first_line_indent = Pt(28)
    tail = _para(
        doc,
        "请按上述意见补正后，使用 dossier build 重新生成申报材料并再次报送；补正后的材料将作为新版本登记，"
        "与本次材料一并审核。",
        align="justify",
    )
    tail.paragraph_format.first_line_indent = Pt(28)
    closing = [tail]
    if entry.decision:
        closing.append(_para(doc, f"经办人：{entry.decision.reviewer}", size=12))
    closing += [_para(doc, ""), _para(doc, UNION, align="right")]
    _para(doc, _date_words(day), align="right")
    for p in closing:  # the signature never stands alone on a page
        p.paragraph_format.keep_with_next = True
    return _save_docx(doc)


def _table(doc: Any, headers: list[str], rows: list[list[str]], widths: list[float]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)  # the grid LibreOffice and WPS lay out by
    for row_cells, values, bold in [(table.rows[0].cells, headers, True)] + [
        (table.add_row().cells, r, False) for r in rows
    ]:
        for i, (cell, value, width) in enumerate(zip(row_cells, values, widths)):
            cell.width = Cm(width)
            p = cell.paragraphs[0]
            if i == len(headers) - 1 and not bold:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # the amount
            run = p.add_run(str(value))
            run.font.size = Pt(12)
            run.font.bold = bold
            _set_fonts(run._r, TITLE_FONT if bold else BODY_FONT)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def approved_entries(entries: list[Entry]) -> list[Entry]:
    """Approved awards, by fund then register number."""
    chosen = [e for e in entries if e.approved is not None]
    return sorted(chosen, key=lambda e: (e.record.scheme != "innovation", e.record.id or 0))


def _yuan(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def publicity_docx(entries: list[Entry], year: int, today: dt.date | None = None) -> bytes:
    """公示名单: the approved awards of the year, per fund."""
    doc = _document()
    _para(doc, f"{year} 年度高新区职工创新鼓励金拟支持名单公示", font=TITLE_FONT, size=20, align="center")
    intro = _para(
        doc,
        "根据《天津滨海高新技术产业开发区职工创新管理办法》（津高新工发〔2021〕2号），经职工创新评审委员会评审，"
        "拟对以下单位给予职工创新鼓励金支持，现予公示。公示期间如有异议，请向高新区总工会反映。",
        align="justify",
    )
    from docx.shared import Pt

    intro.paragraph_format.first_line_indent = Pt(28)
    approved = approved_entries(entries)
    for scheme in ("innovation", "studio"):
        title = scheme_title(scheme)
        rows = [e for e in approved if e.record.scheme == scheme]
        if not rows:
            continue
        _para(doc, f"{title}（{len(rows)} 家）", font=TITLE_FONT, size=14)
        total = sum((e.approved or Decimal(0) for e in rows), Decimal(0))
        _table(
            doc,
            ["序号", "单位名称", "情形 / 工作室", "核定金额（元）"],
            [
                [str(i), e.record.unit_name, case_title(e.record), _yuan(e.approved)]
                for i, e in enumerate(rows, 1)
            ]
            + [["", "合计", "", _yuan(total)]],
            [1.5, 6.5, 5.5, 3.0],
        )
    if not approved:
        _para(doc, "（本年度尚无通过的申请）")
    _para(doc, "")
    _para(doc, "公示期：      年   月   日至      年   月   日")
    _para(doc, UNION, align="right")
    _para(doc, _date_words(today or beijing_now().date()), align="right")
    return _save_docx(doc)


# ---- Excel ---------------------------------------------------------------------------------------


def put_row(ws: Any, values: list[Any]) -> None:
    """Append a row; text that a spreadsheet would take for a formula (= + - @) stays text."""
    from assembler.files import append_row

    append_row(ws, values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, Decimal):
            cell.number_format = MONEY_FORMAT


def _bold_last(ws: Any) -> None:
    from openpyxl.styles import Font

    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _workbook_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _setup_print(ws: Any, title: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = title


def publicity_xlsx(entries: list[Entry], year: int) -> bytes:
    """公示名单 as a workbook (one row per approved award)."""
    from assembler.files import new_sheet_with_header

    headers = ["序号", "基金", "单位名称", "统一社会信用代码", "情形 / 工作室", "核定金额（元）", "登记号"]
    wb, ws = new_sheet_with_header("公示名单", headers, [6, 30, 34, 22, 32, 16, 8])
    approved = approved_entries(entries)
    for i, e in enumerate(approved, start=1):
        r = e.record
        put_row(ws, [i, scheme_title(r.scheme), r.unit_name, r.credit_code, case_title(r), e.approved, r.id])
    put_row(
        ws, ["", "合计", f"{len(approved)} 家", "", "", sum((e.approved or 0 for e in approved), Decimal(0))]
    )
    _bold_last(ws)
    _setup_print(ws, f"{year} 年度高新区职工创新鼓励金拟支持名单")
    return _workbook_bytes(wb)


def union_key(r: Record) -> tuple[str, str]:
    """The base union an award is paid to: its credit code when given, and its name."""
    return (r.union_code or "", r.union_name or f"{r.unit_name}工会")


def grants_xlsx(entries: list[Entry], year: int) -> bytes:
    """拨款明细 per base union: each approved award with the unit's bank details, a subtotal per union."""
    from assembler.files import new_sheet_with_header

    headers = [
        "序号",
        "基层工会名称",
        "基层工会统一社会信用代码",
        "单位名称",
        "单位统一社会信用代码",
        "基金",
        "情形 / 工作室",
        "登记号",
        "核定金额（元）",
        "开户银行",
        "银行账号",
    ]
    wb, ws = new_sheet_with_header("拨款明细", headers, [6, 34, 24, 34, 22, 28, 28, 8, 14, 26, 26])
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in approved_entries(entries):
        groups[union_key(e.record)].append(e)
    n = 0
    grand = Decimal(0)
    for (code, name), group in sorted(groups.items(), key=lambda kv: kv[0][1]):
        subtotal = Decimal(0)
        for e in group:
            n += 1
            r = e.record
            bank = (r.data.get("applicant") or {}).get("bank") or {}
            put_row(
                ws,
                [
                    n,
                    name,
                    code or "（未填写）",
                    r.unit_name,
                    r.credit_code,
                    scheme_title(r.scheme),
                    case_title(r),
                    r.id,
                    e.approved,
                    bank.get("name", ""),
                    bank.get("account", ""),
                ],
            )
            subtotal += e.approved or Decimal(0)
        put_row(ws, ["", f"小计：{name}", code, "", "", "", "", "", subtotal])
        _bold_last(ws)
        grand += subtotal
    put_row(ws, ["", f"合计（{len(groups)} 个基层工会）", "", "", "", "", "", "", grand])
    _bold_last(ws)
    _setup_print(ws, f"{year} 年度高新区职工创新鼓励金拨款明细")
    return _workbook_bytes(wb)


def summary_rows(entries: list[Entry]) -> list[list[Any]]:
    """Per fund and case: applications, decisions, claimed and approved totals (for 第四条's report)."""
    keys: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        r = e.record
        case = _case_title(r.case) if r.scheme == "innovation" else "—"
        keys[(r.scheme, case)].append(e)
    rows: list[list[Any]] = []
    for (scheme, case), group in sorted(keys.items(), key=lambda kv: (kv[0][0] != "innovation", kv[0][1])):
        counts: dict[str, int] = defaultdict(int)
        for e in group:
            counts[e.decision.decision if e.decision else "open"] += 1
        rows.append(
            [
                scheme_title(scheme),
                case,
                len(group),
                counts["approved"],
                counts["returned"],
                counts["rejected"],
                counts["open"],
                sum((from_fen(e.record.trusted_claim_fen) or Decimal(0) for e in group), Decimal(0)),
                sum((e.approved or Decimal(0) for e in group), Decimal(0)),
            ]
        )
    return rows


SUMMARY_HEADERS = [
    "基金",
    "情形",
    "申请数",
    "通过",
    "退回补正",
    "不予支持",
    "未决定",
    "申请金额（元）",
    "核定金额（元）",
]


def summary_xlsx(entries: list[Entry], year: int) -> bytes:
    """The year summary per fund and case, with a total row."""
    from assembler.files import new_sheet_with_header

    wb, ws = new_sheet_with_header(f"{year}年度汇总", SUMMARY_HEADERS, [30, 26, 9, 8, 10, 10, 8, 16, 16])
    rows = summary_rows(entries)
    for row in rows:
        put_row(ws, row)
    counts = [sum(r[i] for r in rows) for i in range(2, 7)]
    money = [sum((r[i] for r in rows), Decimal(0)) for i in (7, 8)]
    put_row(ws, ["合计", "", *counts, *money])
    _bold_last(ws)
    for e in entries:  # decisions outside the measures, with the committee's written reason
        if e.decision is not None and e.decision.override:
            r = e.record
            put_row(
                ws,
                [
                    f"突破办法规定：登记号 {r.id} {r.unit_name}",
                    e.decision.override,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    e.approved,
                ],
            )
    _setup_print(ws, f"{year} 年度高新区职工创新鼓励金申报与评审汇总")
    return _workbook_bytes(wb)


def write_outputs(db: Database, year: int, outdir: Path, today: dt.date | None = None) -> list[Path]:
    """Every output of `year` into `outdir`; returns the files written."""
    from assembler.files import write_atomically

    entries = year_entries(db, year)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        target = outdir / name
        write_atomically(target, data)
        written.append(target)

    for e in entries:
        if e.decision and e.decision.decision == "returned":
            r = e.record
            put(f"补正通知-{r.id:04d}-{_safe_name(r.unit_name)}.docx", notice_docx(db, e, today))
    put(f"公示名单-{year}.docx", publicity_docx(entries, year, today))
    put(f"公示名单-{year}.xlsx", publicity_xlsx(entries, year))
    put(f"拨款明细-{year}.xlsx", grants_xlsx(entries, year))
    put(f"年度汇总-{year}.xlsx", summary_xlsx(entries, year))
    return written
