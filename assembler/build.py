"""`dossier build`: check → fill → convert → plan → assemble → audit, for one application.

Plans the sections in checklist order (forms first, meetings by date with minutes, photos and the
notice, then the other files), the front matter with exact page numbers, the manifest, and steps
photo quality down when the dossier must fit a size limit.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pikepdf

from assembler import __version__
from assembler.api import check_source, refuse_output_inside
from assembler.audit import audit_dossier
from assembler.awards import format_yuan
from assembler.cache import PdfCache, default_cache_dir
from assembler.convert.images import PhotoSettings, convert_images
from assembler.convert.soffice import Soffice
from assembler.dossier import DossierWriter, Generated, Part, Section, displayed_sizes
from assembler.errors import IncompleteError, InputError, SelfAuditError
from assembler.fonts import CjkFont, find_cjk_font
from assembler.forms import fill_forms
from assembler.identifiers import rmb_capital
from assembler.models import EvidenceFile, Report
from assembler.pages import ChecklistRow, CoverInfo, PageMaker, StampSpec, TocEntry, toc_pages_needed
from assembler.report import STATUS_TITLES, report_to_json
from assembler.schema import LoadedApplication
from assembler.sources import Source, open_source
from assembler.specs import Checklist

SIZE_LADDER = [PhotoSettings(150, 60), PhotoSettings(120, 55), PhotoSettings(100, 50), PhotoSettings(72, 40)]


@dataclass
class BuildOptions:
    """Everything `build` can be told besides the application."""

    out: Path | None = None
    allow_incomplete: bool = False
    checklists: Path | None = None
    templates: Path | None = None
    soffice: Path | None = None
    font: Path | None = None
    photo: PhotoSettings = field(default_factory=PhotoSettings)
    max_size: int | None = None  # bytes
    cache_dir: Path | None = None
    call: Path | None = None  # the zone union's call (--call); default: the bundled one for the year
    progress: Callable[[str], None] = lambda step: None


@dataclass
class BuildResult:
    """The written dossier and what the user should know."""

    path: Path
    pages: int
    size: int
    report: Report
    photo: PhotoSettings
    notes: list[str]


def default_output(path: Path) -> Path:
    """Beside the application (never inside it): 我的申请 → 我的申请-申报材料.pdf."""
    stem = path.stem if path.suffix.lower() == ".zip" else path.name
    return path.resolve().parent / f"{stem}-申报材料.pdf"


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


def _included(report: Report, evidence: dict[str, EvidenceFile]) -> list[str]:
    """Usable evidence files of applicable materials, in checklist order."""
    rels = []
    for material in report.materials:
        rels += [rel for rel in material.files if evidence[rel].usable]
    return rels


def _convert(
    source: Source,
    rels: list[str],
    evidence: dict[str, EvidenceFile],
    forms: dict[str, Path],
    office: Soffice,
    cache: PdfCache,
    photo: PhotoSettings,
    work: Path,
    progress: Callable[[str], None],
) -> dict[str, Path]:
    """The PDF of every included file (keyed by path) and of every filled form (keyed by its name)."""
    files = {rel: source.materialize(rel, work) for rel in rels}
    office_inputs = list(forms.values()) + [files[r] for r in rels if evidence[r].kind in ("word", "excel")]
    progress(f"LibreOffice 转换 {len(office_inputs)} 个 Word/Excel 文件")
    converted_office = office.convert(office_inputs)
    images = [files[r] for r in rels if evidence[r].kind == "image"]
    progress(f"处理 {len(images)} 张照片")
    converted_images = convert_images(images, work, photo, cache, names={files[r]: r for r in rels})
    out: dict[str, Path] = {name: converted_office[p] for name, p in forms.items()}
    for rel in rels:
        kind = evidence[rel].kind
        out[rel] = (
            converted_office[files[rel]]
            if kind in ("word", "excel")
            else converted_images[files[rel]]
            if kind == "image"
            else files[rel]
        )
    return out


def plan_sections(
    report: Report,
    checklist: Checklist,
    forms: dict[str, str],
    pdfs: dict[str, Path],
    rels: list[str],
    evidence: dict[str, EvidenceFile],
) -> list[Section]:
    """The dossier's sections in checklist order; within material 4, meeting by meeting (minutes, photos,
    notice),
    then the material's other parts and files. Photos carry their path as a caption."""
    included = set(rels)
    specs = {m.number: m for m in checklist.materials if m.applies_to(report.case)}
    sections = []
    for material in report.materials:
        if material.status == "not-applicable":
            continue
        spec = specs[material.number]
        section = Section(material.number, f"{material.number}. {material.title}")
        if material.generated:
            section.parts.append(
                Part(f"{spec.title}（本工具生成）", pdfs[forms[material.number]], material.number)
            )
        part_order = [p.id for p in spec.parts]
        ordered = [
            (rel, f"评审会议 {meeting.date.isoformat()}")
            for meeting in material.meetings
            for part_id in part_order
            for rel in meeting.parts.get(part_id, ())
        ]
        ordered += [(rel, None) for part_id in part_order for rel in material.parts.get(part_id, ())]
        ordered += [(rel, None) for rel in material.files]
        placed: set[str] = set()
        for rel, group in ordered:
            if rel in included and rel not in placed:
                placed.add(rel)
                caption = rel if evidence[rel].kind == "image" else ""
                section.parts.append(
                    Part(PurePosixPath(rel).name, pdfs[rel], material.number, group, rel, caption)
                )
        sections.append(section)
    return sections


def _toc_entries(sections: list[Section]) -> list[TocEntry]:
    entries = []
    for section in sections:
        if not section.parts:
            continue
        entries.append(TocEntry(0, section.title, section.parts[0].first + 1))
        group = None
        for part in section.parts:
            if part.group and part.group != group:
                group = part.group
                entries.append(TocEntry(1, part.group, part.first + 1))
            entries.append(TocEntry(2 if part.group else 1, part.title, part.first + 1))
    entries.append(TocEntry(0, "文件清单", -1))
    return entries


def _layout(sections: list[Section], front_pages: int) -> int:
    """Give every part its first page (0-based) after `front_pages`; return the first page after them."""
    at = front_pages
    for section in sections:
        for part in section.parts:
            part.first = at
            at += part.pages
    return at


def _page_range(first: int, last: int) -> str:
    return f"第 {first} 页" if first == last else f"第 {first}–{last} 页"


def _checklist_rows(report: Report, sections: list[Section]) -> list[ChecklistRow]:
    by_number = {s.number: s for s in sections}
    rows = []
    for m in report.materials:
        section = by_number.get(m.number)
        pages = "—"
        if section and section.parts:
            first = section.parts[0].first + 1
            last = section.parts[-1].first + section.parts[-1].pages
            pages = f"{first}" if first == last else f"{first}–{last}"
        rows.append(
            ChecklistRow(
                m.number,
                m.title,
                STATUS_TITLES[m.status],
                m.status in ("ok", "optional", "not-applicable"),
                pages,
            )
        )
    return rows


def _cover(loaded: LoadedApplication, report: Report, checklist: Checklist, date: dt.datetime) -> CoverInfo:
    app = loaded.app
    if app.innovation:
        case = f"{report.scheme_title} · {report.case_title}"
    else:
        st = app.studio
        claims = [c for c, on in (("新命名", st.new), ("年度评比", st.annual)) if on]
        case = f"{st.name}（{'、'.join(claims) or '无'}）"
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
        measures=checklist.document,
        period=f"{period.start} 至 {period.end}" if period else "",
    )


def _manifest(
    loaded: LoadedApplication,
    report: Report,
    sections: list[Section],
    evidence: dict[str, EvidenceFile],
    date: dt.datetime,
    photo: PhotoSettings,
) -> dict:
    files, generated = [], []
    for section in sections:
        for part in section.parts:
            pages = [part.first + 1, part.first + part.pages]
            if part.rel:
                e = evidence[part.rel]
                files.append(
                    {
                        "path": e.rel,
                        "sha256": e.sha256,
                        "size": e.size,
                        "kind": e.kind,
                        "material": part.material,
                        "pages": pages,
                    }
                )
            else:
                generated.append({"title": part.title, "material": part.material, "pages": pages})
    check = report_to_json(report)
    check.pop("evidence")
    return {
        "format": "dossier-manifest/1",
        "tool": {"name": "dossier", "version": __version__},
        "measures": loaded.app.measures,
        "scheme": loaded.app.scheme,
        "case": report.case,
        "date": date.date().isoformat(),
        "application": loaded.app.model_dump(mode="json"),
        "ledger": [item.model_dump(mode="json") for item in loaded.items],
        "check": check,
        "files": files,
        "generated": generated,
        "photos": {"dpi": photo.dpi, "quality": photo.quality},
    }


def _assemble_once(
    source: Source,
    loaded: LoadedApplication,
    report: Report,
    checklist: Checklist,
    opts: BuildOptions,
    photo: PhotoSettings,
    out: Path,
    office: Soffice,
    font: CjkFont,
    date: dt.datetime,
) -> tuple[int, int]:
    evidence = {e.rel: e for e in report.evidence}
    rels = _included(report, evidence)
    cache = PdfCache(opts.cache_dir or default_cache_dir())
    maker = PageMaker(font, date.date())
    with tempfile.TemporaryDirectory(prefix="dossier-build-") as tmp:
        work = Path(tmp)
        opts.progress("填写申请表")
        filled = fill_forms(loaded, report, checklist, opts.templates)
        form_paths: dict[str, Path] = {}
        form_by_material: dict[str, str] = {}
        for form in filled:
            path = work / "forms" / form.filename
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(form.data)
            form_paths[form.filename] = path
            form_by_material[form.material.number] = form.filename
        pdfs = _convert(source, rels, evidence, form_paths, office, cache, photo, work, opts.progress)
        sections = plan_sections(report, checklist, form_by_material, pdfs, rels, evidence)
        sizes: dict[Path, list[tuple[float, float]]] = {}
        for section in sections:
            for part in section.parts:
                try:
                    sizes[part.pdf] = sizes.get(part.pdf) or displayed_sizes(part.pdf)
                except pikepdf.PdfError as exc:
                    raise InputError(
                        f"PDF 结构损坏，无法合并（{str(exc)[:120]}）",
                        where=part.rel or part.title,
                        fix="请用 PDF 阅读器打开后“另存为/打印为 PDF”再放入。",
                    ) from None
                part.pages = len(sizes[part.pdf])
        opts.progress("生成封面、清单和目录")
        problems = [
            f"{f.path + '：' if f.path else ''}{f.message}" for f in report.findings if f.severity == "error"
        ]
        award_lines = list(report.award.lines)
        placeholder_rows = _checklist_rows(report, sections)
        checklist_pages = maker.checklist_pages(placeholder_rows, award_lines, problems)
        front_pages = 1 + checklist_pages + toc_pages_needed(len(_toc_entries(sections)))
        tail_first = _layout(sections, front_pages)
        entries = [
            e if e.page != -1 else TocEntry(e.level, e.title, tail_first + 1) for e in _toc_entries(sections)
        ]
        manifest = _manifest(loaded, report, sections, evidence, date, photo)
        file_rows = [
            (f["path"], _page_range(*f["pages"]), f"{f['size'] / 1024:,.0f} KB", f["sha256"])
            for f in manifest["files"]
        ]
        header = (
            f"以下为编入本材料的全部申请人文件（按放入顺序），SHA-256 可用于核对原件。"
            f"完整清单（JSON）作为附件 manifest.json 嵌入本 PDF。由 dossier {__version__} 汇编。"
        )
        tail_pages = maker.file_list_pages(file_rows, header)
        maker.cover(_cover(loaded, report, checklist, date))
        maker.checklist(_checklist_rows(report, sections), award_lines, problems)
        links = maker.toc(entries)
        if maker.page_count != front_pages:
            raise SelfAuditError(f"封面、清单和目录共 {maker.page_count} 页，应为 {front_pages} 页")
        maker.file_list(file_rows, header)
        a4 = (595.28, 841.89)
        geometry = (
            [a4] * front_pages
            + [size for s in sections for p in s.parts for size in sizes[p.pdf]]
            + [a4] * tail_pages
        )
        captions = (
            [""] * front_pages
            + [p.caption for s in sections for p in s.parts for _ in range(p.pages)]
            + [""] * tail_pages
        )
        stamps_first = maker.page_count
        maker.stamps([StampSpec(w, h, str(i + 1), captions[i]) for i, (w, h) in enumerate(geometry)])
        generated = Generated(
            maker.output(),
            range(front_pages),
            range(front_pages, front_pages + tail_pages),
            range(stamps_first, stamps_first + len(geometry)),
            links,
            checklist_pages,
        )
        app = loaded.app
        metadata = {
            "Title": f"{app.applicant.name} {app.year} 年度{report.scheme_title}申报材料",
            "Author": app.applicant.name,
            "Subject": f"{report.scheme_title} · {report.case_title or '工作室'}",
            "Keywords": f"{app.applicant.credit_code}, {app.scheme}, {report.case or 'studio'}, {app.year}, "
            f"{checklist.document_number}",
            "Creator": f"dossier {__version__}",
            "Producer": "dossier (pikepdf/qpdf)",
        }
        opts.progress("合并、加页码和书签")
        writer = DossierWriter(date)
        result = writer.assemble(
            generated,
            sections,
            manifest,
            metadata,
            out,
            lambda path, assembly: audit_dossier(path, assembly, generated, sections),
        )
        return result.pages, out.stat().st_size


def build(path: Path, opts: BuildOptions | None = None) -> BuildResult:
    """Build the indexed PDF dossier of the application at `path` (see the module docstring)."""
    opts = opts or BuildOptions()
    source = open_source(path)
    out = opts.out or default_output(path)
    if out.suffix.lower() != ".pdf":
        raise InputError("输出文件应以 .pdf 结尾", where=str(out))
    refuse_output_inside(source, out.parent)
    opts.progress("检查申请材料")
    report, loaded, checklist = check_source(source, opts.checklists, opts.call)
    notes: list[str] = []
    if not report.complete:
        errors = [f for f in report.findings if f.severity == "error"]
        if not opts.allow_incomplete:
            raise IncompleteError(
                f"申请有 {len(errors)} 个错误，未生成申报材料",
                where=str(path),
                details=[f"[{f.rule}] {f.path + '：' if f.path else ''}{f.message}" for f in errors[:20]],
                fix="改正后再运行；如只需预览，可加 --allow-incomplete（缺失项会在清单页上标红）。",
            )
        notes.append(f"申请还有 {len(errors)} 个错误，已按 --allow-incomplete 生成，缺失项在清单页上标红")
    font = find_cjk_font(opts.font)
    office = Soffice.locate(opts.soffice, cache_dir=opts.cache_dir)
    date = dossier_date(loaded)
    ladder = [opts.photo] + [
        s for s in SIZE_LADDER if (s.dpi, s.quality) < (opts.photo.dpi, opts.photo.quality)
    ]
    photo = opts.photo
    for photo in ladder:
        pages, size = _assemble_once(source, loaded, report, checklist, opts, photo, out, office, font, date)
        if opts.max_size is None or size <= opts.max_size:
            break
        notes.append(
            f"照片 {photo.dpi} dpi、质量 {photo.quality} 时为 {size / 1e6:.1f} MB，超过上限，降低照片质量重试"
        )
    if opts.max_size is not None:
        if size > opts.max_size:
            notes.append(
                f"已降到最低照片质量，仍为 {size / 1e6:.1f} MB，超过 {opts.max_size / 1e6:.0f} MB 上限："
                "请删减照片或把大的扫描件分辨率调低"
            )
        elif photo != opts.photo:
            notes.append(
                f"为满足 {opts.max_size / 1e6:.0f} MB 上限，照片按 {photo.dpi} dpi、质量 {photo.quality} 处理"
            )
    return BuildResult(out, pages, size, report, photo, notes)
