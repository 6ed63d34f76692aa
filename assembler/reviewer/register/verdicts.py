"""The reviewers' verdicts on near-duplicate pairs: one application's pairs, numbered in a stable order
with their latest verdict, and the one way to record a verdict (the CLI's `dossier similar` and the web's
确认重复 / 排除 buttons both call `record_similar_verdict`).

A verdict is 'confirmed' (确认重复: the warning stays, with the verdict beside it) or 'dismissed' (排除: the
pair is not raised again, in this application or a later version holding the same two files or items). It
needs a reason and the reviewer's name, and is kept append-only in the register (the latest one counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from assembler.errors import InputError
from assembler.reviewer.register import db as store
from assembler.reviewer.register.records import Record

if TYPE_CHECKING:  # numpy and rapidfuzz are imported when pairs are computed, not when the web starts
    from assembler.core.similar import Pair, Side

VERDICTS = {"confirmed": "确认重复", "dismissed": "排除（不是重复）"}


@dataclass(frozen=True)
class Verdict:
    """A reviewer's latest verdict on one pair: which, why, who, when, on which application's page."""

    verdict: str  # a VERDICTS key
    reason: str
    reviewer: str
    decided_at: str  # ISO, Beijing time
    application_id: int | None

    @property
    def title(self) -> str:
        """确认重复 / 排除（不是重复）."""
        return VERDICTS.get(self.verdict, self.verdict)


@dataclass(frozen=True)
class NumberedPair:
    """One near-duplicate pair of an application as the reviewers address it: its number in the listing
    (from 1), the pair (`new` is this application's end), and its latest verdict, if any."""

    number: int
    pair: Pair
    verdict: Verdict | None

    @property
    def key(self) -> str:
        """The pair's stable identity (both ends' hash and page, or both items' name and proposer)."""
        return self.pair.key

    @property
    def kind_title(self) -> str:
        """How the two are alike, in words (同一张图片裁剪后重新保存, 名称相近的项目 …)."""
        from assembler.core.similar import KIND_TITLES

        return KIND_TITLES.get(self.pair.kind, self.pair.kind)


def _order(p: Pair) -> tuple[Any, ...]:
    """A listing order that does not depend on how the pairs were found: by the other application's 登记号
    (a later application's pairs come after the ones listed before it), pictures before items, then by
    both ends."""
    return (
        p.old.application or 0,
        p.kind == "item",
        p.new.path,
        p.new.page,
        p.old.path,
        p.old.page,
        p.key,
    )


def _verdict(row: dict[str, Any] | None) -> Verdict | None:
    if row is None:
        return None
    return Verdict(row["verdict"], row["reason"], row["reviewer"], row["decided_at"], row["application_id"])


def _record(db: Database, app_id: int) -> Record:
    record = store.get_record(db, app_id)
    if record is None:
        raise InputError("登记簿中没有这个登记号", field="app_id", details=[f"登记号 {app_id}"])
    return record


def pairs_of_record(db: Database, record: Record) -> list[NumberedPair]:
    """The near-duplicate pairs of one recorded application against today's register (dismissed ones
    included, with their verdict), numbered in the listing order."""
    from assembler.load.checklists import similarity_thresholds, standing_materials
    from assembler.reviewer.register.crossyear import similar_pairs

    limits = similarity_thresholds()
    others = store.records_to_compare(db, record, limits, store.versions(db, record.id or 0))
    pairs = similar_pairs(record, others.similar, standing_materials(record.scheme), limits, others.prints)
    found = sorted(pairs, key=_order)
    latest = store.verdicts(db)
    return [NumberedPair(n, p, _verdict(latest.get(p.key))) for n, p in enumerate(found, start=1)]


def similar_pairs_of(db: Database, app_id: int) -> list[NumberedPair]:
    """The near-duplicate pairs of application `app_id`, numbered as `dossier applications ID` and the
    detail page list them (InputError when the register has no such number)."""
    return pairs_of_record(db, _record(db, app_id))


def find_pair(pairs: list[NumberedPair], app_id: int, wanted: str) -> NumberedPair:
    """The pair `wanted` names among an application's pairs: its number in the listing, or its key."""
    wanted = wanted.strip()
    if wanted.isdigit():
        number = int(wanted)
        if 1 <= number <= len(pairs):
            return pairs[number - 1]
        raise InputError(
            f"登记号 {app_id} 没有第 {number} 对近似重复（共 {len(pairs)} 对）"
            if pairs
            else f"登记号 {app_id} 没有近似重复可以核实",
            field="pair",
            rule="SIMILAR-PAIR-UNKNOWN",
            values={"number": number, "count": len(pairs)},
        )
    for p in pairs:
        if p.key == wanted:
            return p
    raise InputError(
        f"这一对不是登记号 {app_id} 当前的近似重复（可能属于另一份申请，或文件已更换）",
        field="pair",
        rule="SIMILAR-PAIR-UNKNOWN",
        details=[f"键 {wanted}"] if wanted else [],
        values={"key": wanted},
    )


def refusals(verdict: str, reason: str, reviewer: str) -> list[InputError]:
    """Every refusal of the verdict, the reason and the reviewer's name at once (a form may show them
    together; record_similar_verdict raises the first)."""
    out: list[InputError] = []
    if verdict not in VERDICTS:
        text = f"核实结论“{verdict}”不是“确认重复”或“排除”" if verdict else "请选择核实结论：确认重复或排除"
        out.append(InputError(text, field="verdict", rule="SIMILAR-VERDICT-UNKNOWN"))
    if not reason.strip():
        out.append(
            InputError(
                "请填写核实理由（为什么确认重复或排除）", field="reason", rule="SIMILAR-REASON-MISSING"
            )
        )
    if not reviewer.strip():
        out.append(InputError("请填写评审人姓名", field="reviewer", rule="SIMILAR-REVIEWER-MISSING"))
    return out


def record_similar_verdict(
    db: Database, app_id: int, pair: str, verdict: str, reason: str, reviewer: str, at: str | None = None
) -> NumberedPair:
    """Record a reviewer's verdict on one near-duplicate pair of application `app_id` and refresh the stored
    findings of both applications the pair joins; returns the pair with its new verdict.

    `pair` is its number in the listing or its key; `verdict` 'confirmed' or 'dismissed'. Refusals are
    InputErrors whose `field` names the input at fault: app_id, verdict, reason, reviewer, pair (a number
    past the listing, or a key that is not among this application's current pairs)."""
    from assembler.reviewer.register.decisions import stamp
    from assembler.reviewer.register.intake import refresh_findings

    record = _record(db, app_id)
    refused = refusals(verdict, reason, reviewer)
    if refused:
        raise refused[0]
    chosen = find_pair(pairs_of_record(db, record), app_id, pair)
    when = at or stamp()
    with store.writing(db):
        store.record_verdict(db, chosen.key, app_id, verdict, reason, reviewer, when)
        refresh_findings(db, app_id)
        other = chosen.pair.old.application
        if other is not None and other != app_id and store.get_record(db, other) is not None:
            refresh_findings(db, other)  # its list shows the same pair from the other side
    made = Verdict(verdict, reason.strip(), reviewer.strip(), when, app_id)
    return NumberedPair(chosen.number, chosen.pair, made)


def side_json(side: Side, item: bool) -> dict[str, Any]:
    """One end of a pair for `--json`: a file (path, page, sha256) or a ledger item (name, proposer), and
    the application holding it."""
    return {
        "application_id": side.application,
        "label": side.label,
        "file": None if item else side.path,
        "page": None if item else side.page,
        "sha256": None if item else side.sha256,
        "item": side.path if item else None,
        "proposer": side.proposer if item else None,
    }


def pair_json(p: NumberedPair) -> dict[str, Any]:
    """A numbered pair for `--json` (`dossier applications ID` and `dossier similar`)."""
    item = p.pair.kind == "item"
    v = p.verdict
    return {
        "number": p.number,
        "key": p.key,
        "kind": p.pair.kind,
        "kind_title": p.kind_title,
        "similarity": p.pair.similarity,
        "this": side_json(p.pair.new, item),
        "other": side_json(p.pair.old, item),
        "verdict": None
        if v is None
        else {
            "verdict": v.verdict,
            "title": v.title,
            "reason": v.reason,
            "reviewer": v.reviewer,
            "at": v.decided_at,
            "application_id": v.application_id,
        },
    }


def side_text(side: Side, item: bool) -> str:
    """One end of a pair in words: “file” 第 N 页, or “item”（提出人 …）."""
    if item:
        return f"“{side.path}”（提出人 {side.proposer}）"
    return f"“{side.path}”" + (f" 第 {side.page} 页" if side.page > 1 else "")
