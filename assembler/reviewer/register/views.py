"""One application as the clerk sees it, for the terminal and the web alike: its findings (recomputed
against today's register), every decision of its versions, whether it was replaced, whether its file is
intact (and who signed it), the certificate the register pinned for the unit, and its kept copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from assembler.core.awards import format_yuan
from assembler.core.models import Finding
from assembler.reviewer.register import db as store
from assembler.reviewer.register.decisions import Decision, history
from assembler.reviewer.register.filestore import kept_copy
from assembler.reviewer.register.records import INTEGRITY_TITLES, Record, beijing_text, from_fen

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def integrity_text(record: Record) -> str:
    """完整 / 被改动 / 无法核验, and who signed a signed dossier: the register's 核验 column."""
    title = INTEGRITY_TITLES.get(record.integrity, "未记录")
    if record.integrity == "unverifiable":
        title += "（申请文件夹或压缩包，不是生成的 PDF）"
    if record.signer:
        title += f"；已签名：{record.signer}"
    return title


def claimed_text(record: Record, short: bool = False) -> str:
    """申请金额 as the register may show it: never the embedded claim of a dossier that failed verify."""
    if record.integrity == "tampered":
        if record.printed_fen is not None:
            printed = f"{format_yuan(from_fen(record.printed_fen) or Decimal(0))} 元"
            return printed + (
                "（取自核验一致的页面）" if short else "（取自核验一致的封面页；嵌入的申请金额不予采用）"
            )
        return (
            "无法确认（核验未通过）"
            if short
            else "无法确认（核验未通过：嵌入的申请金额可能被改动，不予采用）"
        )
    amount = from_fen(record.claimed_fen)
    return "不符合条件" if amount is None else f"{format_yuan(amount)} 元"


def worst_finding(findings: list[Finding]) -> Finding | None:
    """The finding the 问题 column shows: the first of the most severe (info does not count)."""
    ranked = sorted(
        (f for f in findings if f.severity in ("error", "warning")), key=lambda f: SEVERITY_ORDER[f.severity]
    )
    return ranked[0] if ranked else None


def current_of(db: Database, app_id: int) -> int:
    """The latest version of the application `app_id` belongs to."""
    current = app_id
    while True:
        rows = list(db.query("SELECT id FROM applications WHERE previous_id = ? ORDER BY id DESC", [current]))
        if not rows:
            return current
        current = rows[0]["id"]


@dataclass
class ApplicationView:
    """What the detail page and `dossier applications ID` show."""

    record: Record
    findings: list[Finding]
    decisions: list[Decision]  # of this version and the earlier ones, oldest first
    diff: dict | None
    current_id: int
    versions: dict[int, int]  # application id → version number, along the lineage
    kept: bool
    certificate: str

    @property
    def replaced_by(self) -> int | None:
        return self.current_id if self.current_id != self.record.id else None

    @property
    def integrity(self) -> str:
        return integrity_text(self.record)

    @property
    def claimed_text(self) -> str:
        return claimed_text(self.record)

    def version_of(self, app_id: int) -> int | str:
        return self.versions.get(app_id, "?")


def application_view(db: Database, app_id: int) -> ApplicationView:
    """Everything the clerk must see about one recorded application (findings refreshed first)."""
    from assembler.reviewer.register.intake import refresh_findings

    record = store.get_record(db, app_id)
    assert record is not None
    refresh_findings(db, app_id)
    chain = store.lineage(db, app_id)
    decisions = sorted((d for number in chain for d in history(db, number)), key=lambda d: d.id)
    row: dict[str, Any] = db.table("applications").get(app_id)
    pinned = store.pinned_certificate(db, record.credit_code)
    certificate = ""
    if pinned is not None:
        certificate = (
            f"{pinned['signer']}（证书指纹 {pinned['fingerprint'][:16]}…，"
            f"{beijing_text(pinned['pinned_at'], minutes=True)} "
            f"随登记号 {pinned['first_application_id']} 固定）"
        )
    return ApplicationView(
        record=record,
        findings=store.stored_findings(db, app_id),
        decisions=decisions,
        diff=json.loads(row["diff"]) if row["diff"] else None,
        current_id=current_of(db, app_id),
        versions={r.id or 0: r.version for r in store.load_records(db, chain)},
        kept=kept_copy(db, record.stored_sha256) is not None,
        certificate=certificate,
    )
