"""Structured data: the invoice fields an OFD carries (XML attachments, CustomTags, CustomData)."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree as ET

from assembler.convert.ofd.common import InvoiceData
from assembler.convert.ofd.document import _Doc, _open_doc, _where
from assembler.convert.ofd.package import _join, _kid, _kid_text, _kids, _local, _Package
from assembler.errors import InputError

_XML_KEYS = {
    "invoice_code": ("InvoiceCode",),
    "invoice_number": ("InvoiceNo", "InvoiceNumber", "EIid"),
    "issue_date": ("IssueDate", "IssueTime", "RequestTime"),
    "buyer": ("BuyerName",),
    "buyer_tax_id": ("BuyerTaxID", "BuyerIdNum"),
    "seller": ("SellerName",),
    "seller_tax_id": ("SellerTaxID", "SellerIdNum"),
    "amount": ("TaxExclusiveTotalAmount", "TotalAmWithoutTax"),
    "tax": ("TaxTotalAmount", "TotalTaxAm"),
    "total": ("TaxInclusiveTotalAmount", "TotalTax-includedAmount"),
}

_CUSTOM_KEYS = {
    "invoice_code": ("发票代码",),
    "invoice_number": ("发票号码",),
    "issue_date": ("开票日期",),
    "buyer": ("购买方名称", "购方名称"),
    "buyer_tax_id": ("购买方纳税人识别号", "购方识别号"),
    "seller": ("销售方名称", "销方名称"),
    "seller_tax_id": ("销售方纳税人识别号", "销方识别号"),
    "amount": ("合计金额",),
    "tax": ("合计税额",),
    "total": ("价税合计",),
}

_MONEY = {"amount", "tax", "total"}


def _money(text: str) -> Decimal | None:
    cleaned = re.sub(r"[¥￥,，\s元]", "", text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> dt.date | None:
    match = re.search(r"(\d{4})\s*[年/.-]?\s*(\d{1,2})\s*[月/.-]?\s*(\d{1,2})", text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _attachments(d: _Doc) -> list[tuple[str, ET.Element]]:
    index = _join(d.dir, _kid_text(d.doc, "Attachments"))
    listing = d.pkg.xml_or_none(index)
    out = []
    for att in _kids(listing, "Attachment"):
        part = _join(posixpath.dirname(index or ""), _kid_text(att, "FileLoc"))
        if part and part.lower().endswith(".xml") and d.pkg.has(part):
            try:
                out.append((part, d.pkg.xml(part)))
            except InputError:
                continue
    return out


def _pick(leaves: dict[str, str], names_by_key: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Our keys from a document's names: the first name present for each key."""
    found = {}
    for key, names in names_by_key.items():
        value = next((leaves[n] for n in names if leaves.get(n)), None)
        if value is not None:
            found[key] = value
    return found


def _leaves(root: ET.Element, objects: dict[str, str] | None = None) -> dict[str, str]:
    """Element name → text of the leaves of an XML tree; an element holding ObjectRefs (CustomTags) gets
    the text of the page objects it points at."""
    out: dict[str, str] = {}
    for el in root.iter():
        refs = _kids(el, "ObjectRef")
        if refs and objects is not None:
            text = "".join(objects.get((r.text or "").strip(), "") for r in refs).strip()
        elif len(el) == 0:
            text = (el.text or "").strip()
        else:
            continue
        if text:
            out.setdefault(_local(el.tag), text)
    return out


def _object_texts(d: _Doc) -> dict[str, str]:
    """TextObject ID → its text, over all pages (what CustomTags point at)."""
    out: dict[str, str] = {}
    for _, part in d.pages:
        for el in d.pkg.xml(part).iter():
            if _local(el.tag) == "TextObject" and el.get("ID"):
                out.setdefault(el.get("ID", ""), "".join(c.text or "" for c in _kids(el, "TextCode")))
    return out


def _tag_files(d: _Doc) -> list[tuple[str, ET.Element]]:
    index = _join(d.dir, _kid_text(d.doc, "CustomTags"))
    if not d.pkg.has(index):
        index = _join(d.dir, "Tags/CustomTags.xml")
    listing = d.pkg.xml_or_none(index)
    out = []
    for tag in _kids(listing, "CustomTag"):
        part = _join(posixpath.dirname(index or ""), _kid_text(tag, "FileLoc"))
        if part and d.pkg.has(part):
            try:
                out.append((part, d.pkg.xml(part)))
            except InputError:
                continue
    return out


def _structured(d: _Doc) -> InvoiceData | None:
    """Invoice fields from, in this order: XML attachments, CustomTags, the CustomData of OFD.xml."""
    values: dict[str, str] = {}
    sources: list[str] = []

    def take(source: str, found: dict[str, str]) -> None:
        if found:
            sources.append(source)
            for key, value in found.items():
                values.setdefault(key, value)

    for part, root in _attachments(d):
        take(part, _pick(_leaves(root), _XML_KEYS))
    tag_files = _tag_files(d)
    objects = _object_texts(d) if tag_files else None
    for part, root in tag_files:
        take(part, _pick(_leaves(root, objects), _XML_KEYS))
    custom = {
        c.get("Name", ""): (c.text or "").strip()
        for c in _kids(_kid(_kid(_kid(d.root, "DocBody"), "DocInfo"), "CustomDatas"), "CustomData")
    }
    take("OFD.xml CustomData", _pick(custom, _CUSTOM_KEYS))
    if not values:
        return None
    typed: dict[str, object] = {}
    for key, value in values.items():
        typed[key] = _money(value) if key in _MONEY else _date(value) if key == "issue_date" else value
    return InvoiceData(**typed, sources=tuple(sources))  # type: ignore[arg-type]


def read_structured(path: str | Path | BinaryIO, name: str | None = None) -> InvoiceData | None:
    """The invoice data an OFD carries (XML attachment such as Attachs/original_invoice.xml, else the
    page text its CustomTags point at, else the CustomData of OFD.xml): numbers, buyer, seller, the date
    as a date and amounts as Decimal; None when the file has none. Lets a caller check an invoice's
    amount and payer without reading the picture."""
    with _Package(path, _where(path, name)) as pkg:
        return _structured(_open_doc(pkg))
