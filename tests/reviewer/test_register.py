"""The reviewers' register: each cross-year rule on plain records, the SQLite layer (migrations, WAL,
idempotent intake, versions with a diff, append-only decisions), a constructed three-year history of
application folders, and `dossier intake` of the built examples twice plus a next-year copy.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example, edit_yaml

from assembler.cli import cli
from assembler.core.identifiers import credit_code_check_char, org_code_check_char
from assembler.errors import ExitCode, InputError, UsageError
from assembler.reviewer.register import crossyear
from assembler.reviewer.register.db import (
    candidate_ids,
    get_record,
    insert_record,
    open_register,
    schema_version,
    stored_findings,
)
from assembler.reviewer.register.decisions import decide, disqualify, history, withdraw_disqualification
from assembler.reviewer.register.intake import intake, intake_one, worst_exit
from assembler.reviewer.register.records import (
    Disqualification,
    Evidence,
    Item,
    Meeting,
    Patent,
    Record,
    diff_lines,
    diff_records,
    from_fen,
    to_fen,
)


def code(body: str) -> str:
    """A valid 统一社会信用代码 with the organisation body `body` (8 characters)."""
    first17 = "91120116" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


UNIT_A, UNIT_B, UNIT_D = code("MA0AAAAA"), code("MA0BBBBB"), code("MA0DDDDD")


def rec(id: int, year: int, unit: str = UNIT_A, scheme: str = "innovation", **kw) -> Record:  # noqa: A002 - the register's own name
    return Record(
        id=id,
        year=year,
        scheme=scheme,
        unit_name=kw.pop("unit_name", f"单位{unit[-4:]}"),
        credit_code=unit,
        file_sha256=kw.pop("file_sha256", f"file{id}"),
        received_at=kw.pop("received_at", f"{year}-04-01T08:00:00+00:00"),
        **kw,
    )


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


# ---- each rule on plain records --------------------------------------------------------------------


def test_evidence_reused_in_an_earlier_year_by_the_same_or_another_unit():
    old_a = rec(
        1, 2025, evidence=(Evidence("6-凭证/2024.pdf", "h1", 10), Evidence("2-制度/办法.pdf", "h2", 5))
    )
    new = rec(2, 2026, evidence=(Evidence("2-制度/办法.pdf", "h2", 5), Evidence("6-凭证/2025.pdf", "h3", 9)))
    found = crossyear.evidence_findings(new, [old_a])
    assert rules(found) == ["REGISTER-EVIDENCE-REUSED"] and found[0].path == "2-制度/办法.pdf"
    assert "2025 年度" in found[0].message and found[0].severity == "error"
    other = rec(3, 2025, UNIT_B, evidence=(Evidence("x.pdf", "h3", 9),))
    assert rules(crossyear.evidence_findings(new, [other])) == ["REGISTER-EVIDENCE-REUSED"]


def test_evidence_in_the_same_year():
    new = rec(2, 2026, evidence=(Evidence("6/凭证.pdf", "h1", 10),))
    other_unit = rec(3, 2026, UNIT_B, evidence=(Evidence("6/x.pdf", "h1", 10),))
    same_unit_other_fund = rec(
        4, 2026, scheme="studio", studio_name="甲工作室", evidence=(Evidence("5/x.pdf", "h1", 10),)
    )
    assert rules(crossyear.evidence_findings(new, [other_unit])) == ["REGISTER-EVIDENCE-SHARED"]
    assert crossyear.evidence_findings(new, [same_unit_other_fund]) == []  # the same dues voucher: fine
    empty = rec(5, 2026, evidence=(Evidence("empty.txt", "e3b0", 0),))
    assert crossyear.evidence_findings(empty, [rec(6, 2025, evidence=(Evidence("e", "e3b0", 0),))]) == []


def test_ledger_item_reused_normalised():
    old = rec(1, 2025, UNIT_B, items=(Item("数控刀具 快换夹具", "李四"),))
    new = rec(2, 2026, items=(Item("数控刀具快换夹具。", "李 四"), Item("别的", "王五")))
    found = crossyear.item_findings(new, [old])
    assert rules(found) == ["REGISTER-ITEM-REUSED"] and "数控刀具快换夹具" in found[0].message
    same_year = rec(3, 2026, UNIT_B, items=(Item("别的", "王五"),))
    assert [(f.rule, f.severity) for f in crossyear.item_findings(new, [same_year])] == [
        ("REGISTER-ITEM-SHARED", "warning")
    ]


def test_meeting_reused_by_the_same_unit_and_shared_title_by_another():
    new = rec(
        2, 2026, meetings=(Meeting("2025-09-12", "下半年评审会"), Meeting("2026-03-18", "一季度评审会"))
    )
    mine_before = rec(1, 2025, meetings=(Meeting("2025-09-12", "下半年评审会"),))
    found = crossyear.meeting_findings(new, [mine_before])
    assert rules(found) == ["REGISTER-MEETING-REUSED"] and "2025-09-12" in found[0].message
    other_same_day = rec(3, 2025, UNIT_B, meetings=(Meeting("2026-03-18", "我们的评审会"),))
    assert crossyear.meeting_findings(new, [other_same_day]) == []  # another unit's meeting that day
    other_same_title = rec(4, 2025, UNIT_B, meetings=(Meeting("2026-03-18", "一季度 评审会"),))
    assert rules(crossyear.meeting_findings(new, [other_same_title])) == ["REGISTER-MEETING-SHARED"]


def test_patent_reused():
    new = rec(2, 2027, scheme="studio", studio_name="甲", patents=(Patent("ZL202520123456.7", "装置"),))
    old = rec(1, 2026, scheme="studio", studio_name="甲", patents=(Patent("202520123456.7", "装置"),))
    assert rules(crossyear.patent_findings(new, [old])) == ["REGISTER-PATENT-REUSED"]


def test_studio_named_twice_and_upgraded():
    def studio(id_, year, level, new=True, unit=UNIT_A):
        return rec(
            id_,
            year,
            unit,
            scheme="studio",
            studio_name="张三劳模创新工作室",
            studio_level=level,
            studio_new=new,
        )

    assert rules(crossyear.studio_findings(studio(2, 2027, "zone"), [studio(1, 2026, "zone")])) == [
        "REGISTER-STUDIO-NAMED-TWICE"
    ]
    assert rules(crossyear.studio_findings(studio(2, 2027, "binhai"), [studio(1, 2026, "zone")])) == [
        "REGISTER-STUDIO-UPGRADED"
    ]
    assert crossyear.studio_findings(studio(2, 2027, "zone", new=False), [studio(1, 2026, "zone")]) == []
    assert crossyear.studio_findings(studio(2, 2027, "zone"), [studio(1, 2026, "zone", new=False)]) == []
    assert crossyear.studio_findings(studio(2, 2027, "zone"), [studio(1, 2026, "zone", unit=UNIT_B)]) == []


def test_one_application_per_unit_fund_year_and_per_studio():
    new = rec(2, 2026)
    assert rules(crossyear.duplicate_findings(new, [rec(1, 2026)])) == ["REGISTER-DUPLICATE-APPLICATION"]
    assert crossyear.duplicate_findings(new, [rec(1, 2025), rec(3, 2026, UNIT_B)]) == []
    s1 = rec(4, 2026, scheme="studio", studio_name="甲工作室")
    s2 = rec(5, 2026, scheme="studio", studio_name="乙工作室")
    assert crossyear.duplicate_findings(s2, [s1]) == []  # one unit, two studios: two applications
    again = rec(6, 2026, scheme="studio", studio_name="甲 工作室")
    assert rules(crossyear.duplicate_findings(again, [s1])) == ["REGISTER-DUPLICATE-APPLICATION"]


def test_disqualified_union_at_that_date():
    listing = Disqualification("UNIONCODE", "2026-06-01", "挪用 2025 年度鼓励金", until="2028-05-31")
    before = rec(1, 2026, union_code="UNIONCODE", received_at="2026-05-31T15:59:00+00:00")  # 23:59 北京
    # 2026-05-31 23:00 UTC is 2026-06-01 07:00 in Beijing: the listing is in force that day
    first_day = rec(4, 2026, union_code="UNIONCODE", received_at="2026-05-31T23:00:00+00:00")
    assert first_day.received_on == "2026-06-01"
    assert rules(crossyear.disqualified_findings(first_day, [listing])) == ["REGISTER-DISQUALIFIED"]
    during = rec(2, 2027, union_code="UNIONCODE", received_at="2027-04-01T08:00:00+00:00")
    after = rec(3, 2029, union_code="UNIONCODE", received_at="2029-04-01T08:00:00+00:00")
    assert crossyear.disqualified_findings(before, [listing]) == []
    found = crossyear.disqualified_findings(during, [listing])
    assert rules(found) == ["REGISTER-DISQUALIFIED"] and "挪用" in found[0].message
    assert crossyear.disqualified_findings(after, [listing]) == []
    by_unit_code = Disqualification(UNIT_A, "2020-01-01", "理由")
    assert rules(crossyear.disqualified_findings(rec(4, 2026), [by_unit_code])) == ["REGISTER-DISQUALIFIED"]


def test_only_the_latest_version_of_another_application_counts():
    v1 = rec(1, 2025, UNIT_B, evidence=(Evidence("a", "h1", 1),))
    v2 = rec(2, 2025, UNIT_B, version=2, previous_id=1, evidence=(Evidence("a", "h1", 1),))
    new = rec(3, 2026, evidence=(Evidence("b", "h1", 1),))
    assert len(crossyear.register_findings(new, [v1, v2])) == 1


def test_diff_of_a_resubmission():
    old = rec(
        1,
        2026,
        evidence=(Evidence("a.pdf", "h1"), Evidence("b.pdf", "h2")),
        items=(Item("甲", "张"), Item("乙", "李", bonus_fen=100)),
        data={"applicant": {"contact": {"phone": "1"}}},
        claimed_fen=200000,
    )
    new = rec(
        2,
        2026,
        evidence=(Evidence("a.pdf", "h9"), Evidence("c.pdf", "h3")),
        items=(Item("乙", "李", bonus_fen=200), Item("丙", "王")),
        data={"applicant": {"contact": {"phone": "2"}}},
        claimed_fen=300000,
    )
    diff = diff_records(old, new)
    assert diff["files"] == {"added": ["c.pdf"], "removed": ["b.pdf"], "changed": ["a.pdf"]}
    assert diff["fields"] == [{"field": "applicant.contact.phone", "old": "1", "new": "2"}]
    assert diff["items"] == {"added": ["丙"], "removed": ["甲"], "changed": ["乙"]}
    text = "\n".join(diff_lines(diff))
    assert "新增文件 1 个：c.pdf" in text and "申请金额：2000 元 → 3000 元" in text


def test_money_is_exact_fen():
    assert to_fen(Decimal("1234.56")) == 123456 and to_fen("600") == 60000 and to_fen(None) is None
    assert from_fen(123456) == Decimal("1234.56") and from_fen(300000) == Decimal(3000)
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))


# ---- the SQLite layer ----------------------------------------------------------------------------


def test_register_file_wal_migrations_and_append_only(tmp_path):
    path = tmp_path / "reg" / "register.sqlite"
    db = open_register(path)
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(db) == [
        "m001_applications",
        "m002_decisions_and_disqualified",
        "m003_certificates",
        "m004_measures",
        "m005_decision_findings",
        "m006_near_duplicates",
        "m007_page_ink",
    ]
    db.close()
    db = open_register(path)  # reopening applies nothing twice
    assert schema_version(db) == [
        "m001_applications",
        "m002_decisions_and_disqualified",
        "m003_certificates",
        "m004_measures",
        "m005_decision_findings",
        "m006_near_duplicates",
        "m007_page_ink",
    ]
    with db.atomic():
        app_id = insert_record(db, rec(None, 2026, items=(Item("甲", "张"),)))  # type: ignore[arg-type]
    made = decide(db, app_id, "退回补正", "王芳", reasons="缺照片")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE decisions SET decision = 'approved' WHERE id = ?", [made.id])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM decisions")
    assert [d.decision for d in history(db, app_id)] == ["returned"]


def test_not_a_register_is_exit_2(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError) as exc:
        open_register(bad)
    assert exc.value.exit_code == ExitCode.BAD_INPUT and str(bad) in exc.value.render()


def test_default_location_is_the_user_data_folder(tmp_path, monkeypatch):
    from assembler.reviewer.register.db import default_register_path

    monkeypatch.setenv("DOSSIER_REGISTER_DIR", str(tmp_path / "data"))
    assert default_register_path() == tmp_path / "data" / "register.sqlite"


def test_candidates_come_from_the_indexes(tmp_path):
    db = open_register(tmp_path / "r.sqlite")
    with db.atomic():
        a = insert_record(db, rec(None, 2025, items=(Item("甲", "张"),)))  # type: ignore[arg-type]
        insert_record(db, rec(None, 2025, UNIT_B, file_sha256="x", items=(Item("乙", "李"),)))  # type: ignore[arg-type]
    assert candidate_ids(db, rec(None, 2026, UNIT_D, items=(Item("甲", "张"),))) == {a}  # type: ignore[arg-type]
    plan = " ".join(
        str(r) for r in db.execute("EXPLAIN QUERY PLAN SELECT application_id FROM items WHERE key IN ('a')")
    )
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan


def test_decisions_history_and_amounts(tmp_path):
    db = open_register(tmp_path / "r.sqlite")
    with db.atomic():
        inn = insert_record(db, rec(None, 2026, recomputed_fen=300000))  # type: ignore[arg-type]
        studio = insert_record(
            db,
            rec(  # type: ignore[arg-type]
                None,
                2026,
                scheme="studio",
                file_sha256="s",
                studio_name="甲",
                studio_level="binhai",
                studio_new=True,
                data={"studio": {"annual": True}},
            ),
        )
    with pytest.raises(UsageError, match="理由"):
        decide(db, inn, "不予支持", "王芳")
    with pytest.raises(UsageError, match="不是"):
        decide(db, inn, "同意", "王芳")
    with pytest.raises(UsageError, match="档次"):
        decide(db, inn, "通过", "王芳", tier=3000)
    assert decide(db, inn, "通过", "王芳").approved == Decimal(3000)
    assert decide(db, inn, "退回补正", "李强", reasons="照片不清").approved is None
    assert [(d.title, d.reviewer) for d in history(db, inn)] == [("通过", "王芳"), ("退回补正", "李强")]
    with pytest.raises(UsageError, match="匹配金额") as refused:  # the library names the field, not an option
        decide(db, studio, "通过", "王芳", tier=5000)
    assert refused.value.field == "matched"
    made = decide(db, studio, "通过", "王芳", tier=3000, matched=Decimal("8000.50"))
    assert made.approved_fen == 1100050 and made.tier == 3000 and made.matched_fen == 800050


def test_disqualification_list_with_withdrawal(tmp_path):
    from assembler.reviewer.register.db import disqualifications

    db = open_register(tmp_path / "r.sqlite")
    with pytest.raises(UsageError, match="无效"):
        disqualify(db, "91120116MA0AAAAA00", dt.date(2026, 1, 1), "挪用", "王芳")
    listing = disqualify(
        db, UNIT_B, dt.date(2026, 6, 1), "挪用 2025 年度鼓励金", "王芳", until=dt.date(2028, 5, 31)
    )
    assert [d.code for d in disqualifications(db)] == [UNIT_B]
    withdraw_disqualification(db, listing, "录入错误", "王芳")
    assert disqualifications(db) == []
    assert db.execute("SELECT COUNT(*) FROM disqualified").fetchone()[0] == 2  # the history stays


# ---- a constructed three-year history of application folders ---------------------------------------


def _as_unit(data: dict, unit: str, name: str) -> None:
    data["applicant"].update(credit_code=unit, name=name, union=f"{name}工会委员会")


def test_three_year_history(tmp_path):
    db = open_register(tmp_path / "register.sqlite")
    src = tmp_path / "src"
    src.mkdir()

    def folder(example: str, name: str, change) -> Path:
        (src / name).mkdir()
        target = copy_example(example, src / name)
        edit_yaml(target, change)
        return target

    def take(path: Path, day: str):
        return intake_one(db, path, received_at=f"{day}T09:00:00+00:00")

    # 2026: three units as in the examples
    a26 = take(copy_example("innovation-count", src), "2026-04-01")
    b26 = take(copy_example("innovation-bonus", src), "2026-04-02")
    c26 = take(copy_example("studio", src), "2026-04-03")
    assert [r.status for r in (a26, b26, c26)] == ["new", "new", "new"]
    assert not any(f.rule.startswith("REGISTER-") for r in (a26, b26, c26) for f in r.findings)
    # the same folder again: one record
    again = take(src / "innovation-count", "2026-04-05")
    assert again.status == "already" and again.record.id == a26.record.id
    # a resubmission of A with a changed phone and one more file: version 2 with a diff
    (src / "innovation-count" / "7-其他佐证材料").mkdir()
    (src / "innovation-count" / "7-其他佐证材料" / "补充说明.pdf").write_bytes(
        (src / "innovation-count" / "5-奖励签收单" / "物质奖励签收单.pdf").read_bytes() + b"\n%extra"
    )
    edit_yaml(src / "innovation-count", lambda d: d["applicant"]["contact"].update(phone="022-58009999"))
    a26v2 = take(src / "innovation-count", "2026-04-10")
    assert (
        a26v2.status == "version" and a26v2.record.version == 2 and a26v2.record.previous_id == a26.record.id
    )
    assert a26v2.diff["files"]["added"] == ["7-其他佐证材料/补充说明.pdf"]
    assert a26v2.diff["fields"] == [
        {"field": "applicant.contact.phone", "old": "022-58001234", "new": "022-58009999"}
    ]
    assert not any(f.rule.startswith("REGISTER-") for f in a26v2.findings)  # not compared with itself
    decide(db, a26v2.record.id, "通过", "王芳")
    # after a final decision, another 2026 innovation application of A is a second application
    dup = take(
        folder("innovation-count", "A-2026-again", lambda d: d["applicant"]["contact"].update(name="某某")),
        "2026-05-01",
    )
    assert dup.status == "new" and "REGISTER-DUPLICATE-APPLICATION" in rules(dup.findings)

    # 2027: A reuses its 2026 folder; D (another unit) copies A's; C's studio is "newly named" again
    def next_year(d):
        d["year"] = 2027

    a27 = take(folder("innovation-count", "A-2027", next_year), "2027-04-01")
    found = rules(a27.findings)
    assert {"REGISTER-EVIDENCE-REUSED", "REGISTER-ITEM-REUSED", "REGISTER-MEETING-REUSED"} <= set(found)
    assert "REGISTER-DUPLICATE-APPLICATION" not in found
    d27 = take(
        folder("innovation-count", "D-2027", lambda d: (next_year(d), _as_unit(d, UNIT_D, "天津丁公司"))),
        "2027-04-02",
    )
    found = rules(d27.findings)
    assert {"REGISTER-EVIDENCE-REUSED", "REGISTER-ITEM-REUSED", "REGISTER-MEETING-SHARED"} <= set(found)
    assert "REGISTER-EVIDENCE-SHARED" in found  # and the same files as A's 2027 application
    assert "REGISTER-MEETING-REUSED" not in found
    c27 = take(folder("studio", "C-2027", next_year), "2027-04-03")
    assert {"REGISTER-STUDIO-NAMED-TWICE", "REGISTER-EVIDENCE-REUSED", "REGISTER-PATENT-REUSED"} <= set(
        rules(c27.findings)
    )
    assert c27.exit_code == ExitCode.APPLICATION_ERRORS

    # 2028: B's union was disqualified from 2027-06-01
    disqualify(db, b26.record.credit_code, dt.date(2027, 6, 1), "挪用 2026 年度创新鼓励金", "王芳")
    b28 = take(folder("innovation-bonus", "B-2028", lambda d: d.update(year=2028)), "2028-04-01")
    assert "REGISTER-DISQUALIFIED" in rules(b28.findings)
    # the findings are kept in the register
    assert "REGISTER-DISQUALIFIED" in rules(stored_findings(db, b28.record.id))
    assert get_record(db, b28.record.id).year == 2028


def test_intake_refuses_what_is_not_ours_and_goes_on(tmp_path):
    db = open_register(tmp_path / "r.sqlite")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "foreign.pdf").write_bytes(b"%PDF-1.4 not really")
    shutil.copytree(copy_example("studio", tmp_path), tmp_path / "in" / "studio")
    results = intake(db, [tmp_path / "in"])
    assert [r.status for r in results] == ["refused", "new"]
    assert results[0].exit_code == ExitCode.BAD_INPUT and worst_exit(results) == ExitCode.BAD_INPUT
    assert db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 1


def test_union_code_is_read_when_present():
    from assembler.reviewer.register.intake import record_from_data

    app = {
        "year": 2026,
        "scheme": "innovation",
        "applicant": {"name": "甲", "credit_code": UNIT_A, "union_code": UNIT_B.lower()},
    }
    kw = dict(file_sha256="x", claimed_fen=None, recomputed_fen=None, received_at="", source_name="", kind="")
    assert record_from_data(app, "count", [], [], **kw).union_code == UNIT_B
    del app["applicant"]["union_code"]
    assert record_from_data(app, "count", [], [], **kw).union_code is None


# ---- the command line, on built dossiers -----------------------------------------------------------


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.slow
def test_intake_examples_twice_and_a_next_year_copy(example_dossiers, shared_cache, tmp_path):
    from assembler.pipeline.run import BuildOptions, build

    register = tmp_path / "register.sqlite"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, pdf in example_dossiers.items():
        shutil.copy(pdf, inbox / f"{name}.pdf")
    first = run("intake", inbox, "--register", register, "--json")
    assert first.exit_code == 0, first.output
    assert [r["status"] for r in json.loads(first.output)] == ["new", "new", "new"]
    second = run("intake", inbox, "--register", register, "--json")
    assert [r["status"] for r in json.loads(second.output)] == ["already"] * 3
    app = copy_example("studio", tmp_path)
    edit_yaml(app, lambda d: (d.update(year=2027), d["studio"].update(new=False, matched_amount=None)))
    copy = build(app, BuildOptions(out=tmp_path / "studio-2027.pdf", cache_dir=shared_cache)).path
    third = run("intake", copy, "--register", register)
    assert third.exit_code == 1, third.output
    assert "REGISTER-EVIDENCE-REUSED" in third.output and "2026 年度" in third.output
    listed = json.loads(run("applications", "--register", register, "--json").output)
    assert [a["year"] for a in listed] == [2026, 2026, 2026, 2027]
    review = run("review", inbox, copy, "--register", register, "--json")
    rows = {Path(r["source"]).name: r for r in json.loads(review.output)["applicants"]}
    assert "REGISTER-EVIDENCE-REUSED" in [f["rule"] for f in rows["studio-2027.pdf"]["findings"]]


def test_pure_rules_import_no_database_or_io_library():
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "import assembler.reviewer.register.crossyear, assembler.reviewer.register.records\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    heavy = {"sqlite3", "sqlite_utils", "pikepdf", "pypdf", "docx", "openpyxl", "yaml", "click", "flask"}
    assert heavy.isdisjoint(m.split(".")[0] for m in loaded)


def test_two_reviewers_writing_at_once_wait_for_each_other(tmp_path):
    import threading
    import time

    from assembler.reviewer.register.db import writing

    path = tmp_path / "r.sqlite"
    db = open_register(path)
    with writing(db):
        app_id = insert_record(db, rec(None, 2026, recomputed_fen=300000))  # type: ignore[arg-type]
    errors: list[BaseException] = []

    def second_reviewer() -> None:
        try:
            other = open_register(path)
            decide(other, app_id, "通过", "李强")
            other.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    with writing(db):
        db.table("decisions").insert(
            {
                "application_id": app_id,
                "decision": "returned",
                "reasons": "缺照片",
                "reviewer": "王芳",
                "decided_at": "x",
            }
        )
        thread = threading.Thread(target=second_reviewer)
        thread.start()
        time.sleep(0.3)  # the second writer is waiting for this transaction
        assert thread.is_alive()
    thread.join(10)
    assert errors == []
    assert [d.reviewer for d in history(db, app_id)] == ["王芳", "李强"]


def test_review_of_an_older_version_is_not_compared_with_its_newer_one(tmp_path):
    from assembler.reviewer.register.db import versions

    db = open_register(tmp_path / "r.sqlite")
    with db.atomic():
        v1 = insert_record(db, rec(None, 2026, file_sha256="v1"))  # type: ignore[arg-type]
        v2 = insert_record(db, rec(None, 2026, file_sha256="v2", version=2, previous_id=v1))  # type: ignore[arg-type]
        v3 = insert_record(db, rec(None, 2026, file_sha256="v3", version=3, previous_id=v2))  # type: ignore[arg-type]
        other = insert_record(db, rec(None, 2026, UNIT_B, file_sha256="o"))  # type: ignore[arg-type]
    assert versions(db, v1) == versions(db, v2) == versions(db, v3) == {v1, v2, v3}
    assert versions(db, other) == {other}


def test_command_line_over_folders(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    for name in ("innovation-count", "studio"):
        copy_example(name, src)
    (src / "junk.zip").write_bytes(b"not a zip")
    result = run("intake", src, "--register", register)
    assert result.exit_code == 2, result.output  # the worst of: recorded, recorded, refused
    assert (
        result.output.count("[已登记]") == 2 and "[未登记]" in result.output and "junk.zip" in result.output
    )
    listed = json.loads(run("applications", "--register", register, "--json").output)
    assert [(a["id"], a["scheme"], a["decision"]) for a in listed] == [
        (1, "innovation", None),
        (2, "studio", None),
    ]

    assert run("decide", 1, "--decision", "通过", "--reviewer", "王芳", "--register", register).exit_code == 0
    refused = run("decide", 2, "--decision", "通过", "--reviewer", "王芳", "--register", register)
    assert refused.exit_code == 2 and "匹配金额" in refused.output
    made = run(
        "decide", 2, "--decision", "通过", "--tier", "5000", "--matched", "10000", "--reviewer", "王芳",
        "--register", register, "--json",
    )  # fmt: skip
    assert made.exit_code == 0 and json.loads(made.output)[-1]["approved_fen"] == 1500000
    changed = run(
        "decide", 2, "--decision", "退回补正", "--reason", "命名文件不清晰", "--reason", "缺少年度计划盖章页",
        "--reviewer", "李强", "--register", register,
    )  # fmt: skip
    assert changed.exit_code == 0 and changed.output.count("王芳") == 1 and "李强" in changed.output
    missing = run("decide", 99, "--decision", "通过", "--reviewer", "王芳", "--register", register)
    assert missing.exit_code == 2 and "登记号 99" in missing.output

    shown = json.loads(run("applications", 1, "--register", register, "--json").output)
    assert shown["decisions"][0]["reviewer"] == "王芳"
    listing = run(
        "disqualify", "91120116MA05K3R78L", "--since", "2026-01-01", "--reason", "挪用 2025 年度鼓励金",
        "--reviewer", "王芳", "--register", register,
    )  # fmt: skip
    assert listing.exit_code == 0 and "91120116MA05K3R78L" in listing.output
    shown = run("applications", 1, "--register", register)
    assert "REGISTER-DISQUALIFIED" in shown.output  # the register's findings are recomputed on showing

    out = tmp_path / "out"
    union = Path(__file__).resolve().parents[2] / "examples" / "union.yaml"
    written = run("outputs", "--year", 2026, "-o", out, "--register", register, "--union", union)
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "补正通知-2026-0002-天津示例新能源装备有限公司.docx",
            "2026年度公示名单-公示.docx",
            "2026年度公示名单-表格.xlsx",
            "2026年度拨款明细.xlsx",
            "2026年度汇总.xlsx",
        ]
    )
    not_a_register = tmp_path / "notes.txt"
    not_a_register.write_text("hello " * 200, encoding="utf-8")
    bad = run("applications", "--register", not_a_register)
    assert bad.exit_code == 2 and "登记簿" in bad.output


def test_an_older_register_is_upgraded_on_open(tmp_path):
    from sqlite_utils import Database

    from assembler.reviewer.register.db import migrations

    path = tmp_path / "old.sqlite"
    old = Database(path)
    migrations.apply(old, stop_before="m002_decisions_and_disqualified")  # as an earlier tool left it
    with old.atomic():
        app_id = insert_record(old, rec(None, 2025))  # type: ignore[arg-type]
    old.close()
    db = open_register(path)
    assert schema_version(db)[-1] == "m007_page_ink"
    assert get_record(db, app_id).year == 2025 and history(db, app_id) == []


def test_review_against_the_register_records_nothing(tmp_path):
    from assembler.reviewer.register.intake import review_with_register

    db = open_register(tmp_path / "r.sqlite")
    (tmp_path / "a").mkdir()
    first = intake_one(db, copy_example("innovation-count", tmp_path / "a"))
    (tmp_path / "b").mkdir()
    resent = copy_example("innovation-count", tmp_path / "b")
    edit_yaml(resent, lambda d: d["applicant"]["contact"].update(name="某某"))

    def review_rules(path: Path) -> list[str]:
        return rules(review_with_register([path], None, db).rows[0].findings)

    assert not [r for r in review_rules(resent) if r.startswith("REGISTER-")]  # it would be version 2
    decide(db, first.record.id, "不予支持", "王芳", reasons="未报备评审会")
    assert "REGISTER-DUPLICATE-APPLICATION" in review_rules(resent)  # now it would be a second application
    edit_yaml(resent, lambda d: d.update(year=2027))
    assert {"REGISTER-EVIDENCE-REUSED", "REGISTER-ITEM-REUSED", "REGISTER-MEETING-REUSED"} <= set(
        review_rules(resent)
    )
    assert db.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 1
