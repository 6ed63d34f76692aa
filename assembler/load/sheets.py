"""How much a spreadsheet given as evidence would make LibreOffice print, counted from its XML parts.

LibreOffice lays out every used row and cell of every sheet: a 150,000-row .xlsx drove build past its
page stamps, a 1,024-sheet one took 1.5 GB, and a 1 KB .ods that repeats one formula cell across a
million rows and a thousand columns took soffice to 16.8 GB. `check` counts sheets, rows and cells
(with their repeat counts: an .ods writes `number-rows-repeated` rather than the rows) and the cell
styles, streaming the XML without building a tree, and refuses what is over the limits of limits.py.
Empty repeated rows and columns (how an .ods pads a sheet to its full size) cost nothing and are not
counted.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from assembler.limits import SHEET_MAX_CELLS, SHEET_MAX_ROWS, SHEET_MAX_SHEETS, SHEET_MAX_STYLES

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_REPEAT_CAP = 1 << 40  # a repeat count written as a huge number is still only compared with the limits


@dataclass
class SheetSize:
    """What a spreadsheet holds: sheets, rows with content, cells with content, cell styles."""

    sheets: int = 0
    rows: int = 0
    cells: int = 0
    styles: int = 0

    def problem(self) -> str | None:
        """Why the spreadsheet is refused (Chinese, naming the limit), or None."""
        if self.sheets > SHEET_MAX_SHEETS:
            return (
                f"表格有 {self.sheets:,} 个工作表，超过 {SHEET_MAX_SHEETS:,} 个的上限：请只保留需要的工作表"
            )
        if self.rows > SHEET_MAX_ROWS:
            return f"表格超过 {SHEET_MAX_ROWS:,} 行的上限：请只保留需要的部分，或另存为 PDF 后再放入"
        if self.cells > SHEET_MAX_CELLS:
            return (
                f"表格中有内容的单元格超过 {SHEET_MAX_CELLS:,} 个的上限"
                "（可能是重复公式或格式的炸弹）：请另存为 PDF 后再放入"
            )
        if self.styles > SHEET_MAX_STYLES:
            return f"表格的单元格样式超过 {SHEET_MAX_STYLES:,} 种的上限：请另存为 PDF 后再放入"
        return None

    def over(self) -> bool:
        """Whether counting can stop: a limit is already passed."""
        return (
            self.sheets > SHEET_MAX_SHEETS
            or self.rows > SHEET_MAX_ROWS
            or self.cells > SHEET_MAX_CELLS
            or self.styles > SHEET_MAX_STYLES
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _repeat(element: ET.Element, name: str) -> int:
    value = element.get(f"{{{_TABLE}}}{name}", "1")
    return min(int(value), _REPEAT_CAP) if value.isdigit() else 1


def xlsx_size(zf: zipfile.ZipFile) -> SheetSize:
    """Sheets, rows and cells of an .xlsx/.xlsm (rows and cells as written: OOXML has no repeat counts)."""
    size = SheetSize()
    names = [n for n in zf.namelist() if _SHEET_PART.match(n)]
    size.sheets = len(names)
    styles = next((n for n in zf.namelist() if n.lower() == "xl/styles.xml"), None)
    if styles is not None:
        with zf.open(styles) as fh:
            for _, element in ET.iterparse(fh, events=("end",)):
                if _local(element.tag) == "xf":
                    size.styles += 1
                element.clear()
    for name in names:
        if size.over():
            break
        with zf.open(name) as fh:
            for _, element in ET.iterparse(fh, events=("end",)):
                tag = _local(element.tag)
                if tag == "c":
                    size.cells += 1
                elif tag == "row":
                    size.rows += 1
                    element.clear()
                    if size.over():
                        break
    return size


def ods_size(zf: zipfile.ZipFile) -> SheetSize:
    """Sheets, rows and cells with content of an .ods, multiplied out by their repeat counts."""
    size = SheetSize()
    for part in ("styles.xml", "content.xml"):
        if part not in zf.namelist():
            continue
        with zf.open(part) as fh:
            row_cells = 0
            for _, element in ET.iterparse(fh, events=("end",)):
                tag = element.tag
                if tag == f"{{{_STYLE}}}style":
                    size.styles += 1
                elif tag == f"{{{_TABLE}}}table":
                    size.sheets += 1
                    element.clear()
                elif tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                    if (
                        len(element)
                        or element.get(f"{{{_TABLE}}}formula")
                        or element.get(f"{{{_OFFICE}}}value-type")
                    ):
                        row_cells += _repeat(element, "number-columns-repeated")
                elif tag == f"{{{_TABLE}}}table-row":
                    if row_cells:
                        times = _repeat(element, "number-rows-repeated")
                        size.rows += times
                        size.cells += times * row_cells
                    row_cells = 0
                    element.clear()
                if size.over():
                    return size
    return size


def sheet_problem(zf: zipfile.ZipFile, ext: str) -> str | None:
    """Why the spreadsheet in `zf` (an .xlsx, .xlsm or .ods) is over the limits, or None. Unreadable XML is
    left to LibreOffice (it reports the file as not convertible, naming it)."""
    try:
        if ext in ("xlsx", "xlsm"):
            return xlsx_size(zf).problem()
        if ext == "ods":
            return ods_size(zf).problem()
    except ET.ParseError:
        return "表格内部的 XML 已损坏，无法转换：请在 Excel/WPS 中打开后“另存为”再放入"
    return None
