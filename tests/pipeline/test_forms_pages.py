"""The filled forms as LibreOffice prints them: 附件1.1 and 附件2.1 on one page for every example and for
a 50-item and a 300-item ledger (the 注 with the table), 附件1.2 never ending on a page that holds only its
note, fonts embedded, no tool words."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import EXAMPLES, copy_example, need_tool
from pypdf import PdfReader

from assembler.api import fill

pytestmark = pytest.mark.slow
FORM_11 = "附件1.1-职工创新创效鼓励金申请表.docx"
FORM_12 = "附件1.2-被采纳的职工创新创效项目汇总明细.docx"
FORM_21 = "附件2.1-创新工作室鼓励金申请表.docx"
TOOL_WORDS = ("dossier", "办法保证", "matched_amount", "studio.", "None", "{{", "application.yaml")


def ledger(n: int) -> str:
    """A 情形二 ledger of `n` items across every bonus tier (and some at or below 100 元)."""
    lines = ["序号,项目名称,类别,提出人,所在部门,采纳日期,实施效果,奖励金额,评审会议"]
    lines += [
        f"{i},工装夹具改进{i:03d},小革新,职工{i % 40},机加车间,2026-06-19,年节约成本约 {i % 20} 万元,"
        f"{(80, 200, 450, 800, 1500)[i % 5]},2026-06-19"
        for i in range(1, n + 1)
    ]
    return "\n".join(lines)


def pages_text(pdf) -> list[str]:
    """Each page's text, whitespace removed (pdftotext puts spaces between CJK and digits)."""
    count = len(PdfReader(pdf).pages)
    return [
        re.sub(
            r"\s+",
            "",
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
        )
        for n in range(1, count + 1)
    ]


def test_forms_keep_to_their_pages(tmp_path):
    need_tool("soffice")
    need_tool("pdftotext")
    need_tool("pdffonts")
    from assembler.convert.soffice import Soffice

    cases = {name: EXAMPLES / name for name in ("innovation-count", "innovation-bonus", "studio")}
    for n in (50, 300):
        app = copy_example("innovation-bonus", tmp_path / f"ledger-{n}")
        (app / "ledger.csv").write_text(ledger(n), encoding="utf-8")
        cases[f"ledger-{n}"] = app
    forms = {}
    for name, folder in cases.items():
        for path in fill(folder, tmp_path / "out" / name).written:
            forms[(name, path.name)] = path
    pdfs = Soffice.locate(cache_dir=tmp_path / "cache").convert(list(forms.values()))
    for (name, form), path in forms.items():
        pdf = pdfs[path]
        pages = pages_text(pdf)
        whole = "".join(pages)
        assert not [w for w in TOOL_WORDS if w in whole], (name, form)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert all(" yes " in line.split(None, 1)[1] for line in fonts.splitlines()[2:]), (name, form)
        if form in (FORM_11, FORM_21):
            assert len(pages) == 1, (name, form, len(pages))
            assert "注：" in pages[0] and "审核意见" in pages[0]
        if form == FORM_11:
            assert "附件1）四、补贴办法" in whole and "第四条" not in whole
            assert "最高奖励3万元" in whole and "奖励总额" in whole
        if form == FORM_21:
            assert "年度计划完成情况" in whole and "年度计划6项，完成5项" in whole
        if form == FORM_12:
            last = pages[-1]
            # the note never stands alone: the last page also holds the table's total row
            assert "注：" in last and re.search(r"合计共\d+项", last), (name, len(pages))
    bonus_300 = "".join(pages_text(pdfs[forms[("ledger-300", FORM_12)]]))
    assert "按最高奖励计" in bonus_300 and "30,000.00" in bonus_300
