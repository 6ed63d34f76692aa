"""The reviewer's `verify`: is this PDF a dossier of ours, unchanged since it was built, and does its claim
hold?

Reads the embedded manifest.json, recomputes the digest of every page, compares the bookmarks, and
re-runs the award and the data rules on the embedded application under its stated measures revision.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
from pydantic import ValidationError

from assembler.core.application import Application, LedgerItem, LoadedApplication
from assembler.core.awards import compute_award, format_yuan
from assembler.core.checklist import ActivityPeriod, activity_period
from assembler.core.models import Finding
from assembler.core.rules import application_findings, ledger_findings, studio_findings
from assembler.errors import DossierError, InputError
from assembler.integrity.activecontent import find_active_content
from assembler.integrity.document import document_findings, layout_findings
from assembler.integrity.manifest import MANIFEST_FORMAT, OutlineEntry, binding_of, validate_manifest
from assembler.integrity.pagedigest import SCHEME as DIGEST_SCHEME
from assembler.integrity.pagedigest import page_digests
from assembler.integrity.pagetext import page_text
from assembler.integrity.sign import SignatureInfo, signature_of
from assembler.load.checklists import load_checklist
from assembler.pipeline.pages import BINDING_PREFIX

log = logging.getLogger(__name__)
UNSIGNED = (
    "本文件未签名：核验证明了页面与嵌入的清单彼此一致，但不能证明文件由谁生成"
    "——要证明来源，需要申请单位的电子签名。"
)


@dataclass
class Verification:
    """What `verify` found about one dossier."""

    path: Path
    manifest: dict
    findings: list[Finding] = field(default_factory=list)
    claimed: Decimal | None = None
    recomputed: Decimal | None = None
    signature: SignatureInfo | None = None

    @property
    def intact(self) -> bool:
        """No finding of severity error."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def applicant(self) -> dict:
        """The applicant block of the embedded application."""
        app = self.manifest.get("application")
        found = app.get("applicant") if isinstance(app, dict) else None
        return found if isinstance(found, dict) else {}


def read_manifest(pdf: pikepdf.Pdf, path: Path) -> dict:
    """The embedded manifest; InputError (exit 2) when the PDF is not a dossier of ours."""
    if "manifest.json" not in pdf.attachments:
        raise InputError(
            "不是本工具生成的申报材料（没有嵌入的 manifest.json）",
            where=str(path),
            fix="请确认文件是用 dossier build 生成的原件。",
        )
    try:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
    except (ValueError, pikepdf.PdfError) as exc:
        raise InputError(f"嵌入的 manifest.json 无法读取（{type(exc).__name__}）", where=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise InputError("嵌入的清单不是本工具的格式", where=str(path))
    return manifest


def _outline(pdf: pikepdf.Pdf) -> list[dict] | None:
    """The bookmarks as (title, page, level) in order; None when they cannot be read at all."""
    flat: list[dict] = []
    pages: dict[Any, int] = {p.objgen: i for i, p in enumerate(pdf.pages)}

    def walk(items: Any, level: int) -> None:
        for item in items:
            dest = item.destination
            page = None
            if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
                page = pages.get(dest[0].objgen)
            elif isinstance(dest, int):
                page = dest
            flat.append(
                {"title": str(item.title), "page": None if page is None else page + 1, "level": level}
            )
            walk(item.children, level + 1)

    try:
        with pdf.open_outline() as outline:
            walk(outline.root, 0)
    except (pikepdf.PdfError, pikepdf.OutlineStructureError, AttributeError, TypeError, ValueError, KeyError):
        return None
    return flat


def _pages_list(numbers: list[int]) -> str:
    shown = "、".join(map(str, numbers[:20])) + ("等" if len(numbers) > 20 else "")
    return f"第 {shown} 页"


def page_findings(expected: list[str], actual: list[str]) -> list[Finding]:
    """What happened to the pages, from the digests recorded at build time and those of the file now:
    each finding names only the pages concerned (replaced or edited, added, removed, moved)."""
    found: list[Finding] = []
    if expected == actual:
        return found
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    changed: list[int] = []
    added: list[int] = []
    removed: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            common = min(i2 - i1, j2 - j1)
            changed += range(j1 + 1, j1 + common + 1)
            added += range(j1 + common + 1, j2 + 1)
            removed += range(i1 + common + 1, i2 + 1)
        elif tag == "insert":
            added += range(j1 + 1, j2 + 1)
        elif tag == "delete":
            removed += range(i1 + 1, i2 + 1)
    moved = [(old, new) for old in removed for new in added if expected[old - 1] == actual[new - 1]]
    for old, new in moved:
        removed.remove(old)
        added.remove(new)
    if changed:
        found.append(
            Finding(
                "VERIFY-PAGE-CHANGED", "error", f"{_pages_list(changed)}的内容与生成时不同（被替换或修改）"
            )
        )
    if added:
        found.append(Finding("VERIFY-PAGE-ADDED", "error", f"{_pages_list(added)}是生成后添加的"))
    if removed:
        found.append(Finding("VERIFY-PAGE-REMOVED", "error", f"生成时的{_pages_list(removed)}已被删除"))
    if moved:
        text = "、".join(f"原第 {old} 页现为第 {new} 页" for old, new in moved[:20])
        found.append(Finding("VERIFY-PAGE-MOVED", "error", f"页面顺序被改动：{text}"))
    return found


def _printed_binding(pdf: pikepdf.Pdf, outline: list[OutlineEntry]) -> str | None:
    """The manifest binding printed on the 文件清单 page (None when it cannot be found there)."""
    page_no = next((o.page for o in outline if o.level == 0 and o.title == "文件清单"), None)
    if page_no is None or not 1 <= page_no <= len(pdf.pages):
        return None
    try:
        text = page_text(pdf.pages[page_no - 1])
    except (pikepdf.PdfError, ValueError, TypeError):
        return None
    match = re.search(re.escape(BINDING_PREFIX) + r"([0-9a-f]{64})", text)
    return match.group(1) if match else None


def _digest_scheme(manifest: dict, path: Path) -> int:
    """The page digest the dossier was built with (1 before build recorded it); InputError for one this
    version does not know."""
    scheme = manifest.get("pages", {}).get("scheme", 1)
    if isinstance(scheme, bool) or not isinstance(scheme, int) or not 1 <= scheme <= DIGEST_SCHEME:
        raise InputError(
            "嵌入的清单使用了本版本不认识的页面摘要方式，无法核验",
            where=str(path),
            fix="请升级 dossier 后再核验。",
        )
    return scheme


def _period(manifest: dict, app: Application, checklist) -> ActivityPeriod:
    """The activity period the dossier was checked against (recorded by build), else the default reading."""
    recorded = manifest.get("check", {}).get("period") or {}
    try:
        return ActivityPeriod(
            dt.date.fromisoformat(recorded["start"]),
            dt.date.fromisoformat(recorded["end"]),
            recorded["source"],
        )
    except (KeyError, TypeError, ValueError):
        return activity_period(app.year, app.scheme, checklist, None)


def recompute(manifest: dict) -> tuple[Decimal | None, list[Finding]]:
    """The award and the data-rule errors of the embedded application, under its stated measures revision."""
    try:
        app = Application.model_validate(manifest["application"])
        items = tuple(LedgerItem.model_validate(i) for i in manifest.get("ledger", []))
    except (ValidationError, KeyError, TypeError) as exc:
        return None, [Finding("VERIFY-DATA-INVALID", "error", f"嵌入的申请数据不符合格式：{str(exc)[:200]}")]
    try:
        checklist = load_checklist(app.measures, app.scheme)
    except DossierError as exc:
        return None, [
            Finding("VERIFY-MEASURES-UNKNOWN", "error", f"无法按 {app.measures} 版办法复核：{exc.message}")
        ]
    loaded = LoadedApplication(app=app, items=items)
    period = _period(manifest, app, checklist)
    award, award_found = compute_award(app, items, checklist.award)
    errors = [
        f
        for f in application_findings(loaded)
        + ledger_findings(loaded, period)
        + studio_findings(loaded, period)
        + award_found
        if f.severity == "error"
    ]
    return award.amount, errors


def verify(path: Path) -> Verification:
    """Check the dossier at `path`; raise InputError (exit 2) when it cannot be read or is not ours."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise InputError("PDF 设有密码，无法核验", where=str(path)) from None
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise InputError(f"无法读取 PDF（{type(exc).__name__}）", where=str(path)) from None
    with pdf:
        manifest = read_manifest(pdf, path)
        typed = validate_manifest(manifest, str(path))
        result = Verification(path, manifest)
        found = result.findings
        count = len(pdf.pages)
        scheme = _digest_scheme(manifest, path)
        try:
            actual = page_digests(pdf, scheme)
        except (pikepdf.PdfError, AttributeError, TypeError, ValueError, KeyError) as exc:
            raise InputError(f"PDF 页面结构损坏，无法核验（{type(exc).__name__}）", where=str(path)) from None
        expected, expected_outline = typed.expected_pages()
        if count != len(expected):
            found.append(
                Finding(
                    "VERIFY-PAGE-COUNT",
                    "error",
                    f"页数为 {count}，生成时为 {len(expected)}：有页面被添加或删除",
                )
            )
        found += page_findings(expected, actual)
        outline = _outline(pdf)
        if outline != [o.model_dump() for o in expected_outline]:
            found.append(Finding("VERIFY-OUTLINE", "error", "书签与生成时不同（页码范围或标题被改动）"))
        labels = pdf.Root.get("/PageLabels")
        if labels is None:
            found.append(Finding("VERIFY-LABELS", "warning", "页码标签已被删除"))
        if typed.binding is None:  # deleted, or set to null, after an edit: nothing ties it to the pages
            raise InputError(
                "嵌入的清单没有核验码（binding 缺失或为空），无法核验",
                where=str(path),
                fix="请向申请单位索取用 dossier build 生成的原件。",
            )
        held = typed.volume.pages if typed.volume is not None else list(range(1, typed.pages.count + 1))
        try:
            found += document_findings(pdf, manifest, held)
        except (pikepdf.PdfError, AttributeError, TypeError, ValueError, KeyError) as exc:
            raise InputError(f"PDF 文档结构损坏，无法核验（{type(exc).__name__}）", where=str(path)) from None
        found += layout_findings(manifest, count, manifest.get("volume"))
        if binding_of(manifest) != typed.binding:
            found.append(
                Finding("VERIFY-MANIFEST-EDITED", "error", "嵌入的清单（申请数据、台账或金额）在生成后被改动")
            )
        holds_file_list = any(o.title == "文件清单" and o.level == 0 for o in expected_outline)
        if holds_file_list and _printed_binding(pdf, expected_outline) != typed.binding:
            found.append(
                Finding("VERIFY-BINDING-MISMATCH", "error", "文件清单页印出的核验码与嵌入的清单不符")
            )
        result.signature = signature_of(path)
        if result.signature is None:
            found.append(Finding("VERIFY-UNSIGNED", "info", UNSIGNED))
        else:
            sig = result.signature
            if sig.intact and sig.whole_file:
                found.append(
                    Finding(
                        "VERIFY-SIGNED",
                        "info",
                        f"由“{sig.signer}”签名，签名覆盖整个文件（证书指纹 {sig.fingerprint[:16]}…）",
                    )
                )
            else:
                found.append(
                    Finding(
                        "VERIFY-SIGNATURE-BROKEN",
                        "error",
                        "签名不成立：签名之后文件又被改动"
                        if sig.intact
                        else "签名不成立：签名与文件内容不符"
                        if sig.readable
                        else "签名不成立：签名数据已损坏，无法读取",
                    )
                )
        active = find_active_content(pdf)
        if active:
            found.append(
                Finding("VERIFY-ACTIVE-CONTENT", "error", f"含有可执行或嵌入的内容：{'、'.join(active)}")
            )
    claim = manifest.get("check", {}).get("award", {}).get("amount_fen")
    result.claimed = None if claim is None else Decimal(claim) / 100
    result.recomputed, errors = recompute(manifest)
    if result.recomputed != result.claimed:
        claimed = "不符合条件" if result.claimed is None else f"{format_yuan(result.claimed)} 元"
        again = "不符合条件" if result.recomputed is None else f"{format_yuan(result.recomputed)} 元"
        found.append(
            Finding(
                "VERIFY-AWARD-MISMATCH",
                "error",
                f"申请金额为 {claimed}，按 {manifest.get('measures')} 版办法复核为 {again}",
            )
        )
    for f in errors:
        found.append(
            Finding(
                "VERIFY-CHECK-ERROR" if not f.rule.startswith("VERIFY") else f.rule,
                "error",
                f"[{f.rule}] {f.message}",
            )
        )
    if not manifest.get("check", {}).get("complete", False):
        open_errors = [
            f for f in manifest.get("check", {}).get("findings", []) if f.get("severity") == "error"
        ]
        found.append(
            Finding(
                "VERIFY-INCOMPLETE",
                "error",
                f"生成时材料不完整（--allow-incomplete），有 {len(open_errors)} 个错误未解决",
            )
        )
    log.info(
        "verified %s: %s, %d findings",
        path,
        "intact" if result.intact else "not intact",
        len(result.findings),
    )
    found += signer_findings(manifest, result.signature)
    tool = manifest.get("tool", {})
    found.append(
        Finding(
            "VERIFY-BUILT-BY",
            "info",
            f"由 {tool.get('name')} {tool.get('version')} 于 "
            f"{manifest.get('date')} 生成，{manifest.get('measures')} 版办法",
        )
    )
    return result


def built_with_call(manifest: dict) -> str | None:
    """The call (and activity period) the dossier was built with, in words, so the reviewer can hold it
    against the union's own call (an applicant's own call file must not widen the period)."""
    period = manifest.get("check", {}).get("period") or {}
    if not (period.get("start") and period.get("end")):
        return None
    return f"{period.get('source') or '（未记录）'}；活动期间 {period['start']} 至 {period['end']}"


def signer_findings(manifest: dict, signature: SignatureInfo | None) -> list[Finding]:
    """A warning when the signing certificate names another unit than the applicant (nor its union)."""
    from assembler.core.identifiers import certificate_names, comparable

    out: list[Finding] = []
    applicant = manifest.get("application", {}).get("applicant", {})
    names = {comparable(str(applicant.get(k) or "")) for k in ("name", "union")} - {""}
    signer = certificate_names(signature.signer) if signature is not None and signature.intact else []
    if signer and names and not names & {comparable(n) for n in signer}:
        out.append(
            Finding(
                "VERIFY-SIGNER-OTHER-UNIT",
                "warning",
                f"签名证书属于“{signer[0]}”，不是申请单位“{applicant.get('name', '')}”",
                fix="请向申请单位核实：材料应由申请单位用本单位的签名密钥签名。",
            )
        )
    return out


def verification_to_json(v: Verification) -> dict:
    """`verify --json`: stable keys."""
    app = v.manifest.get("application", {})
    return {
        "path": str(v.path),
        "ours": True,
        "intact": v.intact,
        "applicant": v.applicant,
        "scheme": app.get("scheme"),
        "case": v.manifest.get("case"),
        "year": app.get("year"),
        "measures": v.manifest.get("measures"),
        "call": built_with_call(v.manifest),
        "claimed_yuan": None if v.claimed is None else str(v.claimed),
        "recomputed_yuan": None if v.recomputed is None else str(v.recomputed),
        "pages": v.manifest.get("pages", {}).get("count"),
        "files": len(v.manifest.get("files", [])),
        "signature": None
        if v.signature is None
        else {
            "signer": v.signature.signer,
            "certificate_sha256": v.signature.fingerprint,
            "intact": v.signature.intact,
            "covers_whole_file": v.signature.whole_file,
        },
        "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in v.findings],
    }
