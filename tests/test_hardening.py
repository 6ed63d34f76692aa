"""Hardening: every input an adversarial run found that crashed, ran away or was read wrongly.

Each case is constructed here (no big files committed; bombs and sparse files are made on the fly) and
asserts the exit code, the file or field the Chinese message names, and that no traceback escapes.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example, tree_digest

from assembler.cli import cli


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _replace(old: str, new: str):
    def change(folder: Path):
        path = folder / "application.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _append(extra: str):
    def change(folder: Path):
        path = folder / "application.yaml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")

    return change


def _write_bytes(data: bytes):
    def change(folder: Path):
        (folder / "application.yaml").write_bytes(data)

    return change


def _ledger_csv(text: str):
    def change(folder: Path):
        (folder / "ledger.csv").write_text(text, encoding="utf-8")
        _replace("projects: ledger.xlsx", "projects: ledger.csv")(folder)

    return change


# ---- item 1: application.yaml and amounts that crashed -------------------------------------------------

APPLICATION_YAML = {
    "impossible-date": (
        "innovation-count",
        _replace("year: 2026", "year: 2026\nfiled_on: 2026-02-30"),
        ["application.yaml", "第 4 行", "2026-02-30", "不存在"],
    ),
    "year-zero-date": (
        "innovation-count",
        _replace("year: 2026", "year: 2026\nfiled_on: 0000-01-01"),
        ["application.yaml", "0000-01-01", "不存在"],
    ),
    "deep-nesting": ("studio", _append("x: " + "[" * 5000 + "]" * 5000 + "\n"), ["application.yaml", "嵌套"]),
    "complex-key": ("studio", _append("? [a, b]\n: 1\n"), ["application.yaml", "字段名"]),
    "nul-byte": (
        "studio",
        lambda f: (f / "application.yaml").write_bytes(
            (f / "application.yaml").read_bytes().replace(b"year: 2026", b"year: 20\x0026")
        ),
        ["application.yaml", "第 3 行", "控制字符"],
    ),
    "huge-integer": (
        "studio",
        _replace("year: 2026", "year: " + "9" * 5000),
        ["application.yaml", "第 3 行"],
    ),
    "matched-amount-1e20": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1e20"),
        ["application.yaml", "studio.matched_amount"],
    ),
    "matched-amount-float-1e20": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1.0e+20"),
        ["application.yaml", "第 20 行", "studio.matched_amount", "不可信"],
    ),
    "matched-amount-absurd": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 999999999999999.99"),
        ["studio.matched_amount", "100,000,000"],
    ),
    "matched-amount-1e400": (
        "studio",
        _replace("matched_amount: 10000", "matched_amount: 1e400"),
        ["studio.matched_amount"],
    ),
    "ledger-absurd-bonus": (
        "innovation-count",
        _ledger_csv("项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2025-09-12,999999999999999.99\n"),
        ["ledger.csv", "第 2 行", "D 列", "不可信"],
    ),
    "ledger-decimal-comma": (
        "innovation-count",
        _ledger_csv('项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2025-09-12,"1,00"\n'),
        ["ledger.csv", "第 2 行", "歧义"],
    ),
    "ledger-european-thousands": (
        "innovation-count",
        _ledger_csv('项目名称,提出人,采纳日期,奖励金额\n夹具,张三,2025-09-12,"1.000,00"\n'),
        ["ledger.csv", "第 2 行", "歧义"],
    ),
}


@pytest.mark.parametrize("case", sorted(APPLICATION_YAML))
def test_application_yaml_that_crashed_is_exit_2(tmp_path, case):
    example, change, words = APPLICATION_YAML[case]
    folder = copy_example(example, tmp_path)
    change(folder)
    before = tree_digest(folder)
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("错误：")
    for word in words:
        assert word in result.output, (word, result.output)
    assert tree_digest(folder) == before


# ---- item 4: data read as the user meant ---------------------------------------------------------------


def _xlsx(folder: Path, sheets: list[tuple[str, str, list[list]]], name: str = "ledger.xlsx") -> Path:
    """Write a workbook of (title, state, rows) sheets; the first sheet is the workbook's first."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, state, rows in sheets:
        ws = wb.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(row)
    wb.active = next(i for i, (_, state, _) in enumerate(sheets) if state == "visible")
    path = folder / name
    wb.save(path)
    return path


HEAD = ["序号", "项目名称", "提出人", "采纳日期", "奖励金额"]


def _items(n: int, start: int = 1) -> list[list]:
    return [[i, f"项目{i}", f"职工{i}", "2025-09-12", 600] for i in range(start, start + n)]


def _patch_xlsx(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite the first sheet's XML in place (to write what openpyxl would not: NaN, a formula without a
    cached value)."""
    data = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        for info in infos:
            data[info.filename] = zf.read(info)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in infos:
            body = data[info.filename]
            if info.filename.startswith("xl/worksheets/sheet"):
                body = body.replace(old, new)
            zf.writestr(info, body)


def test_hidden_first_sheet_is_not_used(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _xlsx(folder, [("旧台账", "hidden", [HEAD, *_items(200)]), ("台账", "visible", [HEAD, *_items(35)])])
    data = json.loads(run("check", folder, "--json").output)
    assert "31–50" in data["award"]["lines"][0] and "35 条" in data["award"]["lines"][0]


def test_two_visible_ledger_sheets_ask_which(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _xlsx(
        folder, [("上半年", "visible", [HEAD, *_items(20)]), ("下半年", "visible", [HEAD, *_items(20, 21)])]
    )
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and "上半年" in result.output and "下半年" in result.output
    assert "ledger.xlsx#" in result.output
    _replace("projects: ledger.xlsx", "projects: ledger.xlsx#下半年")(folder)
    data = json.loads(run("check", folder, "--json").output)
    assert "20 条" in data["award"]["lines"][0]
    files = [f for m in data["materials"] for f in m["files"]]
    assert "ledger.xlsx" not in files and not any(f["path"] == "ledger.xlsx" for f in data["findings"])


def test_named_sheet_that_does_not_exist(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    _replace("projects: ledger.xlsx", "projects: ledger.xlsx#汇总")(folder)
    result = run("check", folder)
    assert result.exit_code == 2 and "汇总" in result.output and "ledger.xlsx" in result.output


@pytest.mark.parametrize("cell", [b"<v>NaN</v>", b"<v>INF</v>", b"<v>-inf</v>", b"<v>1e999</v>"])
def test_nan_and_inf_cells(tmp_path, cell):
    folder = copy_example("innovation-count", tmp_path)
    path = _xlsx(
        folder, [("台账", "visible", [HEAD, *_items(34), [35, "夹具", "张三", "2025-09-12", 424242]])]
    )
    _patch_xlsx(path, b"<v>424242</v>", cell)
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and ("第 36 行" in result.output), result.output


def test_formula_without_cached_value(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    path = _xlsx(
        folder, [("台账", "visible", [HEAD, *_items(34), [35, "夹具", "张三", "2025-09-12", 424242]])]
    )
    _patch_xlsx(path, b"<v>424242</v>", b"<f>SUM(E2:E3)</f>")
    result = run("check", folder)
    assert result.exit_code == 2, result.output
    assert "ledger.xlsx" in result.output and "第 36 行 E 列" in result.output and "公式" in result.output


def test_wan_yuan_header_is_converted(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        "项目名称,提出人,采纳日期,奖励金额（万元）\n夹具,张三,2025-09-12,0.06\n", encoding="utf-8"
    )
    data = json.loads(run("check", folder, "--json").output)
    assert "(500, +∞) 元：1 项" in " ".join(data["award"]["lines"]), data["award"]  # 600 元, not 0.06 元


def test_other_money_unit_is_refused(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        "项目名称,提出人,采纳日期,奖励金额（美元）\n夹具,张三,2025-09-12,600\n", encoding="utf-8"
    )
    result = run("check", folder)
    assert result.exit_code == 2 and "ledger.csv" in result.output and "美元" in result.output


def test_csv_row_numbers_after_a_quoted_newline(tmp_path):
    folder = copy_example("innovation-bonus", tmp_path)
    (folder / "ledger.csv").write_text(
        '项目名称,提出人,采纳日期,实施效果,奖励金额\n夹具,张三,2025-09-12,"两行\n效果",600\n'
        "刀具,李四,2025-13-45,好,600\n",
        encoding="utf-8",
    )
    result = run("check", folder)
    assert result.exit_code == 2
    assert "第 3 行" in result.output and "第 4 行" not in result.output


def test_jpeg_with_pdf_marker_in_exif_is_a_jpeg(tmp_path):
    from io import BytesIO

    from PIL import Image

    from assembler.evidence import inspect
    from assembler.sources import Entry, FolderSource

    im = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x010E] = "scan %PDF-1.7 of the minutes"  # ImageDescription
    buf = BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    (tmp_path / "photo.jpg").write_bytes(buf.getvalue())
    found = inspect(FolderSource(tmp_path), Entry("photo.jpg", len(buf.getvalue())))
    assert found.kind == "image" and found.problem is None, found
