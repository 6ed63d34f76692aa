"""The reviewers' register: one SQLite file (WAL), written through sqlite-utils, schema by versioned
migrations.

Money is integer fen, dates ISO text. Every write of one intake or one decision is one transaction
(`writing`: BEGIN IMMEDIATE, so two reviewers writing at once wait for each other). The decisions
and the disqualification list are append-only: triggers refuse UPDATE and DELETE, so the history
cannot be rewritten through this module nor by hand with the sqlite3 shell (short of dropping the
triggers).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database
from sqlite_utils.db import Table
from sqlite_utils.migrations import Migrations

from assembler.core.models import Finding, Print
from assembler.errors import FileSystemError, InputError
from assembler.reviewer.register.records import Disqualification, Evidence, Item, Meeting, Patent, Record
from assembler.system.cache import user_folder

if TYPE_CHECKING:
    from assembler.core.similar import Stored, Thresholds

REGISTER_FILE = "register.sqlite"

migrations = Migrations("dossier-register")


@migrations()
def m001_applications(db: Database) -> None:
    """Applications (one row per received version) and what each one claims."""
    db.table("applications").create(
        {
            "id": int,
            "file_sha256": str,
            "received_at": str,
            "source_name": str,
            "kind": str,
            "year": int,
            "scheme": str,
            "fund_case": str,
            "unit_name": str,
            "credit_code": str,
            "union_name": str,
            "union_code": str,
            "studio_name": str,
            "studio_key": str,
            "studio_level": str,
            "studio_new": int,
            "named_on": str,
            "matched_fen": int,
            "tier": int,
            "claimed_fen": int,
            "recomputed_fen": int,
            "chain_key": str,
            "version": int,
            "previous_id": int,
            "diff": str,
            "data": str,
        },
        pk="id",
        not_null={"file_sha256", "received_at", "year", "scheme", "credit_code", "chain_key", "version"},
        foreign_keys=[("previous_id", "applications", "id")],
    )
    apps = db.table("applications")
    apps.create_index(["file_sha256"], unique=True)
    apps.create_index(["chain_key"])
    apps.create_index(["credit_code", "scheme", "year"])
    apps.create_index(["studio_key"])
    children: dict[str, dict[str, Any]] = {
        "evidence": {"path": str, "sha256": str, "size": int, "material": str},
        "items": {
            "key": str,
            "name": str,
            "proposer": str,
            "adopted_on": str,
            "bonus_fen": int,
            "category": str,
            "department": str,
        },
        "meetings": {"date": str, "title": str},
        "patents": {"key": str, "number": str, "title": str, "kind": str},
        "findings": {
            "stage": str,
            "rule": str,
            "severity": str,
            "message": str,
            "material": str,
            "path": str,
            "fix": str,
        },
    }
    for name, columns in children.items():
        db.table(name).create(
            {"application_id": int, **columns},
            foreign_keys=[("application_id", "applications", "id")],
        )
        db.table(name).create_index(["application_id"])
    db.table("evidence").create_index(["sha256"])
    db.table("items").create_index(["key"])
    db.table("meetings").create_index(["date"])
    db.table("patents").create_index(["key"])


@migrations()
def m002_decisions_and_disqualified(db: Database) -> None:
    """The committee's decisions and the 第三条 list: append-only histories."""
    db.table("decisions").create(
        {
            "id": int,
            "application_id": int,
            "decision": str,
            "approved_fen": int,
            "tier": int,
            "matched_fen": int,
            "reasons": str,
            "reviewer": str,
            "decided_at": str,
        },
        pk="id",
        not_null={"application_id", "decision", "reviewer", "decided_at"},
        foreign_keys=[("application_id", "applications", "id")],
    )
    db.table("decisions").create_index(["application_id"])
    db.table("disqualified").create(
        {
            "id": int,
            "code": str,
            "name": str,
            "since": str,
            "until": str,
            "reason": str,
            "reviewer": str,
            "added_at": str,
            "withdrawn": int,  # 1: a later row that withdraws the listing `withdraws`
            "withdraws": int,
        },
        pk="id",
        not_null={"code", "since", "reason", "reviewer", "added_at"},
    )
    db.table("disqualified").create_index(["code"])
    for table in ("decisions", "disqualified"):
        for action in ("UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


@migrations()
def m003_certificates(db: Database) -> None:
    """Each unit's signing certificate, pinned at the first signed dossier received from it."""
    db.table("certificates").create(
        {
            "credit_code": str,
            "fingerprint": str,
            "signer": str,
            "first_application_id": int,
            "pinned_at": str,
        },
        pk="credit_code",
        not_null={"fingerprint", "pinned_at"},
    )


M004_COLUMNS = (
    "integrity",
    "signer",
    "period_start",
    "period_end",
    "period_source",
    "stored_sha256",
    "printed_fen",
)


@migrations()
def m004_measures(db: Database) -> None:
    """What keeps the register to the measures: the override reason of a decision, each application's
    integrity, signer, activity period and kept copy, and the union's call of each year."""
    db.table("decisions").add_column("override", str)
    apps = db.table("applications")
    for column in M004_COLUMNS:
        apps.add_column(column, int if column.endswith("_fen") else str)
    db.table("calls").create(
        {
            "id": int,
            "year": int,
            "measures": str,
            "title": str,
            "data": str,
            "source_name": str,
            "loaded_by": str,
            "loaded_at": str,
        },
        pk="id",
        not_null={"year", "measures", "data", "loaded_at"},
    )
    db.table("calls").create_index(["year"])


@migrations()
def m005_decision_findings(db: Database) -> None:
    """The findings a reviewer ticked when deciding, frozen in the words of the 补正通知 (append-only)."""
    db.table("decision_findings").create(
        {"decision_id": int, "position": int, "rule": str, "severity": str, "words": str},
        pk=("decision_id", "position"),
        not_null={"decision_id", "position", "words"},
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER decision_findings_no_{action.lower()} BEFORE {action} ON decision_findings "
            "BEGIN SELECT RAISE(ABORT, 'decision_findings is append-only'); END"
        )


@migrations()
def m006_near_duplicates(db: Database) -> None:
    """Perceptual fingerprints of each application's pictures (from its manifest or folder), and the
    reviewers' verdicts on near-duplicate pairs: append-only, one pair key per verdict row."""
    db.table("prints").create(
        {
            "application_id": int,
            "path": str,
            "sha256": str,
            "material": str,
            "page": int,
            "phash": int,  # the 64-bit pHash as a signed integer
            "thumb": str,
            "chroma": str,
            "width": int,
            "height": int,
        },
        foreign_keys=[("application_id", "applications", "id")],
    )
    db.table("prints").create_index(["application_id"])
    db.table("similar_verdicts").create(
        {
            "id": int,
            "pair_key": str,
            "application_id": int,
            "verdict": str,  # confirmed / dismissed
            "reason": str,
            "reviewer": str,
            "decided_at": str,
        },
        pk="id",
        not_null={"pair_key", "verdict", "reason", "reviewer", "decided_at"},
        foreign_keys=[("application_id", "applications", "id")],
    )
    db.table("similar_verdicts").create_index(["pair_key"])
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER similar_verdicts_no_{action.lower()} BEFORE {action} ON similar_verdicts "
            "BEGIN SELECT RAISE(ABORT, 'similar_verdicts is append-only'); END"
        )


@migrations()
def m007_page_ink(db: Database) -> None:
    """A scanned page's ink map (Print.ink), by which pages are compared; "" for photos and for pages kept
    before the maps existed (those are not compared with other pages)."""
    db.table("prints").add_column("ink", str, not_null_default="")


def pinned_certificate(db: Database, credit_code: str) -> dict[str, Any] | None:
    """The certificate pinned for a unit, if any."""
    rows = list(db.query("SELECT * FROM certificates WHERE credit_code = ?", [credit_code]))
    return rows[0] if rows else None


def pin_certificate(
    db: Database, credit_code: str, fingerprint: str, signer: str, app_id: int, when: str
) -> None:
    """Pin a unit's certificate (the first signed dossier received from it)."""
    db.table("certificates").insert(
        {
            "credit_code": credit_code,
            "fingerprint": fingerprint,
            "signer": signer,
            "first_application_id": app_id,
            "pinned_at": when,
        }
    )


@contextlib.contextmanager
def writing(db: Database) -> Iterator[Database]:
    """One write transaction, begun IMMEDIATE: a second reviewer's intake waits for this one (busy
    timeout) instead of failing half-way when both read first and then write. Nested use is a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.execute("COMMIT")


def default_register_path() -> Path:
    """$DOSSIER_REGISTER_DIR/register.sqlite, else in the user data folder."""
    return user_folder("DOSSIER_REGISTER_DIR", "register") / REGISTER_FILE


def open_register(path: Path | None = None) -> Database:
    """The register at `path` (default location when None), created and migrated as needed."""
    path = path or default_register_path()
    if path.is_dir():
        raise InputError(
            "这是一个文件夹，不是登记簿文件",
            where=str(path),
            fix="请指定登记簿文件（.sqlite）。",
            rule="REGISTER-NOT-A-FILE",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # owner-only from the start (SQLite gives its -wal and -shm the same mode)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        db = Database(path, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        db.enable_wal()
        migrations.apply(db)
        _refuse_foreign_schema(db, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(
            f"不是登记簿文件，或文件已损坏（{exc}）",
            where=str(path),
            fix="请指定本工具建立的登记簿；新文件会自动建立。",
            rule="REGISTER-NOT-A-FILE",
        ) from None
    except OSError as exc:
        raise FileSystemError.from_os_error(exc) from None
    return db


@functools.cache
def _expected_columns() -> dict[str, frozenset[str]]:
    """Every table's columns as this version's migrations make them (built once, in memory)."""
    fresh = Database(memory=True)
    migrations.apply(fresh)
    return {t.name: frozenset(t.columns_dict) for t in fresh.tables if not t.name.startswith("_")}


def _refuse_foreign_schema(db: Database, path: Path) -> None:
    """InputError for a register this version cannot use safely: written by a newer version (a migration
    we do not know), or with a table or column renamed or dropped by hand."""
    known = {m.name for m in migrations._migrations}
    newer = [m.name for m in migrations.applied(db) if m.name not in known]
    if newer:
        raise InputError(
            f"登记簿由更新版本的本工具建立（含本版本不认识的结构更新 {'、'.join(newer)}），"
            "本版本无法安全使用",
            where=str(path),
            fix="请升级本工具后再打开该登记簿。",
        )
    tables = {t.name: set(t.columns_dict) for t in db.tables}
    for name, columns in _expected_columns().items():
        if name in tables and (missing := sorted(columns - tables[name])):
            raise InputError(
                f"登记簿的表 {name} 缺少列 {'、'.join(missing)}（结构被改动过），无法使用",
                where=str(path),
                fix="请用备份恢复登记簿，或改用本工具建立的登记簿。",
                rule="REGISTER-NOT-OURS",
            )
        if name not in tables:
            raise InputError(
                f"登记簿缺少表 {name}（结构被改动过），无法使用",
                where=str(path),
                fix="请用备份恢复登记簿，或改用本工具建立的登记簿。",
                rule="REGISTER-NOT-OURS",
            )


def schema_version(db: Database) -> list[str]:
    """The names of the migrations applied to this register, in order."""
    return [m.name for m in migrations.applied(db)]


# ---- writing -------------------------------------------------------------------------------------


def _app_row(r: Record) -> dict[str, Any]:
    return {
        "file_sha256": r.file_sha256,
        "received_at": r.received_at,
        "source_name": r.source_name,
        "kind": r.kind,
        "year": r.year,
        "scheme": r.scheme,
        "fund_case": r.case,
        "unit_name": r.unit_name,
        "credit_code": r.credit_code,
        "union_name": r.union_name,
        "union_code": r.union_code,
        "studio_name": r.studio_name,
        "studio_key": r.studio_key or None,
        "studio_level": r.studio_level,
        "studio_new": int(r.studio_new),
        "named_on": r.named_on,
        "matched_fen": r.matched_fen,
        "tier": r.tier,
        "claimed_fen": r.claimed_fen,
        "recomputed_fen": r.recomputed_fen,
        "chain_key": r.chain_key,
        "version": r.version,
        "previous_id": r.previous_id,
        "data": json.dumps(r.data, ensure_ascii=False, sort_keys=True),
        "integrity": r.integrity or None,
        "signer": r.signer or None,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "period_source": r.period_source or None,
        "stored_sha256": r.stored_sha256 or None,
        "printed_fen": r.printed_fen,
    }


def insert_record(db: Database, r: Record, diff: dict | None = None) -> int:
    """Insert one application and its evidence, items, meetings and patents; returns its id.

    The caller holds the transaction (`with db.atomic():`).
    """
    row = _app_row(r) | {"diff": json.dumps(diff, ensure_ascii=False) if diff is not None else None}
    row = {k: v for k, v in row.items() if v is not None or k not in M004_COLUMNS}
    app_id = db.table("applications").insert(row).last_pk
    assert isinstance(app_id, int)
    db.table("evidence").insert_all(
        {"application_id": app_id, "path": e.path, "sha256": e.sha256, "size": e.size, "material": e.material}
        for e in r.evidence
    )
    db.table("items").insert_all(
        {
            "application_id": app_id,
            "key": i.key,
            "name": i.name,
            "proposer": i.proposer,
            "adopted_on": i.adopted_on,
            "bonus_fen": i.bonus_fen,
            "category": i.category,
            "department": i.department,
        }
        for i in r.items
    )
    db.table("meetings").insert_all(
        {"application_id": app_id, "date": m.date, "title": m.title} for m in r.meetings
    )
    insert_prints(db, app_id, r)
    db.table("patents").insert_all(
        {"application_id": app_id, "key": p.key, "number": p.number, "title": p.title, "kind": p.kind}
        for p in r.patents
    )
    return app_id


def _signed(phash: str) -> int:
    value = int(phash, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def insert_prints(db: Database, app_id: int, r: Record) -> None:
    """Keep the fingerprints of the record's pictures (the caller holds the transaction)."""
    db.table("prints").insert_all(
        {
            "application_id": app_id,
            "path": e.path,
            "sha256": e.sha256,
            "material": e.material,
            "page": p.page,
            "phash": _signed(p.phash),
            "thumb": p.thumb,
            "chroma": p.chroma,
            "width": p.width,
            "height": p.height,
            "ink": p.ink,
        }
        for e in r.evidence
        for p in e.prints
    )


def record_verdict(
    db: Database, pair_key: str, app_id: int, verdict: str, reason: str, reviewer: str, at: str
) -> None:
    """A reviewer's verdict on a near-duplicate pair (confirmed / dismissed), with the reason; a dismissed
    pair is not raised again, for this application or any later one holding the same two files."""
    if verdict not in ("confirmed", "dismissed"):
        raise InputError(f"未知的核实结论：{verdict}")
    if not reason.strip() or not reviewer.strip():
        raise InputError("请写明核实理由和评审人员姓名")
    db.table("similar_verdicts").insert(
        {
            "pair_key": pair_key,
            "application_id": app_id,
            "verdict": verdict,
            "reason": reason.strip(),
            "reviewer": reviewer.strip(),
            "decided_at": at,
        }
    )


def verdicts(db: Database) -> dict[str, dict[str, Any]]:
    """The latest verdict on each pair, by pair key."""
    return {r["pair_key"]: r for r in db.query("SELECT * FROM similar_verdicts ORDER BY id")}


def dismissed_pairs(db: Database) -> frozenset[str]:
    """The pair keys whose latest verdict is 'dismissed'."""
    return frozenset(k for k, r in verdicts(db).items() if r["verdict"] == "dismissed")


def store_findings(db: Database, app_id: int, stage: str, findings: Iterable[Finding]) -> None:
    """Keep the findings of one stage ('verify' or 'register') of one application, replacing earlier ones."""
    db.execute("DELETE FROM findings WHERE application_id = ? AND stage = ?", [app_id, stage])
    db.table("findings").insert_all(
        {
            "application_id": app_id,
            "stage": stage,
            "rule": f.rule,
            "severity": f.severity,
            "message": f.message,
            "material": f.material,
            "path": f.path,
            "fix": f.fix,
        }
        for f in findings
    )


# ---- reading -------------------------------------------------------------------------------------


def _record(row: dict[str, Any], children: dict[str, list[dict]]) -> Record:
    return Record(
        id=row["id"],
        year=row["year"],
        scheme=row["scheme"],
        case=row["fund_case"],
        unit_name=row["unit_name"] or "",
        credit_code=row["credit_code"],
        file_sha256=row["file_sha256"],
        union_name=row["union_name"] or "",
        union_code=row["union_code"],
        studio_name=row["studio_name"],
        studio_level=row["studio_level"],
        studio_new=bool(row["studio_new"]),
        named_on=row["named_on"],
        matched_fen=row["matched_fen"],
        tier=row["tier"],
        claimed_fen=row["claimed_fen"],
        recomputed_fen=row["recomputed_fen"],
        received_at=row["received_at"],
        source_name=row["source_name"] or "",
        kind=row["kind"] or "",
        version=row["version"],
        previous_id=row["previous_id"],
        data=json.loads(row["data"] or "{}"),
        integrity=row.get("integrity") or "",
        signer=row.get("signer") or "",
        period_start=row.get("period_start"),
        period_end=row.get("period_end"),
        period_source=row.get("period_source") or "",
        stored_sha256=row.get("stored_sha256") or "",
        printed_fen=row.get("printed_fen"),
        evidence=tuple(
            Evidence(c["path"], c["sha256"], c["size"] or 0, c["material"]) for c in children["evidence"]
        ),
        items=tuple(
            Item(
                c["name"],
                c["proposer"],
                c["adopted_on"] or "",
                c["bonus_fen"],
                c["category"] or "",
                c["department"] or "",
            )
            for c in children["items"]
        ),
        meetings=tuple(Meeting(c["date"], c["title"] or "") for c in children["meetings"]),
        patents=tuple(
            Patent(c["number"] or "", c["title"] or "", c["kind"] or "") for c in children["patents"]
        ),
    )


def load_records(db: Database, ids: Iterable[int], prints: bool = True) -> list[Record]:
    """The full records of the applications `ids` (in id order); without the pictures' fingerprints when
    `prints` is False (the rules on shared keys do not need them, and they are most of the bytes)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    rows = list(db.query(f"SELECT * FROM applications WHERE id IN ({marks}) ORDER BY id", wanted))
    children: dict[int, dict[str, list[dict]]] = {
        i: {"evidence": [], "items": [], "meetings": [], "patents": []} for i in wanted
    }
    for table in ("evidence", "items", "meetings", "patents"):
        for c in db.query(f"SELECT * FROM {table} WHERE application_id IN ({marks}) ORDER BY rowid", wanted):
            children[c["application_id"]][table].append(c)
    found: dict[tuple[int, str, str], list[Print]] = defaultdict(list)
    sql = f"SELECT * FROM prints WHERE application_id IN ({marks}) ORDER BY rowid"
    for c in db.query(sql, wanted) if prints else ():
        found[(c["application_id"], c["path"], c["sha256"])].append(_stored_print(c))
    out = []
    for r in rows:
        record = _record(r, children[r["id"]])
        evidence = tuple(
            replace(e, prints=tuple(found.get((r["id"], e.path, e.sha256), ()))) for e in record.evidence
        )
        out.append(replace(record, evidence=evidence))
    return out


def _stored_print(c: dict[str, Any]) -> Print:
    """A fingerprint as the prints table keeps it (the pHash signed, columns added later possibly empty)."""
    phash = f"{c['phash'] & ((1 << 64) - 1):016x}"
    size = (c["width"] or 0, c["height"] or 0)
    return Print(c["page"], phash, c["thumb"], *size, c["chroma"] or "", c["ink"] or "")


def similar_records(db: Database, ids: Iterable[int], proposers: Iterable[str] = ()) -> list[Record]:
    """What the near-duplicate rules need of the applications `ids` (in id order) but their pictures
    (`stored_prints`): who and which year, what makes one a later version of another, and the ledger items
    of the given proposers (names compared as `comparable`; the rule compares only items of one proposer).
    Two narrow reads instead of whole records with every file and fingerprint."""
    from assembler.core.identifiers import comparable

    wanted = sorted(set(ids))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    heads = db.execute(
        "SELECT id, year, scheme, unit_name, credit_code, file_sha256, studio_name, version, previous_id "
        f"FROM applications WHERE id IN ({marks}) ORDER BY id",
        wanted,
    ).fetchall()
    mine = {comparable(p) for p in proposers}
    items: dict[int, list[Item]] = defaultdict(list)
    sql = f"SELECT application_id, name, proposer FROM items WHERE application_id IN ({marks}) ORDER BY rowid"
    for app, name, proposer in db.execute(sql, wanted) if mine else ():
        if comparable(proposer) in mine:
            items[app].append(Item(name, proposer))
    return [
        Record(
            year=year,
            scheme=scheme,
            unit_name=unit_name or "",
            credit_code=code,
            file_sha256=file_sha256,
            studio_name=studio_name,
            id=app,
            version=version,
            previous_id=previous_id,
            items=tuple(items.get(app, ())),
        )
        for app, year, scheme, unit_name, code, file_sha256, studio_name, version, previous_id in heads
    ]


def stored_prints(db: Database, ids: Iterable[int]) -> Stored:
    """The fingerprints of the applications `ids` for the near-duplicate search, from the process's index
    of every stored hash (`print_rows`): their applications, hashes and materials as arrays, and a reader
    that fetches the whole fingerprints of the few to judge by rowid (a thumbnail is a few KB: those of
    300 applications' 15 000 pictures are 100 MB, and columns stored after it cost a walk through its
    overflow pages)."""
    import numpy as np

    from assembler.core.similar import Stored

    index = print_rows(db)
    at = np.flatnonzero(np.isin(index.applications, np.array(sorted(set(ids)), dtype=np.int64)))
    rowids = index.rowids[at]

    def read(positions: Sequence[int]) -> list[tuple[str, str, Print]]:
        wanted = [int(rowids[j]) for j in positions]
        found: dict[int, tuple[str, str, Print]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = f"SELECT rowid AS stored_row, * FROM prints WHERE rowid IN ({','.join('?' * len(chunk))})"
            for c in db.query(sql, chunk):
                found[c["stored_row"]] = (c["path"], c["sha256"], _stored_print(c))
        return [found[row] for row in wanted]

    return Stored(index.applications[at], index.hashes[at], index.materials[at], read)


def get_record(db: Database, app_id: int) -> Record | None:
    """One application, or None when the register has no such number."""
    found = load_records(db, [app_id])
    return found[0] if found else None


def app_id_by_hash(db: Database, sha256: str) -> int | None:
    """The application already recorded from the file with this hash."""
    rows = list(db.query("SELECT id FROM applications WHERE file_sha256 = ?", [sha256]))
    return rows[0]["id"] if rows else None


def versions(db: Database, app_id: int) -> set[int]:
    """Every version of the application `app_id` belongs to: the ones it replaces and the ones that
    replace it.
    """
    found = set(lineage(db, app_id))
    todo = [app_id]
    while todo:
        current = todo.pop()
        for row in db.query("SELECT id FROM applications WHERE previous_id = ?", [current]):
            if row["id"] not in found:
                found.add(row["id"])
                todo.append(row["id"])
    return found


def lineage(db: Database, app_id: int) -> list[int]:
    """`app_id` and every earlier version it replaces, newest first."""
    out: list[int] = []
    current: int | None = app_id
    while current is not None and current not in out:
        out.append(current)
        rows = list(db.query("SELECT previous_id FROM applications WHERE id = ?", [current]))
        current = rows[0]["previous_id"] if rows else None
    return out


def version_diff(db: Database, app_id: int) -> dict[str, Any] | None:
    """How version `app_id` differs from the one it replaces, as stored at intake (None for a first)."""
    rows = list(db.query("SELECT diff FROM applications WHERE id = ?", [app_id]))
    return json.loads(rows[0]["diff"]) if rows and rows[0]["diff"] else None


def latest_in_chain(db: Database, chain_key: str) -> list[dict[str, Any]]:
    """The applications with this unit/fund/year(/studio) key that no later version replaces."""
    return list(
        db.query(
            "SELECT a.* FROM applications a WHERE a.chain_key = ? AND NOT EXISTS "
            "(SELECT 1 FROM applications b WHERE b.previous_id = a.id) ORDER BY a.id",
            [chain_key],
        )
    )


def candidate_ids(db: Database, r: Record) -> set[int]:
    """Every application sharing a key with `r` (a file hash, ledger item, meeting date, patent, its
    unit/fund/year, its studio): an index lookup per key, so the cost does not grow with the register.
    """
    out: set[int] = set()

    def collect(sql: str, values: list[Any]) -> None:
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            marks = ",".join("?" * len(chunk))
            out.update(row[0] for row in db.execute(sql.format(marks=marks), chunk).fetchall())

    collect(
        "SELECT DISTINCT application_id FROM evidence WHERE sha256 IN ({marks})",
        [e.sha256 for e in r.evidence],
    )
    collect("SELECT DISTINCT application_id FROM items WHERE key IN ({marks})", [i.key for i in r.items])
    collect(
        "SELECT DISTINCT application_id FROM meetings WHERE date IN ({marks})", [m.date for m in r.meetings]
    )
    collect("SELECT DISTINCT application_id FROM patents WHERE key IN ({marks})", [p.key for p in r.patents])
    collect("SELECT id FROM applications WHERE chain_key IN ({marks})", [r.chain_key])
    if r.studio_key:
        collect("SELECT id FROM applications WHERE studio_key IN ({marks})", [r.studio_key])
    return out


@dataclass(frozen=True)
class PrintRows:
    """Every stored fingerprint's rowid, application, pHash (uint64) and material, as numpy arrays in rowid
    order (so one application's are in the order of its files)."""

    rowids: Any
    applications: Any
    hashes: Any
    materials: Any  # object: str or None

    def extended(self, rows: list[tuple[int, int, int, str | None]]) -> PrintRows:
        """These and the given (rowid, application, signed pHash, material) rows after them."""
        import numpy as np

        return PrintRows(
            np.concatenate([self.rowids, np.array([r[0] for r in rows], dtype=np.int64)]),
            np.concatenate([self.applications, np.array([r[1] for r in rows], dtype=np.int64)]),
            np.concatenate([self.hashes, np.array([r[2] for r in rows], dtype=np.int64).view(np.uint64)]),
            np.concatenate([self.materials, np.array([r[3] for r in rows], dtype=object)]),
        )


_PRINTS: dict[str, tuple[int, PrintRows]] = {}  # register file → (last prints rowid read, its rows)


def print_rows(db: Database) -> PrintRows:
    """Every stored fingerprint's hash, application and material (not its thumbnail). Kept per register
    file in the process and extended by the rows added since (prints are only ever inserted), so a server
    or a batch intake reads each hash once."""
    import numpy as np

    name = str(db.execute("PRAGMA database_list").fetchone()[2])
    empty = PrintRows(*(np.zeros(0, t) for t in (np.int64, np.int64, np.uint64, object)))
    last, rows = _PRINTS.get(name, (0, empty))
    top = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM prints").fetchone()[0]
    if top < last:  # a register replaced by another file of that name: start again
        last, rows = 0, empty
    if top > last:
        sql = "SELECT rowid, application_id, phash, material FROM prints WHERE rowid > ? ORDER BY rowid"
        rows = rows.extended(db.execute(sql, [last]).fetchall())
        if name and not db.conn.in_transaction:  # only committed rows are kept (a rollback reuses rowids)
            _PRINTS[name] = (top, rows)
    return rows


def hash_index(db: Database) -> tuple[Any, Any]:
    """Every stored pHash (uint64) and its application, as numpy arrays (`print_rows`)."""
    rows = print_rows(db)
    return rows.applications, rows.hashes


@dataclass(frozen=True)
class Compared:
    """The other applications one application is held against, as each kind of rule needs them."""

    records: list[Record]  # for the rules on shared keys (crossyear.register_findings): whole, no prints
    similar: list[Record]  # for the near-duplicate rules: similar_records
    prints: Stored  # and their pictures: stored_prints


def records_to_compare(db: Database, r: Record, limits: Thresholds, exclude: Iterable[int] = ()) -> Compared:
    """The other applications the cross-application rules hold `r` against: those sharing a key with it
    (candidate_ids) and those with pictures near its own by hash or items by its proposers
    (similar_candidate_ids), less `exclude`.

    The near-duplicate rules get all of them, read narrowly (similar_records, stored_prints). The rules on
    shared keys get whole records of those sharing a key, and of every other version of their chains among
    the rest (they pick each chain's latest version); one that shares neither a key nor a chain with one
    that does cannot give them a finding, so its whole record is not read."""
    skip = set(exclude)
    keyed = candidate_ids(db, r) - skip
    near = similar_candidate_ids(db, r, limits.hamming, limits.nearest) - skip
    similar = similar_records(db, keyed | near, [i.proposer for i in r.items])
    chains = {s.chain_key for s in similar if s.id in keyed}
    whole = load_records(db, [s.id for s in similar if s.id is not None and s.chain_key in chains], False)
    return Compared(whole, similar, stored_prints(db, keyed | near))


def similar_candidate_ids(db: Database, r: Record, distance: int, nearest: int = 8) -> set[int]:
    """Applications holding a picture within `distance` pHash bits of one of `r`'s, or a ledger item by one
    of `r`'s proposers: one scan of the fingerprints' hashes, compared all at once (numpy), so one
    intake's search stays in milliseconds with 50 000 pictures in the register."""
    import numpy as np

    from assembler.core.similar import nearest_hashes

    out: set[int] = set()
    mine = [p.phash for e in r.evidence for p in e.prints]
    if mine:
        apps, hashes = hash_index(db)
        for phash in set(mine):
            near = nearest_hashes(hashes, phash, distance, nearest)
            out.update(int(a) for a in np.unique(apps[near]))
    proposers = sorted({i.proposer for i in r.items if i.proposer})
    for start in range(0, len(proposers), 500):
        chunk = proposers[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT DISTINCT application_id FROM items WHERE proposer IN ({marks})"
        out.update(row[0] for row in db.execute(sql, chunk).fetchall())
    return out


def disqualifications(db: Database) -> list[Disqualification]:
    """The 第三条 list in force: every listing not withdrawn by a later row."""
    rows = list(db.query("SELECT * FROM disqualified ORDER BY id"))
    withdrawn = {r["withdraws"] for r in rows if r["withdrawn"]}
    return [
        Disqualification(r["code"], r["since"], r["reason"], r["until"], r["name"] or "", r["id"])
        for r in rows
        if not r["withdrawn"] and r["id"] not in withdrawn
    ]


def stored_findings(db: Database, app_id: int, stage: str | None = None) -> list[Finding]:
    """The findings kept for one application (verify/check first, then the register's, then those made
    at intake: the call, the signer), or those of one `stage`."""
    where = "" if stage is None else " AND stage = ?"
    order = "CASE stage WHEN 'verify' THEN 0 WHEN 'register' THEN 1 ELSE 2 END"
    return [
        Finding(r["rule"], r["severity"], r["message"], r["material"], r["path"], r["fix"])
        for r in db.query(
            f"SELECT * FROM findings WHERE application_id = ?{where} ORDER BY {order}, rowid",
            [app_id] if stage is None else [app_id, stage],
        )
    ]


def table(db: Database, name: str) -> Table:
    """A table of the register (typed for mypy)."""
    return db.table(name)
