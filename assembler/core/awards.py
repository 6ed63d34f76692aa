"""Pure award computation, exact to the fen, from the tables in the checklist.

Each scheme's award comes with Chinese explanation lines (shown to applicants and reviewers) and
the findings that concern it (too few items, items below the minimum, a missing matched amount…).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from assembler.core.application import LEVEL_RANK, LEVEL_TITLES, Application, LedgerItem, Studio
from assembler.core.checklist import AwardSpec, BonusTier, CountTier
from assembler.core.messages import finding
from assembler.core.models import Award, Finding


def format_yuan(amount: Decimal) -> str:
    """An amount for Chinese text: thousands separators, fen only when present (30,000 / 1,234.50)."""
    return f"{amount:,.2f}" if amount % 1 else f"{amount:,.0f}"


def count_tier(count: int, tiers: tuple[CountTier, ...]) -> CountTier | None:
    """The 情形一 tier that `count` adopted items fall in, or None when below every tier."""
    for tier in tiers:
        if count >= tier.min and (tier.max is None or count <= tier.max):
            return tier
    return None


def bonus_tier(bonus: Decimal, tiers: tuple[BonusTier, ...]) -> BonusTier | None:
    """The 情形二 tier for an item whose enterprise bonus is `bonus`: above < bonus ≤ upto; None when none."""
    for tier in tiers:
        if bonus > tier.above and (tier.upto is None or bonus <= tier.upto):
            return tier
    return None


def _range_text(tier: CountTier) -> str:
    return f"{tier.min}–{tier.max} 条" if tier.max is not None else f"{tier.min} 条及以上"


def award_by_count(count: int, spec: AwardSpec) -> tuple[Award, list[Finding]]:
    """情形一: a one-off award by the number of adopted items."""
    tier = count_tier(count, spec.count_tiers)
    if tier is None:
        lowest = min(t.min for t in spec.count_tiers)
        found = finding(
            "A1-TOO-FEW",
            "error",
            {"count": count, "lowest": lowest},
            material="3",
            fix=f"情形一至少需要 {lowest} 条被采纳的项目；请核对台账是否完整。",
            field="innovation.projects",
        )
        return Award(None, (found.message,)), [found]
    line = (
        f"情形一：被采纳项目 {count} 条，属 {_range_text(tier)}档，一次性鼓励金 {format_yuan(tier.amount)} 元"
    )
    return Award(tier.amount, (line,)), []


def award_by_bonus(
    items: tuple[LedgerItem, ...], spec: AwardSpec, words: Callable[[LedgerItem], str] | None = None
) -> tuple[Award, list[Finding]]:
    """情形二: an award per item by the enterprise's bonus for it, capped. `words` names an item as people
    count them (its 序号); by default its place among `items`."""
    place = {id(item): n for n, item in enumerate(items, start=1)}
    named = words or (lambda item: f"序号 {item.seq}" if item.seq else f"第 {place[id(item)]} 项")
    findings: list[Finding] = []
    per_tier: dict[BonusTier, int] = {}
    below: list[LedgerItem] = []
    for item in items:
        if item.bonus is None:
            findings.append(
                finding(
                    "A2-BONUS-MISSING",
                    "error",
                    {"item": named(item), "seq": item.seq, "row": item.row, "name": item.name},
                    material="3",
                    fix="情形二按每项企业奖金计算，请在台账“奖励金额”列填写。",
                    field="innovation.projects",
                )
            )
            continue
        tier = bonus_tier(item.bonus, spec.bonus_tiers)
        if tier is None:
            below.append(item)
        else:
            per_tier[tier] = per_tier.get(tier, 0) + 1
    if below:
        lowest = min(t.above for t in spec.bonus_tiers)
        names = "、".join(named(i) for i in below[:10]) + ("等" if len(below) > 10 else "")
        findings.append(
            finding(
                "A2-ITEM-BELOW-MIN",
                "warning",
                {"count": len(below), "lowest": format_yuan(lowest), "items": names},
                material="3",
                field="innovation.projects",
            )
        )
    lines = []
    total = Decimal(0)
    for tier in spec.bonus_tiers:
        n = per_tier.get(tier, 0)
        if n:
            upto = f"{format_yuan(tier.upto)}]" if tier.upto is not None else "+∞)"
            subtotal = tier.amount * n
            total += subtotal
            lines.append(
                f"企业奖金 ({format_yuan(tier.above)}, {upto} 元：{n} 项 × {format_yuan(tier.amount)} 元"
                f" = {format_yuan(subtotal)} 元"
            )
    if not per_tier:
        found = finding(
            "A2-NO-ELIGIBLE",
            "error",
            material="3",
            fix="情形二只计企业奖金高于 100 元的项目；请核对台账的奖励金额，或改按情形一申报。",
            field="innovation.projects",
        )
        line = found.message
        findings.append(found)
        return Award(None, (*lines, line)), findings
    if spec.bonus_cap is not None and total > spec.bonus_cap:
        capped = finding(
            "A2-CAPPED", "info", {"total": format_yuan(total), "cap": format_yuan(spec.bonus_cap)}
        )
        lines.append(capped.message)
        findings.append(capped)
        total = spec.bonus_cap
    lines.append(f"情形二鼓励金合计 {format_yuan(total)} 元")
    return Award(total, tuple(lines)), findings


def award_studio(studio: Studio, spec: AwardSpec) -> tuple[Award, list[Finding]]:
    """B1 (newly named) and/or B2 (annual evaluation) for a studio."""
    findings: list[Finding] = []
    lines: list[str] = []
    parts: list[Decimal] = []
    level = LEVEL_TITLES[studio.level]
    if LEVEL_RANK[studio.level] < LEVEL_RANK["zone"]:
        found = finding(
            "B-LEVEL-TOO-LOW",
            "error",
            {"level": level},
            fix="只有高新区级及以上命名的创新工作室可以申报（附件2 一）。",
            field="studio.level",
        )
        return Award(None, (found.message,)), [found]
    if not studio.new and not studio.annual:
        found = finding(
            "B-NOTHING-CLAIMED",
            "error",
            fix="在申报信息中选择“当年新命名”或“年度评比”（或两者）。",
            field="studio.new",
        )
        return Award(None, (found.message,)), [found]
    pending = False
    minimum: list[Decimal] = []  # what the measures guarantee for each part if it is approved
    if studio.new:
        matched = (
            spec.matched_from_level is not None
            and LEVEL_RANK[studio.level] >= LEVEL_RANK[spec.matched_from_level]
        )
        if not matched:
            parts.append(spec.new_studio_zone or Decimal(0))
            minimum.append(parts[-1])
            lines.append(f"新命名{level}工作室：一次性鼓励金 {format_yuan(parts[-1])} 元")
            if studio.matched_amount is not None:
                findings.append(
                    finding(
                        "B1-MATCHED-IGNORED",
                        "warning",
                        {
                            "level": level,
                            "fixed": format_yuan(parts[-1]),
                            "matched": format_yuan(studio.matched_amount),
                        },
                        field="studio.matched_amount",
                    )
                )
        elif studio.matched_amount is None:
            found = finding(
                "B1-MATCHED-MISSING",
                "error",
                {"level": level},
                fix="填写上级工会规定的匹配金额（元），并在材料 3 中附上级工会的命名文件或标准文件。",
                field="studio.matched_amount",
            )
            lines.append(found.message)
            findings.append(found)
        else:
            parts.append(studio.matched_amount)
            pending = True
            lines.append(
                f"新命名{level}工作室：按上级工会标准匹配，申请 {format_yuan(studio.matched_amount)} 元"
                "（待核定：以上级工会文件为准，由评审人员核实）"
            )
    if studio.annual:
        tiers = "/".join(format_yuan(t) for t in spec.annual_tiers)
        lowest = min(spec.annual_tiers) if spec.annual_tiers else Decimal(0)
        if studio.tier is None:
            parts.append(lowest)
            minimum.append(lowest)
            pending = True
            found = finding(
                "B2-TIER-MISSING",
                "info",
                {"lowest": format_yuan(lowest), "tiers": tiers},
                fix=f"如申请较高档次，在评比档次中填写 {tiers} 之一。",
                field="studio.tier",
            )
            lines.append(found.message)
            findings.append(found)
        elif Decimal(studio.tier) not in spec.annual_tiers:
            found = finding(
                "B2-TIER-INVALID",
                "error",
                {"tier": studio.tier, "tiers": tiers},
                fix=f"评比档次填写 {tiers} 之一。",
                field="studio.tier",
            )
            lines.append(found.message)
            findings.append(found)
        else:
            parts.append(Decimal(studio.tier))
            minimum.append(lowest)
            pending = True
            lines.append(
                f"年度评比：申请档次 {format_yuan(parts[-1])} 元（待核定：由评审委员会综合评定；"
                f"评比通过至少 {format_yuan(lowest)} 元）"
            )
    elif studio.tier is not None:
        findings.append(finding("B2-TIER-IGNORED", "warning", {"tier": studio.tier}, field="studio.tier"))
    if not parts:
        return Award(None, tuple(lines)), findings
    total = sum(parts, Decimal(0))
    floor = sum(minimum, Decimal(0))
    if len(parts) > 1:
        lines.append(f"合计申请 {format_yuan(total)} 元" + ("（待核定）" if pending else ""))
    if pending and floor:
        lines.append(f"各项如获批准，办法保证的最低金额合计 {format_yuan(floor)} 元")
    elif pending:
        lines.append("匹配金额以上级工会文件为准，办法未规定最低金额")
    return Award(total, tuple(lines), pending=pending, minimum=floor if pending else None), findings


def compute_award(
    app: Application,
    items: tuple[LedgerItem, ...],
    spec: AwardSpec,
    words: Callable[[LedgerItem], str] | None = None,
) -> tuple[Award, list[Finding]]:
    """The award the application can claim under `spec`, with its explanation and award findings; `items`
    are the ledger items that count, `words` names one as people count them."""
    if app.innovation is not None:
        if app.innovation.case == "count":
            return award_by_count(len(items), spec)
        return award_by_bonus(items, spec, words)
    assert app.studio is not None
    return award_studio(app.studio, spec)
