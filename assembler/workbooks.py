"""Small helpers shared by the workbooks the tool writes (the ledger template, the reviewers' summary)."""

from __future__ import annotations

from typing import Any


def new_sheet_with_header(title: str, headers: list[str], widths: list[float]) -> tuple[Any, Any]:
    """A workbook whose first sheet is `title`, with a bold, shaded, centred header row and column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws: Any = wb.active
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return wb, ws


FORMULA_STARTS = ("=", "+", "-", "@")


def append_row(ws: Any, values: list[Any]) -> None:
    """Append a row; text that a spreadsheet would take for a formula (= + - @, e.g. a 单位名称 written as
    =HYPERLINK(…)) is stored as text, never as a live formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
