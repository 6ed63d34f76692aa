"""The reviewer's `review`: many dossiers and/or application folders → one summary for the committee.

Each input is read one at a time (a folder of 200 dossiers is never held in memory; only the
summary, the file hashes and the ledger keys are kept); a damaged or foreign file becomes a row
with its error. Cross-application checks: the same unit applying twice for one fund in one year,
the same evidence file in two applicants' dossiers, the same ledger item in two applicants'
ledgers, and applicants on a disqualification list (第三条).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.core.application import APPLICATION_FILE, LoadedApplication
from assembler.core.identifiers import comparable
from assembler.core.models import Finding, Print, Report, print_from_json
from assembler.errors import DossierError, InputError
from assembler.load.checklists import fund_titles

if TYPE_CHECKING:
    from assembler.reviewer.verify import Verification

log = logging.getLogger(__name__)


@dataclass
class Row:
    """One applicant in the summary."""

    source: Path
    name: str = ""
    credit_code: str = ""
    scheme: str = ""
    case: str | None = None
    year: int | None = None
    claimed: Decimal | None = None
    recomputed: Decimal | None = None
    complete: bool = False
    kind: str = ""  # 申报材料 PDF / 申请文件夹 / 无法读取
    studio: str = ""  # the studio's name: awards are per studio, so a unit may file one per studio
    findings: list[Finding] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    ledger: set[tuple[str, str]] = field(default_factory=set)
    # near-duplicate rules: (path, sha256, material, fingerprints) of each file, (name, proposer) of items
    pictures: tuple[tuple[str, str, str | None, tuple[Print, ...]], ...] = ()
    items: tuple[tuple[str, str], ...] = ()

    @property
    def problems(self) -> int:
        """Errors and warnings (info lines are not problems)."""
        return sum(f.severity in ("error", "warning") for f in self.findings)


def discover_inputs(paths: list[Path]) -> Iterator[Path]:
    """Dossier PDFs, application folders and zips among `paths` (folders of them are expanded, sorted)."""
    for path in paths:
        if path.is_dir() and not (path / APPLICATION_FILE).is_file():
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if child.name.startswith("."):
                    continue
                if (
                    child.is_dir()
                    and (child / APPLICATION_FILE).is_file()
                    or child.suffix.lower() in (".pdf", ".zip")
                ):
                    yield child
        else:
            yield path


def _from_pdf(path: Path) -> Row:
    from assembler.reviewer.verify import verify

    return row_from_verification(verify(path))


def row_from_verification(v: Verification) -> Row:
    """The summary row of a verified dossier (also used by the register's intake)."""
    m = v.model
    app = m.application
    row = Row(
        v.path,
        v.applicant.get("name", ""),
        v.applicant.get("credit_code", ""),
        app.get("scheme", ""),
        m.case,
        app.get("year"),
        v.claimed,
        v.recomputed,
        v.intact,
        "申报材料 PDF",
    )
    row.studio = (app.get("studio") or {}).get("name", "") or ""
    row.findings = [f for f in v.findings if f.severity != "info"]
    for f in m.check.findings:
        if f.severity in ("error", "warning"):
            row.findings.append(Finding(f.rule, f.severity, f.message, f.material, f.path))
    row.hashes = {f.sha256 for f in m.files}
    row.ledger = {
        (comparable(str(i.get("name") or "")), comparable(str(i.get("proposer") or ""))) for i in m.ledger
    }
    row.pictures = tuple(
        (f.path, f.sha256, f.material, prints)
        for f in m.files
        if (prints := tuple(p for p in map(_print, f.prints or []) if p is not None))
    )
    row.items = tuple((str(i.get("name") or ""), str(i.get("proposer") or "")) for i in m.ledger)
    return row


def _print(data: object) -> Print | None:
    return print_from_json(data) if isinstance(data, dict) else None


def _from_application(path: Path) -> Row:
    from assembler.api import check_source
    from assembler.load.sources import open_source

    report, loaded, _ = check_source(open_source(path))
    return row_from_check(path, report, loaded)


def row_from_check(path: Path, report: Report, loaded: LoadedApplication) -> Row:
    """The summary row of a checked application folder or zip (also used by the register's intake)."""
    app = loaded.app
    row = Row(
        path,
        app.applicant.name,
        app.applicant.credit_code,
        app.scheme,
        report.case,
        app.year,
        report.award.amount,
        report.award.amount,
        report.complete,
        "申请文件夹",
    )
    row.studio = app.studio.name if app.studio else ""
    row.findings = [f for f in report.findings if f.severity != "info"]
    row.hashes = {e.sha256 for e in report.evidence if e.sha256 and e.size}
    row.ledger = {(comparable(i.name), comparable(i.proposer)) for i in loaded.items}
    material_of = {f: m.number for m in report.materials for f in m.files}
    row.pictures = tuple(
        (e.rel, e.sha256, material_of.get(e.rel), e.prints) for e in report.evidence if e.prints
    )
    row.items = tuple((i.name, i.proposer) for i in loaded.items)
    return row


def read_one(path: Path) -> Row:
    """The summary row of one input; its error as a row when it cannot be read."""
    try:
        if path.is_file() and path.suffix.lower() == ".pdf":
            return _from_pdf(path)
        return _from_application(path)
    except DossierError as exc:
        row = Row(path, kind="无法读取")
        row.findings = [Finding("REVIEW-UNREADABLE", "error", exc.render().replace("\n", " "))]
        return row
    except Exception as exc:  # one damaged file must not cost the reviewer the whole summary
        log.exception("review of %s failed", path)
        row = Row(path, kind="无法读取")
        row.findings = [Finding("REVIEW-UNREADABLE", "error", f"无法读取（{type(exc).__name__}）")]
        return row


def load_disqualified(path: Path) -> set[str]:
    """统一社会信用代码 of disqualified unions: the first field of each line of a text/CSV file (#
    comments).
    """
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取（{exc.strerror}）", where=str(path)) from None
    from assembler.load.yamlio import read_text_file

    codes = set()
    for line in read_text_file(text, str(path)).splitlines():
        field_ = re.split(r"[,\t，;\s]", line.strip(), maxsplit=1)[0].upper()
        if field_ and not field_.startswith("#") and len(field_) == 18:
            codes.add(field_)
    return codes


def cross_checks(rows: list[Row], disqualified: set[str]) -> list[tuple[Row, Finding]]:
    """Findings that only show across applicants; each is attached to every row it concerns."""
    out: list[tuple[Row, Finding]] = []
    readable = [r for r in rows if r.credit_code]
    by_key: dict[tuple, list[Row]] = defaultdict(list)
    for r in readable:
        # once a year per fund; for studios once a year per studio (unit + studio name)
        by_key[(r.credit_code, r.scheme, r.year, comparable(r.studio))].append(r)
    for (code, scheme, year, _), group in by_key.items():
        if len(group) > 1:
            names = "、".join(r.source.name for r in group)
            who = f"同一工作室（{group[0].studio}，{code}）" if group[0].studio else f"同一单位（{code}）"
            for r in group:
                out.append(
                    (
                        r,
                        Finding(
                            "REVIEW-DUPLICATE-APPLICANT",
                            "error",
                            f"{who}{year} 年度申报{fund_titles()[0].get(scheme, scheme)} "
                            f"{len(group)} 次："
                            f"{names}（每年只能申报一次）",
                        ),
                    )
                )
    owners: dict[str, set[str]] = defaultdict(set)
    ledger_owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in readable:
        for h in r.hashes:
            owners[h].add(r.credit_code)
        for key in r.ledger:
            ledger_owners[key].add(r.credit_code)
    by_code = defaultdict(list)
    for r in readable:
        by_code[r.credit_code].append(r)
    for r in readable:
        shared = {h for h in r.hashes if len(owners[h]) > 1}
        if shared:
            others = sorted(set().union(*(owners[h] for h in shared)) - {r.credit_code})
            out.append(
                (
                    r,
                    Finding(
                        "REVIEW-SHARED-EVIDENCE",
                        "error",
                        f"{len(shared)} 个证明文件与其他单位的材料完全相同（SHA-256 一致）："
                        f"{'、'.join(others)}",
                    ),
                )
            )
        same = {k for k in r.ledger if len(ledger_owners[k]) > 1}
        if same:
            others = sorted(set().union(*(ledger_owners[k] for k in same)) - {r.credit_code})
            out.append(
                (
                    r,
                    Finding(
                        "REVIEW-SHARED-LEDGER-ITEM",
                        "warning",
                        f"{len(same)} 个项目（名称和提出人相同）也出现在其他单位的台账中："
                        f"{'、'.join(others)}",
                    ),
                )
            )
        out += [(r, f) for f in similar_findings(r, readable)]
        if r.credit_code in disqualified:
            out.append(
                (
                    r,
                    Finding(
                        "REVIEW-DISQUALIFIED", "error", "该单位在取消申报资格名单中（挪用创新鼓励金，第三条）"
                    ),
                )
            )
    return out


def similar_findings(row: Row, rows: list[Row]) -> list[Finding]:
    """Near-duplicate pictures and similar ledger items between `row` and the batch's other applications,
    by the register's rules (assembler.core.similar): another unit's this year, another year's yearly
    materials."""
    others = [r for r in rows if r is not row and r.year is not None]
    if row.year is None or not others or not (row.pictures or row.items):
        return []
    from assembler.core.similar import FIX_ITEM, FIX_PICTURE, Holder, across_applications
    from assembler.load.checklists import similarity_thresholds, standing_materials

    def holder(r: Row) -> Holder:
        label = f"{r.year} 年度{r.name}（{r.source.name}）"
        return Holder(r.credit_code, r.year or 0, label, None, r.pictures, r.items)

    pairs = across_applications(
        holder(row), [holder(r) for r in others], standing_materials(row.scheme), similarity_thresholds()
    )
    return [
        Finding("REVIEW-SIMILAR-ITEM", "warning", p.message(), material="3", fix=FIX_ITEM)
        if p.kind == "item"
        else Finding("REVIEW-SIMILAR-EVIDENCE", "warning", p.message(), path=p.new.path, fix=FIX_PICTURE)
        for p in pairs
    ]


@dataclass
class Summary:
    """Every row, with the cross-application findings attached."""

    rows: list[Row]

    def totals(self) -> dict[str, tuple[int, Decimal, Decimal]]:
        """Per scheme: applicants, claimed sum, recomputed sum."""
        out: dict[str, tuple[int, Decimal, Decimal]] = {}
        for r in self.rows:
            if not r.scheme:
                continue
            n, c, v = out.get(r.scheme, (0, Decimal(0), Decimal(0)))
            out[r.scheme] = (n + 1, c + (r.claimed or 0), v + (r.recomputed or 0))
        return out


def review(paths: list[Path], disqualified: Path | None = None) -> Summary:
    """Read every input one at a time and run the cross-application checks."""
    codes = load_disqualified(disqualified) if disqualified else set()
    rows = [read_one(p) for p in discover_inputs(paths)]
    if not rows:
        raise InputError("没有找到申报材料（.pdf）、申请文件夹或 .zip", where="、".join(map(str, paths)))
    for row, finding in cross_checks(rows, codes):
        row.findings.append(finding)
        if finding.severity == "error":
            row.complete = False
    return Summary(rows)


HEADERS = [
    "序号",
    "单位名称",
    "统一社会信用代码",
    "基金",
    "情形",
    "申报年度",
    "申请金额（元）",
    "复核金额（元）",
    "是否完整",
    "问题数",
    "类型",
    "文件",
]


def row_values(i: int, r: Row) -> list:
    """One summary line, as the workbook and the terminal show it."""
    return [
        i,
        r.name or "（无法读取）",
        r.credit_code,
        fund_titles()[0].get(r.scheme, ""),
        fund_titles()[1].get(r.case or "", "—" if r.scheme == "studio" else ""),
        r.year,
        r.claimed,
        r.recomputed,
        "是" if r.complete else "否",
        r.problems,
        r.kind,
        r.source.name,
    ]


def _sheet_title(i: int, name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "", f"{i:03d} {name or '无法读取'}")[:31]
    while title in used:
        title = title[:-1] + "_"
    used.add(title)
    return title


def write_workbook(summary: Summary, out: Path) -> None:
    """summary.xlsx: a 汇总 sheet (frozen header, filters, totals per fund) and a sheet of findings per
    applicant.
    """
    from openpyxl.styles import Font, PatternFill

    from assembler.core.report import SEVERITY_TITLES
    from assembler.files import append_row, new_sheet_with_header, write_atomically

    wb, ws = new_sheet_with_header("汇总", HEADERS, [6, 34, 22, 30, 26, 10, 14, 14, 9, 8, 14, 40])
    red = PatternFill("solid", fgColor="FCE4E4")
    for i, r in enumerate(summary.rows, start=1):
        append_row(ws, row_values(i, r))
        if not r.complete:
            for cell in ws[ws.max_row]:
                cell.fill = red
        for col in (7, 8):
            ws.cell(ws.max_row, col).number_format = "#,##0.00"
    last = ws.max_row
    ws.auto_filter.ref = f"A1:{chr(64 + len(HEADERS))}{last}"
    for scheme, (n, claimed, recomputed) in summary.totals().items():
        ws.append(["", f"合计：{fund_titles()[0][scheme]}（{n} 家）", "", "", "", "", claimed, recomputed])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in (7, 8):
            ws.cell(ws.max_row, col).number_format = "#,##0.00"
    used: set[str] = {"汇总"}
    for i, r in enumerate(summary.rows, start=1):
        sheet = wb.create_sheet(_sheet_title(i, r.name, used))
        append_row(sheet, [f"{r.name or '（无法读取）'}  {r.credit_code}  {r.source.name}"])
        sheet.append(["级别", "规则", "材料", "位置", "说明"])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for f in r.findings:
            append_row(
                sheet, [SEVERITY_TITLES[f.severity], f.rule, f.material or "", f.path or "", f.message]
            )
        if not r.findings:
            sheet.append(["", "", "", "", "未发现问题"])
        sheet.freeze_panes = "A3"
        for letter, width in zip("ABCDE", [8, 30, 8, 40, 90]):
            sheet.column_dimensions[letter].width = width
    import io

    buf = io.BytesIO()
    wb.save(buf)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, buf.getvalue())


def summary_to_json(summary: Summary) -> dict:
    """`review --json`: one object per applicant, with its findings."""
    return {
        "applicants": [
            {
                "source": str(r.source),
                "name": r.name,
                "credit_code": r.credit_code,
                "scheme": r.scheme,
                "case": r.case,
                "year": r.year,
                "claimed_yuan": None if r.claimed is None else str(r.claimed),
                "recomputed_yuan": None if r.recomputed is None else str(r.recomputed),
                "complete": r.complete,
                "kind": r.kind,
                "findings": [
                    {"rule": f.rule, "severity": f.severity, "message": f.message} for f in r.findings
                ],
            }
            for r in summary.rows
        ],
        "totals": {
            k: {"applicants": n, "claimed_yuan": str(c), "recomputed_yuan": str(v)}
            for k, (n, c, v) in summary.totals().items()
        },
    }
