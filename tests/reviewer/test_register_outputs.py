"""What the union office takes out of the register: 补正通知 and 公示 in 公文 form (GB/T 9704-2012),
the 公示名单 sheet, the 拨款明细 for finance and the year summary; converted to PDF with LibreOffice
and read back."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, copy_example, need_tool
from docx import Document
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.load.union import load_union, profile_from_data
from assembler.reviewer.register.db import insert_record, open_register, stored_findings
from assembler.reviewer.register.decisions import decide, disqualify
from assembler.reviewer.register.intake import intake_one
from assembler.reviewer.register.outputs import write_outputs, year_entries
from assembler.reviewer.register.records import Record
from assembler.reviewer.register.sheets import grants_xlsx, summary_rows

PROFILE = load_union(EXAMPLES / "union.yaml")
UTC = dt.UTC
TOOL_WORDS = ("dossier", "application.yaml", "innovation-bonus", ".pdf", "SHA-256", "A2-", "REGISTER-", "--")


def at(day: int, hour: int = 2) -> dt.datetime:
    """A decision time in June 2026 (UTC; 02:00 UTC is 10:00 in Beijing)."""
    return dt.datetime(2026, 6, day, hour, tzinfo=UTC)


@pytest.fixture
def register(tmp_path):
    """Three 2026 applications from the example folders: one returned (with a ticked finding), two
    approved."""
    db = open_register(tmp_path / "register.sqlite")
    (tmp_path / "src").mkdir()
    for name in ("innovation-count", "innovation-bonus", "studio"):
        r = intake_one(db, copy_example(name, tmp_path / "src"))
        assert r.status == "new", r.error
    decide(db, 1, "通过", "王芳", now=at(29))
    decide(
        db,
        2,
        "退回补正",
        "王芳",
        reasons="台账第 11 项奖金证明缺失；评审会议照片不清晰",
        ticked=("A2-ITEM-BELOW-MIN",),
        now=at(29, 3),
    )
    decide(db, 3, "通过", "李强", tier=5000, matched=Decimal(10000), now=at(30))
    return db


def text_of(path: Path) -> str:
    doc = Document(path)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def sheet_rows(path: Path) -> list[list]:
    return [[c.value for c in r] for r in load_workbook(path).active.iter_rows()]


def test_outputs_of_a_year(register, tmp_path):
    written = write_outputs(register, 2026, tmp_path / "out", PROFILE)
    assert sorted(p.name for p in written) == sorted(
        [
            "补正通知-2026-0002-天津高新区示例电子科技股份有限公司.docx",
            "2026年度公示名单-公示.docx",
            "2026年度公示名单-表格.xlsx",
            "2026年度拨款明细.xlsx",
            "2026年度汇总.xlsx",
        ]
    )
    assert len({p.stem for p in written}) == len(written)  # converting all in one folder keeps every PDF


def test_notice_in_official_form(register, tmp_path):
    out = tmp_path / "out"
    write_outputs(register, 2026, out, PROFILE)
    notice = text_of(out / "补正通知-2026-0002-天津高新区示例电子科技股份有限公司.docx")
    lines = notice.splitlines()
    assert lines[0] == "天津滨海高新技术产业开发区总工会"  # 发文机关标志
    assert "津高新工〔2026〕1号" in lines  # 发文字号: the year's first returned decision
    assert "关于补正2026年度职工创新创效鼓励金申报材料的通知" in lines
    assert "天津高新区示例电子科技股份有限公司、" in notice  # 主送 the unit and its union
    assert "1．台账第 11 项奖金证明缺失。" in notice and "2．评审会议照片不清晰。" in notice
    assert "12 项企业奖金不超过 100 元" in notice  # the ticked finding, once
    assert notice.count("不超过 100 元") == 1
    # decided 2026-06-29 (Beijing); 10 days later is Thursday 2026-07-09
    assert "请于2026年7月9日前" in notice and "2026年6月29日" in lines
    assert "（联系人：张明；联系电话：022-58000000）" in notice
    assert not [w for w in TOOL_WORDS if w in notice]
    footer = Document(out / "补正通知-2026-0002-天津高新区示例电子科技股份有限公司.docx").sections[0].footer
    assert "— " in footer.paragraphs[0].text and " —" in footer.paragraphs[0].text


def test_notice_is_frozen_with_the_decision(register, tmp_path):
    """A later intake (another unit copying this unit's ledger) and a later 公示 leave the notice as issued,
    and a ticked register finding names no other unit."""
    first = tmp_path / "first"
    write_outputs(register, 2026, first, PROFILE)
    name = "补正通知-2026-0002-天津高新区示例电子科技股份有限公司.docx"
    other = copy_example("innovation-bonus", tmp_path / "copy")
    text = (other / "application.yaml").read_text(encoding="utf-8")
    text = text.replace("天津高新区示例电子科技股份有限公司", "天津抄袭示例有限公司")
    text = re.sub(r"credit_code: *\S+", 'credit_code: "91120116MA0CCCCC04"', text, count=1)
    (other / "application.yaml").write_text(text, encoding="utf-8")
    assert intake_one(register, other).status == "new"
    # it shares evidence files with unit 2: approving it needs the committee's written reason
    decide(register, 4, "通过", "王芳", override="评审委员会核实为集团统一制度", now=at(30, 5))
    second = tmp_path / "second"
    write_outputs(register, 2026, second, PROFILE)
    assert (first / name).read_bytes() == (second / name).read_bytes()
    rules = [f.rule for f in stored_findings(register, 4)]
    assert "REGISTER-ITEM-SHARED" in rules
    decide(
        register,
        4,
        "退回补正",
        "王芳",
        reasons="项目归属待核实",
        ticked=("REGISTER-ITEM-SHARED",),
        now=at(30, 6),
    )
    write_outputs(register, 2026, second, PROFILE)
    copied = text_of(second / "补正通知-2026-0004-天津抄袭示例有限公司.docx")
    assert "与其他申报材料重复" in copied and "津高新工〔2026〕2号" in copied
    assert "电子科技" not in copied and "登记号" not in copied and "91120116" not in copied


def test_ticking_an_unknown_finding_is_refused(register):
    from assembler.errors import UsageError

    with pytest.raises(UsageError, match="没有这一项检查结果"):
        decide(register, 2, "退回补正", "王芳", reasons="x", ticked=("99",))


def test_publicity_dates_contacts_and_split(register, tmp_path):
    out = tmp_path / "out"
    write_outputs(register, 2026, out, PROFILE)
    text = text_of(out / "2026年度公示名单-公示.docx")
    # issued 2026-06-30 (the latest decision, Tuesday): five working days from Wednesday 07-01
    assert "公示期：2026年7月1日至2026年7月7日（5个工作日）" in text
    assert "津高新工〔2026〕2号" in text and "2026年6月30日" in text
    for contact in ("张明", "022-58000000", "zgh@example.cn", "海泰发展六道6号"):
        assert contact in text
    assert "拟对以下2家单位" in text and "合计18,000.00元" in text
    assert "10,000.00" in text and "5,000.00" in text and "15,000.00" in text  # new naming + annual tier
    rows = sheet_rows(out / "2026年度公示名单-表格.xlsx")
    assert rows[0][0] == "2026年度高新区职工创新鼓励金拟支持名单"  # the title in the sheet
    total = next(r for r in rows if r[1] and str(r[1]).startswith("合计"))
    assert total[1] == "合计：2 家单位，2 项" and total[6] == 18000
    assert any(str(r[0]).startswith("公示期：2026年7月1日至2026年7月7日") for r in rows)
    studio = next(r for r in rows if r[2] == "劳模和工匠人才创新工作室鼓励金")
    assert (studio[4], studio[5], studio[6]) == (10000, 5000, 15000)


def test_publicity_period_skips_holidays():
    from assembler.reviewer.register.outputs import publicity_period

    profile = profile_from_data({**PROFILE.as_data(), "holidays": ["2026-10-01", "2026-10-02"]}, "t")
    assert publicity_period(profile, dt.date(2026, 9, 29)) == (dt.date(2026, 9, 30), dt.date(2026, 10, 8))


def test_grants_for_finance(register, tmp_path):
    out = tmp_path / "out"
    write_outputs(register, 2026, out, PROFILE)
    rows = sheet_rows(out / "2026年度拨款明细.xlsx")
    flat = [str(v) for r in rows for v in r if v is not None]
    assert rows[0][0] == "2026年度高新区职工创新鼓励金拨款明细表"
    assert "编制单位：天津滨海高新技术产业开发区总工会" in rows[1][0] and "2026年6月30日" in rows[1][0]
    header = rows[2]
    assert header[:5] == ["序号", "户名（收款基层工会）", "开户银行", "银行账号", "金额（元）"]
    payees = [r[1] for r in rows[3:5]]
    assert payees == ["天津滨海示例精密机械有限公司工会委员会", "天津示例新能源装备有限公司工会委员会"]
    assert "合计金额（大写）：人民币壹万捌仟元整" in flat
    assert any("制表人" in v and "审核人" in v and "审批人" in v for v in flat)
    ws = load_workbook(out / "2026年度拨款明细.xlsx").active
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"
    assert ws.cell(4, 2).font.sz >= 9 and ws.cell(4, 2).border.left.style == "thin"


def test_grants_leave_out_disqualified_unions(register, tmp_path):
    code = (
        register.table("applications").get(1)["union_code"]
        or register.table("applications").get(1)["credit_code"]
    )
    disqualify(register, code, dt.date(2026, 1, 1), "挪用 2025 年度鼓励金", "王芳")
    path = tmp_path / "g.xlsx"
    path.write_bytes(grants_xlsx(year_entries(register, 2026), 2026, PROFILE, 2, dt.date(2026, 6, 30)))
    payees = [r[1] for r in sheet_rows(path)[3:] if r[0] is not None and isinstance(r[0], int)]
    assert payees == ["天津示例新能源装备有限公司工会委员会"]


def test_summary_counts_decided_units_and_parts(register, tmp_path):
    # an undecided second application of the same unit and fund: counted as open, never in the amounts
    dup = copy_example("innovation-bonus", tmp_path / "dup")
    (dup / "extra.txt").write_text("再次报送", encoding="utf-8")
    intake_one(register, dup)
    rows = summary_rows(year_entries(register, 2026))
    table = {(r[0], r[1]): r for r in rows}
    count = table[("职工创新创效鼓励金", "情形一（按被采纳项目条数）")]
    assert count[2:8] == [1, 1, 1, 0, 0, 0] and count[9] == 3000
    studio = table[("劳模和工匠人才创新工作室鼓励金", "全部")]
    assert studio[9] == 15000
    assert table[("劳模和工匠人才创新工作室鼓励金", "其中：新命名")][9] == 10000
    assert table[("劳模和工匠人才创新工作室鼓励金", "其中：年度评比")][9] == 5000
    out = tmp_path / "out"
    write_outputs(register, 2026, out, PROFILE)
    sheet = sheet_rows(out / "2026年度汇总.xlsx")
    total = next(r for r in sheet if r[0] == "合计")
    assert total[3] == 3  # distinct units
    assert any("制表人" in str(r[0]) for r in sheet)


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
    path.write_bytes(grants_xlsx(year_entries(db, 2026), 2026, PROFILE, 1, dt.date(2026, 6, 30)))
    ws = load_workbook(path).active
    texts = {c.value: c.data_type for r in ws.iter_rows() for c in r if isinstance(c.value, str)}
    assert texts["+工会"] == "s" and texts["@银行"] == "s" and texts["-0302"] == "s"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert any("待核实" in v for v in texts)  # "-0302" is no account number


def test_second_run_same_bytes(register, tmp_path):
    a = write_outputs(register, 2026, tmp_path / "a", PROFILE)
    b = write_outputs(register, 2026, tmp_path / "b", PROFILE)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_union_profile_missing_values_are_asked_for(tmp_path):
    from assembler.errors import InputError

    data = PROFILE.as_data()
    del data["phone"]
    data["objection_days"] = 0
    with pytest.raises(InputError) as caught:
        profile_from_data(data, "union.yaml")
    assert (
        "请填写“联系电话”" in caught.value.message
        and "“公示期（工作日）”应为 1 至 30" in caught.value.message
    )


def test_outputs_cli_needs_the_union_profile(register, tmp_path):
    runner = CliRunner()
    reg = str(tmp_path / "register.sqlite")
    refused = runner.invoke(cli, ["outputs", "--year", "2026", "-o", str(tmp_path / "o1"), "--register", reg])
    assert refused.exit_code == 2 and "找不到总工会信息文件" in refused.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("issuer: 某总工会\n", encoding="utf-8")
    refused = runner.invoke(
        cli, ["outputs", "--year", "2026", "-o", str(tmp_path / "o2"), "--register", reg, "--union", str(bad)]
    )
    assert (
        refused.exit_code == 2
        and "请填写“发文字号前缀”" in refused.output
        and "Traceback" not in refused.output
    )
    shutil.copy(EXAMPLES / "union.yaml", tmp_path / "union.yaml")  # next to the register
    done = runner.invoke(cli, ["outputs", "--year", "2026", "-o", str(tmp_path / "o3"), "--register", reg])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "o3" / "2026年度拨款明细.xlsx").is_file()


def test_decide_cli_ticks_findings(register, tmp_path):
    runner = CliRunner()
    reg = str(tmp_path / "register.sqlite")
    shown = runner.invoke(cli, ["applications", "2", "--register", reg])
    assert re.search(r"^  1\. \[", shown.output, re.M), shown.output
    done = runner.invoke(
        cli,
        [
            "decide",
            "2",
            "--decision",
            "退回补正",
            "--reason",
            "请补充",
            "--finding",
            "1",
            "--reviewer",
            "王芳",
            "--register",
            reg,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "    补正：12 项企业奖金不超过 100 元" in done.output
    row = list(register.query("SELECT words FROM decision_findings ORDER BY decision_id DESC LIMIT 1"))[0]
    assert "不超过 100 元" in row["words"]


def pdf_facts(pdf: Path) -> tuple[str, list[tuple[float, float]], set[float], list[str]]:
    """Text (pdftotext), page sizes, character sizes (pdfminer) and fonts (pdffonts) of a PDF."""
    import subprocess

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar
    from pypdf import PdfReader

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # pdftotext puts spaces between CJK and digits
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]

    def chars(node):
        if isinstance(node, LTChar):
            yield node
        elif hasattr(node, "__iter__"):
            for child in node:
                yield from chars(child)

    points = {round(c.size, 1) for page in extract_pages(pdf) for c in chars(page) if c.get_text().strip()}
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return text, sizes, points, fonts


@pytest.mark.slow
def test_every_output_as_pdf(register, tmp_path):
    """Each output converted by LibreOffice: pages, fonts embedded, parts present, no tool words, dates."""
    need_tool("soffice")
    need_tool("pdftotext")
    need_tool("pdffonts")
    from assembler.convert.soffice import Soffice

    written = write_outputs(register, 2026, tmp_path / "out", PROFILE)
    pdfs = Soffice.locate(cache_dir=tmp_path / "cache").convert(written)
    facts = {src.name: pdf_facts(pdf) for src, pdf in pdfs.items()}
    for name, (text, _, points, fonts) in facts.items():
        assert fonts and all(" yes " in f.split(None, 1)[1] for f in fonts), (name, fonts)  # embedded
        assert not [w for w in TOOL_WORDS if w in text], name
        assert min(points) >= 9, (name, sorted(points))
    notice, sizes, points, fonts = facts["补正通知-2026-0002-天津高新区示例电子科技股份有限公司.docx"]
    assert all(w < h for w, h in sizes) and len(sizes) <= 2
    assert all(f"—{n}—" in notice for n in range(1, len(sizes) + 1))
    assert "津高新工〔2026〕1号" in notice and "2026年7月9日" in notice
    assert {16.0, 22.0} <= points  # 正文 3号, 标题 2号
    assert any("Serif" in f or "FangSong" in f for f in fonts)
    publicity, sizes, _, _ = facts["2026年度公示名单-公示.docx"]
    assert "2026年7月1日至2026年7月7日" in publicity and "zgh@example.cn" in publicity
    for name in ("2026年度公示名单-表格.xlsx", "2026年度拨款明细.xlsx", "2026年度汇总.xlsx"):
        text, sizes, points, _ = facts[name]
        assert len(sizes) == 1 and sizes[0][0] > sizes[0][1], name  # one landscape page
        assert "天津滨海高新技术产业开发区总工会" in text and "2026年6月30日" in text
    grants = facts["2026年度拨款明细.xlsx"][0]
    assert "人民币壹万捌仟元整" in grants and "审批人" in grants and "拨款明细表" in grants


@pytest.mark.parametrize(
    "message,fix,words",
    [
        (
            "证明文件“5-工会经费凭证/2025年缴费凭证.pdf”无法打开",
            "请在 application.yaml 中改正后运行 dossier build 重新生成",
            "证明文件无法打开。请在申报信息中改正后重新生成申报材料。",
        ),
        (
            "[A4-REPORTED-LATE] 评审会议 2026-03-18 未在会前向高新区总工会报备"
            "（innovation.meetings[0].reported_on）",
            None,
            "评审会议 2026-03-18 未在会前向高新区总工会报备。",
        ),
        ("签名证书 SHA-256 a1b2c3d4 与此前登记的不一致", None, "签名证书与此前登记的不一致。"),
    ],
)
def test_notice_words_leave_out_files_keys_and_tools(message, fix, words):
    from assembler.core.models import Finding
    from assembler.reviewer.register.notices import notice_words

    assert notice_words(Finding("X-RULE", "error", message, fix=fix)) == words


def test_register_findings_never_name_the_other_unit():
    from assembler.core.models import Finding
    from assembler.reviewer.register.notices import notice_words

    shared = Finding(
        "REGISTER-EVIDENCE-SHARED",
        "error",
        "证明文件“a.pdf”与同年度另一单位天津抄袭示例有限公司（91120116MA0CCCCC04，登记号 4）"
        "的申报材料完全相同",
    )
    assert notice_words(shared) == "部分证明材料与其他申报材料重复，请提供本单位自己的材料。"
