"""The register's checks across applications and years: records in, findings out (no I/O).

`register_findings(new, others, disqualified)` compares one received application with the others in
the register that could concern it (db.py fetches those by index; a test can pass any list). `others`
must not contain `new` itself nor its own earlier versions: a resubmission naturally repeats itself.

Readings (docs/rules.md): an evidence file or ledger item counts in one year only, whoever claimed it
before; a meeting date counts once for its unit (another unit's meeting on the same date is only
suspicious when its title is the same too); the new-naming award (B1) is paid once per studio and
level; each fund once a year per unit, and for studios once a year per studio.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath

from assembler.core.application import LEVEL_RANK, LEVEL_TITLES
from assembler.core.checklist import MaterialSpec
from assembler.core.identifiers import comparable
from assembler.core.models import Finding
from assembler.core.similar import (
    FIX_ITEM,
    FIX_PICTURE,
    Holder,
    Pair,
    Stored,
    Thresholds,
    across_applications,
)
from assembler.reviewer.register.records import Disqualification, Record, scheme_title

log = logging.getLogger(__name__)

_SHOWN = 5

# (scheme, material number, path) → True when the file is a standing document (see docs/rules.md)
Standing = Callable[[str, str | None, str], bool]


def _never(scheme: str, material: str | None, path: str) -> bool:
    return False


def standing_rule(materials: Mapping[str, Iterable[MaterialSpec]]) -> Standing:
    """The checklists' `reuse:` readings as a test on one evidence file: a material marked standing, or a
    file of a standing part (its name holds one of the part's words) in a yearly material."""
    table = {scheme: {m.number: m for m in specs} for scheme, specs in materials.items()}

    def standing(scheme: str, material: str | None, path: str) -> bool:
        spec = table.get(scheme, {}).get(material or "")
        if spec is None:
            return False
        name = PurePosixPath(path).name
        for part in spec.parts:
            if part.reuse is not None and part.names and any(word in name for word in part.names):
                return part.reuse == "standing"
        return spec.reuse == "standing"

    return standing


def _names(values: list[str]) -> str:
    shown = "、".join(f"“{v}”" for v in values[:_SHOWN])
    return shown + ("等" if len(values) > _SHOWN else "")


def _latest(records: Iterable[Record]) -> list[Record]:
    """One record per application chain (its latest version), in register order."""
    best: dict[str, Record] = {}
    for r in records:
        kept = best.get(r.chain_key)
        if kept is None or (r.version, r.id or 0) > (kept.version, kept.id or 0):
            best[r.chain_key] = r
    return sorted(best.values(), key=lambda r: (r.year, r.id or 0))


def _same_unit(a: Record, b: Record) -> bool:
    return a.credit_code == b.credit_code


def evidence_findings(new: Record, others: list[Record], standing: Standing = _never) -> list[Finding]:
    """The same evidence file (SHA-256) in another year's application, or in another unit's this year.

    Across years, a standing document of the same unit (its policy, a naming document, a patent
    certificate: `reuse: standing` in the checklist) may come again and is only noted; yearly evidence
    (photos, minutes, 签收单, vouchers) counts in one year only.
    """
    mine: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for e in new.evidence:
        if e.size != 0:
            mine[e.sha256].append((e.path, standing(new.scheme, e.material, e.path)))
    out: list[Finding] = []
    for other in _latest(others):
        if other.year == new.year and _same_unit(other, new):
            continue  # one unit's two funds in one year may share the union-dues voucher
        hits = sorted({hit for e in other.evidence if e.sha256 in mine for hit in mine[e.sha256]})
        if not hits:
            continue
        if other.year != new.year:
            kept = [p for p, lasting in hits if lasting and _same_unit(other, new)]
            shared = [p for p, lasting in hits if not (lasting and _same_unit(other, new))]
            if kept:
                out.append(
                    Finding(
                        "REGISTER-EVIDENCE-STANDING",
                        "info",
                        f"文件{_names(kept)}（共 {len(kept)} 个）与 {other.label}提交的相同：属长期有效的材料"
                        "（制度、命名文件、专利证书），可以连续多年提交",
                        path=kept[0],
                    )
                )
            if shared:
                out.append(
                    Finding(
                        "REGISTER-EVIDENCE-REUSED",
                        "error",
                        f"证明文件{_names(shared)}（共 {len(shared)} 个）与 {other.label}的申报材料完全相同"
                        "（SHA-256 一致）：同一材料只能在一个年度使用（每年申报一次）",
                        path=shared[0],
                        fix="请换用本年度的材料，或说明原因。",
                    )
                )
        else:
            shared = [p for p, _ in hits]
            out.append(
                Finding(
                    "REGISTER-EVIDENCE-SHARED",
                    "error",
                    f"证明文件{_names(shared)}（共 {len(shared)} 个）与同年度另一单位{other.unit_name}"
                    f"（{other.credit_code}，登记号 {other.id}）的申报材料完全相同（SHA-256 一致）",
                    path=shared[0],
                    fix="请提供本单位自己的材料。",
                )
            )
    return out


def item_findings(new: Record, others: list[Record]) -> list[Finding]:
    """The same ledger item (name and proposer, normalised) claimed in another year, or by another unit."""
    mine = {i.key: i.name for i in new.items}
    out: list[Finding] = []
    for other in _latest(others):
        if other.year == new.year and _same_unit(other, new):
            continue
        same = sorted({mine[i.key] for i in other.items if i.key in mine})
        if not same:
            continue
        if other.year != new.year:
            out.append(
                Finding(
                    "REGISTER-ITEM-REUSED",
                    "error",
                    f"台账中的项目{_names(same)}（共 {len(same)} 个，名称和提出人相同）已在 {other.label}"
                    "的申报中计算过：同一项目只能在一个年度申报",
                    material="3",
                    fix="请从台账中删除已申报过的项目，重新计算鼓励金。",
                )
            )
        else:
            out.append(
                Finding(
                    "REGISTER-ITEM-SHARED",
                    "warning",
                    f"台账中的项目{_names(same)}（共 {len(same)} 个，名称和提出人相同）也出现在同年度"
                    f"{other.unit_name}（{other.credit_code}，登记号 {other.id}）的台账中",
                    material="3",
                    fix="请核实项目归属。",
                )
            )
    return out


def meeting_findings(new: Record, others: list[Record]) -> list[Finding]:
    """A review meeting that the same unit already counted in another year's application, or another
    unit's meeting with the same date and title.
    """
    mine = {m.date: m.title for m in new.meetings}
    out: list[Finding] = []
    for other in _latest(others):
        dates = sorted(m.date for m in other.meetings if m.date in mine)
        if not dates:
            continue
        if _same_unit(other, new):
            if other.year == new.year:
                continue
            out.append(
                Finding(
                    "REGISTER-MEETING-REUSED",
                    "error",
                    f"评审会议 {'、'.join(dates)} 已在 {other.label}的申报中使用："
                    "同一次评审会议只能在一个年度申报",
                    material="4",
                    fix="请删除已申报过的会议及其项目。",
                )
            )
            continue
        titled = sorted(
            m.date
            for m in other.meetings
            if m.date in mine and comparable(m.title) and comparable(m.title) == comparable(mine[m.date])
        )
        if titled:
            out.append(
                Finding(
                    "REGISTER-MEETING-SHARED",
                    "warning",
                    f"评审会议 {'、'.join(titled)}（日期和名称相同）也出现在 {other.label}的申报中",
                    material="4",
                    fix="请核实会议纪要和现场照片是否为本单位的。",
                )
            )
    return out


def patent_findings(new: Record, others: list[Record]) -> list[Finding]:
    """A patent or major project already claimed in another year's (or another unit's) application."""
    mine = {p.key: p.number or p.title for p in new.patents if p.key}
    out: list[Finding] = []
    for other in _latest(others):
        if other.year == new.year and _same_unit(other, new) and other.studio_key == new.studio_key:
            continue
        same = sorted({mine[p.key] for p in other.patents if p.key in mine})
        if same:
            out.append(
                Finding(
                    "REGISTER-PATENT-REUSED",
                    "warning",
                    f"专利/重大专项{_names(same)}已在 {other.label}的申报中作为成果申报",
                    material="4",
                    fix="年度评比按当年的成果评定：请核实。",
                )
            )
    return out


def studio_findings(new: Record, others: list[Record]) -> list[Finding]:
    """The new-naming award (B1) claimed twice for one studio: again at the same or a lower level is an
    error; at a higher level it is a new naming to confirm (warning).
    """
    if new.scheme != "studio" or not new.studio_new or not new.studio_key:
        return []
    out: list[Finding] = []
    for other in _latest(others):
        if (
            other.scheme != "studio"
            or not other.studio_new
            or other.studio_key != new.studio_key
            or not _same_unit(other, new)
        ):
            continue
        level = LEVEL_TITLES.get(other.studio_level or "", other.studio_level or "")
        if LEVEL_RANK.get(new.studio_level or "", 0) > LEVEL_RANK.get(other.studio_level or "", 0):
            out.append(
                Finding(
                    "REGISTER-STUDIO-UPGRADED",
                    "warning",
                    f"工作室“{new.studio_name}”已在 {other.label}按{level}新命名申报过鼓励金；"
                    f"本次按{LEVEL_TITLES.get(new.studio_level or '', '')}新命名申报",
                    fix="请核对本年度的命名文件（升级命名可再次申报）。",
                )
            )
        else:
            out.append(
                Finding(
                    "REGISTER-STUDIO-NAMED-TWICE",
                    "error",
                    f"工作室“{new.studio_name}”已在 {other.label}按{level}新命名申报过鼓励金："
                    "新命名鼓励金每个工作室只发放一次",
                    fix="请把 studio.new 改为 false，只申报年度评比。",
                )
            )
    return out


def duplicate_findings(new: Record, others: list[Record]) -> list[Finding]:
    """Two applications of one unit for one fund in one year (for studios: of one studio)."""
    out: list[Finding] = []
    for other in _latest(others):
        if other.chain_key == new.chain_key:
            what = f"工作室“{new.studio_name}”" if new.scheme == "studio" else "本单位"
            out.append(
                Finding(
                    "REGISTER-DUPLICATE-APPLICATION",
                    "error",
                    f"{what}{new.year} 年度已申报过{scheme_title(new.scheme)}"
                    f"（登记号 {other.id}）：每年只能申报一次",
                    fix="作出决定前重新报送的材料按新版本登记；已作出决定的申请不再受理第二份。",
                )
            )
    return out


def disqualified_findings(new: Record, listed: Iterable[Disqualification]) -> list[Finding]:
    """The unit's base union (or the unit) on the 第三条 list in force on the day it was received."""
    codes = {c for c in (new.union_code, new.credit_code) if c}
    day = new.received_on or f"{new.year}-12-31"
    out: list[Finding] = []
    for d in listed:
        if d.code in codes and d.applies_on(day):
            until = f"至 {d.until}" if d.until else "起"
            out.append(
                Finding(
                    "REGISTER-DISQUALIFIED",
                    "error",
                    f"基层工会（{d.code}）自 {d.since}{until}被取消申报资格：{d.reason}（第三条）",
                    fix="取消资格期间的申请不予受理。",
                )
            )
    return out


def register_findings(
    new: Record,
    others: Iterable[Record],
    disqualified: Iterable[Disqualification] = (),
    standing: Standing = _never,
) -> list[Finding]:
    """Every cross-application and cross-year finding about `new`."""
    pool = [o for o in others if o.id is None or o.id != new.id]
    return (
        duplicate_findings(new, pool)
        + disqualified_findings(new, disqualified)
        + evidence_findings(new, pool, standing)
        + item_findings(new, pool)
        + meeting_findings(new, pool)
        + patent_findings(new, pool)
        + studio_findings(new, pool)
    )


def holder(r: Record) -> Holder:
    """What the near-duplicate rules (assembler.core.similar) need of a record."""
    return Holder(
        r.credit_code,
        r.year,
        r.label,
        r.id,
        tuple((e.path, e.sha256, e.material, e.prints) for e in r.evidence if e.prints),
        tuple((i.name, i.proposer) for i in r.items),
    )


def similar_pairs(
    new: Record,
    others: Iterable[Record],
    standing: frozenset[str],
    limits: Thresholds,
    stored: Stored | None = None,
) -> list[Pair]:
    """Near-duplicate pictures and similar ledger items between `new` and the latest version of each other
    application (another unit's this year; any application of another year, yearly materials only).
    `stored`: the others' pictures, when the records come without them (db.records_to_compare)."""
    pool = [o for o in _latest(others) if o.id is None or o.id != new.id]
    old = sum(1 for r in (new, *pool) for e in r.evidence for p in e.prints if not (p.chroma or p.ink))
    if old:  # kept before pages had ink maps: a square thumbnail cannot tell a changed date
        log.info(
            "%d scanned pages have no ink map (blank, or fingerprinted by an older version): not compared",
            old,
        )
    return across_applications(holder(new), [holder(o) for o in pool], standing, limits, stored)


def similar_findings(
    new: Record,
    others: Iterable[Record],
    standing: frozenset[str],
    limits: Thresholds,
    dismissed: frozenset[str] = frozenset(),
    stored: Stored | None = None,
) -> list[Finding]:
    """REGISTER-EVIDENCE-SIMILAR and REGISTER-ITEM-SIMILAR warnings, except pairs a reviewer dismissed."""
    return [
        Finding("REGISTER-ITEM-SIMILAR", "warning", p.message(), material="3", fix=FIX_ITEM)
        if p.kind == "item"
        else Finding("REGISTER-EVIDENCE-SIMILAR", "warning", p.message(), path=p.new.path, fix=FIX_PICTURE)
        for p in similar_pairs(new, others, standing, limits, stored)
        if p.key not in dismissed
    ]
