"""`dossier intake`: verify each received dossier (PDF, folder or zip), record it in the register, link
a resubmission to the version it replaces (with a diff), and run the checks across the register.

An input that is not an application of ours (verify/check exit 2) records nothing: it is reported and
the others go on. Each input is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from assembler.core.identifiers import certificate_names, comparable
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


TAMPER_RULES = {  # verify findings that mean the file was changed after it was built
    "VERIFY-PAGE-COUNT",
    "VERIFY-PAGE-CHANGED",
    "VERIFY-OUTLINE",
    "VERIFY-MANIFEST-EDITED",
    "VERIFY-BINDING-MISMATCH",
    "VERIFY-SIGNATURE-BROKEN",
    "VERIFY-ACTIVE-CONTENT",
    "VERIFY-AWARD-MISMATCH",
}


SQLITE_MAX = 2**63 - 1  # the register stores whole numbers as SQLite INTEGER (64-bit)
YEAR_RANGE = range(1900, 10_000)


def _unfit(path: Path, what: str) -> InputError:
    return InputError(
        f"嵌入的申请数据有不合理的值（{what}），无法登记",
        where=path.name,
        fix="请向申请单位索取用 dossier build 生成的原件。",
    )


def _oversized(record: Record) -> str | None:
    """The first value of `record` that the register cannot store or that no real application has: a year
    outside 1900–9999, an amount or size beyond SQLite's 64-bit integers (a forged manifest's 10**100)."""
    if not isinstance(record.year, int) or record.year not in YEAR_RANGE:
        return "application.year"
    numbers = {
        "application.studio.matched_amount": record.matched_fen,
        "application.studio.tier": record.tier,
        "check.award.amount_fen": record.claimed_fen,
        **{f"ledger[{i}].bonus": item.bonus_fen for i, item in enumerate(record.items)},
        **{f"files[{i}].size": e.size for i, e in enumerate(record.evidence)},
    }
    for name, value in numbers.items():
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > SQLITE_MAX:
            return name
    return None


def _prints(entry: dict[str, Any]) -> tuple[Print, ...]:
    """The fingerprints of a manifest's file entry (none in older dossiers; malformed ones are skipped)."""
    found = (print_from_json(p) for p in entry.get("prints") or [] if isinstance(p, dict))
    return tuple(p for p in found if p is not None)


def _now() -> str:
    from assembler.reviewer.register.decisions import stamp

    return stamp()


def integrity_of(findings: list[Finding]) -> str:
    """intact, or tampered when verify found the file changed after it was built (pages, bookmarks, the
    embedded data or claim, a broken signature, active content)."""
    tampered = any(
        f.severity == "error" and (f.rule in TAMPER_RULES or f.rule.startswith("VERIFY-PAGE"))
        for f in findings
    )
    return "tampered" if tampered else "intact"


CLAIM_PRINTED = re.compile(r"申请金额\s*([0-9][0-9,]*(?:\.[0-9]{1,2})?)\s*元")
COVER_PAGES = 3  # the cover (with 申请金额) is the first page of every dossier and of its first volume


def printed_claim_fen(path: Path, manifest: dict) -> int | None:
    """申请金额 as printed on the dossier's first pages, read only from a page whose digest still matches
    the one recorded at build: the figure a dossier that failed verification can still be held to."""
    import pikepdf
    import pypdf

    from assembler.integrity.manifest import validate_manifest
    from assembler.integrity.pagedigest import page_digests

    try:
        expected, _ = validate_manifest(manifest, str(path)).expected_pages()
        with pikepdf.open(path) as pdf:
            actual = page_digests(pdf)
        reader = pypdf.PdfReader(path)
        for index in range(min(COVER_PAGES, len(expected), len(actual))):
            if actual[index] != expected[index]:
                continue
            found = CLAIM_PRINTED.search(reader.pages[index].extract_text() or "")
            if found:
                return to_fen(found.group(1).replace(",", ""))
    except (DossierError, pikepdf.PdfError, pypdf.errors.PyPdfError, ValueError, KeyError, OSError):
        return None
    return None


def _period_fields(period: dict | None) -> dict[str, Any]:
    period = period or {}
    return {
        "period_start": str(period["start"]) if period.get("start") else None,
        "period_end": str(period["end"]) if period.get("end") else None,
        "period_source": str(period.get("source") or ""),
    }


def read_input(path: Path, received_at: str | None = None, call: Path | None = None) -> tuple[Row, Record]:
    """Verify a dossier PDF (or check a folder/zip) once: the review row and the register's record.

    `call`: the union's call file to check a folder/zip against (a built PDF keeps the one it was built
    with, and intake compares it). Raises DossierError when the input is not an application of ours or
    cannot be read.
    """
    when = received_at or _now()
    if path.is_file() and path.suffix.lower() == ".pdf":
        from assembler.reviewer.verify import verify

        v = verify(path)
        m = v.manifest
        row = row_from_verification(v)
        try:
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
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:  # a value of a
            raise _unfit(path, type(exc).__name__) from None  # wrong type; ArithmeticError: Decimal's
        if (bad := _oversized(record)) is not None:
            raise _unfit(path, bad)
        signer = (
            certificate_names(v.signature.signer)[0] if v.signature is not None and v.signature.intact else ""
        )
        integrity = integrity_of(v.findings)
        record = replace(
            record,
            printed_fen=printed_claim_fen(path, m) if integrity == "tampered" else None,
            integrity=integrity,
            signer=signer,
            **_period_fields(m.get("check", {}).get("period")),
        )
        return row, record
    from assembler.api import check_source
    from assembler.load.sources import open_source

    report, loaded, _ = check_source(open_source(path), call=call)
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
    period = report.period
    return row, replace(
        record,
        integrity="unverifiable",
        period_start=period.start.isoformat() if period else None,
        period_end=period.end.isoformat() if period else None,
        period_source=period.source if period else "",
    )


def read_for_register(db: Database, path: Path, received_at: str | None = None) -> tuple[Row, Record]:
    """`read_input`, a folder or .zip checked against the call the union loaded into the register for
    its year (a built PDF keeps its own; intake compares it)."""
    import tempfile

    from assembler.reviewer.register.calls import call_file_text

    row, record = read_input(path, received_at)
    if record.kind == "申报材料 PDF":
        return row, record
    text = call_file_text(db, record.year, str(record.data.get("measures") or "2021"))
    if text is None:
        return row, record
    with tempfile.TemporaryDirectory(prefix="dossier-call-") as tmp:
        call = Path(tmp) / f"{record.year}.yaml"
        call.write_text(text, encoding="utf-8")
        return read_input(path, record.received_at, call)


def findings_for(db: Database, record: Record, exclude: set[int] | None = None) -> list[Finding]:
    """The cross-year findings about `record` against the whole register (read only).

    `exclude`: ids not to compare with (the record itself and the versions it replaces).
    """
    skip = exclude or set()
    limits = similarity_thresholds()
    others = store.records_to_compare(db, record, limits, skip)
    keyed = register_findings(record, others.records, store.disqualifications(db), _standing())
    standing, dismissed = standing_materials(record.scheme), store.dismissed_pairs(db)
    return keyed + similar_findings(record, others.similar, standing, limits, dismissed, others.prints)


def _standing():  # noqa: ANN202 - crossyear.Standing
    """The bundled checklists' reuse readings (standing or yearly per material)."""
    from assembler.load.checklists import load_checklist
    from assembler.reviewer.register.crossyear import standing_rule

    return standing_rule({s: load_checklist("2021", s).materials for s in ("innovation", "studio")})


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
    """Pin a unit's certificate at its first signed dossier (never one naming another unit); flag a later
    dossier signed with another one."""
    if signature is None or not signature.intact:
        return []
    pinned = store.pinned_certificate(db, record.credit_code)
    signer = certificate_names(signature.signer)[0]
    if pinned is None:
        if signer_findings(record):
            return []
        store.pin_certificate(
            db,
            record.credit_code,
            signature.fingerprint,
            signer,
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
            f"登记号 {pinned['first_application_id']}；本次：{signer}）",
            fix="请向申请单位核实是否更换了签名密钥；若非本单位签名，不予受理。",
        )
    ]


def signer_findings(record: Record) -> list[Finding]:
    """A dossier signed with a certificate issued to another unit than the applicant (nor its union)."""
    if not record.signer or not record.unit_name:
        return []
    names = {comparable(record.unit_name), comparable(record.union_name)} - {""}
    if comparable(record.signer) in names:
        return []
    return [
        Finding(
            "REGISTER-SIGNER-OTHER-UNIT",
            "error",
            f"申报材料的电子签名证书属于“{record.signer}”，而申请单位是“{record.unit_name}”："
            "不是申请单位自己签名的材料",
            fix="请向申请单位核实；应由申请单位用本单位的签名密钥签名后重新报送。",
        )
    ]


def intake_one(db: Database, path: Path, received_at: str | None = None) -> IntakeResult:
    """Read, verify and record one input, and keep a read-only copy of it; its findings include the
    register's checks (across years, against the union's call, the signer)."""
    from assembler.reviewer.register.calls import call_findings, register_call
    from assembler.reviewer.register.filestore import keep

    try:
        row, record = read_for_register(db, path, received_at)
        signature = _signature(path)
    except DossierError as exc:
        return IntakeResult(path, "refused", error=exc.render(), error_code=exc.exit_code)
    existing = store.app_id_by_hash(db, record.file_sha256)
    if existing is not None:
        found = refresh_findings(db, existing)
        kept = store.get_record(db, existing)
        intake_found = [f for f in store.stored_findings(db, existing, "intake")]
        return IntakeResult(path, "already", kept, row.findings + found + intake_found)
    record = replace(record, stored_sha256=keep(db, path))
    ruling = register_call(db, record.year, str(record.data.get("measures") or "2021"))
    store.hash_index(db)  # the stored fingerprints' hashes, read (once per process) outside the transaction
    with store.writing(db):
        previous = _open_predecessor(db, record)
        diff = None
        if previous is not None:
            diff = diff_records(previous, record)
            record = replace(record, version=previous.version + 1, previous_id=previous.id)
        app_id = store.insert_record(db, record, diff)
        record = replace(record, id=app_id)
        found = findings_for(db, record, store.versions(db, app_id))
        at_intake = (
            call_findings(record, ruling)
            + signer_findings(record)
            + _certificate_findings(db, record, signature)
        )
        store.store_findings(db, app_id, "verify", row.findings)
        store.store_findings(db, app_id, "register", found)
        store.store_findings(db, app_id, "intake", at_intake)
    return IntakeResult(
        path, "version" if previous else "new", record, row.findings + found + at_intake, diff
    )


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
