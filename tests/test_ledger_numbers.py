"""Ledger items as people count them: `check` names an item by its 序号 in 附件1.2 (the spreadsheet row
only as a second hint), and the award it shows counts only the items that count (no repeat, none out of
period)."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from conftest import copy_example
from openpyxl import Workbook, load_workbook

from assembler.cli import cli


def _ledger_with_title_row(folder, keep: int, change) -> None:  # noqa: ANN001
    """Rewrite the example's ledger.xlsx as a union clerk's sheet: a title row above the header, the first
    `keep` items, then `change(rows)` applied to the item rows (each a list of cells)."""
    path = folder / "ledger.xlsx"
    rows = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    header, items = rows[0], rows[1 : keep + 1]
    change(items)
    wb = Workbook()
    ws = wb.active
    ws.append(["附件1.2  职工创新创效项目台账"])
    ws.append(header)
    for item in items:
        ws.append(item)
    wb.save(path)


def _check(folder, *extra: str):  # noqa: ANN001, ANN202
    result = CliRunner().invoke(cli, ["check", str(folder), *extra])
    assert "Traceback" not in result.output
    return result


def test_repeated_item_named_by_its_number_and_not_counted(tmp_path):
    folder = copy_example("innovation-count", tmp_path)

    def repeat(items: list[list]) -> None:
        items[4][1], items[4][3] = items[2][1], items[2][3]  # 序号 5 repeats 序号 3 (name and proposer)

    _ledger_with_title_row(folder, 31, repeat)
    result = _check(folder)
    assert result.exit_code == 1, result.output
    assert "可申请鼓励金：2,000 元" in result.output, result.output
    assert "台账共 31 项，其中 1 项重复或不在活动期间，不计入鼓励金" in result.output
    assert "被采纳项目 30 条" in result.output
    data = json.loads(_check(folder, "--json").output)
    assert data["award"]["amount_yuan"] == 2000
    found = next(f for f in data["findings"] if f["rule"] == "LEDGER-DUPLICATE")
    # 序号 5 stands in spreadsheet row 7 (a title row and the header above it): named by 序号, row second
    assert found["message"].startswith("序号 5（表格第 7 行）与序号 3（表格第 5 行）重复"), found["message"]
    assert "第 7 项" not in found["message"]
    assert found["values"]["seq"] == "5" and found["values"]["row"] == 7
    assert found["field"] == "innovation.projects"


def test_item_out_of_period_named_by_its_number_and_not_counted(tmp_path):
    folder = copy_example("innovation-count", tmp_path)

    def previous_year(items: list[list]) -> None:
        items[9][5] = dt.datetime(2025, 11, 3)  # 序号 10 adopted the year before

    _ledger_with_title_row(folder, 31, previous_year)
    result = _check(folder, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["award"]["amount_yuan"] == 2000, data["award"]
    found = next(f for f in data["findings"] if f["rule"] == "LEDGER-DATE-OUT-OF-PERIOD")
    assert found["message"].startswith("序号 10（表格第 12 行）“"), found["message"]
    assert found["values"]["adopted_on"] == "2025-11-03"


def test_full_ledger_of_31_still_gets_3000(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _ledger_with_title_row(folder, 31, lambda items: None)
    data = json.loads(_check(folder, "--json").output)
    assert data["award"]["amount_yuan"] == 3000
    assert not [f for f in data["findings"] if f["rule"].startswith("LEDGER-")]


def test_bonus_items_below_minimum_named_by_their_number(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    result = _check(folder, "--json")
    data = json.loads(result.output)
    found = next(f for f in data["findings"] if f["rule"] == "A2-ITEM-BELOW-MIN")
    # the example's ledger has a header row only: 序号 10 is spreadsheet row 11
    assert "序号 10（表格第 11 行）、序号 20（表格第 21 行）" in found["message"], found["message"]
