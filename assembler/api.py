"""The library's entry points, chaining the steps: load → discover → match → rules → award → report.

No click here: the CLI and any other front end call these functions and get plain data back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.core.application import APPLICATION_FILE, LoadedApplication
from assembler.core.awards import compute_award
from assembler.core.checklist import Checklist, activity_period
from assembler.core.crosscheck import content_files, content_findings
from assembler.core.match import match_evidence
from assembler.core.models import EvidenceFile, Finding, Print, Report
from assembler.core.rules import (
    application_findings,
    counted_items,
    evidence_findings,
    ledger_findings,
    ledger_words,
    material_results,
    studio_findings,
)
from assembler.errors import InputError, UsageError
from assembler.load.application import load_application
from assembler.load.calls import find_call
from assembler.load.checklists import load_checklist
from assembler.load.contents import texts_of
from assembler.load.evidence import add_prints, discover, image_prints
from assembler.load.sources import Source, open_source

log = logging.getLogger(__name__)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


# Sizes of dossiers (the build's max_size and split_size) are in decimal units everywhere, as disks, mail
# servers and upload forms count them: 1 MB = 1,000,000 bytes, so "20MB" is 20,000,000 bytes in the CLI,
# in a call of this API and in the web's size choice alike.
SIZE_UNITS = {"": 1, "K": 1000, "KB": 1000, "M": 1000**2, "MB": 1000**2, "G": 1000**3, "GB": 1000**3}


def parse_size(text: str) -> int:
    """A dossier size such as "20MB", "1.5 GB" or "800K" in bytes (decimal units, see SIZE_UNITS); ValueError
    when it is not a size."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|K|M|G)?B?\s*", text.upper())
    if not m:
        raise ValueError(f"“{text}”不是大小（如 20MB）")
    return int(Decimal(m[1]) * SIZE_UNITS[m[2] or ""])


def size_text(size: int) -> str:
    """A dossier size for people, in the same decimal megabytes as parse_size: 20000000 → "20.0 MB"."""
    return f"{Decimal(size) / SIZE_UNITS['MB']:.1f} MB"


def _similar_findings(evidence: list[EvidenceFile]) -> list[Finding]:
    """Near-duplicate pictures within the application (numpy is imported only when there are pictures)."""
    if not any(e.prints for e in evidence):
        return []
    from assembler.core.similar import application_findings
    from assembler.load.checklists import similarity_thresholds

    return application_findings(evidence, similarity_thresholds())


def check_source(
    source: Source, checklists: Path | None = None, call: Path | None = None, pictures: bool = True
) -> tuple[Report, LoadedApplication, Checklist]:
    """Check an opened application; also return what was loaded, for the steps that fill and build.

    The activity period comes from the zone union's call: the file `call` (--call), else the bundled
    checklists/<revision>/calls/<year>.yaml, else the default reading (the calendar year).
    With `pictures` False (a build), images not inspected before come without fingerprints and there are
    no near-duplicate findings yet: the build's photo workers make the fingerprints while they decode the
    photos anyway, and complete_pictures adds them and the findings.
    """
    loaded = load_application(source)
    app = loaded.app
    checklist = load_checklist(app.measures, app.scheme, checklists)
    the_call = find_call(checklist, app.year, call, checklists)
    period = activity_period(app.year, app.scheme, checklist, the_call)
    exclude = {APPLICATION_FILE} | ({loaded.ledger_path} if loaded.ledger_path else set())
    evidence, ignored = discover(source, exclude, pictures)
    case = app.innovation.case if app.innovation else None
    applicable = [m for m in checklist.materials if m.applies_to(case)]
    matching = match_evidence(applicable, evidence, {m.number for m in checklist.materials})
    materials, material_found = material_results(loaded, checklist, matching, period)
    counted = counted_items(loaded, period)
    names = ledger_words(loaded)
    award, award_found = compute_award(app, counted, checklist.award, lambda item: names[id(item)])
    if len(counted) < len(loaded.items):  # repeated or out-of-period items are refused; the figure omits them
        left = len(loaded.items) - len(counted)
        note = f"台账共 {len(loaded.items)} 项，其中 {left} 项重复或不在活动期间，不计入鼓励金"
        award = replace(award, lines=(note, *award.lines))
    by_rel = {e.rel: e for e in evidence}
    texts = texts_of(source, [by_rel[r] for r in content_files(checklist, materials, case) if r in by_rel])
    findings = (
        application_findings(loaded)
        + ledger_findings(loaded, period)
        + studio_findings(loaded, period)
        + award_found
        + material_found
        + evidence_findings(evidence, matching, ignored)
        + content_findings(loaded, checklist, materials, texts, case)
        + (_similar_findings(evidence) if pictures else [])
    )
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])  # stable: rule order kept within a severity
    report = Report(
        scheme=app.scheme,
        case=case,
        scheme_title=checklist.title,
        case_title=checklist.case_title(case),
        year=app.year,
        measures=app.measures,
        applicant=app.applicant.name,
        credit_code=app.applicant.credit_code,
        award=award,
        materials=tuple(materials),
        findings=tuple(findings),
        evidence=tuple(evidence),
        period=period,
        call=the_call,
    )
    log.info(
        "checked %s: %s %s, %d files, %d findings (%d errors), award %s",
        source.display,
        app.scheme,
        case or "",
        len(evidence),
        len(findings),
        sum(f.severity == "error" for f in findings),
        award.amount,
    )
    return report, loaded, checklist


def complete_pictures(source: Source, report: Report, made: Mapping[str, tuple[Print, ...]]) -> Report:
    """The report of check_source(pictures=False) with every image's fingerprint (those a build's photo
    workers `made`; the others, e.g. photos whose page came from the cache, made here) and the
    near-duplicate findings, exactly as check_source(pictures=True) reports them. The new fingerprints are
    remembered with the inspection, so that the next `check` does not decode the photos again."""
    prints = dict(made)
    for e in report.evidence:
        if e.kind == "image" and e.usable and not e.prints and e.rel not in prints:
            prints[e.rel] = image_prints(source, e.rel)
    add_prints(source, prints)
    evidence = [replace(e, prints=prints[e.rel]) if e.rel in prints else e for e in report.evidence]
    findings = [*report.findings, *_similar_findings(evidence)]
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])  # stable, as check_source orders them
    return replace(report, evidence=tuple(evidence), findings=tuple(findings))


def check(path: Path, checklists: Path | None = None, call: Path | None = None) -> Report:
    """Check the application folder (or .zip) at `path` for completeness and consistency, and compute its
    award.
    """
    report, _, _ = check_source(open_source(path), checklists, call)
    return report


@dataclass(frozen=True)
class FillResult:
    """What `fill` wrote, and what the user should know about it."""

    written: tuple[Path, ...]
    notes: tuple[str, ...]
    report: Report


def refuse_output_inside(source: Source, outdir: Path) -> None:
    """UsageError when `outdir` lies inside the application folder: the tool never writes there."""
    if source.folder is not None and outdir.resolve().is_relative_to(source.folder.resolve()):
        raise UsageError(
            "输出位置在申请文件夹之内；本工具从不向申请文件夹写入",
            where=str(outdir),
            fix="请指定申请文件夹以外的输出位置。",
            rule="OUTPUT-INSIDE-APPLICATION",
        )


def fill(
    path: Path,
    outdir: Path,
    templates: Path | None = None,
    checklists: Path | None = None,
    pdf: bool = False,
    soffice: Path | None = None,
    call: Path | None = None,
) -> FillResult:
    """Write the filled Word forms of the application at `path` into `outdir` (and their PDFs with `pdf`)."""
    from assembler.files import write_atomically
    from assembler.pipeline.wordforms import fill_forms

    source = open_source(path)
    refuse_output_inside(source, outdir)
    report, loaded, checklist = check_source(source, checklists, call)
    forms = fill_forms(loaded, report, checklist, templates)
    office = None
    if pdf:
        from assembler.convert.soffice import Soffice

        office = Soffice.locate(soffice)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    notes: list[str] = []
    for form in forms:
        target = outdir / form.filename
        write_atomically(target, form.data)
        written.append(target)
        if form.coverage.unused:
            notes.append(f"模板 {form.filename} 没有使用这些值：{'、'.join(form.coverage.unused)}")
    if office is not None:
        converted = office.convert(written)
        for docx in list(written):
            target = docx.with_suffix(".pdf")
            write_atomically(target, converted[docx].read_bytes())
            written.append(target)
    if not report.complete:
        errors = sum(f.severity == "error" for f in report.findings)
        notes.append(f"申请还有 {errors} 个错误（检查结果中可查看），表格仅供预览")
    return FillResult(tuple(written), tuple(notes), report)


# -- build, verify, review: the pipeline's and the reviewer's entry points, typed, imported on first use ----
if TYPE_CHECKING:
    import datetime as dt

    from sqlite_utils import Database

    from assembler.load.union import UnionProfile
    from assembler.pipeline.run import BuildOptions, BuildResult
    from assembler.reviewer.register.decisions import Decision
    from assembler.reviewer.register.intake import IntakeResult
    from assembler.reviewer.register.outputs import Entry
    from assembler.reviewer.register.verdicts import NumberedPair
    from assembler.reviewer.register.views import ApplicationView
    from assembler.reviewer.review import Summary as ReviewSummary
    from assembler.reviewer.verify import Verification


def build(path: Path, options: BuildOptions | None = None) -> BuildResult:
    """Check, fill and assemble the application at `path` into one indexed PDF dossier (see BuildOptions)."""
    from assembler.pipeline.run import build as run_build

    return run_build(path, options)


def verify(pdf: Path) -> Verification:
    """Whether a dossier PDF is whole and unaltered since it was built, and what it claims."""
    from assembler.reviewer.verify import verify as run_verify

    return run_verify(pdf)


def review(paths: list[Path], disqualified: Path | None = None) -> ReviewSummary:
    """Verify and recompute a batch of received dossiers, with the checks across them."""
    from assembler.reviewer.review import review as run_review

    return run_review(paths, disqualified)


# -- the register: intake, detail, decide, outputs ---------------------------------------------------------
class UnknownApplication(InputError):
    """The register has no application with this number (a front end shows “not found”)."""


def _known(db: Database, app_id: int) -> None:
    """UnknownApplication when the register has no application `app_id`."""
    from assembler.reviewer.register.db import get_record

    if get_record(db, app_id) is None:
        raise UnknownApplication("登记簿中没有这个登记号", field="app_id", details=[f"登记号 {app_id}"])


def register_intake(db: Database, paths: list[Path], received_at: str | None = None) -> list[IntakeResult]:
    """Take received dossiers (PDFs, folders, zips; folders of them are expanded) into the register."""
    from assembler.reviewer.register.intake import intake

    return intake(db, paths, received_at)


def register_applications(db: Database, year: int | None = None) -> list[Entry]:
    """The register's list: the current version of every application of `year` (every year when None),
    each with its current decision."""
    from assembler.reviewer.register.outputs import year_entries

    return year_entries(db, year)


def register_intake_one(db: Database, path: Path) -> IntakeResult:
    """Take one received file into the register (the web's upload, one file at a time)."""
    from assembler.reviewer.register.intake import intake_one

    return intake_one(db, path)


def application_detail(db: Database, app_id: int) -> ApplicationView:
    """The register's one account of application `app_id`, for every front end: findings refreshed against
    today's register, every decision of its versions, whether it was replaced, its integrity and signer,
    the unit's pinned certificate and the kept copy; UnknownApplication when the register has no such
    number."""
    from assembler.reviewer.register.views import application_view

    _known(db, app_id)
    return application_view(db, app_id)


def register_decide(
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
    ticked: tuple[str, ...] = (),
) -> Decision:
    """Record a reviewer's decision on application `app_id` within what the measures allow (refusals are
    DossierErrors whose `field` names the input at fault: decision, amount, tier, matched, reasons,
    override, reviewer); `ticked` freezes the findings the 补正通知 names."""
    from assembler.reviewer.register.decisions import decide

    _known(db, app_id)
    return decide(
        db,
        app_id,
        decision,
        reviewer,
        approved=approved,
        tier=tier,
        matched=matched,
        reasons=reasons,
        override=override,
        ticked=ticked,
    )


def register_similar_pairs(db: Database, app_id: int) -> list[NumberedPair]:
    """The near-duplicate pairs of application `app_id` against today's register, numbered in the order
    every front end lists them, each with its latest verdict; UnknownApplication when there is no such
    number."""
    from assembler.reviewer.register.verdicts import similar_pairs_of

    _known(db, app_id)
    return similar_pairs_of(db, app_id)


def register_similar_verdict(
    db: Database, app_id: int, pair: str, verdict: str, reason: str, reviewer: str
) -> NumberedPair:
    """Record a reviewer's verdict ('confirmed' 确认重复 or 'dismissed' 排除) with its reason on one
    near-duplicate pair of application `app_id`, named by its number in the listing or its key, and
    refresh the findings it touches. A dismissed pair is not raised again. Refusals are DossierErrors
    whose `field` names the input at fault (pair, verdict, reason, reviewer); UnknownApplication when
    there is no such number."""
    from assembler.reviewer.register.verdicts import record_similar_verdict

    _known(db, app_id)
    return record_similar_verdict(db, app_id, pair, verdict, reason, reviewer)


def register_outputs(
    db: Database, year: int, outdir: Path, profile: UnionProfile, today: dt.date | None = None
) -> list[Path]:
    """Write the year's documents (补正通知, 公示名单, 拨款明细, 年度汇总) into `outdir` under the union's
    profile (issuer, document numbers, contacts, periods); returns them."""
    from assembler.reviewer.register.outputs import write_outputs

    return write_outputs(db, year, outdir, profile, today)
