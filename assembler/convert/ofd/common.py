"""OFD (GB/T 33190) to PDF: the shared constants and public data types."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

CACHE_KIND = "ofd"  # for assembler.system.cache, like convert/images.py

CONVERTER_VERSION = "2"  # part of the cache key: bump when the drawing changes (2: object alpha, gradients)

MM = 72 / 25.4

A4_MM = (210.0, 297.0)

MAX_SEAL_DEPTH = 2

MAX_DER_DEPTH = 24

_SERIF = re.compile(r"宋|仿|楷|明|Song|Fang|Kai|Ming|Serif|Times|SimSun|STSong", re.IGNORECASE)

_MONO = re.compile(r"Courier|Mono|Consolas|OCR", re.IGNORECASE)

FIX_EXPORT = (
    "请用 OFD 阅读器（如数科、福昕、WPS）打开确认；能打开的请“另存为/打印为 PDF”后放入，"
    "打不开的请向出具方重新索取。"
)

Matrix = tuple[float, float, float, float, float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class InvoiceData:
    """Structured data an OFD carries besides its pages (e-invoice XML attachment, CustomData)."""

    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: dt.date | None = None
    buyer: str | None = None
    buyer_tax_id: str | None = None
    seller: str | None = None
    seller_tax_id: str | None = None
    amount: Decimal | None = None  # 合计金额 (without tax)
    tax: Decimal | None = None  # 合计税额
    total: Decimal | None = None  # 价税合计
    sources: tuple[str, ...] = ()  # the parts the values came from


@dataclass(frozen=True)
class OfdInfo:
    """What `render_ofd` drew: pages, seals, which fonts were the file's own and which were substituted."""

    pages: int
    seals: int  # signatures whose seal picture was drawn
    embedded_fonts: tuple[str, ...]  # font names (as the OFD calls them) drawn from the file's own fonts
    fallback_fonts: tuple[str, ...]  # font names drawn, wholly or for some glyphs, in the system CJK face
    notes: tuple[str, ...]  # Chinese notes for the user: substituted fonts, pictures that could not be shown
    structured: InvoiceData | None
