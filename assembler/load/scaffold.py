"""`dossier init`: a new application folder with a commented application.yaml, numbered material
folders and (for the innovation fund) a ledger template that `check` then explains."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from assembler.errors import UsageError
from assembler.load.checklists import CURRENT_MEASURES, load_checklist
from assembler.load.ledger import COLUMN_TITLES
from assembler.resources import bundled

LEDGER_HEADERS = [
    "序号",
    "项目名称",
    "类别",
    "提出人",
    "所在部门",
    "采纳日期",
    "实施效果",
    "奖励金额（元）",
    "评审会议",
]
LEDGER_NOTES = [
    ("序号", "可留空"),
    ("项目名称", "必填：被采纳的改进、创新或合理化建议的名称"),
    ("类别", "小发明、小创造、小革新、小设计、小建议之一"),
    ("提出人", "必填：提出人姓名，多人用顿号分隔"),
    ("所在部门", "提出人所在部门或车间"),
    ("采纳日期", "必填：如 2026-03-18"),
    ("实施效果", "如：年节约成本 5 万元"),
    ("奖励金额（元）", "情形二必填：企业行政发给该项目的专项奖金；情形一可填物质奖励金额"),
    ("评审会议", "采纳该项目的评审会议日期，须与 application.yaml 中 meetings 一致"),
]


def write_ledger_template(path: Path) -> None:
    """An empty ledger workbook with the Chinese headers `check` understands and a sheet of instructions."""
    from assembler.files import new_sheet_with_header

    assert {h.split("（")[0] for h in LEDGER_HEADERS} <= set(COLUMN_TITLES.values())
    wb, ws = new_sheet_with_header("项目台账", LEDGER_HEADERS, [6, 36, 10, 12, 14, 12, 30, 14, 12])
    for row in range(2, 1002):
        ws.cell(row=row, column=6).number_format = "yyyy-mm-dd"
        ws.cell(row=row, column=9).number_format = "yyyy-mm-dd"
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for note in LEDGER_NOTES:
        notes.append(list(note))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 70
    wb.save(path)


def init_application(
    folder: Path, scheme: str, case: str = "count", year: int | None = None, measures: str = CURRENT_MEASURES
) -> list[str]:
    """Create a new application folder; return the paths created (relative). Refuses a non-empty folder."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(
            "该位置已有文件，不会覆盖", where=str(folder), fix="请指定一个新的（或空的）文件夹名。"
        )
    year = year or dt.date.today().year
    checklist = load_checklist(measures, scheme)
    text = (bundled("templates") / "init" / f"{scheme}.yaml").read_text(encoding="utf-8")
    text = text.format(year=year, case=case)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dossier-init-", dir=folder.parent))
    try:
        (tmp / "application.yaml").write_text(text, encoding="utf-8")
        created = ["application.yaml"]
        for spec in checklist.materials:
            if spec.generated or not spec.applies_to(case if scheme == "innovation" else None):
                continue
            (tmp / spec.folder).mkdir()
            created.append(spec.folder + "/")
        if scheme == "innovation":
            write_ledger_template(tmp / "ledger.xlsx")
            created.append("ledger.xlsx")
        if folder.exists():
            folder.rmdir()
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return created
