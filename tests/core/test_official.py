"""Dates and parts of the union's documents: Beijing dates, working days, the 补正 deadline, studio parts."""

from __future__ import annotations

import datetime as dt

from assembler.core.dates import beijing_now
from assembler.core.official import beijing_date, deadline, official_date, studio_parts, working_period


def test_beijing_now_is_aware_and_eight_hours_ahead():
    now = beijing_now()
    assert now.utcoffset() == dt.timedelta(hours=8)
    assert abs((now - dt.datetime.now(dt.UTC)).total_seconds()) < 5


def test_a_utc_evening_is_the_next_beijing_day():
    assert beijing_date("2026-06-29T17:30:00+00:00") == dt.date(2026, 6, 30)
    assert beijing_date("2026-06-29T15:59:59") == dt.date(2026, 6, 29)
    assert official_date(dt.date(2026, 7, 9)) == "2026年7月9日"


def test_publicity_period_counts_working_days():
    friday = dt.date(2026, 7, 3)
    assert working_period(friday, 5) == (dt.date(2026, 7, 6), dt.date(2026, 7, 10))
    national_day = [dt.date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
    assert working_period(dt.date(2026, 9, 30), 5, national_day) == (
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 14),
    )


def test_deadline_moves_off_a_weekend():
    assert deadline(dt.date(2026, 6, 29), 10) == dt.date(2026, 7, 9)
    assert deadline(dt.date(2026, 7, 1), 10) == dt.date(2026, 7, 13)  # Saturday 07-11 → Monday


def test_studio_parts():
    parts = studio_parts(1500000, 5000, True, True)
    assert (parts.new_fen, parts.annual_fen) == (1000000, 500000)
    assert studio_parts(200000, None, True, False).new_fen == 200000
    assert studio_parts(300000, None, False, True).annual_fen == 300000
