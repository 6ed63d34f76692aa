"""What the measures let the committee approve, from the award code, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assembler.core.application import LedgerItem
from assembler.core.awards import award_by_bonus, award_by_count
from assembler.core.checklist import AwardSpec, BonusTier, CountTier
from assembler.core.dates import beijing_now
from assembler.core.decisions import allowed_award, amount_problem

SPEC = AwardSpec(
    count_tiers=(
        CountTier(min=10, max=19, amount=Decimal(2000)),
        CountTier(min=20, max=29, amount=Decimal(3000)),
        CountTier(min=30, amount=Decimal(5000)),
    ),
    bonus_tiers=(
        BonusTier(above=Decimal(100), upto=Decimal(500), amount=Decimal(100)),
        BonusTier(above=Decimal(500), amount=Decimal(300)),
    ),
    bonus_cap=Decimal(30000),
    new_studio_zone=Decimal(2000),
    matched_from_level="binhai",
    annual_tiers=(Decimal(3000), Decimal(5000)),
)


def test_case_one_allows_only_the_tier_of_its_count():
    award, _ = award_by_count(12, SPEC)
    allowed = allowed_award("innovation", "count", award.amount, SPEC, item_count=12)
    assert allowed.exact == Decimal(2000) and "2,000" in allowed.text and "12 条" in allowed.text
    assert amount_problem(allowed, Decimal(2000)) is None
    for wrong in (Decimal(3000), Decimal(4000), Decimal(1999)):
        assert "不符合办法" in (amount_problem(allowed, wrong) or "")
    none, _ = award_by_count(5, SPEC)
    refused = allowed_award("innovation", "count", none.amount, SPEC, item_count=5)
    assert not refused.eligible and "不符合鼓励金条件" in (amount_problem(refused, Decimal(2000)) or "")


def test_case_two_allows_up_to_the_computed_total_and_the_cap():
    items = tuple(
        LedgerItem(name=f"项目{i}", proposer="张三", adopted_on=dt.date(2026, 3, 1), bonus=Decimal(1000))
        for i in range(150)
    )
    award, _ = award_by_bonus(items, SPEC)
    assert award.amount == Decimal(30000)  # 150 × 300 = 45,000, capped
    allowed = allowed_award("innovation", "bonus", award.amount, SPEC)
    assert amount_problem(allowed, Decimal(30000)) is None
    assert amount_problem(allowed, Decimal(12000)) is None  # the committee may approve less
    assert "超过" in (amount_problem(allowed, Decimal(40000)) or "")
    small, _ = award_by_bonus(items[:10], SPEC)
    assert "3,000" in (
        amount_problem(allowed_award("innovation", "bonus", small.amount, SPEC), Decimal(3001)) or ""
    )


def test_studio_parts():
    zone = allowed_award(
        "studio", None, Decimal(5000), SPEC, studio_level="zone", studio_new=True, studio_annual=True
    )
    assert amount_problem(zone, Decimal(5000), tier=Decimal(3000)) is None
    assert amount_problem(zone, Decimal(7000), tier=Decimal(5000)) is None
    assert "不符" in (amount_problem(zone, Decimal(99999), tier=Decimal(5000)) or "")
    assert "档次" in (amount_problem(zone, Decimal(6000), tier=Decimal(4000)) or "")
    higher = allowed_award("studio", None, None, SPEC, studio_level="tianjin", studio_new=True)
    assert higher.eligible and higher.matched
    assert amount_problem(higher, Decimal(20000), matched=Decimal(20000)) is None
    assert amount_problem(higher, Decimal(20000)) is None  # the total given is the matched amount
    low = allowed_award("studio", None, None, SPEC, studio_level="enterprise", studio_annual=True)
    assert not low.eligible and amount_problem(low, Decimal(3000), tier=Decimal(3000))


def test_beijing_now_is_aware_and_eight_hours_ahead():
    now = beijing_now()
    assert now.utcoffset() == dt.timedelta(hours=8)
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 60
