"""Consistency rules, each provoked on a copy of an example and read back from the report."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, copy_example, edit_yaml

from assembler.api import check
from assembler.core.match import assign_part, leading_number

M4 = "4-评审会议"


def findings(folder: Path, rule: str):
    return [f for f in check(folder).findings if f.rule == rule]


def status(folder: Path, number: str) -> str:
    return next(m.status for m in check(folder).materials if m.number == number)


@pytest.mark.parametrize(
    "name,number",
    [
        ("2-制度", "2"),
        ("02 激励制度", "2"),
        ("2_方案", "2"),
        ("10-x", "10"),
        ("002.附件", "2"),
        ("制度", None),
        ("2026-03-18", None),
    ],
)
def test_leading_number(name, number):
    assert leading_number(name) == number


def test_assign_part_prefers_names_then_kind():
    from assembler.load.checklists import load_checklist

    parts = next(m for m in load_checklist("2021", "innovation").materials if m.number == "4").parts
    assert assign_part("会议纪要.pdf", "pdf", parts, in_meeting=True) == "minutes"
    assert assign_part("公示照片.jpg", "image", parts, in_meeting=True) == "notice"
    assert assign_part("IMG_0001.jpg", "image", parts, in_meeting=True) == "photos"
    assert assign_part("IMG_0001.jpg", "image", parts, in_meeting=False) is None
    assert assign_part("议程.pdf", "pdf", parts, in_meeting=True) is None


def test_photos_missing_for_one_meeting(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    meeting = next((app / M4).glob("2026-03-18*"))
    for photo in meeting.glob("*.jpg"):
        photo.unlink()
    found = findings(app, "A4-PHOTOS-MISSING")
    assert len(found) == 1 and "2026-03-18" in found[0].message and found[0].severity == "error"
    assert status(app, "4") == "missing"
    assert not findings(app, "A4-MINUTES-MISSING")


def test_minutes_and_notice_missing(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    for f in (app / M4).rglob("*纪要*"):
        f.unlink()
    for f in (app / M4).glob("*公示*"):
        f.unlink()
    assert len(findings(app, "A4-MINUTES-MISSING")) == 2
    assert len(findings(app, "A4-NOTICE-MISSING")) == 1


def test_meeting_declared_without_folder_and_folder_undeclared(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(
        app, lambda d: d["innovation"]["meetings"].append({"date": dt.date(2026, 6, 1), "title": "补充评审"})
    )
    (app / M4 / "2025-11-11 临时会").mkdir()
    shutil.copy(next((app / M4).rglob("*.jpg")), app / M4 / "2025-11-11 临时会" / "a.jpg")
    (app / M4 / "会议材料").mkdir()
    shutil.copy(next((app / M4).rglob("*.jpg")), app / M4 / "会议材料" / "b.jpg")
    assert findings(app, "A4-MEETING-FOLDER-MISSING")[0].message.startswith("评审会议 2026-06-01")
    assert findings(app, "A4-MEETING-UNDECLARED")[0].path.endswith("2025-11-11 临时会")
    assert findings(app, "A4-FOLDER-UNDATED")[0].path == "4-评审会议/会议材料"
    assert findings(app, "A4-FILE-UNASSIGNED")


def test_meeting_and_adoption_out_of_period(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d.update(year=2027))
    assert findings(app, "A4-MEETING-OUT-OF-PERIOD")  # 2026-03-18 is before 2027-01-01
    assert findings(app, "LEDGER-DATE-OUT-OF-PERIOD")
    assert findings(app, "DUES-YEAR-MISMATCH")  # the voucher says 2025, 2026 is wanted


def test_case_material_mismatch(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    os.rename(app / "5-奖励签收单" / "物质奖励签收单.pdf", app / "5-奖励签收单" / "奖金银行流水.pdf")
    found = findings(app, "MATERIAL-CASE-MISMATCH")
    assert found and "专项奖励银行流水" in found[0].message and "情形二" in found[0].message
    assert status(app, "5") == "invalid"


def test_bank_statement_folder_in_count_case_is_reported(tmp_path):
    app = copy_example("innovation-bonus", tmp_path)
    edit_yaml(app, lambda d: d["innovation"].update(case="count"))
    report = check(app)
    five = [m for m in report.materials if m.number == "5"]
    assert [m.title for m in five] == ["物质奖励签收单"]
    assert any(f.rule == "MATERIAL-CASE-MISMATCH" for f in report.findings)
    assert report.award.amount == 5000  # 120 items under case 1


def test_inline_ledger_duplicates_and_unknown_meeting(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    base = {"proposer": "李四", "adopted_on": dt.date(2026, 3, 18), "category": "小革新"}
    items = [{"name": f"改进{i}", **base} for i in range(16)]
    items.append({"name": "改进 3", **base})  # same as 改进3 after normalising spaces
    items.append({"name": "改进4", **{**base, "proposer": "王五"}})
    items.append({"name": "新想法", **{**base, "category": "合理化建议", "meeting": dt.date(2025, 1, 1)}})
    edit_yaml(app, lambda d: d["innovation"].update(projects=items))
    report = check(app)
    rules = [f.rule for f in report.findings]
    assert rules.count("LEDGER-DUPLICATE") == 1
    assert "LEDGER-SIMILAR-NAME" in rules
    assert "LEDGER-CATEGORY-UNKNOWN" in rules
    assert "LEDGER-MEETING-UNKNOWN" in rules
    assert report.award.amount == 2000  # 19 rows, 15–30 tier (duplicates are findings, not silently dropped)


def test_fourteen_items_not_eligible(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    items = [{"name": f"改进{i}", "proposer": "李四", "adopted_on": dt.date(2026, 3, 18)} for i in range(14)]
    edit_yaml(app, lambda d: d["innovation"].update(projects=items))
    report = check(app)
    assert report.award.amount is None and not report.complete
    assert any(f.rule == "A1-TOO-FEW" for f in report.findings)


def test_corrupt_and_encrypted_evidence(tmp_path, corpus):
    app = copy_example("innovation-count", tmp_path)
    shutil.copy(corpus / "pdf" / "password-example.pdf", app / "2-激励制度" / "制度（加密）.pdf")
    shutil.copy(corpus / "pdf" / "invalid.pdf", app / "6-工会经费凭证" / "2025年凭证-损坏.pdf")
    report = check(app)
    bad = {f.path: f.message for f in report.findings if f.rule == "EVIDENCE-INVALID"}
    assert "打开密码" in bad["2-激励制度/制度（加密）.pdf"]
    assert "损坏" in bad["6-工会经费凭证/2025年凭证-损坏.pdf"]
    assert status(app, "2") == "invalid" and status(app, "6") == "invalid"


def test_kind_not_accepted(tmp_path, corpus):
    app = copy_example("innovation-bonus", tmp_path)
    shutil.copy(corpus / "office" / "rph.xlsx", app / "5-银行流水" / "流水.xlsx")
    assert findings(app, "EVIDENCE-KIND-NOT-ACCEPTED")[0].path == "5-银行流水/流水.xlsx"


def test_duplicate_files_and_unmatched(tmp_path):
    app = copy_example("studio", tmp_path)
    shutil.copy(app / "2-年度工作计划" / "2026年度工作计划.pdf", app / "3-进度与成果" / "计划副本.pdf")
    (app / "说明.pdf").write_bytes((app / "2-年度工作计划" / "2026年度工作计划.pdf").read_bytes())
    (app / "9-其他").mkdir()
    shutil.copy(app / "3-进度与成果" / "成果应用现场.jpg", app / "9-其他" / "x.jpg")
    report = check(app)
    dup = [f for f in report.findings if f.rule == "EVIDENCE-DUPLICATE"]
    assert len(dup) == 2 and "3 次" in next(f.message for f in dup if "3 次" in f.message)
    unmatched = {f.path: f.message for f in report.findings if f.rule == "EVIDENCE-UNMATCHED"}
    assert "根目录" in unmatched["说明.pdf"] and "编号为 9" in unmatched["9-其他/x.jpg"]
    assert report.complete  # warnings only


def test_patent_copy_missing_and_found_by_explicit_file(tmp_path):
    app = copy_example("studio", tmp_path)
    patent = next((app / "4-专利与重大专项").iterdir())
    patent.rename(app / "4-专利与重大专项" / "证书.pdf")
    found = findings(app, "B4-PATENT-COPY-MISSING")
    assert found and "ZL202520123456.7" in found[0].message and "第 " in found[0].path
    assert status(app, "4") == "missing"
    edit_yaml(app, lambda d: d["studio"]["patents"][0].update(file="4-专利与重大专项/证书.pdf"))
    assert not findings(app, "B4-PATENT-COPY-MISSING")


def test_patent_material_optional_without_patents(tmp_path):
    app = copy_example("studio", tmp_path)
    shutil.rmtree(app / "4-专利与重大专项")
    edit_yaml(app, lambda d: d["studio"].update(patents=[]))
    report = check(app)
    assert report.complete
    assert next(m for m in report.materials if m.number == "4").status == "optional"


def test_studio_requirements(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(projects=[], results=[], tier=4000, level="enterprise"))
    rules = {f.rule for f in check(app).findings}
    assert {"B-PROJECTS-MISSING", "B-RESULTS-MISSING", "B-LEVEL-TOO-LOW"} <= rules


def test_generated_material_with_stamped_scan(tmp_path):
    app = copy_example("studio", tmp_path)
    (app / "1-申请表").mkdir()
    shutil.copy(app / "2-年度工作计划" / "2026年度工作计划.pdf", app / "1-申请表" / "盖章申请表.pdf")
    report = check(app)
    one = next(m for m in report.materials if m.number == "1")
    assert one.status == "ok" and one.files == ("1-申请表/盖章申请表.pdf",)
    assert any(f.rule == "MATERIAL-GENERATED-EXTRA" for f in report.findings)


def test_examples_are_clean():
    for name in ["innovation-count", "innovation-bonus", "studio"]:
        report = check(EXAMPLES / name)
        assert report.complete, [f for f in report.findings if f.severity == "error"]
        assert all(m.status in ("ok", "optional", "not-applicable") for m in report.materials)
