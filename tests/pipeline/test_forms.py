"""The filled Word forms: every value where it belongs, escaping, 无 for empty fields, template coverage."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, copy_example, edit_yaml, tree_digest
from docx import Document
from docx.oxml.ns import qn

from assembler.api import check_source, fill
from assembler.cli import cli
from assembler.load.ledger import load_ledger_file
from assembler.load.sources import FolderSource
from assembler.pipeline.wordforms import coverage, form_context, form_words, template_path
from assembler.resources import bundled

FORM_11 = "附件1.1-职工创新创效鼓励金申请表.docx"
FORM_12 = "附件1.2-被采纳的职工创新创效项目汇总明细.docx"
FORM_21 = "附件2.1-创新工作室鼓励金申请表.docx"


def all_text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    out = {}
    for name in ["innovation-count", "innovation-bonus", "studio"]:
        target = tmp_path_factory.mktemp(name)
        result = fill(EXAMPLES / name, target)
        out[name] = {p.name: p for p in result.written}
    return out


def test_forms_per_scheme(filled):
    assert set(filled["innovation-count"]) == {FORM_11, FORM_12}
    assert set(filled["innovation-bonus"]) == {FORM_11, FORM_12}
    assert set(filled["studio"]) == {FORM_21}


@pytest.mark.parametrize(
    "name,amount,capital",
    [
        ("innovation-count", "3,000.00 元", "人民币叁仟元整"),
        ("innovation-bonus", "30,000.00 元", "人民币叁万元整"),
        ("studio", "15,000.00 元", "人民币壹万伍仟元整"),
    ],
)
def test_application_form_values(filled, name, amount, capital):
    form = filled[name].get(FORM_11) or filled[name][FORM_21]
    text = all_text(form)
    report, loaded, _ = check_source(FolderSource(EXAMPLES / name))
    app = loaded.app
    for value in [
        app.applicant.name,
        app.applicant.credit_code,
        app.applicant.union,
        app.applicant.contact.name,
        app.applicant.contact.phone,
        app.applicant.bank.account,
        amount,
        capital,
    ]:
        assert value in text, value
    for line in report.award.lines:
        assert form_words(line) in text
    assert "办法保证" not in text and "matched_amount" not in text  # the form's words, not the tool's
    assert "None" not in text and "{{" not in text and "{%" not in text


def test_case_boxes(filled):
    count = all_text(filled["innovation-count"][FORM_11])
    bonus = all_text(filled["innovation-bonus"][FORM_11])
    assert "■ 情形一" in count and "□ 情形二" in count
    assert "□ 情形一" in bonus and "■ 情形二" in bonus
    assert "37 项" in count and "120 项" in bonus
    studio = all_text(filled["studio"][FORM_21])
    assert "■ 当年新命名" in studio and "■ 年度综合评比" in studio and "5000 元" in studio
    assert "滨海新区级" in studio and "ZL202520123456.7" in studio and "2026年4月28日" in studio


@pytest.mark.parametrize(
    "name,ledger,total",
    [("innovation-count", "ledger.xlsx", "12,200.00"), ("innovation-bonus", "ledger.csv", None)],
)
def test_project_summary_has_every_row_and_total(filled, name, ledger, total):
    items = load_ledger_file(FolderSource(EXAMPLES / name), ledger, "x")
    doc = Document(filled[name][FORM_12])
    table = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0][:2] == ["序号", "项目名称"]
    body = [r for r in rows[1:] if r[0].isdigit()]
    assert len(body) == len(items)
    for row, item in zip(body, items):
        assert row[1] == item.name and row[3] == item.proposer and row[5] == item.adopted_on.isoformat()
    expected_total = total or f"{sum(i.bonus for i in items):,.2f}"
    total_row = rows[-2]
    assert total_row[0] == "合计" and expected_total in total_row and f"共 {len(items)} 项" in total_row
    assert rows[-1][0].startswith("填表人") and "注：" in rows[-1][0]  # the note stays in the table
    claimed = check_source(FolderSource(EXAMPLES / name))[0].award.amount
    assert total_row[8] == f"{claimed:,.2f}"
    subtotals = rows[1 + len(items) : -2]
    if name == "innovation-bonus":  # 情形二: per-item 鼓励金 and tier subtotals that lead to the claim
        per_item = sum(Decimal(r[8].replace(",", "")) for r in body)
        tiers = [r for r in subtotals if r[0].startswith("小计")]
        assert sum(Decimal(r[8].replace(",", "")) for r in tiers) == per_item == Decimal(31200)
        assert "最高奖励" in subtotals[-1][0] and subtotals[-1][8] == "30,000.00"
    else:
        assert {r[8] for r in body} == {"—"} and "31—50 条" in subtotals[0][0]
    header_pr = table.rows[0]._tr.trPr
    assert header_pr is not None and header_pr.find(qn("w:tblHeader")) is not None  # repeated on every page


def test_east_asian_font_and_language_are_set(filled):
    for forms in filled.values():
        for path in forms.values():
            doc = Document(path)
            for run in doc.element.body.iter(qn("w:r")):
                fonts = run.find(qn("w:rPr") + "/" + qn("w:rFonts"))
                if run.find(qn("w:t")) is not None:
                    assert fonts is not None and fonts.get(qn("w:eastAsia")) in {"仿宋", "宋体", "黑体"}
            styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
            assert 'w:eastAsia="zh-CN"' in styles and 'w:eastAsia="en-US"' not in styles


def test_a4_pages(filled):
    section = Document(filled["innovation-count"][FORM_11]).sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    section = Document(filled["innovation-count"][FORM_12]).sections[0]
    assert round(section.page_width.cm, 1) == 29.7  # landscape: nine columns


@pytest.mark.parametrize(
    "scheme,generated",
    [("innovation", "application_form"), ("innovation", "project_summary"), ("studio", "application_form")],
)
def test_bundled_templates_use_exactly_the_provided_values(scheme, generated):
    example = "studio" if scheme == "studio" else "innovation-count"
    report, loaded, checklist = check_source(FolderSource(EXAMPLES / example))
    spec = next(m for m in checklist.materials if m.generated == generated)
    cov = coverage(template_path(spec, None), form_context(spec, loaded, report))
    assert cov.unknown == () and cov.unused == ()


NASTY = [
    "A&B <公司> \"引号\" '单引号'",
    "{{ 1 + 1 }} 与 {% if x %}",
    "第一行\n第二行",
    "‹公司>" * 3,
    "长" * 3000,
]


def test_escaping_renders_literally_and_opens(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    items = [
        {
            "name": f"{NASTY[i % len(NASTY)]}{i}",
            "proposer": "张<三>",
            "adopted_on": dt.date(2025, 9, 12),
            "effect": NASTY[(i + 1) % len(NASTY)],
            "department": "&amp;",
        }
        for i in range(40)
    ]
    edit_yaml(
        app,
        lambda d: (
            d["innovation"].update(projects=items),
            d["applicant"].update(name="天津 A&B <示例> 公司 {{ x }}", address="一行\n二行"),
        ),
    )
    out = tmp_path / "out"
    result = fill(app, out)
    text11 = all_text(out / FORM_11)
    assert "天津 A&B <示例> 公司 {{ x }}" in text11
    assert "一行\n二行" in text11
    doc = Document(out / FORM_12)
    names = [r.cells[1].text for r in doc.tables[0].rows[1:] if r.cells[0].text.isdigit()]
    assert names == [i["name"] for i in items]
    assert "{{ 1 + 1 }} 与 {% if x %}1" in names and "2 与" not in "".join(names)
    assert doc.tables[0].rows[1].cells[3].text == "张<三>" and doc.tables[0].rows[1].cells[4].text == "&amp;"
    assert len(result.written) == 2


def test_empty_fields_print_wu(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(
        app,
        lambda d: (
            d["applicant"].pop("bank"),
            d["applicant"].pop("employees"),
            d["studio"].pop("members"),
            d["studio"].update(patents=[]),
        ),
    )
    shutil.rmtree(app / "4-专利与重大专项")
    fill(app, tmp_path / "out")
    doc = Document(tmp_path / "out" / FORM_21)
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    pairs = {row.cells[2].text: row.cells[3].text for row in doc.tables[0].rows}
    assert cells["开户银行"] == "无" and pairs["银行账号"] == "无" and pairs["职工人数"] == "无"
    assert pairs["成员人数"] == "无" and cells["专利/重大专项"] == "无"
    assert "None" not in all_text(tmp_path / "out" / FORM_21)


def test_same_application_same_bytes(tmp_path):
    a = fill(EXAMPLES / "innovation-count", tmp_path / "a").written
    b = fill(EXAMPLES / "innovation-count", tmp_path / "b").written
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_thousand_rows(tmp_path):
    app = copy_example("innovation-bonus", tmp_path)
    lines = ["序号,项目名称,类别,提出人,所在部门,采纳日期,实施效果,奖励金额,评审会议"]
    lines += [
        f"{i},项目{i:04d},小革新,职工{i % 50},机加车间,2025-12-19,效果{i},{100 + i % 700},2025-12-19"
        for i in range(1, 1001)
    ]
    (app / "ledger.csv").write_text("\n".join(lines), encoding="utf-8")
    fill(app, tmp_path / "out")
    rows = Document(tmp_path / "out" / FORM_12).tables[0].rows
    assert len(rows) == 1 + 1000 + 4 + 1 + 1  # header, items, three tier subtotals and the cap, total, note
    assert rows[1000].cells[1].text == "项目1000"


def test_revised_templates_coverage_reported(tmp_path):
    revised = tmp_path / "tpl"
    shutil.copytree(bundled("templates"), revised)
    # a revised 附件2.1 that drops the bank account and asks for a value the tool does not provide
    path = revised / FORM_21
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["word/document.xml"].decode()
    assert "{{ bank_account }}" in xml

    def revise(new: str) -> None:
        with zipfile.ZipFile(path, "w") as zf:
            for n, data in parts.items():
                zf.writestr(
                    n, xml.replace("{{ bank_account }}", new).encode() if n == "word/document.xml" else data
                )

    revise("")
    result = CliRunner().invoke(
        cli, ["fill", str(EXAMPLES / "studio"), "-o", str(tmp_path / "o1"), "--templates", str(revised)]
    )
    assert result.exit_code == 0, result.output
    assert "没有使用这些值：bank_account" in result.output
    revise("{{ bank_swift }}")
    result = CliRunner().invoke(
        cli, ["fill", str(EXAMPLES / "studio"), "-o", str(tmp_path / "o2"), "--templates", str(revised)]
    )
    assert result.exit_code == 2
    assert "bank_swift" in result.output and FORM_21 in result.output
    assert not (tmp_path / "o2" / FORM_21).exists()


def test_fill_cli_and_refuses_output_inside_application(tmp_path):
    app = copy_example("studio", tmp_path)
    before = tree_digest(app)
    result = CliRunner().invoke(cli, ["fill", str(app), "-o", str(app / "out")])
    assert result.exit_code == 2 and "申请文件夹之内" in result.output
    assert tree_digest(app) == before
    result = CliRunner().invoke(cli, ["fill", str(app), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0 and "已生成" in result.output
    assert tree_digest(app) == before


def test_fill_incomplete_application_warns(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    shutil.rmtree(app / "2-激励制度")
    result = CliRunner().invoke(cli, ["fill", str(app), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "仅供预览" in result.output


def test_no_literal_none_anywhere(filled):
    for forms in filled.values():
        for path in forms.values():
            xml = zipfile.ZipFile(path).read("word/document.xml").decode()
            assert not re.search(r">None<", xml)
