"""`dossier intake`: verify each received dossier (PDF, folder or zip), record it in the register, link
a resubmission to the version it replaces (with a diff), and run the checks across the register.

An input that is not an application of ours (verify/check exit 2) records nothing: it is reported and
the others go on. Each input is one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assembler.core.models import Finding, Print, print_from_json
from assembler.errors import DossierError, ExitCode, InputError
from assembler.files import sha256_of
from assembler.load.checklists import similarity_thresholds, standing_materials
from assembler.reviewer.register import db as store
from assembler.reviewer.register.crossyear import register_findings, similar_findings
from assembler.reviewer.register.decisions import FINAL, current_decision
from assembler.reviewer.register.records import (
    Evidence,
    Item,
    Meeting,
    Patent,
    Record,
    diff_records,
    to_fen,
)
from assembler.reviewer.review import Row, Summary, discover_inputs, row_from_check, row_from_verification

STATUS_TITLES = {
    "new": "已登记",
    "version": "已登记为新版本",
    "already": "此前已登记（同一文件），未重复记录",
    "refused": "未登记",
}


@dataclass
class IntakeResult:
    """What happened to one input."""

    source: Path
    status: str  # new / version / already / refused
    record: Record | None = None
    findings: list[Finding] = field(default_factory=list)
    diff: dict | None = None
    error: str | None = None
    error_code: ExitCode = ExitCode.OK

    @property
    def exit_code(self) -> ExitCode:
        if self.status == "refused":
            return self.error_code
        if any(f.severity == "error" for f in self.findings):
            return ExitCode.APPLICATION_ERRORS
        return ExitCode.OK


def record_from_data(
    app: dict[str, Any],
    case: str | None,
    ledger: list[dict[str, Any]],
    files: list[dict[str, Any]],
    *,
    file_sha256: str,
    claimed_fen: int | None,
    recomputed_fen: int | None,
    received_at: str,
    source_name: str,
    kind: str,
) -> Record:
    """A Record from application.yaml's data (as embedded in a manifest), its ledger and its files."""
    applicant = app.get("applicant") or {}
    studio = app.get("studio") or {}
    innovation = app.get("innovation") or {}
    return Record(
        year=int(app["year"]),
        scheme=app["scheme"],
        case=case,
        unit_name=applicant.get("name", ""),
        credit_code=str(applicant.get("credit_code", "")).upper(),
        union_name=applicant.get("union", ""),
        union_code=(str(applicant.get("union_code")).upper() if applicant.get("union_code") else None),
        studio_name=studio.get("name"),
        studio_level=studio.get("level"),
        studio_new=bool(studio.get("new")),
        named_on=str(studio["named_on"]) if studio.get("named_on") else None,
        matched_fen=to_fen(studio.get("matched_amount")),
        tier=studio.get("tier"),
        claimed_fen=claimed_fen,
        recomputed_fen=recomputed_fen,
        items=tuple(
            Item(
                str(i.get("name", "")),
                str(i.get("proposer", "")),
                str(i.get("adopted_on") or ""),
                to_fen(i.get("bonus")),
                str(i.get("category") or ""),
                str(i.get("department") or ""),
            )
            for i in ledger
        ),
        meetings=tuple(
            Meeting(str(m.get("date")), str(m.get("title") or "")) for m in innovation.get("meetings") or []
        ),
        patents=tuple(
            Patent(str(p.get("number") or ""), str(p.get("title") or ""), str(p.get("kind") or ""))
            for p in studio.get("patents") or []
        ),
        evidence=tuple(
            Evidence(f["path"], f["sha256"], int(f.get("size") or 0), f.get("material"), _prints(f))
            for f in files
        ),
        file_sha256=file_sha256,
        received_at=received_at,
        source_name=source_name,
        kind=kind,
        data=app,
    )


def _prints(entry: dict[str, Any]) -> tuple[Print, ...]:
    """The fingerprints of a manifest's file entry (none in older dossiers; malformed ones are skipped)."""
    found = (print_from_json(p) for p in entry.get("prints") or [] if isinstance(p, dict))
    return tuple(p for p in found if p is not None)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_input(path: Path, received_at: str | None = None) -> tuple[Row, Record]:
    """Verify a dossier PDF (or check a folder/zip) once: the review row and the register's record.

    Raises DossierError when the input is not an application of ours or cannot be read.
    """
    when = received_at or _now()
    if path.is_file() and path.suffix.lower() == ".pdf":
        from assembler.reviewer.verify import verify

        v = verify(path)
        m = v.manifest
        row = row_from_verification(v)
        record = record_from_data(
            m.get("application", {}),
            m.get("case"),
            list(m.get("ledger", [])),
            list(m.get("files", [])),
            file_sha256=sha256_of(path),
            claimed_fen=m.get("check", {}).get("award", {}).get("amount_fen"),
            recomputed_fen=to_fen(v.recomputed),
            received_at=when,
            source_name=path.name,
            kind="申报材料 PDF",
        )
        return row, record
    from assembler.api import check_source
    from assembler.load.sources import open_source

    report, loaded, _ = check_source(open_source(path))
    row = row_from_check(path, report, loaded)
    material_of = {f: m.number for m in report.materials for f in m.files}
    files = [
        {
            "path": e.rel,
            "sha256": e.sha256,
            "size": e.size,
            "material": material_of.get(e.rel),
            "prints": [p.to_json() for p in e.prints],
        }
        for e in report.evidence
        if e.sha256 and e.size
    ]
    app = loaded.app.model_dump(mode="json")
    ledger = [i.model_dump(mode="json") for i in loaded.items]
    if path.is_file():
        digest = sha256_of(path)
    else:  # a folder has no bytes of its own: a digest of what it holds
        content = json.dumps([app, ledger, sorted((f["path"], f["sha256"]) for f in files)], sort_keys=True)
        digest = hashlib.sha256(content.encode()).hexdigest()
    record = record_from_data(
        app,
        report.case,
        ledger,
        files,
        file_sha256=digest,
        claimed_fen=report.award.amount_fen,
        recomputed_fen=report.award.amount_fen,
        received_at=when,
        source_name=path.name,
        kind="申请压缩包" if path.is_file() else "申请文件夹",
    )
    return row, record


def findings_for(db: Database, record: Record, exclude: set[int] | None = None) -> list[Finding]:
    """The cross-year findings about `record` against the whole register (read only).

    `exclude`: ids not to compare with (the record itself and the versions it replaces).
    """
    skip = exclude or set()
    limits = similarity_thresholds()
    wanted = store.candidate_ids(db, record) | store.similar_candidate_ids(
        db, record, limits.hamming, limits.nearest
    )
    others = store.load_records(db, wanted - skip)
    return register_findings(record, others, store.disqualifications(db)) + similar_findings(
        record, others, standing_materials(record.scheme), limits, store.dismissed_pairs(db)
    )


def refresh_findings(db: Database, app_id: int) -> list[Finding]:
    """Recompute and store the register's findings of one recorded application; return them."""
    record = store.get_record(db, app_id)
    assert record is not None
    found = findings_for(db, record, store.versions(db, app_id))
    with store.writing(db):
        store.store_findings(db, app_id, "register", found)
    return found


def _open_predecessor(db: Database, record: Record) -> Record | None:
    """The latest version of the same unit/fund/year(/studio) that has no final decision yet."""
    for row in reversed(store.latest_in_chain(db, record.chain_key)):
        decision = current_decision(db, row["id"])
        if decision is None or decision.decision not in FINAL:
            return store.get_record(db, row["id"])
    return None


def _signature(path: Path):  # noqa: ANN202 - SignatureInfo | None, imported only for PDFs
    if not (path.is_file() and path.suffix.lower() == ".pdf"):
        return None
    from assembler.integrity.sign import signature_of

    return signature_of(path)


def _certificate_findings(db: Database, record: Record, signature) -> list[Finding]:  # noqa: ANN001
    """Pin a unit's certificate at its first signed dossier; flag a later dossier signed with another one."""
    if signature is None or not signature.intact:
        return []
    pinned = store.pinned_certificate(db, record.credit_code)
    if pinned is None:
        store.pin_certificate(
            db,
            record.credit_code,
            signature.fingerprint,
            signature.signer,
            record.id or 0,
            record.received_at,
        )
        return []
    if pinned["fingerprint"] == signature.fingerprint:
        return []
    return [
        Finding(
            "REGISTER-CERTIFICATE-CHANGED",
            "error",
            f"签名证书与本单位首次登记时不同（首次：{pinned['signer']}，"
            f"登记号 {pinned['first_application_id']}；本次：{signature.signer}）",
            fix="请向申请单位核实是否更换了签名密钥；若非本单位签名，不予受理。",
        )
    ]


def intake_one(db: Database, path: Path, received_at: str | None = None) -> IntakeResult:
    """Read, verify and record one input; its findings include the register's checks."""
    try:
        row, record = read_input(path, received_at)
        signature = _signature(path)
    except DossierError as exc:
        return IntakeResult(path, "refused", error=exc.render(), error_code=exc.exit_code)
    existing = store.app_id_by_hash(db, record.file_sha256)
    if existing is not None:
        found = refresh_findings(db, existing)
        kept = store.get_record(db, existing)
        return IntakeResult(path, "already", kept, row.findings + found)
    store.hash_index(db)  # the stored fingerprints' hashes, read (once per process) outside the transaction
    with store.writing(db):
        previous = _open_predecessor(db, record)
        diff = None
        if previous is not None:
            diff = diff_records(previous, record)
            record = replace(record, version=previous.version + 1, previous_id=previous.id)
        app_id = store.insert_record(db, record, diff)
        record = replace(record, id=app_id)
        found = findings_for(db, record, store.versions(db, app_id)) + _certificate_findings(
            db, record, signature
        )
        store.store_findings(db, app_id, "verify", row.findings)
        store.store_findings(db, app_id, "register", found)
    return IntakeResult(path, "version" if previous else "new", record, row.findings + found, diff)


def intake(db: Database, paths: list[Path], received_at: str | None = None) -> list[IntakeResult]:
    """Every input among `paths` (folders of dossiers are expanded), one at a time."""
    return [intake_one(db, p, received_at) for p in discover_inputs(paths)]


def worst_exit(results: list[IntakeResult]) -> ExitCode:
    """The overall exit code: the worst of the inputs'."""
    return max((r.exit_code for r in results), default=ExitCode.OK)


def result_to_json(r: IntakeResult) -> dict[str, Any]:
    """`intake --json`: one object per input."""
    rec = r.record
    return {
        "source": str(r.source),
        "status": r.status,
        "exit_code": int(r.exit_code),
        "error": r.error,
        "id": rec.id if rec else None,
        "version": rec.version if rec else None,
        "previous_id": rec.previous_id if rec else None,
        "year": rec.year if rec else None,
        "scheme": rec.scheme if rec else None,
        "case": rec.case if rec else None,
        "unit": rec.unit_name if rec else None,
        "credit_code": rec.credit_code if rec else None,
        "union_code": rec.union_code if rec else None,
        "studio": rec.studio_name if rec else None,
        "claimed_fen": rec.claimed_fen if rec else None,
        "file_sha256": rec.file_sha256 if rec else None,
        "received_at": rec.received_at if rec else None,
        "diff": r.diff,
        "findings": [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "path": f.path} for f in r.findings
        ],
    }


def review_with_register(paths: list[Path], disqualified: Path | None, register: Database) -> Summary:
    """`review --register`: the review summary, with the register's cross-year findings added to each
    row (nothing is recorded).
    """
    from assembler.reviewer.review import cross_checks, load_disqualified

    codes = load_disqualified(disqualified) if disqualified else set()
    rows: list[Row] = []
    for path in discover_inputs(paths):
        try:
            row, record = read_input(path)
        except DossierError as exc:
            row = Row(path, kind="无法读取")
            row.findings = [Finding("REVIEW-UNREADABLE", "error", exc.render().replace("\n", " "))]
            rows.append(row)
            continue
        existing = store.app_id_by_hash(register, record.file_sha256)
        if existing is None:  # what intake would make it: a new version of an open application
            predecessor = _open_predecessor(register, record)
            existing = predecessor.id if predecessor is not None else None
        exclude = store.versions(register, existing) if existing is not None else set()
        row.findings.extend(findings_for(register, record, exclude))
        rows.append(row)
    if not rows:
        raise InputError("没有找到申报材料（.pdf）、申请文件夹或 .zip", where="、".join(map(str, paths)))
    for row, finding in cross_checks(rows, codes):
        row.findings.append(finding)
    for row in rows:
        if any(f.severity == "error" for f in row.findings):
            row.complete = False
    return Summary(rows)
