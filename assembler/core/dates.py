"""Dates as Chinese users write them: in cells, in text, and inside folder names."""

from __future__ import annotations

import datetime as dt
import re

from assembler.core.identifiers import halfwidth

_SEPARATED = r"(?P<y>\d{4})\s*[-/._年]\s*(?P<m>\d{1,2})\s*[-/._月]\s*(?P<d>\d{1,2})\s*日?"
_COMPACT = r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
_ANY = re.compile(rf"(?<!\d)(?:{_SEPARATED}|{_COMPACT.replace('?P<', '?P<c')})(?!\d)")


def _build(m: re.Match) -> dt.date | None:
    y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["cy"], m["cm"], m["cd"])
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None


def find_date(text: str) -> dt.date | None:
    """The first real date written inside `text` (e.g. a folder named “2026-03-18 一季度评审会”), or None."""
    for m in _ANY.finditer(text):
        found = _build(m)
        if found is not None:
            return found
    return None


def parse_date_text(text: str) -> dt.date | None:
    """`text` read as a date when it is nothing but a date (2025-09-12, 2025/9/12, 2025.9.12, 2025年9月12日,
    20250912, in full-width digits too).
    """
    m = _ANY.fullmatch(halfwidth(text).strip())
    return _build(m) if m else None


def years_in(text: str) -> set[int]:
    """Four-digit years 2000–2099 written in `text` (e.g. a file name “2025年工会经费缴费凭证.pdf”)."""
    return {int(y) for y in re.findall(r"(?<!\d)(20\d{2})(?!\d)", text)}


BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def beijing_now() -> dt.datetime:
    """The current time in Beijing (aware, UTC+8): the dates on the union's documents are Beijing dates,
    whatever the server's clock zone.
    """
    return dt.datetime.now(BEIJING)
