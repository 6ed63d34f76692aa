"""The library's entry points, chaining the steps: load → discover → match → rules → award → report.

No click here: the CLI and any other front end call these functions and get plain data back.
"""

from __future__ import annotations

from pathlib import Path

from assembler.application import APPLICATION_FILE, LoadedApplication, load_application
from assembler.awards import compute_award
from assembler.checklists import Checklist, load_checklist
from assembler.evidence import discover
from assembler.match import match_evidence
from assembler.models import Report
from assembler.rules import application_findings, evidence_findings, ledger_findings, material_results, studio_findings
from assembler.sources import Source, open_source

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def check_source(source: Source, checklists: Path | None = None) -> tuple[Report, LoadedApplication, Checklist]:
    """Check an opened application; also return what was loaded, for the steps that fill and build."""
    loaded = load_application(source)
    app = loaded.app
    checklist = load_checklist(app.measures, app.scheme, checklists)
    exclude = {APPLICATION_FILE} | ({loaded.ledger_path} if loaded.ledger_path else set())
    evidence, ignored = discover(source, exclude)
    case = app.innovation.case if app.innovation else None
    applicable = [m for m in checklist.materials if m.applies_to(case)]
    matching = match_evidence(applicable, evidence, {m.number for m in checklist.materials})
    materials, material_found = material_results(loaded, checklist, matching)
    award, award_found = compute_award(app, loaded.items, checklist.award)
    findings = (application_findings(loaded) + ledger_findings(loaded) + studio_findings(loaded)
                + award_found + material_found + evidence_findings(evidence, matching, ignored))
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])  # stable: rule order kept within a severity
    report = Report(scheme=app.scheme, case=case, year=app.year, measures=app.measures,
                    applicant=app.applicant.name, credit_code=app.applicant.credit_code, award=award,
                    materials=tuple(materials), findings=tuple(findings), evidence=tuple(evidence))
    return report, loaded, checklist


def check(path: Path, checklists: Path | None = None) -> Report:
    """Check the application folder (or .zip) at `path` for completeness and consistency, and compute its award."""
    report, _, _ = check_source(open_source(path), checklists)
    return report
