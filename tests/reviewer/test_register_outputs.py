"""What the union office takes out of the register: 补正通知, 公示名单, 拨款明细, year summary."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from conftest import copy_example, need_tool
from docx import Document
from openpyxl import load_workbook

from assembler.reviewer.register.db import insert_record, open_register
from assembler.reviewer.register.decisions import decide
from assembler.reviewer.register.intake import intake_one
from assembler.reviewer.register.outputs import (
    grants_xlsx,
    summary_rows,
    write_outputs,
    year_entries,
)
from assembler.reviewer.register.records import Record


@pytest.fixture
def register(tmp_path):
    """Three 2026 applications from the example folders: one returned, two approved."""
    db = open_register(tmp_path / "register.sqlite")
    (tmp_path / "src").mkdir()
    for name in ("innovation-count", "innovation-bonus", "studio"):
        r = intake_one(db, copy_example(name, tmp_path / "src"))
        assert r.status == "new", r.error
    decide(db, 1, "通过", "王芳")
    decide(db, 2, "退回补正", "王芳", reasons="台账第 11 项奖金证明缺失；评审会议照片不清晰")
    decide(db, 3, "通过", "李强", tier=5000, matched=Decimal(10000))
    return db


def test_outputs_of_a_year(register, tmp_path):
    written = write_outputs(register, 2026, tmp_path / "out", today=dt.date(2026, 6, 30))
    names = sorted(p.name for p in written)
    assert names == sorted(
        [
            "补正通知-0002-天津高新区示例电子科技股份有限公司.docx",
            "公示名单-2026.docx",
            "公示名单-2026.xlsx",
            "拨款明细-2026.xlsx",
            "年度汇总-2026.xlsx",
        ]
    )
    notice = "\n".join(p.text for p in Document(tmp_path / "out" / names[-1]).paragraphs)
    assert notice.startswith("补 正 通 知") and "天津高新区示例电子科技股份有限公司" in notice
    assert "1. 台账第 11 项奖金证明缺失" in notice and "2. 评审会议照片不清晰" in notice
    assert "不超过 100 元" in notice  # the check's warning, in form words (no rule ids)
    assert "A2-ITEM-BELOW-MIN" not in notice and "2026 年 6 月 30 日" in notice
    pub = load_workbook(tmp_path / "out" / "公示名单-2026.xlsx").active
    rows = [[c.value for c in r] for r in pub.iter_rows(min_row=2)]
    assert [r[2] for r in rows[:-1]] == ["天津滨海示例精密机械有限公司", "天津示例新能源装备有限公司"]
    assert rows[-1][5] == 18000
    doc = Document(tmp_path / "out" / "公示名单-2026.docx")
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "3,000.00" in cells and "15,000.00" in cells
    grants = load_workbook(tmp_path / "out" / "拨款明细-2026.xlsx").active
    values = [[c.value for c in r] for r in grants.iter_rows(min_row=2)]
    assert values[0][1] == "天津滨海示例精密机械有限公司工会委员会" and values[0][8] == 3000
    assert values[1][1].startswith("小计") and values[-1][8] == 18000
    summary = load_workbook(tmp_path / "out" / "年度汇总-2026.xlsx").active
    total = [c.value for c in list(summary.iter_rows())[-1]]
    assert total == ["合计", None, 3, 2, 1, 0, 0, 48000, 18000]


def test_summary_counts_per_fund_and_case(register):
    rows = summary_rows(year_entries(register, 2026))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("职工创新创效鼓励金", "情形一（按被采纳项目条数）", 1, 1, 0),
        ("职工创新创效鼓励金", "情形二（按企业行政专项奖金）", 1, 0, 1),
        ("劳模和工匠人才创新工作室鼓励金", "—", 1, 1, 0),
    ]


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    db = open_register(tmp_path / "r.sqlite")
    evil = Record(
        year=2026,
        scheme="innovation",
        case="count",
        unit_name='=HYPERLINK("http://x","点我")',
        credit_code="91120116MA05K3R78L",
        file_sha256="x",
        union_name="+工会",
        received_at="2026-04-01T00:00:00+00:00",
        recomputed_fen=300000,
        data={"applicant": {"bank": {"name": "@银行", "account": "-0302"}}},
    )
    with db.atomic():
        app_id = insert_record(db, evil)
    decide(db, app_id, "通过", "王芳")
    path = tmp_path / "g.xlsx"
    path.write_bytes(grants_xlsx(year_entries(db, 2026), 2026))
    ws = load_workbook(path).active
    row = list(ws.iter_rows(min_row=2, max_row=2))[0]
    texts = {c.value: c.data_type for c in row if isinstance(c.value, str)}
    assert texts['=HYPERLINK("http://x","点我")'] == "s"
    assert texts["+工会"] == "s" and texts["@银行"] == "s" and texts["-0302"] == "s"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


@pytest.mark.slow
def test_outputs_open_in_libreoffice(register, tmp_path):
    need_tool("soffice")
    need_tool("pdftotext")
    written = write_outputs(register, 2026, tmp_path / "out")
    for path in written:
        outdir = tmp_path / "pdf" / path.suffix[1:]
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = outdir / f"{path.stem}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "鼓励金" in text and "2026" in text, path.name
