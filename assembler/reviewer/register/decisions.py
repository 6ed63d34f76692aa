"""The committee's decisions: per application the decision, approved amount, annual tier, confirmed
matched amount and reasons, kept as an append-only history (the current decision is the latest row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlite_utils import Database

from assembler.core.dates import BEIJING, beijing_now
from assembler.core.decisions import Allowance, allowed_award, amount_problem, studio_total
from assembler.core.models import Finding
from assembler.errors import InputError, UsageError
from assembler.reviewer.register.db import get_record, stored_findings, writing
from assembler.reviewer.register.notices import freeze_ticked, ticked_findings
from assembler.reviewer.register.records import (
    DECISION_CODES,
    DECISIONS,
    Record,
    case_title,
    from_fen,
    to_fen,
)

FINAL = ("approved", "rejected")  # after these, a new submission is a second application, not a version
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
    override: str = ""  # the committee's written reason for approving outside the measures

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
        row.get("override") or "",
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
    override: str = "",
    now: dt.datetime | None = None,
    ticked: tuple[str, ...] = (),
) -> Decision:
    """Record the committee's decision on application `app_id` (a new row; nothing is overwritten).

    Why each refusal: the measures decide what can be paid. Only the current version of an application
    can be decided; 通过 needs an amount the measures can produce for it (core.decisions) and no open
    error (a disqualified union, a second application, a dossier that failed verification, material
    used in another year) unless `override` gives the committee's written reason, which is kept in the
    history. Approving two innovation applications of one unit in one year (情形一 and 情形二, 二者不可
    同时申报) is refused even with a reason. 退回补正 and 不予支持 need reasons. `ticked` names the
    findings (number as listed, or rule id) whose notice words are frozen with the decision for the
    补正通知.
    """
    code = parse_decision(decision)
    if not reviewer.strip():
        raise UsageError("请填写评审人姓名", fix="例如：王芳", field="reviewer")
    record = get_record(db, app_id)
    if record is None:
        raise InputError(f"登记簿中没有登记号 {app_id}", fix="用 dossier applications 查看登记号。")
    newer = _newer_version(db, app_id)
    if newer is not None:
        raise UsageError(
            f"登记号 {app_id} 已被新版本（登记号 {newer}）替换，只能对最新版本作出决定",
            fix=f"请对登记号 {newer} 作出决定。",
            field="decision",
        )
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
    if code != "approved" and approved_fen:
        raise UsageError(f"“{DECISIONS[code]}”不能有核定金额", field="amount")
    if code != "approved" and override.strip():
        raise UsageError("只有“通过”需要写明突破办法规定的理由", field="override")
    if code == "approved":
        _refuse_second_approval(db, record)
        allowance = allowance_of(record)
        if approved_fen is None and allowance.eligible:
            approved_fen = _default_amount(record, allowance, tier, matched_fen)
        blocking = _blocking_findings(db, app_id)
        problem = None
        if approved_fen is None:
            problem = f"本申请不符合鼓励金条件（{allowance.text}），通过时须写明核定金额"
        else:
            problem = amount_problem(
                allowance,
                from_fen(approved_fen) or Decimal(0),
                Decimal(tier) if tier is not None else None,
                from_fen(matched_fen),
            )
        if (problem or blocking) and not override.strip():
            if problem:
                raise UsageError(
                    problem,
                    fix="请按办法核定金额；评审委员会决定突破办法规定时，请写明突破办法规定的理由。",
                    field="amount",
                )
            listed = "；".join(f.message for f in blocking[:3]) + ("等" if len(blocking) > 3 else "")
            raise UsageError(
                f"本申请还有 {len(blocking)} 个未解决的错误，不能决定通过：{listed}",
                fix="请退回补正或不予支持；评审委员会仍决定通过时，请写明突破办法规定的理由。",
                field="decision",
            )
    row = {
        "application_id": app_id,
        "decision": code,
        "approved_fen": approved_fen if code == "approved" else None,
        "tier": tier,
        "matched_fen": matched_fen,
        "reasons": reasons.strip(),
        "reviewer": reviewer.strip(),
        "decided_at": stamp(now),
        "override": override.strip() or None,
    }
    chosen = ticked_findings(db, app_id, ticked)
    with writing(db):
        new_id = db.table("decisions").insert(row).last_pk
        assert isinstance(new_id, int)
        freeze_ticked(db, new_id, chosen)
    return _decision({"id": new_id, **row})


def stamp(now: dt.datetime | None = None) -> str:
    """A moment as the register writes it: ISO, to the second, in Beijing time (+08:00)."""
    return (now or beijing_now()).astimezone(BEIJING).isoformat(timespec="seconds")


def _newer_version(db: Database, app_id: int) -> int | None:
    rows = list(db.query("SELECT id FROM applications WHERE previous_id = ? ORDER BY id DESC", [app_id]))
    return rows[0]["id"] if rows else None


def _refuse_second_approval(db: Database, record: Record) -> None:
    """情形一 and 情形二 of one unit in one year cannot both be paid (附件1: 二者不可同时申报)."""
    if record.scheme != "innovation":
        return
    rows = db.query(
        "SELECT a.id, a.fund_case FROM applications a WHERE a.credit_code = ? AND a.scheme = 'innovation' "
        "AND a.year = ? AND a.id != ? "
        "AND NOT EXISTS (SELECT 1 FROM applications b WHERE b.previous_id = a.id)",
        [record.credit_code, record.year, record.id],
    )
    decided = current_decisions(db)
    for row in rows:
        other = decided.get(row["id"])
        if other is not None and other.decision == "approved":
            raise UsageError(
                f"本单位 {record.year} 年度的职工创新创效补贴已在登记号 {row['id']}"
                f"（{case_title(row['fund_case'])}）决定通过：情形一和情形二不可同时申报，每年只能支持一次",
                fix=f"如需改为支持本申请，请先把登记号 {row['id']} 的决定改为不予支持。",
                field="decision",
            )


def _blocking_findings(db: Database, app_id: int) -> list[Finding]:
    """The error-level findings that stand against approving (recomputed against today's register)."""
    from assembler.reviewer.register.intake import refresh_findings

    refresh_findings(db, app_id)
    return [f for f in stored_findings(db, app_id) if f.severity == "error"]


def allowance_of(record: Record) -> Allowance:
    """What the measures allow for a recorded application (from its recomputed award and facts)."""
    from assembler.load.checklists import load_checklist

    measures = str(record.data.get("measures") or "2021")
    spec = load_checklist(measures, record.scheme).award
    return allowed_award(
        record.scheme,
        record.case,
        from_fen(record.recomputed_fen),
        spec,
        item_count=len(record.items),
        studio_level=record.studio_level,
        studio_new=record.studio_new,
        studio_annual=bool((record.data.get("studio") or {}).get("annual")),
        studio_matched=from_fen(record.matched_fen),
    )


def _default_amount(record: Record, allowance: Allowance, tier: int | None, matched_fen: int | None) -> int:
    if record.scheme == "innovation":
        assert record.recomputed_fen is not None
        return record.recomputed_fen
    total, problem = studio_total(
        allowance, Decimal(tier) if tier is not None else None, from_fen(matched_fen)
    )
    if problem is not None:
        field = "matched" if "匹配" in problem else "tier"
        raise UsageError(problem, fix="请写明，或直接写明核定金额（总额）。", field=field)
    return to_fen(total) or 0


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
        raise UsageError("请写明取消资格的理由和经办人")
    if until is not None and until < since:
        raise UsageError("取消资格的结束日期早于开始日期")
    row = {
        "code": code,
        "name": name.strip(),
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "reason": reason.strip(),
        "reviewer": reviewer.strip(),
        "added_at": stamp(now),
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
        raise UsageError("请写明撤销的理由和经办人")
    row = {
        **{k: rows[0][k] for k in ("code", "name", "since", "until")},
        "reason": reason.strip(),
        "reviewer": reviewer.strip(),
        "added_at": stamp(),
        "withdrawn": 1,
        "withdraws": listing_id,
    }
    with writing(db):
        new_id = db.table("disqualified").insert(row).last_pk
    assert isinstance(new_id, int)
    return new_id
