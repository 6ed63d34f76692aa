"""What a 补正通知 says about the findings a reviewer ticked: each one in plain words, without file
paths, rule ids, tool names or another unit's identity (the other side stays in the register), frozen
with the decision so that a later intake never changes a notice already issued.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlite_utils import Database

from assembler.core.models import Finding
from assembler.errors import UsageError

# the register's cross-checks name other applications; the notice says only what the unit must fix
REGISTER_WORDS = {
    "REGISTER-EVIDENCE-REUSED": (
        "部分证明材料与其他申报材料重复，同一材料只能在一个年度使用，请换用本年度的材料"
    ),
    "REGISTER-EVIDENCE-SHARED": "部分证明材料与其他申报材料重复，请提供本单位自己的材料",
    "REGISTER-ITEM-REUSED": "项目台账中部分项目与其他申报材料重复，同一项目只能申报一次，请删除后重新计算",
    "REGISTER-ITEM-SHARED": "项目台账中部分项目与其他申报材料重复，请核实项目归属",
    "REGISTER-MEETING-REUSED": "部分评审会议与其他申报材料重复，同一次评审会议只能申报一次",
    "REGISTER-MEETING-SHARED": "部分评审会议记录与其他申报材料重复，请核实会议纪要和现场照片",
    "REGISTER-PATENT-REUSED": "部分专利或重大专项与其他申报材料重复，年度评比按当年成果评定",
    "REGISTER-STUDIO-NAMED-TWICE": "该工作室已申报过新命名鼓励金，新命名鼓励金每个工作室只发放一次",
    "REGISTER-STUDIO-UPGRADED": "请提供本年度升级命名的文件",
    "REGISTER-DUPLICATE-APPLICATION": "本年度同一基金已有申报，每年只能申报一次",
    "REGISTER-DISQUALIFIED": "所在基层工会处于取消申报资格期间",
    "REGISTER-CERTIFICATE-CHANGED": "电子签名证书与此前报送的材料不一致，请说明原因",
}
_RULE_ID = re.compile(r"\[?[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\]?\s*")
_CLEAN = (
    (re.compile(r"application\.ya?ml"), "申报信息"),
    (
        re.compile(
            r"[“\"]?[^\s“”\"，。；：（）()]*\.(?:pdf|jpe?g|png|heic|docx?|xlsx?|ofd|ya?ml|zip|txt|csv)[”\"]?",
            re.I,
        ),
        "",
    ),
    (re.compile(r"(?:运行\s*)?`?dossier\b[^，。；`]*`?"), "重新生成申报材料"),
    (re.compile(r"`[^`]*`|--[a-z][a-z-]*"), ""),
    (re.compile(r"（[A-Za-z_][\w.\[\]]*）"), ""),  # a schema path after its label
    (re.compile(r"\b[a-z_]+(?:[._][a-z0-9_\[\]]+)+\b"), ""),  # a bare key such as reported_on
    (re.compile(r"SHA-256\s*|\b[0-9a-f]{6,}\b", re.I), ""),
    (re.compile(r"在\s*中"), "在申报信息中"),
)


def notice_words(finding: Finding) -> str:
    """One finding as a sentence of a 补正通知: the register's cross-checks in fixed words, the rest
    with rule ids, file names and tool words taken out, and its remedy.
    """
    if finding.rule in REGISTER_WORDS:
        return REGISTER_WORDS[finding.rule] + "。"
    text, fix = _clean(_RULE_ID.sub("", finding.message)), _clean(finding.fix or "")
    sentence = text.rstrip("。") + "。" + (f"{fix.rstrip('。')}。" if fix else "")
    return sentence.replace("。。", "。")


def _clean(text: str) -> str:
    for pattern, words in _CLEAN:
        text = pattern.sub(words, text)
    text = re.sub(r"（\s*）|“\s*”", "", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", text)  # spaces left by a removed word
    return re.sub(r"\s+", " ", text).strip(" ：:；;，,")


def resolve_ticked(found: Sequence[Finding], ticked: Sequence[str]) -> list[Finding]:
    """The findings a reviewer ticked: by number as listed (1, 2, …) or by rule id (every finding of
    that rule), in list order, each once.
    """
    chosen: set[int] = set()
    for tick in ticked:
        tick = tick.strip()
        if tick.isdigit() and 1 <= int(tick) <= len(found):
            chosen.add(int(tick) - 1)
            continue
        hits = {i for i, f in enumerate(found) if f.rule.upper() == tick.upper()}
        if not hits:
            raise UsageError(
                f"没有这一项检查结果：“{tick}”",
                fix=f"请写检查结果的序号（1 至 {len(found)}）或规则编号。",
                field="findings",
            )
        chosen |= hits
    return [found[i] for i in sorted(chosen)]


def ticked_findings(db: Database, app_id: int, ticked: Sequence[str]) -> list[Finding]:
    """The ticked findings of one application, among its findings as shown (refreshed first)."""
    if not ticked:
        return []
    from assembler.reviewer.register.db import stored_findings
    from assembler.reviewer.register.intake import refresh_findings

    refresh_findings(db, app_id)
    return resolve_ticked(stored_findings(db, app_id), ticked)


def freeze_ticked(db: Database, decision_id: int, findings: Sequence[Finding]) -> None:
    """Keep the ticked findings' notice words with the decision (inside the caller's transaction)."""
    rows = [
        {
            "decision_id": decision_id,
            "position": i,
            "rule": f.rule,
            "severity": f.severity,
            "words": notice_words(f),
        }
        for i, f in enumerate(findings, start=1)
    ]
    if rows:
        db.table("decision_findings").insert_all(rows)


def ticked_words(db: Database, decision_id: int) -> list[str]:
    """The frozen words of the findings ticked with one decision, in order."""
    return [
        r["words"]
        for r in db.query(
            "SELECT words FROM decision_findings WHERE decision_id = ? ORDER BY position", [decision_id]
        )
    ]
