"""The reviewer side: verify catches tampering; review summarises many dossiers with cross-application
checks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import copy_example, edit_yaml
from openpyxl import load_workbook

from assembler.cli import cli
from assembler.core.identifiers import credit_code_check_char, org_code_check_char
from assembler.pipeline.run import BuildOptions, build

pytestmark = pytest.mark.slow


@pytest.fixture
def dossiers(example_dossiers, shared_cache) -> dict[str, Path]:
    return {**example_dossiers, "cache": shared_cache}


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("name", ["innovation-count", "innovation-bonus", "studio"])
def test_fresh_builds_verify(dossiers, name):
    result = run("verify", dossiers[name], "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intact"] is True and data["claimed_yuan"] == data["recomputed_yuan"]
    assert [f["rule"] for f in data["findings"]] == ["VERIFY-UNSIGNED", "VERIFY-BUILT-BY"]


def test_appended_page_is_caught(dossiers, tmp_path):
    with pikepdf.open(dossiers["studio"]) as pdf:
        pdf.pages.append(pdf.pages[2])
        pdf.save(tmp_path / "appended.pdf")
    result = run("verify", tmp_path / "appended.pdf")
    assert result.exit_code == 1 and "VERIFY-PAGE-COUNT" in result.output


def test_replaced_page_is_caught(dossiers, tmp_path):
    with pikepdf.open(dossiers["innovation-count"]) as pdf, pikepdf.open(dossiers["studio"]) as other:
        pdf.pages[5].obj.Contents = pdf.make_stream(other.pages[5].obj.Contents.read_bytes())
        pdf.save(tmp_path / "replaced.pdf")
    result = run("verify", tmp_path / "replaced.pdf", "--json")
    assert result.exit_code == 1
    messages = {f["rule"]: f["message"] for f in json.loads(result.output)["findings"]}
    assert "第 6 页" in messages["VERIFY-PAGE-CHANGED"]


def test_resaved_unchanged_copy_still_verifies(dossiers, tmp_path):
    with pikepdf.open(dossiers["studio"]) as pdf:
        pdf.save(
            tmp_path / "resaved.pdf",
            compress_streams=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    assert run("verify", tmp_path / "resaved.pdf").exit_code == 0


def test_inflated_claim_is_caught(dossiers, tmp_path):
    with pikepdf.open(dossiers["innovation-count"]) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        manifest["check"]["award"]["amount_fen"] = 500000
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(manifest).encode(), filename="manifest.json"
        )
        pdf.save(tmp_path / "inflated.pdf")
    result = run("verify", tmp_path / "inflated.pdf")
    assert result.exit_code == 1 and "VERIFY-AWARD-MISMATCH" in result.output and "3,000" in result.output


def test_incomplete_build_does_not_verify(dossiers, tmp_path):
    app = copy_example("studio", tmp_path)
    shutil.rmtree(app / "2-年度工作计划")
    out = build(app, BuildOptions(out=tmp_path / "d.pdf", allow_incomplete=True, cache_dir=dossiers["cache"]))
    result = run("verify", out.path)
    assert result.exit_code == 1 and "VERIFY-INCOMPLETE" in result.output


def _foreign_pdf(path: Path) -> Path:
    """A valid PDF that this tool did not make (no manifest)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


@pytest.mark.parametrize("content", [None, b"%PDF-1.4 broken", b"not a pdf"])
def test_foreign_or_damaged_is_exit_2(tmp_path, content):
    target = tmp_path / "x.pdf"
    if content is None:
        _foreign_pdf(target)
    else:
        target.write_bytes(content)
    result = run("verify", target)
    assert result.exit_code == 2 and "x.pdf" in result.output


def _other_code() -> str:
    first17 = "91120116" + "MA0ABCDE" + org_code_check_char("MA0ABCDE")
    return first17 + credit_code_check_char(first17)


def test_review_workbook_and_cross_checks(dossiers, tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in ["innovation-count", "innovation-bonus", "studio"]:
        shutil.copy(dossiers[name], incoming / f"{name}.pdf")
    shutil.copy(dossiers["studio"], incoming / "studio-again.pdf")  # same unit, same fund, same year
    _foreign_pdf(incoming / "foreign.pdf")  # not ours: a row with its error
    (incoming / "damaged.pdf").write_bytes(dossiers["studio"].read_bytes()[:5000])
    copycat = copy_example("innovation-count", incoming)  # another unit, same evidence and ledger
    copycat.rename(incoming / "copycat")
    edit_yaml(
        incoming / "copycat",
        lambda d: (
            d["applicant"].update(credit_code=_other_code(), name="某某抄袭公司"),
            d["innovation"].update(case="count"),
        ),
    )
    banned = tmp_path / "banned.txt"
    banned.write_text(f"# 取消资格名单\n{_other_code()},某某抄袭公司\n", encoding="utf-8")
    out = tmp_path / "summary.xlsx"
    result = run("review", incoming, "-o", out, "--disqualified", banned)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    assert header[:10] == [
        "序号",
        "单位名称",
        "统一社会信用代码",
        "基金",
        "情形",
        "申报年度",
        "申请金额（元）",
        "复核金额（元）",
        "是否完整",
        "问题数",
    ]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    rows = {r[11]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[11]}
    assert set(rows) == {
        "innovation-count.pdf",
        "innovation-bonus.pdf",
        "studio.pdf",
        "studio-again.pdf",
        "foreign.pdf",
        "damaged.pdf",
        "copycat",
    }
    assert rows["innovation-bonus.pdf"][6] == 30000 and rows["innovation-bonus.pdf"][7] == 30000
    assert rows["foreign.pdf"][1] == "（无法读取）" and rows["foreign.pdf"][8] == "否"
    assert rows["studio.pdf"][8] == "否" and rows["studio-again.pdf"][8] == "否"  # applying twice
    totals = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] and str(r[1]).startswith("合计")]
    assert any("职工创新创效鼓励金" in t[1] and t[6] == 3000 + 30000 + 3000 for t in totals)

    def findings(source: str) -> set[str]:
        sheet = next(wb[s] for s in wb.sheetnames if s != "汇总" and source in wb[s]["A1"].value)
        return {r[1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]}

    assert "REVIEW-DUPLICATE-APPLICANT" in findings("studio-again.pdf")
    assert {"REVIEW-SHARED-EVIDENCE", "REVIEW-SHARED-LEDGER-ITEM", "REVIEW-DISQUALIFIED"} <= findings(
        "copycat"
    )
    assert "REVIEW-SHARED-EVIDENCE" in findings("innovation-count.pdf")
    assert "REVIEW-UNREADABLE" in findings("foreign.pdf") and "REVIEW-UNREADABLE" in findings("damaged.pdf")
    assert "REVIEW-SHARED-EVIDENCE" not in findings("innovation-bonus.pdf")


def test_review_json(dossiers):
    result = run("review", dossiers["studio"], dossiers["innovation-count"], "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [a["claimed_yuan"] for a in data["applicants"]] == ["15000", "3000"]
    assert data["totals"]["studio"]["applicants"] == 1
