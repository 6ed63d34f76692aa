"""The library's entry points, chaining the steps: load → discover → match → rules → award → report.

No click here: the CLI and any other front end call these functions and get plain data back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from assembler.core.application import APPLICATION_FILE, LoadedApplication
from assembler.core.awards import compute_award
from assembler.core.checklist import Checklist, activity_period
from assembler.core.crosscheck import content_files, content_findings
from assembler.core.match import match_evidence
from assembler.core.models import Report
from assembler.core.rules import (
    application_findings,
    evidence_findings,
    ledger_findings,
    material_results,
    studio_findings,
)
from assembler.errors import UsageError
from assembler.load.application import load_application
from assembler.load.calls import find_call
from assembler.load.checklists import load_checklist
from assembler.load.contents import texts_of
from assembler.load.evidence import discover
from assembler.load.sources import Source, open_source

log = logging.getLogger(__name__)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _similar_findings(evidence: list) -> list:
    """Near-duplicate pictures within the application (numpy is imported only when there are pictures)."""
    if not any(e.prints for e in evidence):
        return []
    from assembler.core.similar import application_findings
    from assembler.load.checklists import similarity_thresholds

    return application_findings(evidence, similarity_thresholds())


def check_source(
    source: Source, checklists: Path | None = None, call: Path | None = None
) -> tuple[Report, LoadedApplication, Checklist]:
    """Check an opened application; also return what was loaded, for the steps that fill and build.

    The activity period comes from the zone union's call: the file `call` (--call), else the bundled
    checklists/<revision>/calls/<year>.yaml, else the default reading (the calendar year).
    """
    loaded = load_application(source)
    app = loaded.app
    checklist = load_checklist(app.measures, app.scheme, checklists)
    the_call = find_call(checklist, app.year, call, checklists)
    period = activity_period(app.year, app.scheme, checklist, the_call)
    exclude = {APPLICATION_FILE} | ({loaded.ledger_path} if loaded.ledger_path else set())
    evidence, ignored = discover(source, exclude)
    case = app.innovation.case if app.innovation else None
    applicable = [m for m in checklist.materials if m.applies_to(case)]
    matching = match_evidence(applicable, evidence, {m.number for m in checklist.materials})
    materials, material_found = material_results(loaded, checklist, matching, period)
    award, award_found = compute_award(app, loaded.items, checklist.award)
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
        + _similar_findings(evidence)
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
            fix="请用 -o 指定申请文件夹以外的位置。",
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
        notes.append(f"申请还有 {errors} 个错误（运行 dossier check 查看），表格仅供预览")
    return FillResult(tuple(written), tuple(notes), report)
