"""The award tables of the 2021 measures, at and around every boundary."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assembler.core.application import LedgerItem, Studio
from assembler.core.awards import award_by_bonus, award_by_count, award_studio, format_yuan
from assembler.load.checklists import load_checklist

INNOVATION = load_checklist("2021", "innovation").award
STUDIO = load_checklist("2021", "studio").award


def items(bonuses):
    return tuple(
        LedgerItem(name=f"项目{i}", proposer="张三", adopted_on=dt.date(2026, 1, 1), bonus=b, row=i + 1)
        for i, b in enumerate(bonuses)
    )


@pytest.mark.parametrize(
    "count,amount",
    [
        (0, None),
        (14, None),
        (15, 2000),
        (30, 2000),
        (31, 3000),
        (50, 3000),
        (51, 5000),
        (500, 5000),
    ],
)
def test_count_boundaries(count, amount):
    award, findings = award_by_count(count, INNOVATION)
    assert award.amount == (None if amount is None else Decimal(amount))
    assert (amount is None) == any(f.rule == "A1-TOO-FEW" and f.severity == "error" for f in findings)
    assert award.lines and str(count) in award.lines[0]


@given(st.integers(min_value=0, max_value=10_000))
def test_count_award_is_monotone_and_from_the_table(n):
    a, _ = award_by_count(n, INNOVATION)
    b, _ = award_by_count(n + 1, INNOVATION)
    assert (a.amount or 0) <= (b.amount or 0)
    assert a.amount in (None, Decimal(2000), Decimal(3000), Decimal(5000))
    assert (a.amount is None) == (n < 15)


@pytest.mark.parametrize(
    "bonus,per_item",
    [
        ("0", 0),
        ("100", 0),
        ("100.01", 100),
        ("300", 100),
        ("300.01", 200),
        ("500", 200),
        ("500.01", 300),
        ("99999", 300),
    ],
)
def test_bonus_item_boundaries(bonus, per_item):
    award, findings = award_by_bonus(items([Decimal(bonus)]), INNOVATION)
    if per_item == 0:
        assert award.amount is None
        assert {f.rule for f in findings} >= {"A2-ITEM-BELOW-MIN", "A2-NO-ELIGIBLE"}
    else:
        assert award.amount == Decimal(per_item)


def _expected(b: Decimal) -> int:
    return 0 if b <= 100 else 100 if b <= 300 else 200 if b <= 500 else 300


money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=200))
def test_bonus_award_is_sum_of_tiers_capped(bonuses):
    award, findings = award_by_bonus(items(bonuses), INNOVATION)
    raw = sum(_expected(b) for b in bonuses)
    if raw == 0:
        assert award.amount is None
    else:
        assert award.amount == Decimal(min(raw, 30_000))
        assert isinstance(award.amount, Decimal)
        assert any(f.rule == "A2-CAPPED" for f in findings) == (raw > 30_000)
    assert any(f.rule == "A2-ITEM-BELOW-MIN" for f in findings) == any(b <= 100 for b in bonuses)


def test_bonus_cap_exactly_at_30000_is_not_capped():
    award, findings = award_by_bonus(items([Decimal(600)] * 100), INNOVATION)
    assert award.amount == Decimal(30000)
    assert not any(f.rule == "A2-CAPPED" for f in findings)
    award, findings = award_by_bonus(items([Decimal(600)] * 101), INNOVATION)
    assert award.amount == Decimal(30000)
    assert any(f.rule == "A2-CAPPED" for f in findings)


def test_bonus_missing_is_an_error_naming_the_row():
    award, findings = award_by_bonus(items([Decimal(600), None]), INNOVATION)
    assert award.amount == Decimal(300)
    assert any(f.rule == "A2-BONUS-MISSING" and "第 2 项" in f.message for f in findings)


def studio(**kw):
    base = dict(name="工作室", leader="张三", level="zone", projects=["课题"], results=["成果"])
    return Studio.model_validate({**base, **kw})


@pytest.mark.parametrize(
    "kw,amount,rules",
    [
        (dict(new=True), 2000, set()),
        (dict(new=True, matched_amount=8000), 2000, {"B1-MATCHED-IGNORED"}),
        (dict(new=True, level="binhai", matched_amount="10000.50"), Decimal("10000.50"), set()),
        (dict(new=True, level="tianjin"), None, {"B1-MATCHED-MISSING"}),
        (dict(new=True, level="national", matched_amount=20000, annual=True, tier=5000), 25000, set()),
        (dict(annual=True, tier=3000), 3000, set()),
        (dict(annual=True, tier=5000), 5000, set()),
        (dict(annual=True, tier=4000), None, {"B2-TIER-INVALID"}),
        (dict(annual=True), 3000, {"B2-TIER-MISSING"}),  # requested at the lowest tier; info
        (dict(new=True, tier=5000), 2000, {"B2-TIER-IGNORED"}),
        (dict(), None, {"B-NOTHING-CLAIMED"}),
        (dict(level="enterprise", new=True), None, {"B-LEVEL-TOO-LOW"}),
    ],
)
def test_studio(kw, amount, rules):
    award, findings = award_studio(studio(**kw), STUDIO)
    assert award.amount == (None if amount is None else Decimal(amount))
    assert {f.rule for f in findings} == rules
    assert award.lines


def test_studio_both_lines_shown():
    award, _ = award_studio(
        studio(new=True, level="binhai", matched_amount=10000, annual=True, tier=5000), STUDIO
    )
    text = "\n".join(award.lines)
    assert "10,000" in text and "5,000" in text and "合计申请 15,000 元（待核定）" in text


def test_format_yuan():
    assert format_yuan(Decimal(30000)) == "30,000"
    assert format_yuan(Decimal("1234.5")) == "1,234.50"


@pytest.mark.parametrize(
    "kw,pending,minimum",
    [
        (dict(new=True), False, None),  # zone level: 2,000 元 fixed by the measures
        (dict(new=True, level="binhai", matched_amount=1_000_000), True, Decimal(0)),  # whatever is typed
        (dict(annual=True, tier=5000), True, Decimal(3000)),  # the committee decides the tier
        (dict(annual=True, tier=3000), True, Decimal(3000)),
        (dict(new=True, annual=True, tier=5000), True, Decimal(5000)),  # 2,000 + the lowest tier
    ],
)
def test_studio_requested_awaits_the_committee(kw, pending, minimum):
    award, _ = award_studio(studio(**kw), STUDIO)
    assert award.pending is pending and award.minimum == minimum
    assert award.status == ("requested" if pending else "computed")
    assert award.label == ("申请（待核定）" if pending else "申请")
    if pending:
        assert any("待核定" in line for line in award.lines)


def test_annual_tier_line_names_the_minimum():
    award, _ = award_studio(studio(annual=True, tier=5000), STUDIO)
    assert award.amount == 5000
    assert "申请档次 5,000 元" in award.lines[0] and "至少 3,000 元" in award.lines[0]
