"""The year's sheets (.xlsx) as the union office prints and files them: a title row in the sheet, the
preparing office and date, a bordered table whose header repeats on every printed page, totals (the
拨款明细 also in 人民币大写) and 制表/审核/审批 lines; landscape A4, type never below 10 pt.

Text cells that begin with = + - @ are written as text, never as formulas. Workbook times and zip
timestamps are fixed, so the same register gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from assembler.core.identifiers import rmb_capital
from assembler.core.official import official_date
from assembler.load.union import UnionProfile
from assembler.reviewer.register.outputs import (
    PART_TITLES,
    Entry,
    case_title,
    parts_fen,
    payable,
    publicity_period,
    sum_fen,
    unit_count,
)
from assembler.reviewer.register.records import case_title as innovation_case
from assembler.reviewer.register.records import from_fen, scheme_title

FONT, TITLE_FONT = "宋体", "方正小标宋简体"
SIZE, TITLE_SIZE = 10.5, 16
MONEY_FORMAT = "#,##0.00"
SIGN_OFF = "制表人：                    审核人：                    审批人："


class OfficialSheet:
    """One printed sheet: title, a line under it, the table (header repeated), closing lines."""

    def __init__(self, name: str, title: str, subtitle: str, headers: list[str], widths: list[float]) -> None:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        self.wb = Workbook()
        ws: Any = self.wb.active
        self.ws = ws
        self.ws.title = name
        self.columns = len(headers)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self._line(title, font=TITLE_FONT, size=TITLE_SIZE, align="center", height=30)
        self._line(subtitle, height=20)
        self.header_row = self.ws.max_row + 1
        self.row(headers, header=True)

    def _style(self, cell: Any, *, bold: bool = False, size: float = SIZE, font: str = FONT) -> None:
        from openpyxl.styles import Font

        cell.font = Font(name=font, size=size, bold=bold)

    def _line(
        self, text: str, *, font: str = FONT, size: float = SIZE, align: str = "left", height: float = 18
    ) -> None:
        """A line of text across the table's width (merged cells, no border)."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        ws = self.ws
        row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
        ws.cell(row, 1, text)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=self.columns)
        cell = ws.cell(row, 1)
        self._style(cell, size=size, font=font)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        total = sum(
            (ws.column_dimensions[get_column_letter(i)].width or 8) for i in range(1, self.columns + 1)
        )
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) * size / SIZE
        ws.row_dimensions[row].height = max(height, -(-units // max(int(total) - 2, 1)) * size * 1.45 + 4)

    def row(self, values: list[Any], *, header: bool = False, bold: bool = False) -> None:
        """A bordered table row; amounts get the money format, text never becomes a formula."""
        from openpyxl.styles import Alignment, Border, PatternFill, Side

        from assembler.files import append_row

        append_row(self.ws, values + [None] * (self.columns - len(values)))
        thin = Side(style="thin", color="000000")
        for cell in self.ws[self.ws.max_row][: self.columns]:
            self._style(cell, bold=header or bold)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            numeric = isinstance(cell.value, Decimal | int) and not isinstance(cell.value, bool)
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
            cell.alignment = Alignment(
                horizontal="center" if header else ("right" if numeric else "left"),
                vertical="center",
                wrap_text=True,
            )
            if header:
                cell.fill = PatternFill("solid", fgColor="F2F2F2")
        self.ws.row_dimensions[self.ws.max_row].height = self._height(values)

    def _height(self, values: list[Any]) -> float:
        """The row height that shows every wrapped line (spreadsheets do not grow a row written by a
        program): CJK characters take two width units, others one.
        """
        from openpyxl.utils import get_column_letter

        lines = 1
        for i, value in enumerate(values, start=1):
            text = f"{value:,.2f}" if isinstance(value, Decimal) else str(value if value is not None else "")
            width = self.ws.column_dimensions[get_column_letter(i)].width or 8
            units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
            lines = max(lines, -(-units // max(int(width) - 1, 1)))
        return lines * SIZE * 1.45 + 4

    def close(self, lines: list[str], print_title: str) -> bytes:
        """Closing lines, print set-up, fixed times; the workbook's bytes."""
        from assembler.pipeline.wordforms import normalize_docx

        self.ws.append([])
        for text in lines:
            self._line(text, height=24)
        ws = self.ws
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.freeze_panes = ws.cell(self.header_row + 1, 1)
        fixed = dt.datetime(2021, 6, 1)
        self.wb.properties.created = self.wb.properties.modified = fixed
        self.wb.properties.creator = self.wb.properties.lastModifiedBy = print_title
        buf = io.BytesIO()
        self.wb.save(buf)
        return normalize_docx(_fixed_modified(buf.getvalue()))


def _fixed_modified(data: bytes) -> bytes:
    """The workbook with its 修改时间 fixed (openpyxl stamps the time of saving into docProps/core.xml)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2021-06-01T00:00:00Z\g<2>",
                    body,
                )
            dst.writestr(info, body)
    return out.getvalue()


def _subtitle(profile: UnionProfile, issued: dt.date, number: str = "") -> str:
    ref = f"    依据：{number}" if number else ""
    return f"编制单位：{profile.issuer}    编制日期：{official_date(issued)}{ref}"


def publicity_xlsx(
    entries: list[Entry], year: int, profile: UnionProfile, number: int, issued: dt.date
) -> bytes:
    """公示名单 as a sheet: one row per unit and fund, studio awards split, units counted."""
    chosen = payable(entries)
    sheet = OfficialSheet(
        "公示名单",
        f"{year}年度高新区职工创新鼓励金拟支持名单",
        _subtitle(profile, issued, profile.number(year, number)),
        ["序号", "单位名称", "基金", "情形 / 工作室", "新命名（元）", "年度评比（元）", "金额（元）"],
        [5, 28, 20, 24, 11, 11, 12],
    )
    for i, e in enumerate(chosen, start=1):
        parts = parts_fen(e)
        studio = e.record.scheme == "studio"
        sheet.row(
            [
                i,
                e.record.unit_name,
                scheme_title(e.record.scheme),
                case_title(e.record),
                from_fen(parts["new"]) if studio and parts["new"] else "—",
                from_fen(parts["annual"]) if studio and parts["annual"] else "—",
                e.approved,
            ]
        )
    sheet.row(
        [
            "",
            f"合计：{unit_count(chosen)} 家单位，{len(chosen)} 项",
            "",
            "",
            "",
            "",
            from_fen(sum_fen(chosen)),
        ],
        bold=True,
    )
    first, last = publicity_period(profile, issued)
    return sheet.close(
        [
            f"公示期：{official_date(first)}至{official_date(last)}（{profile.objection_days}个工作日）。"
            f"如有异议，请以书面形式实名向{profile.issuer}反映（联系人：{profile.contact}，电话：{profile.phone}，"
            f"电子邮箱：{profile.email}，地址：{profile.address}）。"
        ],
        "公示名单",
    )


def account_problem(account: str) -> str:
    """Why a bank account number cannot be paid to as written ('' when it looks right)."""
    digits = re.sub(r"[\s-]", "", account or "")
    if not digits:
        return "未填写账号"
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        return "账号应为 8 至 30 位数字"
    return ""


def grants_xlsx(
    entries: list[Entry], year: int, profile: UnionProfile, number: int, issued: dt.date
) -> bytes:
    """拨款明细 for finance: one row per receiving union (and account), 户名, 开户行, 账号, amount, what
    it pays for; total in figures and in capitals; sign-off lines. Only approved, current, not
    disqualified applications.
    """
    sheet = OfficialSheet(
        "拨款明细",
        f"{year}年度高新区职工创新鼓励金拨款明细表",
        _subtitle(profile, issued, f"{profile.number(year, number)}公示"),
        [
            "序号",
            "户名（收款基层工会）",
            "开户银行",
            "银行账号",
            "金额（元）",
            "拨款依据（基金、登记号）",
            "备注",
        ],
        [5, 24, 20, 21, 12, 22, 10],
    )
    groups: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for e in payable(entries):
        r = e.record
        bank = (r.data.get("applicant") or {}).get("bank") or {}
        payee = r.union_name or f"{r.unit_name}工会"
        groups[(payee, str(bank.get("name") or ""), str(bank.get("account") or ""))].append(e)
    total = 0
    for i, ((payee, bank, account), group) in enumerate(sorted(groups.items()), start=1):
        fen = sum_fen(group)
        total += fen
        basis = "；".join(
            f"{scheme_title(e.record.scheme)}（{case_title(e.record)}，登记号 {e.record.id}）" for e in group
        )
        problem = account_problem(account) or ("未填写开户银行" if not bank else "")
        sheet.row([i, payee, bank, account, from_fen(fen), basis, f"待核实：{problem}" if problem else ""])
    sheet.row(["", f"合计：{len(groups)} 个基层工会", "", "", from_fen(total), "", ""], bold=True)
    sheet.row(["", f"合计金额（大写）：{rmb_capital(from_fen(total) or Decimal(0))}"], bold=True)
    sheet.ws.merge_cells(
        start_row=sheet.ws.max_row, start_column=2, end_row=sheet.ws.max_row, end_column=sheet.columns
    )
    return sheet.close(
        ["账户信息为申报单位填报；标注“待核实”的，请在拨款前与该基层工会核对。", SIGN_OFF], "拨款明细"
    )


SUMMARY_HEADERS = [
    "基金",
    "情形 / 部分",
    "申请数",
    "单位数",
    "通过",
    "退回补正",
    "不予支持",
    "未决定",
    "申请金额（已决定，元）",
    "核定金额（元）",
]


def summary_rows(entries: list[Entry]) -> list[list[Any]]:
    """Per fund and case: applications by status, units, claimed (decided only) and approved amounts;
    the studio fund also split into its new-naming and annual parts. Approved amounts count only what is
    paid (not disqualified).
    """
    groups: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        r = e.record
        groups[(r.scheme, innovation_case(r.case) if r.scheme == "innovation" else "全部")].append(e)
    rows: list[list[Any]] = []
    for (scheme, case), group in sorted(groups.items(), key=lambda kv: (kv[0][0] != "innovation", kv[0][1])):
        counts: dict[str, int] = defaultdict(int)
        for e in group:
            counts[e.status] += 1
        decided = [e for e in group if e.status != "open"]
        rows.append(
            [
                scheme_title(scheme),
                case,
                len(group),
                unit_count(group),
                counts["approved"],
                counts["returned"],
                counts["rejected"],
                counts["open"],
                sum((from_fen(e.record.trusted_claim_fen) or Decimal(0) for e in decided), Decimal(0)),
                from_fen(sum_fen(payable(group))) or Decimal(0),
            ]
        )
        if scheme == "studio":
            for part in ("new", "annual"):
                fen = sum(parts_fen(e)[part] for e in payable(group))
                rows.append(
                    [
                        scheme_title(scheme),
                        f"其中：{PART_TITLES[part][6:]}",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        from_fen(fen),
                    ]
                )
    return rows


def summary_xlsx(entries: list[Entry], year: int, profile: UnionProfile, issued: dt.date) -> bytes:
    """The year summary: distinct units, applications by status, amounts by fund and part, sign-off."""
    sheet = OfficialSheet(
        f"{year}年度汇总",
        f"{year}年度高新区职工创新鼓励金申报与评审汇总表",
        _subtitle(profile, issued),
        SUMMARY_HEADERS,
        [20, 22, 6, 6, 6, 8, 8, 6, 12, 12],
    )
    rows = summary_rows(entries)
    for row in rows:
        sheet.row(row)
    main = [r for r in rows if r[2] != ""]
    counts = (
        [sum(r[i] for r in main) for i in (2,)]
        + [unit_count(entries)]
        + [sum(r[i] for r in main) for i in range(4, 8)]
    )
    money = [sum((r[i] for r in main), Decimal(0)) for i in (8, 9)]
    sheet.row(["合计", "", *counts, *money], bold=True)
    barred = [e for e in entries if e.approved is not None and e.disqualified]
    notes = [f"其中 {len(barred)} 项已通过但所在基层工会被取消资格，不计入核定金额。"] if barred else []
    notes += [  # decisions outside the measures, with the committee's written reason
        f"登记号 {e.record.id} {e.record.unit_name}：通过决定突破办法规定，理由：{e.decision.override}"
        for e in entries
        if e.decision is not None and e.decision.override
    ]
    return sheet.close(
        [*notes, "申请金额只计已作出决定的申请；核定金额只计通过且可拨付的申请。", SIGN_OFF], "年度汇总"
    )
