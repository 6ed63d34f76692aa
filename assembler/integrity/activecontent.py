"""Active content in a PDF — what a viewer would run or open rather than show — found and removed.

JavaScript, Launch (start a program), SubmitForm and ImportData (send or load data), Rendition and
GoToE/GoToR actions; annotations that carry files or media (FileAttachment, RichMedia, Screen, Movie,
Sound); document-level scripts, open actions, embedded files and XFA forms. None of it belongs in a
dossier a reviewer opens: `build` removes it from evidence pages (listing what it removed), `verify`
reports any that is there.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pikepdf

DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition", "/GoToE", "/GoToR"}
MEDIA_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}
OUR_ATTACHMENTS = ("manifest.json", "ofd/")  # what build itself attaches
TITLES = {
    "/JavaScript": "JavaScript 脚本",
    "/Launch": "启动程序的动作",
    "/SubmitForm": "提交表单的动作",
    "/ImportData": "导入数据的动作",
    "/Rendition": "播放媒体的动作",
    "/GoToE": "打开嵌入文件的动作",
    "/GoToR": "打开其他文件的动作",
    "/FileAttachment": "附件注释",
    "/RichMedia": "富媒体注释",
    "/Screen": "媒体注释",
    "/Movie": "影片注释",
    "/Sound": "声音注释",
    "open": "打开时执行的动作",
    "names": "文档级脚本",
    "files": "嵌入的文件",
    "xfa": "XFA 动态表单",
    "aa": "自动触发的动作",
}


def _dangerous(action: Any, depth: int = 0) -> str | None:
    """The kind of a dangerous action, following /Next chains."""
    if not isinstance(action, pikepdf.Dictionary) or depth > 20:
        return None
    kind = str(action.get("/S", ""))
    if kind in DANGEROUS_ACTIONS:
        return kind
    following = action.get("/Next")
    for nxt in following if isinstance(following, pikepdf.Array) else [following]:
        if (found := _dangerous(nxt, depth + 1)) is not None:
            return found
    return None


def _page_items(page: Any, remove: bool) -> list[str]:
    found: list[str] = []
    if "/AA" in page:
        found.append("aa")
        if remove:
            del page["/AA"]
    annots = page.get("/Annots")
    if not isinstance(annots, pikepdf.Array):
        return found
    keep = pikepdf.Array()
    for annot in annots:
        if not isinstance(annot, pikepdf.Dictionary):  # a damaged file's null or name: nothing it can run
            keep.append(annot)
            continue
        subtype = str(annot.get("/Subtype", ""))
        if subtype in MEDIA_ANNOTATIONS:
            found.append(subtype)
            continue
        kind = _dangerous(annot.get("/A"))
        if kind is not None:
            found.append(kind)
            if remove:
                del annot["/A"]
        if "/AA" in annot:
            found.append("aa")
            if remove:
                del annot["/AA"]
        keep.append(annot)
    if remove and len(keep) != len(annots):
        page.Annots = keep
    return found


def _document_items(pdf: pikepdf.Pdf, remove: bool) -> list[str]:
    root = pdf.Root
    found: list[str] = []
    if _dangerous(root.get("/OpenAction")) is not None:
        found.append("open")
        if remove:
            del root["/OpenAction"]
    if "/AA" in root:
        found.append("aa")
        if remove:
            del root["/AA"]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        found.append("names")
        if remove:
            del names["/JavaScript"]
    foreign = [name for name in pdf.attachments if not name.startswith(OUR_ATTACHMENTS)]
    if foreign:
        found += ["files"] * len(foreign)
        if remove:
            for name in foreign:
                del pdf.attachments[name]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        found.append("xfa")
        if remove:
            del form["/XFA"]
    return found


def _describe(found: list[str]) -> list[str]:
    return [f"{TITLES.get(kind, kind)} {count} 处" for kind, count in sorted(Counter(found).items())]


def find_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """What active content `pdf` holds, in Chinese (e.g. “JavaScript 脚本 2 处”); empty when none."""
    found = _document_items(pdf, remove=False)
    for page in pdf.pages:
        found += _page_items(page.obj, remove=False)
    return _describe(found)


def remove_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Remove every kind of active content from `pdf` (in place) and say what was removed."""
    found = _document_items(pdf, remove=True)
    for page in pdf.pages:
        found += _page_items(page.obj, remove=True)
    return _describe(found)
