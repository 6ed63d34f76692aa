"""Rule readings, round 2: each case of the issue, reproduced on a copy of an example and read back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, copy_example, edit_yaml

from assembler.api import check, check_source
from assembler.cli import cli
from assembler.core.report import report_to_json
from assembler.errors import InputError
from assembler.load.sources import open_source
from assembler.pipeline.wordforms import innovation_application_context, studio_application_context
from assembler.reviewer.review import Row, cross_checks

CALL = EXAMPLES / "call-2026.yaml"
M3 = "3-进度与成果"


def rules(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        out.setdefault(f.rule, []).append(f)
    return out


def items(*dates: dt.date) -> list[dict]:
    return [
        {"name": f"改进{i}", "proposer": f"职工{i}", "adopted_on": d, "category": "小革新"}
        for i, d in enumerate(dates)
    ]


def write_call(path: Path, year: int = 2026, innovation=("2025-07-01", "2026-06-30"), **extra) -> Path:
    lines = [
        'measures: "2021"',
        f"year: {year}",
        "title: 测试通知",
        "periods:",
        f"  innovation: {{start: {innovation[0]}, end: {innovation[1]}}}",
        f"  studio: {{start: {year}-01-01, end: {year}-12-31}}",
        *[f"{k}: {v}" for k, v in extra.items()],
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- 1. the activity period: the call's, else the calendar year; never the applicant's ---------------------


def test_period_key_is_refused_with_a_message(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d.update(period={"start": dt.date(2019, 1, 1), "end": dt.date(2026, 12, 31)}))
    with pytest.raises(InputError) as exc:
        check(app)
    text = exc.value.render()
    assert "period" in text and "申报通知" in text and "请删除" in text


def test_items_adopted_in_2019_count_for_nothing(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["innovation"].update(projects=items(*[dt.date(2019, 5, 1)] * 51)))
    report = check(app)
    assert len(rules(report)["LEDGER-DATE-OUT-OF-PERIOD"]) == 51
    assert not report.complete


@pytest.mark.parametrize(
    "day,inside",
    [
        (dt.date(2025, 12, 31), False),  # the previous year: the old 24-month default counted it twice
        (dt.date(2026, 1, 1), True),
        (dt.date(2026, 12, 31), True),
        (dt.date(2027, 1, 1), False),
    ],
)
def test_default_period_is_the_calendar_year(tmp_path, day, inside):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["innovation"].update(projects=items(*[dt.date(2026, 3, 18)] * 15, day)))
    report = check(app)
    assert (report.period.start, report.period.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert "默认" in report.period.source and report.call is None
    assert ("LEDGER-DATE-OUT-OF-PERIOD" in rules(report)) is not inside


def test_period_before_the_measures_took_effect(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(
        app,
        lambda d: (
            d.update(year=2021),
            d["innovation"].update(
                projects=items(*[dt.date(2021, 6, 1)] * 15, dt.date(2021, 5, 31)),
                meetings=[{"date": dt.date(2021, 6, 1)}],
            ),
        ),
    )
    report = check(app)
    assert report.period.start == dt.date(2021, 6, 1)  # 第七条: in force from 2021-06-01
    out = rules(report)["LEDGER-DATE-OUT-OF-PERIOD"]
    assert len(out) == 1 and "2021-05-31" in out[0].message


def test_call_file_sets_the_period(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["innovation"].update(projects=items(*[dt.date(2025, 9, 1)] * 15)))
    assert "LEDGER-DATE-OUT-OF-PERIOD" in rules(check(app))
    call = write_call(tmp_path / "call.yaml", max_file_size_mb=20, send_to="总工会")
    report = check(app, call=call)
    assert "LEDGER-DATE-OUT-OF-PERIOD" not in rules(report)
    assert report.period.start == dt.date(2025, 7, 1) and "测试通知" in report.period.source
    data = report_to_json(report)
    assert data["period"] == {"start": "2025-07-01", "end": "2026-06-30", "source": "申报通知：测试通知"}
    assert data["call"]["max_file_size_mb"] == 20 and data["call"]["send_to"] == "总工会"


def test_bundled_call_of_the_year_is_used(tmp_path):
    checklists = tmp_path / "checklists"
    shutil.copytree(EXAMPLES.parent / "checklists" / "2021", checklists)
    (checklists / "calls").mkdir()
    write_call(checklists / "calls" / "2026.yaml")
    app = copy_example("innovation-count", tmp_path)
    report = check(app, checklists=checklists)
    assert report.call is not None and report.call.title == "测试通知"
    # a meeting of 2026-06-12 lies inside 2025-07…2026-06; the ledger's items too
    assert report.complete, [f for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize(
    "kw,words",
    [
        (dict(year=2025), "2025 年度"),
        (dict(innovation=("2021-05-01", "2021-12-31"), year=2026), "早于办法施行日"),
    ],
)
def test_call_for_another_year_or_before_the_measures_is_refused(tmp_path, kw, words):
    app = copy_example("innovation-count", tmp_path)
    call = write_call(tmp_path / "call.yaml", **kw)
    with pytest.raises(InputError) as exc:
        check(app, call=call)
    assert words in exc.value.render()


def test_period_printed_in_check_and_forms(tmp_path):
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "innovation-count"), "--call", str(CALL)])
    assert result.exit_code == 0, result.output
    assert "活动期间：2026年1月1日至2026年12月31日" in result.output and "示例" in result.output
    report, loaded, _ = check_source(open_source(EXAMPLES / "innovation-count"))
    assert innovation_application_context(loaded, report)["period"] == "2026-01-01 至 2026-12-31"
    report, loaded, _ = check_source(open_source(EXAMPLES / "studio"))
    assert studio_application_context(loaded, report)["period"] == "2026-01-01 至 2026-12-31"


def test_period_and_requested_amount_on_the_cover():
    from assembler.pipeline.plan import cover_info

    report, loaded, checklist = check_source(open_source(EXAMPLES / "studio"))
    info = cover_info(loaded, report, checklist, dt.datetime(2026, 11, 20))
    assert info.period == "2026-01-01 至 2026-12-31"
    assert info.amount == "15,000 元 申请（待核定）"


def test_schemes_shows_the_call_in_use():
    result = CliRunner().invoke(cli, ["schemes"])
    assert result.exit_code == 0
    assert "申报通知" in result.output and "使用：" in result.output and "自然年" in result.output


# -- 2. 当年新命名 ------------------------------------------------------------------------------------------


def test_new_studio_without_named_on_is_an_error(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].pop("named_on"))
    found = rules(check(app))["B1-NAMED-ON-MISSING"]
    assert found[0].severity == "error"


def test_studio_named_in_2024_claimed_in_2026(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(named_on=dt.date(2024, 4, 28)))
    found = rules(check(app))["B1-NAMED-OUT-OF-PERIOD"]
    assert found[0].severity == "error"
    edit_yaml(app, lambda d: d["studio"].update(new=False))  # the annual evaluation alone is fine
    assert "B1-NAMED-OUT-OF-PERIOD" not in rules(check(app))


def test_naming_document_removed(tmp_path):
    app = copy_example("studio", tmp_path)
    (app / M3 / "滨海新区总工会命名文件.pdf").unlink()
    report = check(app)
    found = rules(report)
    assert {"B1-NAMING-DOC-MISSING", "B1-MATCHED-DOC-MISSING"} <= set(found)
    assert next(m for m in report.materials if m.number == "3").status == "missing"
    # a standard document alone shows the matched amount but is not the naming document
    shutil.copy(app / M3 / "课题完成进度报告.pdf", app / M3 / "上级工会匹配标准.pdf")
    found = rules(check(app))
    assert "B1-NAMING-DOC-MISSING" in found and "B1-MATCHED-DOC-MISSING" not in found


def test_naming_document_not_needed_for_the_annual_evaluation_alone(tmp_path):
    app = copy_example("studio", tmp_path)
    (app / M3 / "滨海新区总工会命名文件.pdf").unlink()
    edit_yaml(app, lambda d: d["studio"].update(new=False, matched_amount=None))
    assert check(app).complete


# -- 3./4. matched amounts and the annual tier are requested, not granted -----------------------------------


def test_matched_amount_is_requested_until_confirmed(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(matched_amount=1_000_000, annual=False, tier=None))
    report = check(app)
    assert report.award.amount == Decimal(1_000_000) and report.award.pending
    award = report_to_json(report)["award"]
    assert award["status"] == "requested" and award["pending"] is True
    assert award["amount_yuan"] == award["requested_yuan"] == 1_000_000 and award["minimum_yuan"] == 0
    result = CliRunner().invoke(cli, ["check", str(app)])
    assert "申请（待核定）" in result.output


def test_annual_tier_requested_with_the_guaranteed_minimum():
    report = check(EXAMPLES / "studio")
    award = report_to_json(report)["award"]
    assert award["amount_yuan"] == 15000  # the documented award: requested 10,000 + 5,000
    assert award["status"] == "requested" and award["minimum_yuan"] == 3000
    assert any("申请档次 5,000 元" in line and "至少 3,000 元" in line for line in award["lines"])
    innovation = report_to_json(check(EXAMPLES / "innovation-count"))["award"]
    assert innovation["status"] == "computed" and innovation["minimum_yuan"] == 3000


def test_tier_form_says_requested(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(tier=None))
    report, loaded, _ = check_source(open_source(app))
    context = studio_application_context(loaded, report)
    assert context["tier"] == "由评审委员会评定" and "待核定" in context["amount"]
    assert "B2-TIER-MISSING" in rules(report) and report.complete


def test_higher_tier_without_reasons_is_a_warning(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(tier_reasons=[]))
    found = rules(check(app))["B2-TIER-REASONS-MISSING"]
    assert found[0].severity == "warning"


# -- 5. extra evidence, one application per studio, the upgrade note, notices ---------------------------


def test_extra_receipt_in_a_bonus_application_is_a_warning(tmp_path):
    app = copy_example("innovation-bonus", tmp_path)
    shutil.copy(
        EXAMPLES / "innovation-count" / "5-奖励签收单" / "物质奖励签收单.pdf",
        app / "5-银行流水" / "签收单.pdf",
    )
    report = check(app)
    found = rules(report)
    assert found["MATERIAL-OTHER-CASE-EXTRA"][0].severity == "warning"
    assert "MATERIAL-CASE-MISMATCH" not in found
    assert report.complete


def test_receipt_alone_in_a_bonus_application_is_still_an_error(tmp_path):
    app = copy_example("innovation-bonus", tmp_path)
    for f in (app / "5-银行流水").iterdir():
        f.unlink()
    shutil.copy(
        EXAMPLES / "innovation-count" / "5-奖励签收单" / "物质奖励签收单.pdf",
        app / "5-银行流水" / "签收单.pdf",
    )
    assert rules(check(app))["MATERIAL-CASE-MISMATCH"][0].severity == "error"


def _row(name: str, studio: str) -> Row:
    return Row(Path(name), "单位", "91120116MA06P2W16K", "studio", None, 2026, studio=studio)


def test_second_studio_of_a_unit_is_not_a_duplicate():
    rows = [_row("a.pdf", "赵建华劳模创新工作室"), _row("b.pdf", "李明工匠创新工作室")]
    assert not [f for _, f in cross_checks(rows, set()) if f.rule == "REVIEW-DUPLICATE-APPLICANT"]
    rows.append(_row("c.pdf", "赵建华 劳模创新工作室"))
    found = [f for _, f in cross_checks(rows, set()) if f.rule == "REVIEW-DUPLICATE-APPLICANT"]
    assert len(found) == 2 and "同一工作室" in found[0].message


def test_no_upgrade_note_at_national_level(tmp_path):
    app = copy_example("studio", tmp_path)
    assert "B4-UPGRADE-RECOMMENDED" in rules(check(app))
    edit_yaml(app, lambda d: d["studio"].update(level="national"))
    assert "B4-UPGRADE-RECOMMENDED" not in rules(check(app))


def test_one_notice_for_meetings_more_than_three_months_apart(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    assert "A4-NOTICE-PER-MEETING" not in rules(check(app))  # 2026-03-18 and 2026-06-12: one round
    meeting = next((app / "4-评审会议").glob("2026-06-12*"))
    meeting.rename(meeting.with_name("2026-06-19 二季度合理化建议评审会"))
    edit_yaml(app, lambda d: d["innovation"]["meetings"][1].update(date=dt.date(2026, 6, 19)))
    found = rules(check(app))
    assert found["A4-NOTICE-PER-MEETING"][0].severity == "warning"
    shutil.copy(
        app / "4-评审会议" / "评审结果公示（内网截图）.png",
        app / "4-评审会议" / "2026-06-19 二季度合理化建议评审会" / "二季度公示.png",
    )
    assert "A4-NOTICE-PER-MEETING" not in rules(check(app))


def test_meeting_rounds_boundary():
    from assembler.core.rules import meeting_rounds

    d = dt.date
    assert meeting_rounds([d(2026, 3, 18), d(2026, 6, 18)]) == [[d(2026, 3, 18), d(2026, 6, 18)]]
    assert len(meeting_rounds([d(2026, 3, 18), d(2026, 6, 19)])) == 2
    assert len(meeting_rounds([d(2026, 11, 30), d(2027, 2, 28)])) == 1  # no 31 February


# -- 6. 报备 ---------------------------------------------------------------------------------------------


def test_report_to_the_union_recorded_and_printed(tmp_path):
    report, loaded, _ = check_source(open_source(EXAMPLES / "innovation-count"))
    assert "A4-REPORTED" not in rules(report)
    row = innovation_application_context(loaded, report)["meetings"]
    assert "2026-03-11 报备" in row and "高新区总工会 王建国" in row
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(
        app,
        lambda d: d["innovation"].update(
            meetings=[{"date": m["date"], "title": m["title"]} for m in d["innovation"]["meetings"]]
        ),
    )
    report, loaded, _ = check_source(open_source(app))
    assert rules(report)["A4-REPORTED"][0].severity == "info"
    assert "未记录" in innovation_application_context(loaded, report)["meetings"]


def test_report_after_the_meeting_is_a_warning(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["innovation"]["meetings"][0].update(reported_on=dt.date(2026, 3, 19)))
    assert rules(check(app))["A4-REPORTED-LATE"][0].severity == "warning"


def test_union_code_is_validated(tmp_path):
    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["applicant"].update(union_code="81120116MA05K3R78X"))
    with pytest.raises(InputError) as exc:
        check(app)
    assert "工会的统一社会信用代码" in exc.value.render()


def test_check_json_keeps_the_old_keys():
    data = json.loads(CliRunner().invoke(cli, ["check", str(EXAMPLES / "studio"), "--json"]).output)
    assert {"amount_yuan", "amount_fen", "lines"} <= set(data["award"])
    assert data["award"]["amount_yuan"] == 15000


def test_verify_recomputes_under_the_recorded_period(tmp_path):
    from assembler.reviewer.verify import recompute

    app = copy_example("innovation-count", tmp_path)
    edit_yaml(app, lambda d: d["innovation"].update(projects=items(*[dt.date(2025, 9, 1)] * 15)))
    report, loaded, _ = check_source(open_source(app), call=write_call(tmp_path / "call.yaml"))
    manifest = {
        "application": loaded.app.model_dump(mode="json"),
        "ledger": [i.model_dump(mode="json") for i in loaded.items],
        "check": report_to_json(report),
    }
    assert "period" not in manifest["application"]
    assert recompute(manifest) == (Decimal(2000), [])
    del manifest["check"]  # an older dossier: the default reading
    _, errors = recompute(manifest)
    assert {f.rule for f in errors} == {"LEDGER-DATE-OUT-OF-PERIOD"}


def test_zone_level_new_studio_needs_the_naming_document_only(tmp_path):
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: d["studio"].update(level="zone", matched_amount=None))
    report = check(app)
    assert report.award.amount == 2000 + 5000 and report.complete
    (app / M3 / "滨海新区总工会命名文件.pdf").unlink()
    found = rules(check(app))
    assert "B1-NAMING-DOC-MISSING" in found and "B1-MATCHED-DOC-MISSING" not in found
