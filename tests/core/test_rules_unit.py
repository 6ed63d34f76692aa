"""The rules and the content cross-checks called directly on applications built in memory: each rule fires
on the case it names and stays quiet on its neighbour (no folder, no file, no YAML loaded)."""

from __future__ import annotations

import datetime as dt

import pytest

from assembler.core.application import Application, LedgerItem, LoadedApplication
from assembler.core.checklist import ActivityPeriod, Checklist, MaterialSpec, PartSpec
from assembler.core.crosscheck import content_files, content_findings
from assembler.core.models import MaterialResult, MeetingGroup
from assembler.core.rules import (
    application_findings,
    ledger_findings,
    meeting_rounds,
    studio_findings,
)

PERIOD = ActivityPeriod(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "测试")
APPLICANT = {
    "name": "天津滨海示例精密机械有限公司",
    "credit_code": "91120116MA05K3R78L",
    "union": "天津滨海示例精密机械有限公司工会委员会",
    "contact": {"name": "刘晓东", "phone": "022-58001234"},
}


def innovation(case: str = "count", meetings: tuple[str, ...] = ("2026-03-18",), **applicant) -> Application:
    return Application.model_validate(
        {
            "measures": "2021",
            "year": 2026,
            "scheme": "innovation",
            "applicant": {**APPLICANT, **applicant},
            "innovation": {"case": case, "meetings": [{"date": d} for d in meetings]},
        }
    )


def studio(**fields) -> Application:
    base = {"name": "示例工作室", "leader": "张三", "level": "zone", "annual": True, "tier": 3000}
    return Application.model_validate(
        {
            "measures": "2021",
            "year": 2026,
            "scheme": "studio",
            "applicant": APPLICANT,
            "studio": {**base, **fields},
        }
    )


def item(row: int, name: str, proposer: str = "王一", adopted_on: str = "2026-03-18", **more) -> LedgerItem:
    return LedgerItem.model_validate(
        {"name": name, "proposer": proposer, "adopted_on": adopted_on, "row": row, **more}
    )


def rules_of(findings) -> list[str]:
    return sorted(f.rule for f in findings)


def test_empty_required_fields_are_errors_and_filled_ones_are_not():
    assert rules_of(application_findings(LoadedApplication(innovation()))) == []
    blank = application_findings(LoadedApplication(innovation(name="")))
    assert rules_of(blank) == ["APP-FIELD-EMPTY"]
    assert blank[0].severity == "error"


def test_a_ledger_without_items_is_an_error():
    assert rules_of(ledger_findings(LoadedApplication(innovation()), PERIOD)) == ["LEDGER-EMPTY"]


def test_ledger_duplicates_count_once_and_name_both_items():
    items = (item(1, "焊接烟尘收集器"), item(2, "焊接 烟尘收集器"), item(3, "刀具寿命管理"))
    found = ledger_findings(LoadedApplication(innovation(), items), PERIOD)
    assert rules_of(found) == ["LEDGER-DUPLICATE"]
    assert "1" in found[0].message and "2" in found[0].message


def test_same_name_by_another_proposer_is_only_a_warning():
    items = (item(1, "刀具寿命管理", "王一"), item(2, "刀具寿命管理", "李二"))
    found = ledger_findings(LoadedApplication(innovation(), items), PERIOD)
    assert [(f.rule, f.severity) for f in found] == [("LEDGER-SIMILAR-NAME", "warning")]


@pytest.mark.parametrize(
    ("adopted_on", "inside"),
    [("2026-01-01", True), ("2026-12-31", True), ("2025-12-31", False), ("2027-01-01", False)],
)
def test_adoption_dates_at_the_edges_of_the_period(adopted_on, inside):
    found = ledger_findings(LoadedApplication(innovation(), (item(1, "甲", adopted_on=adopted_on),)), PERIOD)
    assert ("LEDGER-DATE-OUT-OF-PERIOD" in rules_of(found)) is not inside


def test_an_item_from_an_undeclared_meeting_is_an_error():
    declared = item(1, "甲", meeting="2026-03-18")
    undeclared = item(2, "乙", meeting="2026-04-01")
    found = ledger_findings(LoadedApplication(innovation(), (declared, undeclared)), PERIOD)
    assert rules_of(found) == ["LEDGER-MEETING-UNKNOWN"]
    assert "乙" in found[0].message


def test_a_category_outside_the_five_small_is_a_warning():
    found = ledger_findings(
        LoadedApplication(innovation(), (item(1, "甲", category="小发明"), item(2, "乙", category="大发明"))),
        PERIOD,
    )
    assert [(f.rule, f.severity) for f in found] == [("LEDGER-CATEGORY-UNKNOWN", "warning")]


def test_a_studio_application_has_no_ledger_findings():
    assert ledger_findings(LoadedApplication(studio()), PERIOD) == []


def test_meeting_rounds_group_meetings_within_the_notice_span():
    days = [dt.date(2026, 1, 10), dt.date(2026, 2, 1), dt.date(2026, 9, 1), dt.date(2026, 9, 20)]
    rounds = meeting_rounds(days, months=3)
    assert rounds == [days[:2], days[2:]]
    assert meeting_rounds([], months=3) == []


def test_a_studio_needs_projects_and_results():
    assert rules_of(studio_findings(LoadedApplication(studio()), PERIOD)) == [
        "B-PROJECTS-MISSING",
        "B-RESULTS-MISSING",
    ]
    complete = studio(projects=[{"title": "课题"}], results=[{"title": "成果"}])
    assert studio_findings(LoadedApplication(complete), PERIOD) == []


@pytest.mark.parametrize(
    ("named_on", "expected"),
    [(None, ["B1-NAMED-ON-MISSING"]), ("2025-11-30", ["B1-NAMED-OUT-OF-PERIOD"]), ("2026-04-28", [])],
)
def test_a_new_naming_needs_a_naming_date_inside_the_period(named_on, expected):
    app = studio(new=True, named_on=named_on, projects=[{"title": "课题"}], results=[{"title": "成果"}])
    assert rules_of(studio_findings(LoadedApplication(app), PERIOD)) == expected


def test_the_higher_tier_without_reasons_is_a_warning_and_patents_are_recommended_for_upgrade():
    done = {"projects": [{"title": "课题"}], "results": [{"title": "成果"}]}
    bare = studio_findings(LoadedApplication(studio(tier=5000, **done)), PERIOD)
    assert [(f.rule, f.severity) for f in bare] == [("B2-TIER-REASONS-MISSING", "warning")]
    with_patent = studio(tier=5000, tier_reasons=["patents"], patents=[{"title": "一种夹具"}], **done)
    assert rules_of(studio_findings(LoadedApplication(with_patent), PERIOD)) == ["B4-UPGRADE-RECOMMENDED"]
    national = studio(
        tier=5000, level="national", tier_reasons=["patents"], patents=[{"title": "夹具"}], **done
    )
    assert studio_findings(LoadedApplication(national), PERIOD) == []


# ---- content cross-checks over text given in memory

CHECKLIST = Checklist(
    measures="2021",
    scheme="innovation",
    title="测试",
    source="测试",
    materials=(
        MaterialSpec(
            number="4",
            title="评审材料",
            folder="4-评审",
            parts=(
                PartSpec(
                    id="minutes",
                    title="会议纪要",
                    rule="A4-MINUTES",
                    per_meeting=True,
                    content="meeting_date",
                ),
                PartSpec(id="notice", title="公示", rule="A4-NOTICE", content="ledger_items"),
                PartSpec(id="receipt", title="签收单", rule="A4-RECEIPT", content="proposers"),
            ),
        ),
        MaterialSpec(number="5", title="奖金凭证", folder="5-凭证", content="bonus_total"),
        MaterialSpec(number="6", title="工会经费凭证", folder="6-经费", content="payer_and_year"),
    ),
)
MEETING = dt.date(2026, 3, 18)
RESULTS = (
    MaterialResult(
        number="4",
        title="评审材料",
        required=True,
        status="ok",
        parts={"notice": ("4/公示.pdf",), "receipt": ("4/签收单.pdf",)},
        meetings=(MeetingGroup(MEETING, "4/2026-03-18", {"minutes": ("4/2026-03-18/纪要.pdf",)}),),
    ),
    MaterialResult(number="5", title="奖金凭证", required=True, status="ok", files=("5/回单.pdf",)),
    MaterialResult(number="6", title="工会经费凭证", required=True, status="ok", files=("6/凭证.pdf",)),
)
ITEMS = (
    item(1, "焊接烟尘收集器", "王一", bonus="300.00"),
    item(2, "刀具寿命管理", "李二", bonus="200.00"),
    item(3, "夹具快换", "赵三", bonus="100.00"),
)
GOOD_TEXTS: dict[str, str | None] = {
    "4/2026-03-18/纪要.pdf": "2026年3月18日 一季度评审会纪要",
    "4/公示.pdf": "公示：焊接烟尘收集器、刀具寿命管理、夹具快换",
    "4/签收单.pdf": "签收：王一 李二 赵三",
    "5/回单.pdf": "转账 300.00 元；转账 200.00 元；转账 100.00 元",
    "6/凭证.pdf": "天津滨海示例精密机械有限公司 2025 年度工会经费",
}


def crosscheck(texts: dict[str, str | None]):
    return content_findings(LoadedApplication(innovation(), ITEMS), CHECKLIST, RESULTS, texts, "count")


def test_matching_texts_give_no_warning():
    found = crosscheck(GOOD_TEXTS)
    assert [f for f in found if f.severity != "info"] == []
    assert rules_of(found) == ["CONTENT-NOTICE-ITEMS"]  # the count of items found, as info


@pytest.mark.parametrize(
    ("rel", "text", "rule"),
    [
        ("4/2026-03-18/纪要.pdf", "2026年3月19日 评审会纪要", "CONTENT-MINUTES-DATE"),
        ("4/公示.pdf", "公示：焊接烟尘收集器", "CONTENT-NOTICE-ITEMS"),
        ("4/签收单.pdf", "签收：王一", "CONTENT-RECEIPT-NAMES"),
        ("5/回单.pdf", "转账 300.00 元", "CONTENT-BANK-TOTAL"),
        ("6/凭证.pdf", "另一家公司 2025 年度工会经费", "CONTENT-DUES-PAYER"),
        ("6/凭证.pdf", "天津滨海示例精密机械有限公司 2024 年度工会经费", "CONTENT-DUES-PAYER"),
    ],
)
def test_each_mismatch_is_a_warning_on_its_material(rel, text, rule):
    found = [f for f in crosscheck({**GOOD_TEXTS, rel: text}) if f.severity == "warning"]
    assert [f.rule for f in found] == [rule]
    assert found[0].material == rel.split("/")[0]


def test_full_width_digits_and_spaces_are_read_as_the_same_date_and_amounts():
    texts = {
        **GOOD_TEXTS,
        "4/2026-03-18/纪要.pdf": "２０２６年３月１８日 纪要",
        "5/回单.pdf": "合计 ６００．００ 元",
    }
    assert [f for f in crosscheck(texts) if f.severity == "warning"] == []


def test_scans_without_text_are_listed_as_not_checked_not_as_mismatches():
    found = crosscheck({**GOOD_TEXTS, "5/回单.pdf": None})
    assert [(f.rule, f.material) for f in found if f.rule == "CONTENT-NOT-CHECKED"] == [
        ("CONTENT-NOT-CHECKED", "5")
    ]
    assert not any(f.rule == "CONTENT-BANK-TOTAL" for f in found)


def test_content_files_are_the_files_the_checks_read():
    assert content_files(CHECKLIST, RESULTS, "count") == sorted(GOOD_TEXTS)
