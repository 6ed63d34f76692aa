"""The project ledger (台账) behind 附件1.2: inline in application.yaml, or a .xlsx/.csv with Chinese headers.

Spreadsheets come from Excel and WPS on Chinese Windows: CSVs in UTF-8 (with or without BOM) or
GBK/GB18030, headers with units such as “奖励金额（元）”, a 合计 row at the bottom, dates as real
dates or as text. Every problem is reported with its row and column so it can be found in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from assembler.core.application import LedgerItem, blank_to_none
from assembler.errors import InputError
from assembler.limits import LEDGER_MAX_BYTES, LEDGER_MAX_COLUMNS, LEDGER_MAX_ROWS, human_bytes
from assembler.load.sources import Source
from assembler.load.yamlio import read_text_file

MAX_LEDGER_ROWS = LEDGER_MAX_ROWS
MAX_REPORTED_ERRORS = 30

COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "name": ("项目名称", "名称", "项目", "建议名称", "成果名称"),
    "category": ("类别", "类型", "项目类别"),
    "proposer": ("提出人", "建议人", "申报人", "完成人", "姓名"),
    "department": ("所在部门", "部门", "所在单位", "车间"),
    "adopted_on": ("采纳日期", "采纳时间", "日期"),
    "effect": ("实施效果", "效果", "效益"),
    "bonus": ("奖励金额", "奖金", "企业奖励金额", "奖励", "金额"),
    "meeting": ("评审会议", "会议日期", "评审日期"),
}
REQUIRED_COLUMNS = ("name", "proposer", "adopted_on")
COLUMN_TITLES = {key: names[0] for key, names in COLUMNS.items()}


def column_letter(index: int) -> str:
    """Excel's name of the 1-based column `index` (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _normalize_header(cell: Any) -> str:
    text = re.sub(r"[（(][^）)]*[）)]", "", str(cell or ""))
    return re.sub(r"[\s*＊:：]", "", text)


_UNIT = re.compile(r"[（(]([^）)]*)[）)]")


def bonus_scale(cells: list[Any], column: int, where: str, rownum: int) -> int:
    """The factor that turns the bonus column into yuan: 1 for 元 (or no unit), 10,000 for 万元; any other
    unit is refused rather than read as yuan."""
    unit = "".join(_UNIT.findall(str(cells[column] or ""))).replace(" ", "")
    if not unit or unit in {"元", "人民币元", "元人民币"}:
        return 1
    if unit in {"万元", "万", "人民币万元"}:
        return 10_000
    raise InputError(
        f"第 {rownum} 行 {column_letter(column + 1)} 列表头“{str(cells[column]).strip()}”"
        f"的单位“{unit}”无法换算为元",
        where=where,
        fix="请把奖励金额换算为元，表头写“奖励金额（元）”。",
    )


def _scaled(value: Any, scale: int) -> Any:
    """A 万元 cell in yuan (exact); a value that is not a number is left for the validator to report."""
    if scale == 1 or blank_to_none(value) is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    else:
        text = re.sub(r"[\s¥￥]|万元$|万$", "", str(value))
        if not re.fullmatch(r"\d+(\.\d{1,6})?", text):
            return value
    try:
        return Decimal(text) * scale
    except InvalidOperation:
        return value


def _non_finite(cells: list[Any]) -> int | None:
    """The index of a NaN or infinite number cell, if any (an Excel cell can hold them; no field can)."""
    for idx, cell in enumerate(cells):
        if isinstance(cell, float) and not math.isfinite(cell):
            return idx
    return None


def _map_header(cells: list[Any]) -> dict[int, str] | None:
    """Column index → field key, or None if this row is not the header row."""
    mapping: dict[int, str] = {}
    for idx, cell in enumerate(cells):
        head = _normalize_header(cell)
        for key, names in COLUMNS.items():
            if head in names and key not in mapping.values():
                mapping[idx] = key
                break
    return mapping if "name" in mapping.values() else None


def _is_total_row(values: dict[str, Any]) -> bool:
    return any(
        str(values.get(k) or "").strip().replace(" ", "") in {"合计", "总计", "小计"} for k in ("seq", "name")
    )


def _excel_serial(value: Any) -> Any:
    """Excel stores dates as day numbers; a date column formatted as General shows them as 45912."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    return value


def _rows_to_items(rows: list[tuple[int, list[Any]]], where: str, is_excel: bool) -> list[LedgerItem]:
    header: dict[int, str] | None = None
    header_row = 0
    scale = 1
    items: list[LedgerItem] = []
    errors: list[str] = []
    for rownum, cells in rows:
        if header is None:
            header = _map_header(cells)
            header_row = rownum
            if header is not None:
                bonus_col = next((i for i, k in header.items() if k == "bonus"), None)
                scale = 1 if bonus_col is None else bonus_scale(cells, bonus_col, where, rownum)
            if header is None and rownum >= 10:
                break
            continue
        values = {key: cells[idx] if idx < len(cells) else None for idx, key in header.items()}
        if all(blank_to_none(v) is None for v in values.values()) or _is_total_row(values):
            continue
        bad = _non_finite(cells)
        if bad is not None and bad in header:
            errors.append(
                f"{where} 第 {rownum} 行 {column_letter(bad + 1)} 列（{COLUMN_TITLES[header[bad]]}）："
                f"“{cells[bad]}”不是有效数字"
            )
            continue
        if "bonus" in values:
            values["bonus"] = _scaled(values["bonus"], scale)
        if is_excel:
            for key in ("adopted_on", "meeting"):
                values[key] = _excel_serial(values.get(key))
        try:
            items.append(LedgerItem.model_validate({**values, "row": rownum}))
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else ""
                col = next((column_letter(i + 1) for i, k in header.items() if k == key), "")
                what = {
                    "missing": "不能为空",
                    "string_too_short": "不能为空",
                    "too_short": "不能为空",
                    "date_type": "应为日期（如 2025-09-12）",
                    "date_from_datetime_inexact": "应为日期",
                }.get(err["type"])
                if what is None:
                    what = str(err["ctx"]["error"]) if err["type"] == "value_error" else "格式不对"
                if err["type"] == "string_type":
                    what = "应为文字"
                errors.append(f"{where} 第 {rownum} 行 {col} 列（{COLUMN_TITLES.get(key, key)}）：{what}")
        if len(items) + len(errors) > MAX_LEDGER_ROWS:
            raise InputError(
                f"台账超过 {MAX_LEDGER_ROWS:,} 行（附件1.2 再长就无法转换为 PDF）",
                where=where,
                fix="请检查是否选错了文件；确有这么多项目时请分年度申报或联系工会。",
            )
    if header is None:
        raise InputError(
            "找不到表头行（前 10 行中没有“项目名称”列）",
            where=where,
            fix="第一行应为表头：序号、项目名称、类别、提出人、所在部门、采纳日期、实施效果、奖励金额、评审会议。",
        )
    missing = [COLUMN_TITLES[k] for k in REQUIRED_COLUMNS if k not in header.values()]
    if missing:
        raise InputError(
            f"第 {header_row} 行表头缺少列：{'、'.join(missing)}",
            where=where,
            fix="请在表头中加上这些列（列名见 `dossier init` 生成的台账模板）。",
        )
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise InputError(
            f"台账有 {len(errors)} 处错误",
            where=where,
            details=shown + ([f"……另有 {more} 处未列出"] if more else []),
            fix="在 Excel 中按行号和列号找到并改正后再运行。",
        )
    return items


def _sheet_rows(ws, where: str) -> list[tuple[int, list[Any]]]:
    """The rows of a worksheet, stopping (InputError) well past the row limit; a cell openpyxl cannot cast
    (NaN, INF written by another program) is a message, not a ValueError."""
    rows: list[tuple[int, list[Any]]] = []
    try:
        for i, r in enumerate(ws.iter_rows(max_col=LEDGER_MAX_COLUMNS, values_only=True), start=1):
            rows.append((i, list(r)))
            if i > MAX_LEDGER_ROWS + 100:
                raise InputError(
                    f"台账超过 {MAX_LEDGER_ROWS:,} 行", where=where, fix="请检查是否选错了文件或工作表。"
                )
    except InputError:
        raise
    except (
        Exception
    ) as exc:  # openpyxl raises ValueError for a number cell "NaN"/"INF", and more when damaged
        raise InputError(
            f"工作表“{ws.title}”第 {len(rows) + 1} 行有无法读取的单元格"
            f"（{type(exc).__name__}: {str(exc)[:80]}）",
            where=where,
            fix="可能是 NaN、INF 等非数字写进了数字单元格：请在 Excel/WPS 中改正该行后“另存为” .xlsx。",
        ) from None
    return rows


def _has_header(rows: list[tuple[int, list[Any]]]) -> bool:
    """A ledger header among the first rows: 项目名称 and at least one more column of the ledger in one row
    (a sheet of instructions that lists the column names one per row is not a ledger)."""
    return any(len(_map_header(cells) or {}) >= 2 for _, cells in rows[:10])


def _choose_sheet(wb, sheet: str | None, where: str):
    """The worksheet that holds the ledger: the one named (`ledger.xlsx#工作表名`), else the only visible
    sheet with a ledger header. Hidden sheets are never read unless named; two candidate sheets are an
    error asking which one, never "the first one wins"."""
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise InputError(
                f"没有名为“{sheet}”的工作表（有：{'、'.join(wb.sheetnames)}）",
                where=where,
                fix="请在 application.yaml 的 innovation.projects 中写对工作表名，如 ledger.xlsx#台账。",
            )
        return wb[sheet]
    visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not visible:
        raise InputError(
            "所有工作表都是隐藏的", where=where, fix="请在 Excel/WPS 中取消隐藏台账所在的工作表。"
        )
    if len(visible) == 1:
        return visible[0]
    with_header = [ws for ws in visible if _has_header(_sheet_rows_head(ws, where))]
    if len(with_header) == 1:
        return with_header[0]
    names = "、".join(f"“{ws.title}”" for ws in (with_header or visible))
    raise InputError(
        f"有多个可见工作表（{names}），不知道台账是哪一个",
        where=where,
        fix="请删除多余的工作表，或在 application.yaml 中写明工作表，如 projects: ledger.xlsx#"
        f"{(with_header or visible)[0].title}",
    )


def _sheet_rows_head(ws, where: str) -> list[tuple[int, list[Any]]]:
    try:
        head = ws.iter_rows(max_row=10, max_col=LEDGER_MAX_COLUMNS, values_only=True)
        return [(i, list(r)) for i, r in enumerate(head, start=1)]
    except Exception:  # a damaged sheet is reported when it is read in full
        return []


def _formulas_without_values(data: bytes, title: str, rows: list[tuple[int, list[Any]]], where: str) -> None:
    """InputError when a cell holds a formula whose result the file does not store (saved by a program that
    does not calculate): read as empty, its row would silently lose a value."""
    from openpyxl import load_workbook

    blanks = {(i, j) for i, cells in rows for j, v in enumerate(cells) if v is None}
    if not blanks:
        return
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        found = []
        cells = wb[title].iter_rows(max_row=len(rows), max_col=LEDGER_MAX_COLUMNS, values_only=True)
        for i, r in enumerate(cells, start=1):
            for j, v in enumerate(r):
                if (i, j) in blanks and isinstance(v, str) and v.startswith("="):
                    found.append(
                        f"{where} 第 {i} 行 {column_letter(j + 1)} 列：公式 {v[:40]} 没有保存计算结果"
                    )
    except Exception:  # noqa: BLE001 - the values were read; the formula pass is only a diagnosis
        return
    finally:
        wb.close()
    if found:
        raise InputError(
            f"台账有 {len(found)} 个公式单元格没有计算结果",
            where=where,
            details=found[:MAX_REPORTED_ERRORS],
            fix="请在 Excel/WPS 中打开台账并保存一次（保存时会写入计算结果），或把公式改为数值。",
        )


def _read_xlsx(data: bytes, where: str, sheet: str | None = None) -> list[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook

    from assembler.load.sources import check_zip_limits

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip_limits(zf.infolist(), where)  # an .xlsx is a zip: a bomb inside is refused unread
    except zipfile.BadZipFile:
        pass  # openpyxl's own message below
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(
            f"无法打开 Excel 文件（{type(exc).__name__}）",
            where=where,
            fix="请在 Excel/WPS 中打开后“另存为” .xlsx 再试。",
        ) from None
    try:
        if not wb.worksheets:
            return []
        ws = _choose_sheet(wb, sheet, where)
        rows = _sheet_rows(ws, where)
        title = ws.title
    finally:
        wb.close()
    _formulas_without_values(data, title, rows, where)
    return rows


def _read_csv(data: bytes, where: str) -> list[tuple[int, list[Any]]]:
    """The records with the row numbers Excel shows: a quoted cell with a line break stays one row."""
    text = read_text_file(data, where)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise InputError(
            f"CSV 格式错误（{exc}）", where=where, fix="请在 Excel/WPS 中打开后另存为 CSV。"
        ) from None


def split_sheet(rel: str) -> tuple[str, str | None]:
    """`ledger.xlsx#台账` → ("ledger.xlsx", "台账"); a plain path has no sheet."""
    path, hash_, sheet = rel.rpartition("#")
    if hash_ and path.lower().endswith((".xlsx", ".xlsm")) and sheet:
        return path, sheet
    return rel, None


def load_ledger_file(source: Source, rel: str, yaml_where: str) -> list[LedgerItem]:
    """The items of a ledger spreadsheet inside the application (path relative to its root; a worksheet
    may be named after a #: ledger.xlsx#台账)."""
    rel, sheet = split_sheet(rel)
    suffix = rel.rsplit(".", 1)[-1].lower() if "." in rel else ""
    if suffix not in {"xlsx", "xlsm", "csv"}:
        hint = (
            "旧版 .xls 请在 Excel/WPS 中“另存为” .xlsx。"
            if suffix in {"xls", "et"}
            else "台账应为 .xlsx 或 .csv。"
        )
        raise InputError(f"innovation.projects 指向的“{rel}”不是 .xlsx 或 .csv", where=yaml_where, fix=hint)
    if not source.exists(rel):
        raise InputError(
            f"innovation.projects 指向的台账“{rel}”不存在",
            where=yaml_where,
            fix="请把台账放进申请文件夹，或改正文件名。",
        )
    size = next((e.size for e in source.entries() if e.rel == rel), 0)
    if size > LEDGER_MAX_BYTES:
        raise InputError(
            f"台账文件过大（超过 {human_bytes(LEDGER_MAX_BYTES)}）", where=rel, fix="请检查是否选错了文件。"
        )
    data = source.read_bytes(rel)
    rows = _read_csv(data, rel) if suffix == "csv" else _read_xlsx(data, rel, sheet)
    return _rows_to_items(rows, rel, is_excel=suffix != "csv")
