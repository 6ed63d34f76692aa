"""What a dossier holds besides its pages, checked by `verify`: everything a viewer shows or does that is not
in a page's digest must be exactly what build made.

Build makes no optional content (layers), no document actions or base URI, no form fields but the signature
field that signing adds, the page labels of the whole dossier or of its volume, one manifest.json and the
original OFD files it lists (nowhere else in the attachments' name tree, /Kids subtrees included), and the
document information (title, author…) recorded in the manifest. A volume holds the front matter, whole
materials and — the last one — the 文件清单, as its manifest says, and its pages agree with the files the
manifest binds.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from typing import Any

import pikepdf

from assembler.core.models import Finding

INFO_KEYS = (
    "Title",
    "Author",
    "Subject",
    "Keywords",
    "Creator",
)  # not Producer, ModDate: signing updates them
MAX_TREE_NODES = 10_000
MAX_TREE_DEPTH = 32
MANIFEST_NAME = "manifest.json"


def info_digest(info: dict[str, str]) -> str:
    """The digest of the document information build writes (INFO_KEYS), recorded in the manifest."""
    shown = {key: str(info.get(key, "")) for key in INFO_KEYS}
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def info_of(pdf: pikepdf.Pdf) -> dict[str, str]:
    """The document information of `pdf` as text (INFO_KEYS only; a value of another type as its text)."""
    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary):
        return {}
    return {key: str(info[f"/{key}"]) for key in INFO_KEYS if f"/{key}" in info}


def name_tree(node: Any, depth: int = 0, budget: list[int] | None = None) -> Iterator[tuple[str, Any]]:
    """Every (name, value) of a PDF name tree, its /Kids subtrees included (bounded: a cycle or a huge tree
    ends the walk with ValueError)."""
    budget = budget if budget is not None else [MAX_TREE_NODES]
    budget[0] -= 1
    if depth > MAX_TREE_DEPTH or budget[0] < 0:
        raise ValueError("name tree too deep or too large")
    if not isinstance(node, pikepdf.Dictionary):
        return
    names = node.get("/Names")
    if isinstance(names, pikepdf.Array):
        items = list(names)
        for i in range(0, len(items) - 1, 2):
            key = items[i]
            yield (str(key) if isinstance(key, pikepdf.String) else f"?{type(key).__name__}", items[i + 1])
    kids = node.get("/Kids")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            yield from name_tree(kid, depth + 1, budget)


def _labels(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]] | None:
    labels = pdf.Root.get("/PageLabels")
    if labels is None:
        return None
    nums = labels.get("/Nums") if isinstance(labels, pikepdf.Dictionary) else None
    if not isinstance(nums, pikepdf.Array) or "/Kids" in labels:
        return [(-1, "", 0)]  # a form build never writes
    items = list(nums)
    found: list[tuple[int, str, int]] = []
    for i in range(0, len(items) - 1, 2):
        index, style = items[i], items[i + 1]
        if not isinstance(index, int) or not isinstance(style, pikepdf.Dictionary):
            return [(-1, "", 0)]
        if set(style.keys()) - {"/S", "/St", "/Type"}:
            return [(-1, "", 0)]  # a prefix (/P) or anything else build never writes
        start = style.get("/St", 1)
        found.append((int(index), str(style.get("/S", "")), int(start) if isinstance(start, int) else -1))
    return found


def expected_labels(pages: list[int]) -> list[tuple[int, str, int]]:
    """The page labels build writes for a file holding the whole dossier's `pages` (1-based, in order):
    decimal numbers, starting again wherever the numbers jump (a volume)."""
    found = []
    for i, page in enumerate(pages):
        if i == 0 or page != pages[i - 1] + 1:
            found.append((i, "/D", page))
    return found


def _fields(form: Any) -> Iterator[Any]:
    fields = form.get("/Fields")
    if fields is None:
        return
    if not isinstance(fields, pikepdf.Array):
        yield None  # a form of the wrong type: not one build or signing makes
        return
    stack, seen = [(f, 0) for f in fields], 0
    while stack:
        field, depth = stack.pop()
        seen += 1
        if seen > MAX_TREE_NODES or depth > MAX_TREE_DEPTH or not isinstance(field, pikepdf.Dictionary):
            yield None
            continue
        yield field
        kids = field.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            stack += [(k, depth + 1) for k in kids]


def _field_type(field: Any) -> str:
    node, hops = field, 0
    while isinstance(node, pikepdf.Dictionary) and hops < MAX_TREE_DEPTH:
        if "/FT" in node:
            return str(node.FT)
        node, hops = node.get("/Parent"), hops + 1
    return ""


def document_findings(pdf: pikepdf.Pdf, manifest: dict[str, Any], pages: list[int]) -> list[Finding]:
    """What the dossier holds beyond its pages that build did not make (see the module docstring); `pages`
    are the whole dossier's page numbers this file holds."""
    found: list[Finding] = []
    root = pdf.Root
    if "/OCProperties" in root:
        found.append(
            Finding(
                "VERIFY-OPTIONAL-CONTENT",
                "error",
                "含有可选内容（图层）设置：可以让页面上的部分内容不显示，生成时没有",
            )
        )
    actions = [key for key in ("/OpenAction", "/AA", "/URI") if key in root]
    if actions:
        found.append(Finding("VERIFY-DOCUMENT-ACTION", "error", "含有打开文档时的动作或网址设置，生成时没有"))
    labels = _labels(pdf)
    if labels is not None and labels != expected_labels(pages):
        found.append(
            Finding("VERIFY-LABELS-CHANGED", "error", "页码标签与生成时不同（阅读器显示的页码被改动）")
        )
    form = root.get("/AcroForm")
    if form is not None:
        odd = not isinstance(form, pikepdf.Dictionary) or any(
            field is None or _field_type(field) != "/Sig" or "/A" in field or "/AA" in field
            for field in _fields(form)
        )
        if odd:
            found.append(
                Finding("VERIFY-FORM-FIELDS", "error", "含有表单域或表单动作（签名域以外），生成时没有")
            )
    found += _attachment_findings(pdf, manifest)
    recorded = manifest.get("pages", {}).get("info") if isinstance(manifest.get("pages"), dict) else None
    info = info_of(pdf)
    volume = manifest.get("volume")
    if isinstance(volume, dict):  # a volume's title says which it is (pipeline/volumes.py)
        suffix = f"（第{volume.get('number')}册，共{volume.get('of')}册）"
        title = info.get("Title", "")
        info["Title"] = title.removesuffix(suffix) if title.endswith(suffix) else f"{title}（分册标题不符）"
    if isinstance(recorded, str) and info_digest(info) != recorded:
        found.append(
            Finding("VERIFY-INFO-CHANGED", "error", "文档属性（标题、作者、主题或关键词）与生成时不同")
        )
    return found


def _attachment_findings(pdf: pikepdf.Pdf, manifest: dict[str, Any]) -> list[Finding]:
    names = pdf.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    try:
        entries = list(name_tree(tree))
    except ValueError:
        return [Finding("VERIFY-ATTACHMENTS", "error", "附件目录结构异常（过深或过大），无法核对")]
    ofd = {
        f"ofd/{f.get('path')}": f.get("sha256")
        for f in manifest.get("files", [])
        if isinstance(f, dict) and f.get("kind") == "ofd"
    }
    manifests = sum(name == MANIFEST_NAME for name, _ in entries)
    foreign = []
    for name, spec in entries:
        if name == MANIFEST_NAME:
            continue
        if name not in ofd or _attachment_sha256(spec) != ofd[name]:
            foreign.append(name)
    associated = pdf.Root.get("/AF")  # files associated with the document (PDF/A-3), shown by some viewers
    for spec in associated if isinstance(associated, pikepdf.Array) else []:
        name = str(spec.get("/UF", spec.get("/F", ""))) if isinstance(spec, pikepdf.Dictionary) else "?"
        if name != MANIFEST_NAME and name not in ofd and name not in foreign:
            foreign.append(name)
    found = []
    if manifests != 1:
        found.append(
            Finding("VERIFY-ATTACHMENTS", "error", f"嵌入了 {manifests} 份清单 manifest.json（应为 1 份）")
        )
    if foreign:
        shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
        found.append(
            Finding(
                "VERIFY-ATTACHMENTS",
                "error",
                f"含有生成时没有的附件 {len(foreign)} 个：{shown}（只应有清单和清单所列的 OFD 原件）",
            )
        )
    return found


def _attachment_sha256(spec: Any) -> str | None:
    try:
        stream = spec.get("/EF", {}).get("/F")
        return (
            hashlib.sha256(bytes(stream.read_bytes())).hexdigest()
            if isinstance(stream, pikepdf.Stream)
            else None
        )
    except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
        return None


def layout_findings(manifest: dict[str, Any], count: int, volume: dict[str, Any] | None) -> list[Finding]:
    """Whether the pages this file holds agree with the files the manifest binds: every file's and form's
    pages exist, and a volume holds the front matter, whole materials and (the last) the 文件清单 — a volume
    entry written to excuse removed pages does not fit."""
    total = manifest.get("pages", {}).get("count")
    items = [
        item
        for key in ("files", "generated")
        for item in manifest.get(key, [])
        if isinstance(item, dict) and isinstance(item.get("pages"), list | tuple) and len(item["pages"]) == 2
    ]
    ranges = [tuple(item["pages"]) for item in items]
    if not isinstance(total, int) or any(
        not all(isinstance(p, int) for p in r) or not 1 <= r[0] <= r[1] <= total for r in ranges
    ):
        return [Finding("VERIFY-PAGES-INCONSISTENT", "error", "清单记录的文件页码超出了总页数：有页面被删除")]
    if not ranges:
        return []
    ranges.sort()
    first, last = ranges[0][0], max(r[1] for r in ranges)
    overlapping = any(b[0] <= a[1] for a, b in itertools.pairwise(ranges))
    if overlapping or last >= total:  # the 文件清单 follows the last file
        return [Finding("VERIFY-PAGES-INCONSISTENT", "error", "清单记录的文件页码与总页数不符：有页面被删除")]
    if volume is None:
        return []
    held = volume.get("pages") or []
    number, of = volume.get("number"), volume.get("of")
    problems = []
    if not isinstance(number, int) or not isinstance(of, int) or not 1 <= number <= of:
        problems.append("分册序号不对")
    if held != sorted(set(held)) or count != len(held):
        problems.append("分册页码不是按顺序排列的页面")
    kept = set(held)
    if not set(range(1, first)) <= kept:
        problems.append("缺少封面、清单或目录")
    body = [p for p in held if first <= p <= last]
    if body and body != list(range(body[0], body[-1] + 1)):
        problems.append("所含材料不连续")  # build packs whole materials in order
    materials: dict[str, tuple[int, int]] = {}
    for item in items:
        key, (a, b) = str(item.get("material")), item["pages"]
        low, high = materials.get(key, (a, b))
        materials[key] = (min(low, a), max(high, b))
    if any(
        bool(set(range(a, b + 1)) & kept) and not set(range(a, b + 1)) <= kept for a, b in materials.values()
    ):
        problems.append("有材料只含其中一部分页面")  # build never cuts a material
    tail = set(range(last + 1, total + 1))
    if of == 1 and kept != set(range(1, total + 1)):
        problems.append("只有一册却不含全部页面")
    if number == of and not tail <= kept:
        problems.append("最后一册缺少文件清单")
    if problems:
        return [
            Finding(
                "VERIFY-VOLUME-FORGED",
                "error",
                f"分册信息与清单不符（{'；'.join(problems)}）：有页面被删除",
            )
        ]
    return [
        Finding(
            "VERIFY-VOLUME-PART",
            "warning",
            f"本文件是分册 {number}/{of}，只含整份材料的部分页面；须与其余分册一起核验，才能确认材料齐全",
        )
    ]
