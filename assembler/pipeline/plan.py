"""Planning the dossier: which files go in, in what order, on which pages, and what the front matter says.

No I/O: these functions turn the check's report and the measured page counts into sections, 目录
entries, 材料清单 rows, the cover and the manifest, so each can be tested on plain data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from assembler import __version__
from assembler.convert.photosettings import PhotoSettings
from assembler.core.application import LoadedApplication
from assembler.core.awards import format_yuan
from assembler.core.checklist import Checklist
from assembler.core.identifiers import rmb_capital
from assembler.core.models import SIMILAR_RULE, EvidenceFile, Part, Report, Section
from assembler.core.report import STATUS_TITLES, report_to_json
from assembler.integrity.manifest import (
    ManifestCheck,
    ManifestContent,
    ManifestFile,
    ManifestGenerated,
    ManifestTool,
)
from assembler.pipeline.pages import ChecklistRow, CoverInfo, TocEntry

A4 = (595.28, 841.89)
FILE_LIST_TITLE = "文件清单"


def dossier_date(loaded: LoadedApplication) -> dt.datetime:
    """The date written into the dossier: SOURCE_DATE_EPOCH, else 填表日期 (filed_on), else the latest date
    the application mentions — never the clock, so that the same inputs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    app = loaded.app
    dates = [app.filed_on] if app.filed_on else []
    if not dates:
        dates = [i.adopted_on for i in loaded.items]
        if app.innovation:
            dates += [m.date for m in app.innovation.meetings]
        if app.studio and app.studio.named_on:
            dates.append(app.studio.named_on)
    day = max(dates) if dates else dt.date(app.year, 1, 1)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def build_key(
    loaded: LoadedApplication,
    report: Report,
    checklist: Checklist,
    date: dt.datetime,
    settings: dict[str, str],
) -> str:
    """A digest of everything the dossier's bytes depend on: the application and ledger, every evidence file's
    hash (in the report), the checklist, the date, and `settings` (tool and converter versions, template and
    font digests, photo settings, options). Equal keys mean an existing dossier can be kept as it is.
    The near-duplicate findings are left out: a build makes them after the key (from its photo workers'
    fingerprints), and they follow from the files' hashes and the thresholds, which are in the key."""
    check = report_to_json(report)
    check["findings"] = [f for f in check["findings"] if f["rule"] != SIMILAR_RULE]
    parts = {
        "tool": __version__,
        "application": loaded.app.model_dump(mode="json"),
        "ledger": [item.model_dump(mode="json") for item in loaded.items],
        "check": check,
        "checklist": checklist.model_dump(mode="json"),
        "date": date.isoformat(),
        "settings": settings,
    }
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def included_files(report: Report, evidence: dict[str, EvidenceFile]) -> list[str]:
    """Usable evidence files of applicable materials, in checklist order."""
    return [rel for material in report.materials for rel in material.files if evidence[rel].usable]


def meeting_label(date: dt.date, title: str = "") -> str:
    """A meeting's line in the 目录 and its bookmark: its date and, when the application names it, its
    title."""
    title = " ".join(title.split())
    return f"评审会议 {date.isoformat()}" + (f" {title}" if title else "")


def plan_sections(
    report: Report,
    checklist: Checklist,
    pdfs: dict[str, Path],
    included: list[str],
    evidence: dict[str, EvidenceFile],
    meeting_titles: dict[dt.date, str] | None = None,
) -> list[Section]:
    """The dossier's sections in checklist order: a generated form first (its PDF under the material's
    number in `pdfs`); within material 4 meeting by meeting (minutes, photos, notice), then the material's
    other parts and files. Photos carry their path as a caption."""
    wanted = set(included)
    specs = {m.number: m for m in checklist.materials if m.applies_to(report.case)}
    sections = []
    for material in report.materials:
        if material.status == "not-applicable":
            continue
        spec = specs[material.number]
        section = Section(material.number, f"{material.number}. {material.title}")
        if material.generated:
            section.parts.append(Part(f"{spec.title}（本工具生成）", pdfs[material.number], material.number))
        part_order = [p.id for p in spec.parts]
        ordered: list[tuple[str, str | None]] = [
            (rel, meeting_label(meeting.date, (meeting_titles or {}).get(meeting.date, "")))
            for meeting in material.meetings
            for part_id in part_order
            for rel in meeting.parts.get(part_id, ())
        ]
        ordered += [(rel, None) for part_id in part_order for rel in material.parts.get(part_id, ())]
        ordered += [(rel, None) for rel in material.files]
        placed: set[str] = set()
        for rel, group in ordered:
            if rel in wanted and rel not in placed:
                placed.add(rel)
                caption = rel if evidence[rel].kind == "image" else ""
                section.parts.append(
                    Part(PurePosixPath(rel).name, pdfs[rel], material.number, group, rel, caption)
                )
        sections.append(section)
    return sections


def place_parts(
    sections: list[Section],
    sizes: dict[Path, list[tuple[float, float]]],
    front_pages: int,
    blank: Path | None = None,
) -> int:
    """The one place that sets each part's page count (from its measured PDF) and its first page (0-based,
    after `front_pages`); returns the index of the first page after the materials. With `blank` (a one-page
    PDF) the dossier is laid out for double-sided printing: an empty page is added at the end of a material
    whenever the next material, or the 文件清单, would otherwise start on a left-hand (even) page."""
    at = front_pages
    for section in sections:
        section.parts = [p for p in section.parts if not p.blank]
    for section in sections:
        for part in section.parts:
            part.pages = len(sizes[part.pdf])
            part.first = at
            at += part.pages
        if blank is not None and section.parts and at % 2 == 1:
            section.parts.append(Part("", blank, section.number, first=at, pages=1, blank=True))
            at += 1
    return at


def toc_entries(sections: list[Section], tail_first: int) -> list[TocEntry]:
    """The 目录: one line per material, meeting and file with its printed (1-based) start page."""
    entries = []
    for section in sections:
        if not section.parts:
            continue
        entries.append(TocEntry(0, section.title, section.parts[0].first + 1))
        group = None
        for part in section.parts:
            if part.blank:
                continue
            if part.group and part.group != group:
                group = part.group
                entries.append(TocEntry(1, part.group, part.first + 1))
            entries.append(TocEntry(2 if part.group else 1, part.title, part.first + 1))
    entries.append(TocEntry(0, FILE_LIST_TITLE, tail_first + 1))
    return entries


def page_range(first: int, last: int) -> str:
    """第 3 页 or 第 3–5 页."""
    return f"第 {first} 页" if first == last else f"第 {first}–{last} 页"


def checklist_rows(report: Report, sections: list[Section]) -> list[ChecklistRow]:
    """The 申报材料清单: each material's status and the pages it occupies."""
    by_number = {s.number: s for s in sections}
    rows = []
    for m in report.materials:
        section = by_number.get(m.number)
        pages = "—"
        placed = [p for p in section.parts if not p.blank] if section else []
        if placed:
            first = placed[0].first + 1
            last = placed[-1].first + placed[-1].pages
            pages = f"{first}" if first == last else f"{first}–{last}"
        ok = m.status in ("ok", "optional", "not-applicable")
        rows.append(ChecklistRow(m.number, m.title, STATUS_TITLES[m.status], ok, pages))
    return rows


UNOFFICIAL = "（按非内置的检查清单生成，非官方版本）"


def cover_info(
    loaded: LoadedApplication, report: Report, checklist: Checklist, date: dt.datetime, official: bool = True
) -> CoverInfo:
    """What the cover prints: fund, case or studio claims, applicant, the amount in figures and capitals; the
    measures it was checked against, marked unofficial when the checklists were not the tool's own."""
    app = loaded.app
    if app.studio is not None:
        st = app.studio
        claims = [c for c, on in (("新命名", st.new), ("年度评比", st.annual)) if on]
        case = f"{st.name}（{'、'.join(claims) or '无'}）"
    else:
        case = f"{report.scheme_title} · {report.case_title}"
    amount = report.award.amount
    period = report.period
    return CoverInfo(
        fund=report.scheme_title,
        case=case,
        applicant=app.applicant.name,
        credit_code=app.applicant.credit_code,
        year=app.year,
        amount=(
            f"{format_yuan(amount)} 元" + (" 申请（待核定）" if report.award.pending else "")
            if amount is not None
            else "不符合申报条件"
        ),
        amount_capital=rmb_capital(amount) if amount is not None else "",
        contact=f"{app.applicant.contact.name}  {app.applicant.contact.phone}".strip(),
        date=date.date(),
        measures=checklist.document + ("" if official else UNOFFICIAL),
        period=f"{period.start} 至 {period.end}" if period else "",
    )


def manifest(
    loaded: LoadedApplication,
    report: Report,
    sections: list[Section],
    evidence: dict[str, EvidenceFile],
    date: dt.datetime,
    photo: PhotoSettings,
    key: str,
) -> ManifestContent:
    """The manifest.json embedded in the dossier, as typed models (pages and bookmarks are added when they
    exist): application, ledger, check result, every file's hash and pages, for the reviewers' `verify`."""
    files: list[ManifestFile] = []
    generated: list[ManifestGenerated] = []
    for section in sections:
        for part in section.parts:
            if part.blank:
                continue
            pages = (part.first + 1, part.first + part.pages)
            if part.rel:
                e = evidence[part.rel]
                entry = ManifestFile(
                    path=e.rel, sha256=e.sha256, size=e.size, kind=e.kind, material=part.material, pages=pages
                )
                if e.prints:  # near-duplicate fingerprints, so that a register has them without the file
                    entry.prints = [p.to_json() for p in e.prints]  # set, hence written (as_json: set keys)
                files.append(entry)
            else:
                generated.append(ManifestGenerated(title=part.title, material=part.material, pages=pages))
    check = report_to_json(report)
    check.pop("evidence")
    return ManifestContent(
        format="dossier-manifest/1",
        tool=ManifestTool(name="dossier", version=__version__),
        measures=loaded.app.measures,
        scheme=loaded.app.scheme,
        case=report.case,
        date=date.date(),
        application=loaded.app.model_dump(mode="json"),
        ledger=[item.model_dump(mode="json") for item in loaded.items],
        check=ManifestCheck.model_validate(check),
        files=files,
        generated=generated,
        photos={"dpi": photo.dpi, "quality": photo.quality},
        build_key=key,
    )


def file_list_rows(files: list[ManifestFile]) -> list[tuple[str, str, str, str]]:
    """The 文件清单's rows: path, pages, size and SHA-256 of every applicant's file (and what active content
    was removed from it)."""
    return [
        (
            f.path + (f"（已移除：{'、'.join(f.removed)}）" if f.removed else ""),
            page_range(*f.pages),
            f"{f.size / 1024:,.0f} KB",
            f.sha256,
        )
        for f in files
    ]


def pdf_metadata(loaded: LoadedApplication, report: Report, checklist: Checklist) -> dict[str, str]:
    """The PDF's document information: title, author, subject and keywords a reviewer can search."""
    app = loaded.app
    return {
        "Title": f"{app.applicant.name} {app.year} 年度{report.scheme_title}申报材料",
        "Author": app.applicant.name,
        "Subject": f"{report.scheme_title} · {report.case_title or '工作室'}",
        "Keywords": f"{app.applicant.credit_code}, {app.scheme}, {report.case or 'studio'}, {app.year}, "
        f"{checklist.document_number}",
        "Creator": f"dossier {__version__}",
        "Producer": "dossier (pikepdf/qpdf)",
    }
