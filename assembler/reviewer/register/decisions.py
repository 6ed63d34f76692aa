"""The committee's decisions: per application the decision, approved amount, annual tier, confirmed
matched amount and reasons, kept as an append-only history (the current decision is the latest row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlite_utils import Database

from assembler.errors import InputError, UsageError
from assembler.reviewer.register.db import get_record, writing
from assembler.reviewer.register.records import DECISION_CODES, DECISIONS, from_fen, to_fen

FINAL = ("approved", "rejected")  # after these, a new submission is a second application, not a version
NEW_STUDIO_ZONE_FEN = 200000  # 附件2 四(一): a newly named zone-level studio, 2000 元
ANNUAL_TIERS = (3000, 5000)  # 附件2 四(二)


@dataclass(frozen=True)
class Decision:
    """One row of the history."""

    id: int
    application_id: int
    decision: str  # approved / returned / rejected
    approved_fen: int | None
    tier: int | None
    matched_fen: int | None
    reasons: str
    reviewer: str
    decided_at: str

    @property
    def title(self) -> str:
        return DECISIONS[self.decision]

    @property
    def approved(self) -> Decimal | None:
        return from_fen(self.approved_fen)


def _decision(row: dict) -> Decision:
    return Decision(
        row["id"],
        row["application_id"],
        row["decision"],
        row["approved_fen"],
        row["tier"],
        row["matched_fen"],
        row["reasons"] or "",
        row["reviewer"],
        row["decided_at"],
    )


def history(db: Database, app_id: int) -> list[Decision]:
    """Every decision recorded for one application, oldest first."""
    return [
        _decision(r)
        for r in db.query("SELECT * FROM decisions WHERE application_id = ? ORDER BY id", [app_id])
    ]


def current_decisions(db: Database) -> dict[int, Decision]:
    """The latest decision of every decided application."""
    rows = db.query(
        "SELECT * FROM decisions WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY application_id)"
    )
    return {r["application_id"]: _decision(r) for r in rows}


def current_decision(db: Database, app_id: int) -> Decision | None:
    """The latest decision of one application, None while undecided."""
    found = history(db, app_id)
    return found[-1] if found else None


def parse_decision(text: str) -> str:
    """通过 / 退回补正 / 不予支持 (or approved / returned / rejected) → the stored code."""
    value = text.strip()
    if value in DECISIONS:
        return value
    if value in DECISION_CODES:
        return DECISION_CODES[value]
    raise UsageError(
        f"决定“{text}”不是 {'、'.join(DECISIONS.values())} 之一", fix="例如：通过", field="decision"
    )


def decide(
    db: Database,
    app_id: int,
    decision: str,
    reviewer: str,
    *,
    approved: Decimal | None = None,
    tier: int | None = None,
    matched: Decimal | None = None,
    reasons: str = "",
    now: dt.datetime | None = None,
) -> Decision:
    """Record the committee's decision on application `app_id` (a new row; nothing is overwritten).

    通过 needs an approved amount: given, or for 职工创新创效 the recomputed award, or for studios the
    sum of the committee's parts (2000 元 for a new zone-level studio or the confirmed matched amount,
    plus the annual tier). 退回补正 and 不予支持 need reasons.
    """
    code = parse_decision(decision)
    if not reviewer.strip():
        raise UsageError("请填写评审人姓名", fix="例如：王芳", field="reviewer")
    record = get_record(db, app_id)
    if record is None:
        raise InputError(f"登记簿中没有登记号 {app_id}", field="app_id")
    if record.scheme != "studio" and (tier is not None or matched is not None):
        raise UsageError("年度评比档次和匹配金额只适用于劳模和工匠人才创新工作室鼓励金", field="tier")
    if tier is not None and tier not in ANNUAL_TIERS:
        raise UsageError(
            f"年度评比档次应为 {' 或 '.join(map(str, ANNUAL_TIERS))} 元，而不是 {tier}", field="tier"
        )
    if code != "approved" and not reasons.strip():
        raise UsageError(
            f"“{DECISIONS[code]}”需要写明理由", fix="例如：缺少评审会议现场照片", field="reasons"
        )
    approved_fen = to_fen(approved)
    matched_fen = to_fen(matched)
    if code == "approved" and approved_fen is None:
        approved_fen = _default_amount(record, tier, matched_fen)
    if code != "approved" and approved_fen:
        raise UsageError(f"“{DECISIONS[code]}”不能有核定金额", field="amount")
    row = {
        "application_id": app_id,
        "decision": code,
        "approved_fen": approved_fen if code == "approved" else None,
        "tier": tier,
        "matched_fen": matched_fen,
        "reasons": reasons.strip(),
        "reviewer": reviewer.strip(),
        "decided_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
    }
    with writing(db):
        new_id = db.table("decisions").insert(row).last_pk
    assert isinstance(new_id, int)
    return _decision({"id": new_id, **row})


def _default_amount(record, tier: int | None, matched_fen: int | None) -> int:
    if record.scheme == "innovation":
        if record.recomputed_fen is None:
            raise UsageError("复核金额为“不符合条件”，通过时请写明核定金额", field="amount")
        return record.recomputed_fen
    total = 0
    if record.studio_new:
        if record.studio_level == "zone":
            total += NEW_STUDIO_ZONE_FEN
        elif matched_fen is None:
            raise UsageError(
                "新命名的滨海新区级及以上工作室：请写明评审确认的匹配金额（或写明核定总额）", field="matched"
            )
        else:
            total += matched_fen
    if record.data.get("studio", {}).get("annual"):
        if tier is None:
            raise UsageError("申报了年度评比：请写明评审委员会评定的档次（3000 或 5000）", field="tier")
        total += tier * 100
    return total


def disqualify(
    db: Database,
    code: str,
    since: dt.date,
    reason: str,
    reviewer: str,
    *,
    until: dt.date | None = None,
    name: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Put a base union (by 统一社会信用代码) on the 第三条 list from `since` (until `until`)."""
    from assembler.core.identifiers import credit_code_problem

    code = code.strip().upper()
    if problem := credit_code_problem(code):
        raise UsageError(f"统一社会信用代码“{code}”无效：{problem}")
    if not reason.strip() or not reviewer.strip():
        raise UsageError("请写明取消资格的理由和经办人", field="reason" if not reason.strip() else "reviewer")
    if until is not None and until < since:
        raise UsageError("取消资格的结束日期早于开始日期")
    row = {
        "code": code,
        "name": name.strip(),
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "reason": reason.strip(),
        "reviewer": reviewer.strip(),
        "added_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "withdrawn": 0,
        "withdraws": None,
    }
    with writing(db):
        new_id = db.table("disqualified").insert(row).last_pk
    assert isinstance(new_id, int)
    return new_id


def withdraw_disqualification(db: Database, listing_id: int, reason: str, reviewer: str) -> int:
    """Withdraw a listing (a new row that says so; the listing itself stays in the history)."""
    rows = list(db.query("SELECT * FROM disqualified WHERE id = ? AND withdrawn = 0", [listing_id]))
    if not rows:
        raise InputError(f"取消资格名单中没有编号 {listing_id}")
    if not reason.strip() or not reviewer.strip():
        raise UsageError("请写明撤销的理由和经办人", field="reason" if not reason.strip() else "reviewer")
    row = {
        **{k: rows[0][k] for k in ("code", "name", "since", "until")},
        "reason": reason.strip(),
        "reviewer": reviewer.strip(),
        "added_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "withdrawn": 1,
        "withdraws": listing_id,
    }
    with writing(db):
        new_id = db.table("disqualified").insert(row).last_pk
    assert isinstance(new_id, int)
    return new_id
