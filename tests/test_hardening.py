"""Hardening: every input an adversarial run found that crashed, ran away or was read wrongly.

Each case is constructed here (no big files committed; bombs and sparse files are made on the fly) and
asserts the exit code, the file or field the Chinese message names, and that no traceback escapes.
"""

from __future__ import annotations

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
