"""The build's planning on plain data: page placement, 目录 entries, 材料清单 rows (no PDF, no soffice)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assembler.core.models import Award, MaterialResult, Part, Report, Section
from assembler.pipeline.plan import checklist_rows, page_range, place_parts, toc_entries

FORM, MINUTES, PHOTO, NOTICE = Path("form.pdf"), Path("m.pdf"), Path("p.pdf"), Path("n.pdf")
SIZES = {FORM: [(595.0, 842.0)] * 2, MINUTES: [(595.0, 842.0)] * 3, PHOTO: [(842.0, 595.0)], NOTICE: [(1, 1)]}


def _sections() -> list[Section]:
    return [
        Section("1", "1. 申请表", [Part("申请表（本工具生成）", FORM, "1")]),
        Section("3", "3. 空材料"),
        Section(
            "4",
            "4. 评审会议",
            [
                Part("纪要.pdf", MINUTES, "4", "评审会议 2026-03-18", "4/2026-03-18/纪要.pdf"),
                Part("照片.jpg", PHOTO, "4", "评审会议 2026-03-18", "4/2026-03-18/照片.jpg", "照片"),
                Part("公示.pdf", NOTICE, "4", None, "4/公示.pdf"),
            ],
        ),
    ]


def test_place_parts_sets_pages_and_first_pages_in_one_pass():
    sections = _sections()
    after = place_parts(sections, SIZES, front_pages=4)
    parts = [p for s in sections for p in s.parts]
    assert [(p.first, p.pages) for p in parts] == [(4, 2), (6, 3), (9, 1), (10, 1)]
    assert after == 11
    assert place_parts(sections, SIZES, front_pages=0) == 7  # a second layout moves everything


def test_toc_lists_materials_meetings_and_files_with_printed_pages():
    sections = _sections()
    tail = place_parts(sections, SIZES, front_pages=4)
    entries = [(e.level, e.title, e.page) for e in toc_entries(sections, tail)]
    assert entries == [
        (0, "1. 申请表", 5),
        (1, "申请表（本工具生成）", 5),
        (0, "4. 评审会议", 7),
        (1, "评审会议 2026-03-18", 7),
        (2, "纪要.pdf", 7),
        (2, "照片.jpg", 10),
        (1, "公示.pdf", 11),
        (0, "文件清单", 12),
    ]


def test_checklist_rows_give_page_ranges_and_status():
    sections = _sections()
    place_parts(sections, SIZES, front_pages=4)
    materials = (
        MaterialResult("1", "申请表", True, "ok", generated="application_form"),
        MaterialResult("3", "空材料", True, "missing"),
        MaterialResult("4", "评审会议", True, "ok"),
    )
    report = Report(
        "innovation",
        "count",
        "职工创新创效鼓励金",
        "情形一",
        2026,
        "2021",
        "单位",
        "code",
        Award(Decimal(3000), ()),
        materials,
        (),
    )
    rows = checklist_rows(report, sections)
    assert [(r.number, r.ok, r.pages) for r in rows] == [
        ("1", True, "5–6"),
        ("3", False, "—"),
        ("4", True, "7–11"),
    ]
    assert rows[1].status == "缺失"


def test_page_range_words():
    assert page_range(3, 3) == "第 3 页" and page_range(3, 5) == "第 3–5 页"
