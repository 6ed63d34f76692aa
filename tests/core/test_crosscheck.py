"""Content cross-checks: constructed mismatches are warnings naming what is missing; matching evidence and
scans stay quiet (scans are listed as not checked)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import copy_example
from docx import Document
from fpdf import FPDF

from assembler.api import check
from assembler.load.ledger import load_ledger_file
from assembler.load.sources import open_source


def docx(path: Path, *lines: str) -> None:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)


def text_pdf(path: Path, *lines: str) -> None:
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def rules(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        out.setdefault(f.rule, []).append(f)
    return out


def _minutes_folder(app: Path) -> Path:
    return next((app / "4-评审会议").glob("2026-03-18*"))


def _replace_minutes(app: Path, *lines: str) -> None:
    folder = _minutes_folder(app)
    for old in folder.glob("*纪要*"):
        old.unlink()
    docx(folder / "评审会纪要.docx", *lines)


def test_minutes_that_do_not_mention_their_meeting_date(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    _replace_minutes(
        app, "一季度五小成果评审会纪要", "会议时间：2026年4月2日", "参会人员：评审委员会全体委员"
    )
    found = rules(check(app))["CONTENT-MINUTES-DATE"]
    assert found[0].severity == "warning" and "2026-03-18" in found[0].message
    _replace_minutes(
        app, "一季度五小成果评审会纪要", "会议时间：2026 年 3 月 18 日", "参会人员：评审委员会全体委员"
    )
    assert "CONTENT-MINUTES-DATE" not in rules(check(app))


def _items(app: Path):
    return load_ledger_file(open_source(app), "ledger.xlsx", "application.yaml")


def test_a_notice_that_lists_few_of_the_ledgers_items(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    items = _items(app)
    (app / "4-评审会议" / "评审结果公示（内网截图）.png").unlink()
    docx(app / "4-评审会议" / "评审结果公示.docx", "评审结果公示", *[i.name for i in items[:3]])
    found = rules(check(app))["CONTENT-NOTICE-ITEMS"]
    assert found[0].severity == "warning" and f"3/{len(items)}" in found[0].message
    docx(app / "4-评审会议" / "评审结果公示.docx", "评审结果公示", *[i.name for i in items])
    found = rules(check(app))["CONTENT-NOTICE-ITEMS"]
    assert found[0].severity == "info" and f"{len(items)}/{len(items)}" in found[0].message


def test_receipts_signed_by_others_than_the_proposers(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    items = _items(app)
    for old in (app / "5-奖励签收单").iterdir():
        old.unlink()
    docx(app / "5-奖励签收单" / "物质奖励签收单.docx", "物质奖励签收单", "签收人：某某某")
    found = rules(check(app))["CONTENT-RECEIPT-NAMES"]
    assert found[0].severity == "warning" and "0/" in found[0].message
    people = sorted({i.proposer for i in items})
    docx(app / "5-奖励签收单" / "物质奖励签收单.docx", "物质奖励签收单", *people)
    assert "CONTENT-RECEIPT-NAMES" not in rules(check(app))


def test_bank_statements_that_do_not_add_up_to_the_bonuses(tmp_path):
    app = copy_example("innovation-bonus", tmp_path)
    for old in (app / "5-银行流水").iterdir():
        old.unlink()
    text_pdf(
        app / "5-银行流水" / "银行流水.pdf",
        "Bank statement",
        "2026-03-20  transfer  1,200.00",
        "2026-06-20  500.00",
    )
    found = rules(check(app))["CONTENT-BANK-TOTAL"]
    assert found[0].severity == "warning" and "1,700.00" in found[0].message
    text_pdf(app / "5-银行流水" / "银行流水.pdf", "Bank statement", "2026-03-20  transfer  99,999,999.00")
    assert "CONTENT-BANK-TOTAL" not in rules(check(app))


def test_a_dues_voucher_of_another_unit_or_year(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    for old in (app / "6-工会经费凭证").iterdir():
        old.unlink()
    docx(
        app / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.docx",
        "工会经费缴款凭证",
        "缴款单位：某某别的公司",
        "所属期：2023年",
    )
    found = rules(check(app))["CONTENT-DUES-PAYER"]
    assert found[0].severity == "warning" and "单位名称" in found[0].message and "2025" in found[0].message
    docx(
        app / "6-工会经费凭证" / "2025年度工会经费缴纳凭证.docx",
        "工会经费缴款凭证",
        "缴款单位：天津滨海示例精密机械有限公司",
        "所属期：2025年1月至12月",
    )
    assert "CONTENT-DUES-PAYER" not in rules(check(app))


@pytest.mark.parametrize("name", ["innovation-count", "innovation-bonus", "studio"])
def test_the_examples_raise_no_content_warning(name, tmp_path):
    report = check(copy_example(name, tmp_path))
    content = [f for f in report.findings if f.rule.startswith("CONTENT")]
    assert content and all(f.severity == "info" for f in content)


@pytest.mark.slow
def test_content_warnings_are_on_the_dossiers_checklist_page(tmp_path, shared_cache):
    from conftest import need_tool

    from assembler.pipeline.run import BuildOptions, build

    need_tool("pdftotext")
    import subprocess

    app = copy_example("innovation-count", tmp_path)
    _replace_minutes(app, "一季度五小成果评审会纪要", "会议时间：2026年4月2日")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", cache_dir=shared_cache))
    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(out.path), "-"], capture_output=True, text=True
    ).stdout
    flat = text.replace("\n", "").replace(" ", "")
    assert "内容核对提示" in flat and "没有找到会议日期2026-03-18" in flat
