"""Pure helpers for the zone union's documents: dates as 公文 write them, working days for the 公示期,
the 补正 deadline, and how a decided award splits into the parts the measures name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def beijing_date(stamp: str) -> dt.date:
    """The Beijing date of a stored ISO time stamp (UTC when it names no zone)."""
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).date()


def official_date(day: dt.date) -> str:
    """成文日期 as GB/T 9704-2012 7.3.5.1 writes it: Arabic numerals, no leading zeros (2026年6月3日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Monday to Friday and not one of `holidays`."""
    return day.weekday() < 5 and day not in set(holidays)


def next_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    off = set(holidays)
    while not is_working_day(day, off):
        day += dt.timedelta(days=1)
    return day


def working_period(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> tuple[dt.date, dt.date]:
    """The first and last day of `days` working days beginning on the first working day after `start`
    (the 公示期 begins the day after the notice is issued), skipping weekends and holidays.
    """
    off = set(holidays)
    first = next_working_day(start + dt.timedelta(days=1), off)
    last, counted = first, 1
    while counted < days:
        last = next_working_day(last + dt.timedelta(days=1), off)
        counted += 1
    return first, last


def deadline(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """`days` calendar days after `start`, moved on to the next working day when it falls on a day off."""
    return next_working_day(start + dt.timedelta(days=days), holidays)


@dataclass(frozen=True)
class StudioParts:
    """A studio award split as 附件2 四 splits it: new naming (一) and annual evaluation (二), in fen."""

    new_fen: int
    annual_fen: int


def studio_parts(approved_fen: int, tier_yuan: int | None, new: bool, annual: bool) -> StudioParts:
    """The committee's approved total split into the new-naming and annual parts: the annual part is the
    decided tier; the rest is the new-naming part (without a tier, all of it goes to the one part claimed).
    """
    if tier_yuan and annual:
        annual_fen = min(tier_yuan * 100, approved_fen)
        return StudioParts(approved_fen - annual_fen, annual_fen)
    if new or not annual:
        return StudioParts(approved_fen, 0)
    return StudioParts(0, approved_fen)
