"""What the register knows about one received application: plain frozen types (only the fund and case
titles are read, once, from the bundled checklists).

A `Record` is filled from a verified dossier's manifest or from a checked application folder/zip
(intake.py) or from the register's rows (db.py); the cross-year rules (crossyear.py) work on these
types only, so they can be tested without SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assembler.core.identifiers import comparable
from assembler.core.models import Print


def scheme_title(scheme: str) -> str:
    """The fund's title as the bundled checklists print it (the scheme id when unknown)."""
    from assembler.load.checklists import (
        fund_titles,  # read once (cached); the records themselves stay plain data
    )

    return fund_titles()[0].get(scheme, scheme)


def case_title(case: str | None) -> str:
    """The case's title as the bundled checklists print it ('' for none)."""
    from assembler.load.checklists import fund_titles

    return fund_titles()[1].get(case or "", "")


# the committee's decisions: stored code → the words on the forms
DECISIONS = {"approved": "通过", "returned": "退回补正", "rejected": "不予支持"}
DECISION_CODES = {title: code for code, title in DECISIONS.items()}


INTEGRITY_TITLES = {"intact": "完整", "tampered": "被改动", "unverifiable": "无法核验"}


def beijing_text(stamp: str, minutes: bool = False) -> str:
    """A stored moment (ISO; without a zone it is UTC, as older registers wrote it) in Beijing time:
    2026-12-03T01:30:00+08:00, or 2026-12-03 01:30 with `minutes`."""
    import datetime as dt

    from assembler.core.dates import BEIJING

    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(BEIJING)
    return moment.strftime("%Y-%m-%d %H:%M") if minutes else moment.isoformat(timespec="seconds")


def to_fen(amount: Decimal | int | str | None) -> int | None:
    """An amount in yuan as integer fen (exact); None stays None."""
    if amount is None:
        return None
    value = Decimal(str(amount)) * 100
    if value != value.to_integral_value():
        raise ValueError(f"金额 {amount} 超过两位小数")
    return int(value)


def from_fen(fen: int | None) -> Decimal | None:
    """Integer fen as yuan (Decimal, two places only when there are fen)."""
    if fen is None:
        return None
    return Decimal(fen) / 100 if fen % 100 else Decimal(fen // 100)


def item_key(name: str, proposer: str) -> str:
    """The normalised identity of a ledger item: name and proposer without spaces and punctuation."""
    return f"{comparable(name)}|{comparable(proposer)}"


def studio_key(name: str | None) -> str:
    """The normalised identity of a studio's name ('' without a studio)."""
    return comparable(name or "")


def patent_key(number: str) -> str:
    """A patent number without ZL prefix, dots and spaces, upper-cased."""
    return comparable(number).upper().removeprefix("ZL")


@dataclass(frozen=True)
class Item:
    """One ledger item as the register keeps it."""

    name: str
    proposer: str
    adopted_on: str = ""  # ISO date
    bonus_fen: int | None = None
    category: str = ""
    department: str = ""

    @property
    def key(self) -> str:
        return item_key(self.name, self.proposer)


@dataclass(frozen=True)
class Meeting:
    date: str  # ISO date
    title: str = ""


@dataclass(frozen=True)
class Patent:
    number: str
    title: str = ""
    kind: str = ""

    @property
    def key(self) -> str:
        return patent_key(self.number or self.title)


@dataclass(frozen=True)
class Evidence:
    """One evidence file of the application: its path inside the folder, hash and size."""

    path: str
    sha256: str
    size: int = 0
    material: str | None = None
    prints: tuple[Print, ...] = ()  # perceptual fingerprints (an image's, a scanned page's)


@dataclass(frozen=True)
class Record:
    """One received application (one version of it) as the register holds it."""

    year: int
    scheme: str
    unit_name: str
    credit_code: str
    file_sha256: str  # the received file's own hash (a folder: a digest of its content)
    case: str | None = None
    union_name: str = ""
    union_code: str | None = None
    studio_name: str | None = None
    studio_level: str | None = None
    studio_new: bool = False
    named_on: str | None = None
    matched_fen: int | None = None
    tier: int | None = None
    claimed_fen: int | None = None
    recomputed_fen: int | None = None
    items: tuple[Item, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    patents: tuple[Patent, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    received_at: str = ""  # ISO date-time (Beijing time, +08:00; older rows UTC)
    source_name: str = ""
    kind: str = ""  # 申报材料 PDF / 申请文件夹 / 申请压缩包
    id: int | None = None  # the register's number, once recorded
    version: int = 1
    previous_id: int | None = None
    data: dict = field(default_factory=dict, compare=False)  # application.yaml as recorded
    integrity: str = ""  # intact / tampered / unverifiable ('' before the register recorded it)
    signer: str = ""  # the name on the signing certificate of a signed dossier
    period_start: str | None = None  # the activity period the dossier was checked against (ISO)
    period_end: str | None = None
    period_source: str = ""
    stored_sha256: str = ""  # the register's kept copy of the received file (files/<sha256>)
    printed_fen: int | None = None  # 申请金额 as printed on the dossier's own pages that still verify

    @property
    def studio_key(self) -> str:
        return studio_key(self.studio_name)

    @property
    def chain_key(self) -> str:
        """What makes a later submission a new version of this one: unit, fund, year (and studio)."""
        studio = f"|{self.studio_key}" if self.scheme == "studio" else ""
        return f"{self.credit_code}|{self.scheme}|{self.year}{studio}"

    @property
    def received_on(self) -> str:
        """The received date in Beijing time (ISO), for the disqualification list and the notices."""
        return beijing_text(self.received_at)[:10]

    @property
    def trusted_claim_fen(self) -> int | None:
        """The claimed amount when it can be trusted: for a dossier that failed verification never its
        embedded claim (it may be forged), only the amount printed on its pages that still verify."""
        return self.printed_fen if self.integrity == "tampered" else self.claimed_fen

    @property
    def label(self) -> str:
        """How a message names this application: 2025 年度 天津…有限公司（登记号 12）."""
        number = f"（登记号 {self.id}）" if self.id is not None else ""
        return f"{self.year} 年度{self.unit_name}{number}"


@dataclass(frozen=True)
class Disqualification:
    """A union on the list of 第三条 (misappropriated an earlier award): from `since`, until `until`."""

    code: str  # the union's (or its unit's) 统一社会信用代码
    since: str  # ISO date
    reason: str
    until: str | None = None
    name: str = ""
    id: int | None = None

    def applies_on(self, day: str) -> bool:
        """Whether the listing is in force on the ISO date `day`."""
        return self.since <= day and (self.until is None or day <= self.until)


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for k, v in value.items():
            out |= _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out |= _flatten(v, f"{prefix}[{i}]")
        return out
    return {prefix: value}


def diff_records(old: Record, new: Record) -> dict:
    """What a resubmission changed: evidence files (by path and hash), application fields, ledger items."""
    before = {e.path: e.sha256 for e in old.evidence}
    after = {e.path: e.sha256 for e in new.evidence}
    old_fields = {k: v for k, v in _flatten(old.data).items() if not k.startswith("innovation.projects")}
    new_fields = {k: v for k, v in _flatten(new.data).items() if not k.startswith("innovation.projects")}
    old_items = {i.key: i for i in old.items}
    new_items = {i.key: i for i in new.items}
    return {
        "files": {
            "added": sorted(after.keys() - before.keys()),
            "removed": sorted(before.keys() - after.keys()),
            "changed": sorted(p for p in after.keys() & before.keys() if after[p] != before[p]),
        },
        "fields": [
            {"field": k, "old": old_fields.get(k), "new": new_fields.get(k)}
            for k in sorted(old_fields.keys() | new_fields.keys())
            if old_fields.get(k) != new_fields.get(k)
        ],
        "items": {
            "added": [new_items[k].name for k in new_items.keys() - old_items.keys()],
            "removed": [old_items[k].name for k in old_items.keys() - new_items.keys()],
            "changed": [
                new_items[k].name for k in new_items.keys() & old_items.keys() if new_items[k] != old_items[k]
            ],
        },
        "claimed": {"old_fen": old.claimed_fen, "new_fen": new.claimed_fen},
    }


def diff_lines(diff: dict) -> list[str]:
    """The diff of a resubmission in Chinese lines, for the terminal and the notices."""
    lines = []
    for key, title in (("added", "新增文件"), ("removed", "删除文件"), ("changed", "修改文件")):
        if diff["files"][key]:
            lines.append(f"{title} {len(diff['files'][key])} 个：{'、'.join(diff['files'][key][:10])}")
    for f in diff["fields"][:20]:
        lines.append(f"字段 {f['field']}：{f['old']} → {f['new']}")
    for key, title in (("added", "新增项目"), ("removed", "删除项目"), ("changed", "修改项目")):
        names = sorted(diff["items"][key])
        if names:
            lines.append(f"{title} {len(names)} 个：{'、'.join(names[:10])}")
    claimed = diff.get("claimed", {})
    if claimed.get("old_fen") != claimed.get("new_fen"):
        old, new = from_fen(claimed.get("old_fen")), from_fen(claimed.get("new_fen"))
        lines.append(f"申请金额：{old} 元 → {new} 元")
    return lines or ["内容与上一版相同"]
