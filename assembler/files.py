"""Writing outputs: atomically (a temporary file in the same folder, then a rename) and with the usual
permissions; and the common look of the workbooks the tool writes (the ledger template, summaries).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from assembler.errors import FileSystemError


def usual_permissions(path: Path) -> None:
    """Give a file made by mkstemp (0600) the permissions a normally created file would have (umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


HELD_OPEN_FIX = (
    "请关闭正在打开该文件的程序（WPS、Word、Excel 或 PDF 阅读器）后重试，或用 -o 写到另一个文件名。"
)


def replace_output(tmp: Path | str, path: Path) -> None:
    """Move the finished temporary file `tmp` over `path`. On Windows a file that WPS, Excel or a PDF viewer
    holds open cannot be replaced (a sharing violation, PermissionError): that is FileSystemError naming
    `path` and saying to close it, and `tmp` is removed."""
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        Path(tmp).unlink(missing_ok=True)
        if not path.exists():
            raise
        raise FileSystemError(
            f"无法覆盖已有的文件 {path.name}：它可能正被其他程序打开（{exc.strerror or exc}）",
            where=str(path),
            fix=HELD_OPEN_FIX,
        ) from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename: never half a file.
    A write that fails (disk full, no permission) is FileSystemError naming `path`, not the temporary file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        usual_permissions(Path(tmp))
        replace_output(tmp, path)
    except FileSystemError:
        raise
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileSystemError(
            f"文件写入失败（{exc.strerror or exc}）",
            where=str(path),
            fix="检查磁盘空间和文件夹的写入权限后重试。",
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes (streamed: a photo folder never sits in memory)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
