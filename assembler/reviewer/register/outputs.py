"""What the union office takes out of the register for one year, as documents it can issue: a 补正通知
per returned application and the 公示 of approved awards (.docx, 公文 layout after GB/T 9704-2012), the
公示名单 as a sheet, the 拨款明细 for finance and the year summary (.xlsx).

Only the current version of each application counts, with its current decision; the 公示 and the
拨款明细 list only approved applications whose union is not on the 第三条 list. Every date is a Beijing
date taken from the register (the latest decision), so a second run writes the same bytes. The union's
profile (union.yaml) supplies the issuer, the 发文字号 prefix, the contact and the periods.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlite_utils import Database

from assembler.core.application import LEVEL_TITLES
from assembler.core.official import beijing_date, deadline, official_date, studio_parts, working_period
from assembler.load.union import UnionProfile
from assembler.reviewer.register import db as store
from assembler.reviewer.register import gbdoc
from assembler.reviewer.register.decisions import Decision, current_decisions
from assembler.reviewer.register.notices import ticked_words
from assembler.reviewer.register.records import Record, from_fen, scheme_title
from assembler.reviewer.register.records import case_title as _case_title

MEASURES = "《天津滨海高新技术产业开发区职工创新管理办法》"
COMMITTEE = "高新区职工创新评审委员会"


@dataclass(frozen=True)
class Entry:
    """One application (its current version) with its current decision."""

    record: Record
    decision: Decision | None
    disqualified: bool = False  # its union (or unit) is on the 第三条 list on the day it was received

    @property
    def approved(self) -> Decimal | None:
        return self.decision.approved if self.decision and self.decision.decision == "approved" else None

    @property
    def status(self) -> str:
        """approved / returned / rejected / open."""
        return self.decision.decision if self.decision else "open"


def year_entries(db: Database, year: int | None) -> list[Entry]:
    """The current version of every application of `year` (every year when None), with its current
    decision and whether its union is disqualified.
    """
    where = "a.year = ? AND" if year is not None else ""
    ids = [
        r["id"]
        for r in db.query(
            f"SELECT a.id FROM applications a WHERE {where} NOT EXISTS "
            "(SELECT 1 FROM applications b WHERE b.previous_id = a.id) ORDER BY a.id",
            [year] if year is not None else [],
        )
    ]
    decisions = current_decisions(db)
    listed = store.disqualifications(db)

    def barred(r: Record) -> bool:
        codes = {c for c in (r.union_code, r.credit_code) if c}
        day = r.received_on or f"{r.year}-12-31"
        return any(d.code in codes and d.applies_on(day) for d in listed)

    return [Entry(r, decisions.get(r.id or 0), barred(r)) for r in store.load_records(db, ids)]


def case_title(r: Record) -> str:
    """情形一/情形二, or the studio's name and level."""
    if r.scheme == "studio":
        return f"{r.studio_name or ''}（{LEVEL_TITLES.get(r.studio_level or '', '')}）"
    return _case_title(r.case)


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:60]


def payable(entries: list[Entry]) -> list[Entry]:
    """Approved and not disqualified: what is published and paid, by fund then register number."""
    chosen = [e for e in entries if e.approved is not None and not e.disqualified]
    return sorted(chosen, key=lambda e: (e.record.scheme != "innovation", e.record.id or 0))


approved_entries = payable  # the earlier name


def parts_fen(e: Entry) -> dict[str, int]:
    """An approved award by part: 情形一 / 情形二 (职工创新创效), 新命名 / 年度评比 (工作室)."""
    fen = e.decision.approved_fen if e.decision and e.decision.approved_fen else 0
    r = e.record
    if r.scheme == "innovation":
        return {"count" if r.case == "count" else "bonus": fen}
    studio = r.data.get("studio") or {}
    split = studio_parts(
        fen, e.decision.tier if e.decision else None, r.studio_new, bool(studio.get("annual"))
    )
    return {"new": split.new_fen, "annual": split.annual_fen}


PART_TITLES = {
    "count": "职工创新创效 情形一",
    "bonus": "职工创新创效 情形二",
    "new": "创新工作室 新命名",
    "annual": "创新工作室 年度评比",
}


def yuan(amount: Decimal | int | None, *, fen: bool = False) -> str:
    """An amount as the documents print it: 13,000.00 (from yuan, or from fen with fen=True)."""
    if amount is None:
        return ""
    value = from_fen(int(amount)) if fen else Decimal(amount)
    return f"{value:,.2f}"


def issue_date(entries: list[Entry]) -> dt.date:
    """成文日期 of the year's documents: the Beijing date of the latest decision (of the latest receipt
    when nothing is decided), so that the same register gives the same documents.
    """
    stamps = [e.decision.decided_at for e in entries if e.decision] or [e.record.received_at for e in entries]
    return max(beijing_date(s) for s in stamps)


def notice_numbers(db: Database, year: int, first: int) -> dict[int, int]:
    """The 发文字号 number of every 退回补正 decision of the year, in the order they were made (decisions
    are append-only, so a number once given never changes).
    """
    rows = db.query(
        "SELECT d.id FROM decisions d JOIN applications a ON a.id = d.application_id "
        "WHERE a.year = ? AND d.decision = 'returned' ORDER BY d.id",
        [year],
    )
    return {r["id"]: first + i for i, r in enumerate(rows)}


# ---- Word ----------------------------------------------------------------------------------------


def notice_items(db: Database, entry: Entry) -> tuple[list[str], list[str]]:
    """The committee's reasons and the ticked findings' words, both as frozen with the decision."""
    d = entry.decision
    if d is None:
        return [], []
    reasons = [s.strip().rstrip("。") + "。" for s in re.split(r"[；;\n]", d.reasons) if s.strip()]
    return reasons, ticked_words(db, d.id)


def notice_docx(db: Database, entry: Entry, profile: UnionProfile, number: int) -> bytes:
    """补正通知 for one returned application, from what was frozen with the decision."""
    r, d = entry.record, entry.decision
    assert d is not None
    day = beijing_date(d.decided_at)
    due = deadline(day, profile.correction_days, profile.holidays)
    fund = scheme_title(r.scheme)
    doc = gbdoc.new_document(profile.issuer)
    gbdoc.head(doc, profile.issuer, profile.number(r.year, number))
    gbdoc.title(doc, f"关于补正{r.year}年度{fund}申报材料的通知")
    union = r.union_name or f"{r.unit_name}工会"
    gbdoc.para(doc, f"{r.unit_name}、{union}：" if union != r.unit_name else f"{r.unit_name}：", align="left")
    received = official_date(beijing_date(r.received_at)) if r.received_at else f"{r.year}年"
    what = f"（{case_title(r)}）" if case_title(r) else ""
    gbdoc.para(
        doc,
        f"你单位于{received}报送的{r.year}年度{fund}申报材料{what}，经{COMMITTEE}审核，"
        "需补正后再审。现将有关事项通知如下：",
        indent=True,
    )
    reasons, items = notice_items(db, entry)
    sections = [("评审委员会意见", reasons), ("需补正的材料", items)]
    chinese = "一二三四"
    n = 0
    for heading, lines in sections:
        if not lines:
            continue
        gbdoc.heading(doc, f"{chinese[n]}、{heading}")
        n += 1
        for i, line in enumerate(lines, start=1):
            gbdoc.para(doc, f"{i}．{line}", indent=True)
    gbdoc.heading(doc, f"{chinese[n]}、补正期限")
    gbdoc.para(
        doc,
        f"请于{official_date(due)}前将补正后的申报材料报送{profile.issuer}（地址：{profile.address}）。"
        "补正后的材料作为新版本登记，与原报材料一并审核。",
        indent=True,
    )
    gbdoc.para(doc, "特此通知。", indent=True, keep=True)
    gbdoc.signature(doc, profile.issuer, official_date(day))
    gbdoc.para(doc)
    gbdoc.para(doc, f"（联系人：{profile.contact}；联系电话：{profile.phone}）", indent=True)
    return gbdoc.save(doc)


def unit_count(entries: list[Entry]) -> int:
    """Distinct units (by 统一社会信用代码), not rows."""
    return len({e.record.credit_code for e in entries})


def publicity_period(profile: UnionProfile, issued: dt.date) -> tuple[dt.date, dt.date]:
    """公示期: `objection_days` working days from the working day after the 公示 is issued."""
    return working_period(issued, profile.objection_days, profile.holidays)


def publicity_docx(
    entries: list[Entry], year: int, profile: UnionProfile, number: int, issued: dt.date | None = None
) -> bytes:
    """公示: the approved awards of the year, per fund, one line per unit and fund, studio awards split
    into new naming and annual evaluation; 公示期 as dates and where to object.
    """
    issued = issued or issue_date(entries)
    first, last = publicity_period(profile, issued)
    chosen = payable(entries)
    doc = gbdoc.new_document(profile.issuer)
    gbdoc.head(doc, profile.issuer, profile.number(year, number))
    gbdoc.title(doc, f"关于{year}年度高新区职工创新鼓励金拟支持名单的公示")
    gbdoc.para(
        doc,
        f"根据{MEASURES}（津高新工发〔2021〕2号），经{COMMITTEE}评审，拟对以下"
        f"{unit_count(chosen)}家单位给予职工创新鼓励金支持，"
        f"合计{yuan(sum_fen(chosen), fen=True)}元，现予公示。",
        indent=True,
    )
    gbdoc.para(
        doc,
        f"公示期：{official_date(first)}至{official_date(last)}（{profile.objection_days}个工作日）。",
        indent=True,
    )
    gbdoc.para(
        doc,
        f"公示期间，对名单有异议的，请以书面形式实名向{profile.issuer}反映，并提供必要的证明材料。"
        f"联系人：{profile.contact}；联系电话：{profile.phone}；电子邮箱：{profile.email}；"
        f"地址：{profile.address}。",
        indent=True,
    )
    innovation = [e for e in chosen if e.record.scheme == "innovation"]
    studios = [e for e in chosen if e.record.scheme == "studio"]
    if innovation:
        gbdoc.heading(doc, f"一、职工创新创效鼓励金（{unit_count(innovation)}家单位）")
        gbdoc.table(
            doc,
            ["序号", "单位名称", "补贴情形", "金额（元）"],
            [
                [str(i), e.record.unit_name, _case_title(e.record.case), yuan(e.approved)]
                for i, e in enumerate(innovation, 1)
            ]
            + [["", "合计", "", yuan(sum_fen(innovation), fen=True)]],
            [1.4, 7.0, 4.4, 2.8],
        )
    if studios:
        gbdoc.heading(
            doc,
            f"{'二' if innovation else '一'}、劳模和工匠人才创新工作室鼓励金（{unit_count(studios)}家单位）",
        )
        rows = []
        totals = [0, 0]
        for i, e in enumerate(studios, 1):
            parts = parts_fen(e)
            totals[0] += parts["new"]
            totals[1] += parts["annual"]
            rows.append(
                [
                    str(i),
                    e.record.unit_name,
                    case_title(e.record),
                    yuan(parts["new"], fen=True) if parts["new"] else "—",
                    yuan(parts["annual"], fen=True) if parts["annual"] else "—",
                    yuan(parts["new"] + parts["annual"], fen=True),
                ]
            )
        rows.append(
            [
                "",
                "合计",
                "",
                yuan(totals[0], fen=True),
                yuan(totals[1], fen=True),
                yuan(sum(totals), fen=True),
            ]
        )
        gbdoc.table(
            doc,
            ["序号", "单位名称", "工作室（级别）", "新命名（元）", "年度评比（元）", "合计（元）"],
            rows,
            [1.1, 4.1, 3.6, 2.3, 2.3, 2.2],
            size=10.5,
        )
    if not chosen:
        gbdoc.para(doc, "本年度暂无拟支持的单位。", indent=True)
    gbdoc.signature(doc, profile.issuer, official_date(issued))
    return gbdoc.save(doc)


def sum_fen(entries: list[Entry]) -> int:
    """The approved total of `entries`, in fen."""
    return sum((e.decision.approved_fen or 0) for e in entries if e.decision and e.approved is not None)


def write_outputs(
    db: Database, year: int, outdir: Path, profile: UnionProfile, today: dt.date | None = None
) -> list[Path]:
    """Every output of `year` into `outdir` (names carry the year, and the register number for a
    notice, so no other year's or unit's output is overwritten); returns the files written. `today`
    replaces the 成文日期 of the 公示 and the sheets (the register's latest decision date otherwise).
    """
    from assembler.files import write_atomically
    from assembler.reviewer.register import sheets

    entries = year_entries(db, year)
    if today is not None:
        issued = today
    else:
        issued = issue_date(entries) if entries else beijing_date(dt.datetime.now(dt.UTC).isoformat())
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        target = outdir / name
        write_atomically(target, data)
        written.append(target)

    numbers = notice_numbers(db, year, profile.first_number)
    for e in entries:
        if e.decision and e.decision.decision == "returned":
            r = e.record
            put(
                f"补正通知-{year}-{r.id:04d}-{_safe_name(r.unit_name)}.docx",
                notice_docx(db, e, profile, numbers[e.decision.id]),
            )
    publicity_number = profile.first_number + len(numbers)
    put(f"{year}年度公示名单-公示.docx", publicity_docx(entries, year, profile, publicity_number, issued))
    put(
        f"{year}年度公示名单-表格.xlsx",
        sheets.publicity_xlsx(entries, year, profile, publicity_number, issued),
    )
    put(f"{year}年度拨款明细.xlsx", sheets.grants_xlsx(entries, year, profile, publicity_number, issued))
    put(f"{year}年度汇总.xlsx", sheets.summary_xlsx(entries, year, profile, issued))
    return written
