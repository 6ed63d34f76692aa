"""Self-audit of a written dossier, read back with an independent reader (pypdf): every bookmark,
目录 link and page label lands on its page, generated pages embed their fonts, there is no
encryption and no JavaScript, the manifest is attached and agrees. A failure is a bug report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from assembler.core.models import Section
from assembler.errors import SelfAuditError
from assembler.integrity.manifest import Manifest
from assembler.pipeline.assemble import Assembly, Generated


def _fonts_embedded(resources, seen: set[int] | None = None) -> list[str]:
    """Names of fonts reachable from `resources` (including inside form XObjects) whose program is not
    embedded.
    """
    seen = seen if seen is not None else set()
    missing: list[str] = []
    if not isinstance(resources, DictionaryObject):
        return missing
    for ref in (resources.get("/Font") or {}).values():
        font = ref.get_object()
        target = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        desc = target.get("/FontDescriptor")
        desc = desc.get_object() if desc is not None else {}
        if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            missing.append(str(font.get("/BaseFont")))
    for ref in (resources.get("/XObject") or {}).values():
        xobj = ref.get_object()
        key = id(xobj)
        if key in seen or xobj.get("/Subtype") != "/Form":
            continue
        seen.add(key)
        missing += _fonts_embedded(xobj.get("/Resources"), seen)
    return missing


def _has_javascript(reader: PdfReader) -> list[str]:
    found = []
    root: Any = reader.trailer["/Root"]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        found.append("文档级 JavaScript")
    action = root.get("/OpenAction")
    if isinstance(action, DictionaryObject) and action.get("/S") == "/JavaScript":
        found.append("打开时执行的 JavaScript")
    for i, page in enumerate(reader.pages):
        if "/AA" in page:
            found.append(f"第 {i + 1} 页的自动动作")
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            act = annot.get("/A")
            if "/AA" in annot or (
                act is not None and act.get_object().get("/S") in ("/JavaScript", "/Launch")
            ):
                found.append(f"第 {i + 1} 页的注释动作")
    return found


def audit_dossier(path: Path, assembly: Assembly, generated: Generated, sections: list[Section]) -> None:
    """Raise SelfAuditError naming every way the file at `path` differs from what was planned."""
    with path.open("rb") as fh:  # pypdf reads lazily from an open file (from a path it would load it whole)
        _audit(PdfReader(fh), path, assembly, generated, sections)


def _audit(
    reader: PdfReader, path: Path, assembly: Assembly, generated: Generated, sections: list[Section]
) -> None:
    problems: list[str] = []
    if reader.is_encrypted:
        problems.append("文件被加密")
    pages = reader.pages
    if len(pages) != assembly.pages:
        problems.append(f"页数 {len(pages)}，应为 {assembly.pages}")
    front_pages = len(generated.front)
    expected_parts = front_pages + sum(p.pages for s in sections for p in s.parts)
    if expected_parts > len(pages):
        problems.append("各部分页数之和超过文件页数")
    labels = reader.page_labels
    wrong = [i for i, label in enumerate(labels) if label != str(i + 1)]
    if wrong:
        problems.append(f"页码标签与页序不符（第 {wrong[0] + 1} 页起）")

    flat: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((str(item.title), (reader.get_destination_page_number(item) or 0) + 1))

    walk(reader.outline)
    planned = [(o["title"], o["page"]) for o in assembly.outline]
    if flat != planned:
        problems.append(
            f"书签与计划不符：{[x for x in flat if x not in planned][:3] or planned[len(flat) :][:3]}"
        )
    page_ids = {page.indirect_reference.idnum: i for i, page in enumerate(pages) if page.indirect_reference}
    for link in generated.links:
        annots = [a.get_object() for a in pages[link.page_index].get("/Annots") or []]
        dests = [
            a["/Dest"]
            for a in annots
            if a.get("/Subtype") == "/Link" and isinstance(a.get("/Dest"), ArrayObject)
        ]
        if not any(page_ids.get(d[0].idnum) == link.target for d in dests):
            problems.append(f"目录第 {link.page_index + 1} 页缺少指向第 {link.target + 1} 页的链接")
    for i in list(range(front_pages)) + list(range(expected_parts, len(pages))):
        missing = _fonts_embedded(pages[i].get("/Resources"))
        if missing:
            problems.append(f"第 {i + 1} 页的字体未嵌入：{missing}")
    for i, page in enumerate(pages):
        stamp_fonts = [f for f in _fonts_embedded(page.get("/Resources")) if "cjk" in f.lower()]
        if stamp_fonts:
            problems.append(f"第 {i + 1} 页页码字体未嵌入")
    problems += _has_javascript(reader)
    attachments = reader.attachments
    if "manifest.json" not in attachments:
        problems.append("缺少嵌入的 manifest.json")
    else:
        try:
            written = Manifest.model_validate_json(attachments["manifest.json"][0])
        except ValidationError as exc:
            problems.append(f"manifest.json 不符合格式（{exc.error_count()} 处）")
        else:
            if written.pages.count != len(pages):
                problems.append("manifest.json 的页数与文件不符")
    if problems:
        raise SelfAuditError(
            "生成的 PDF 未通过自检（这是本工具的缺陷，请报告）",
            where=str(path),
            details=problems,
            fix="请把申请文件夹和此消息一并反馈给维护者。",
        )
