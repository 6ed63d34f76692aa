"""The project ledger from CSV (UTF-8, BOM, GBK) and Excel, as Chinese offices save them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import RESOURCES

from assembler.errors import InputError
from assembler.load.ledger import load_ledger_file
from assembler.load.sources import FolderSource


def load(name: str, folder: Path = RESOURCES):
    return load_ledger_file(FolderSource(folder), name, yaml_where="application.yaml")


@pytest.mark.parametrize("name", ["ledger-gbk.csv", "ledger-utf8-bom.csv", "ledger-messy.xlsx"])
def test_three_items_read_alike(name):
    items = load(name)
    assert [i.name for i in items] == ["数控刀具快换夹具", "冷却液回收过滤装置", "来料检验抽样优化"]
    assert [i.adopted_on for i in items] == [dt.date(2025, 9, 12)] * 3
    assert [i.bonus for i in items] == [Decimal("600"), Decimal("300.50"), Decimal("100")]
    assert items[1].proposer == "王五、赵六"
    assert items[0].meeting == dt.date(2025, 9, 12) and items[2].meeting is None
    assert all(isinstance(i.bonus, Decimal) for i in items)


def test_rows_are_spreadsheet_rows():
    assert [i.row for i in load("ledger-messy.xlsx")] == [4, 5, 6]
    assert [i.row for i in load("ledger-gbk.csv")] == [2, 3, 4]


def test_five_thousand_rows(tmp_path):  # the row limit (limits.LEDGER_MAX_ROWS): 附件1.2 still builds
    lines = ["序号,项目名称,提出人,采纳日期,奖励金额"]
    lines += [
        f"{i},项目{i},职工{i % 97},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{100 + i % 900}.5"
        for i in range(5_000)
    ]
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    items = load("big.csv", tmp_path)
    assert len(items) == 5_000
    assert items[-1].bonus == Decimal(f"{100 + 4999 % 900}.5") and items[-1].row == 5_001


def test_rows_over_the_limit_are_refused(tmp_path):
    lines = ["序号,项目名称,提出人,采纳日期"] + [f"{i},项目{i},职工,2025-09-12" for i in range(5_001)]
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load("big.csv", tmp_path)
    assert "5,000 行" in exc.value.render() and "big.csv" in exc.value.render()


def test_errors_name_row_and_column_and_are_all_listed(tmp_path):
    text = "项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2025-02-30,600\n,李四,2025-01-01,abc\n"
    (tmp_path / "l.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load("l.csv", tmp_path)
    rendered = exc.value.render()
    assert "l.csv 第 2 行 C 列（采纳日期）" in rendered
    assert "第 3 行 A 列（项目名称）：不能为空" in rendered
    assert "第 3 行 D 列（奖励金额）" in rendered


def test_fen_beyond_two_places_is_refused(tmp_path):
    (tmp_path / "l.csv").write_text(
        "项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2025-01-01,100.005\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as exc:
        load("l.csv", tmp_path)
    assert "两位小数" in exc.value.render()


def test_semicolon_and_tab_separated(tmp_path):
    (tmp_path / "t.csv").write_text("项目名称\t提出人\t采纳日期\n夹具\t张三\t2025-01-01\n", encoding="utf-8")
    assert load("t.csv", tmp_path)[0].proposer == "张三"
    (tmp_path / "s.csv").write_text("项目名称;提出人;采纳日期\n夹具;李四;2025-01-02\n", encoding="utf-8")
    item = load("s.csv", tmp_path)[0]
    assert (item.name, item.proposer, item.adopted_on.isoformat()) == ("夹具", "李四", "2025-01-02")
