"""What the measures let the committee approve for one application: pure, from the award code.

The register's `decide` asks `allowed_award` what amounts 津高新工发[2021]2号 can produce for an
application and `amount_problem` whether the amount the committee entered is one of them:

- 情形一 (附件1 四): the one tier of the application's count of adopted items (2,000 / 3,000 / 5,000 元);
- 情形二 (附件1 四): any amount up to the computed total, which is itself at most 30,000 元;
- studios (附件2 四): 2,000 元 for a newly named zone-level studio, the higher union's standard (the matched
  amount the committee confirms) for a newly named studio of a higher level, plus 3,000 or 5,000 元 for the
  annual evaluation.

An application the award code finds not eligible (too few items, no item above the minimum bonus…) can be
approved with no amount at all. Nothing here reads files or the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assembler.core.application import LEVEL_RANK, LEVEL_TITLES
from assembler.core.awards import count_tier, format_yuan
from assembler.core.checklist import AwardSpec


@dataclass(frozen=True)
class Allowance:
    """The amounts the measures allow for one application.

    `exact`: the only total allowed (情形一's tier; a zone-level naming plus a tier is checked part by part);
    `upto`: the largest total allowed (情形二); `new_fixed`: the fixed naming award of a zone-level studio;
    `matched`: a higher-level naming, paid at the confirmed matched amount; `annual`: the annual tiers
    applied for. `eligible` False: the award code finds nothing to pay. `text`: the rule in words.
    """

    scheme: str
    eligible: bool
    text: str
    exact: Decimal | None = None
    upto: Decimal | None = None
    new_fixed: Decimal | None = None
    matched: bool = False
    matched_cap: Decimal | None = None  # the higher union's standard as the application states it
    annual: tuple[Decimal, ...] = ()


def allowed_award(
    scheme: str,
    case: str | None,
    computed: Decimal | None,
    spec: AwardSpec,
    *,
    item_count: int = 0,
    studio_level: str | None = None,
    studio_new: bool = False,
    studio_annual: bool = False,
    studio_matched: Decimal | None = None,
) -> Allowance:
    """The amounts the measures can produce for an application whose award, as computed by
    `core.awards.compute_award`, is `computed` (None: not eligible).

    Why: the committee decides within the measures; a total the tables cannot produce (情形二 above the
    cap, a studio 99,999 元, an amount for an application that is not eligible) is a typing error or a
    decision the measures do not allow, and must be refused before it reaches 公示名单 and 拨款明细.
    """
    if scheme == "innovation" and case == "count":
        tiers = "、".join(f"{format_yuan(t.amount)} 元" for t in spec.count_tiers)
        if computed is None:
            return Allowance(
                scheme, False, f"情形一按被采纳项目条数定档（{tiers}），本申请条数不足，不符合条件"
            )
        tier = count_tier(item_count, spec.count_tiers) if item_count else None
        counted = f"被采纳项目 {item_count} 条，" if tier is not None and tier.amount == computed else ""
        return Allowance(
            scheme,
            True,
            f"情形一按被采纳项目条数定档（{tiers}）：{counted}本申请只能核定 {format_yuan(computed)} 元",
            exact=computed,
        )
    if scheme == "innovation":
        cap = spec.bonus_cap
        cap_text = f"，最高 {format_yuan(cap)} 元" if cap is not None else ""
        if computed is None:
            return Allowance(
                scheme, False, f"情形二按每项企业奖金计算{cap_text}；本申请没有可计项目，不符合条件"
            )
        upto = min(computed, cap) if cap is not None else computed
        return Allowance(
            scheme,
            True,
            f"情形二按每项企业奖金计算{cap_text}：本申请核定金额不能超过 {format_yuan(upto)} 元",
            upto=upto,
        )
    level = studio_level or ""
    # a studio's computed total is only what it asked for (the committee sets the tier and confirms the
    # matched amount), so what it may get follows from its level and what it applied for
    if LEVEL_RANK.get(level, -1) < LEVEL_RANK["zone"] or not (studio_new or studio_annual):
        return Allowance(scheme, False, "工作室鼓励金：本申请不符合条件（级别或申报事项不符）")
    parts: list[str] = []
    new_fixed = None
    matched = False
    if studio_new:
        higher = (
            spec.matched_from_level is not None and LEVEL_RANK[level] >= LEVEL_RANK[spec.matched_from_level]
        )
        if higher:
            matched = True
            limit = f"，不超过申请所列标准 {format_yuan(studio_matched)} 元" if studio_matched else ""
            parts.append(
                f"新命名{LEVEL_TITLES[level]}工作室按上级工会标准匹配（以评审确认的匹配金额为准{limit}）"
            )
        else:
            new_fixed = spec.new_studio_zone or Decimal(0)
            parts.append(f"新命名{LEVEL_TITLES[level]}工作室 {format_yuan(new_fixed)} 元")
    annual = tuple(spec.annual_tiers) if studio_annual else ()
    if annual:
        parts.append(f"年度评比 {'或'.join(format_yuan(t) for t in annual)} 元")
    return Allowance(
        scheme,
        True,
        "工作室鼓励金：" + " + ".join(parts),
        new_fixed=new_fixed,
        matched=matched,
        matched_cap=studio_matched if matched else None,
        annual=annual,
    )


def studio_total(
    allowance: Allowance, tier: Decimal | None, matched: Decimal | None
) -> tuple[Decimal | None, str | None]:
    """A studio's total from the committee's parts (the annual tier, the confirmed matched amount), or the
    problem that keeps it from being computed.
    """
    total = Decimal(0)
    if allowance.new_fixed is not None:
        total += allowance.new_fixed
    if allowance.matched:
        if matched is None or matched <= 0:
            return None, "新命名的滨海新区级及以上工作室：请写明评审确认的匹配金额"
        if allowance.matched_cap is not None and matched > allowance.matched_cap:
            cap = format_yuan(allowance.matched_cap)
            return None, f"匹配金额 {format_yuan(matched)} 元超过申请所列上级工会标准 {cap} 元"
        total += matched
    elif matched is not None:
        return None, "匹配金额只适用于新命名的滨海新区级及以上工作室"
    if allowance.annual:
        if tier is None:
            tiers = "或".join(format_yuan(t) for t in allowance.annual)
            return None, f"申报了年度评比：请写明评审委员会评定的档次（{tiers} 元）"
        if tier not in allowance.annual:
            return None, f"年度评比档次只有 {'、'.join(format_yuan(t) for t in allowance.annual)} 元"
        total += tier
    elif tier is not None:
        return None, "本申请未申报年度评比，不能评定档次"
    return total, None


def amount_problem(
    allowance: Allowance, amount: Decimal, tier: Decimal | None = None, matched: Decimal | None = None
) -> str | None:
    """Why `amount` is not an amount the measures allow for the application (None when it is)."""
    shown = format_yuan(amount)
    if amount <= 0:
        return f"核定金额 {shown} 元无效：通过时核定金额应大于 0"
    if not allowance.eligible:
        return f"本申请不符合鼓励金条件，不能核定 {shown} 元（{allowance.text}）"
    if allowance.exact is not None and amount != allowance.exact:
        return f"核定金额 {shown} 元不符合办法：{allowance.text}"
    if allowance.upto is not None and amount > allowance.upto:
        return f"核定金额 {shown} 元超过办法允许的金额：{allowance.text}"
    if allowance.scheme == "studio":
        if allowance.matched and matched is None and (tier is not None or not allowance.annual):
            matched = amount - (tier or Decimal(0))  # the total given: the matched part is the rest
        total, problem = studio_total(allowance, tier, matched)
        if problem is not None:
            return problem
        if total != amount:
            parts = format_yuan(total or Decimal(0))
            return f"核定金额 {shown} 元与评定的各项之和 {parts} 元不符（{allowance.text}）"
    return None
