"""The project ledger (台账) behind 附件1.2: inline in application.yaml, or a .xlsx/.csv with Chinese headers.

Spreadsheets come from Excel and WPS on Chinese Windows: CSVs in UTF-8 (with or without BOM) or
GBK/GB18030, headers with units such as “奖励金额（元）”, a 合计 row at the bottom, dates as real
dates or as text. Every problem is reported with its row and column so it can be found in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from pydantic import ValidationError

from assembler.errors import InputError
from assembler.schema import LedgerItem, blank_to_none
from assembler.sources import Source
from assembler.yamlio import read_text_file

MAX_LEDGER_ROWS = 50_000
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
    items: list[LedgerItem] = []
    errors: list[str] = []
    for rownum, cells in rows:
        if header is None:
            header = _map_header(cells)
            header_row = rownum
            if header is None and rownum >= 10:
                break
            continue
        values = {key: cells[idx] if idx < len(cells) else None for idx, key in header.items()}
        if all(blank_to_none(v) is None for v in values.values()) or _is_total_row(values):
            continue
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
            raise InputError(f"台账超过 {MAX_LEDGER_ROWS} 行", where=where, fix="请检查是否选错了文件。")
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


def _read_xlsx(data: bytes, where: str) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(
            f"无法打开 Excel 文件（{type(exc).__name__}）",
            where=where,
            fix="请在 Excel/WPS 中打开后“另存为” .xlsx 再试。",
        ) from None
    try:
        for ws in wb.worksheets:
            rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
            if any(_map_header(cells) for _, cells in rows[:10]):
                return rows
        return rows if wb.worksheets else []
    finally:
        wb.close()


def _read_csv(data: bytes, where: str) -> list[tuple[int, list[Any]]]:
    text = read_text_file(data, where)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader]


def load_ledger_file(source: Source, rel: str, yaml_where: str) -> list[LedgerItem]:
    """The items of a ledger spreadsheet inside the application (path relative to its root)."""
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
    data = source.read_bytes(rel)
    rows = _read_csv(data, rel) if suffix == "csv" else _read_xlsx(data, rel)
    return _rows_to_items(rows, rel, is_excel=suffix != "csv")
