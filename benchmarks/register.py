"""Time the register at scale (not part of the tests).

    python benchmarks/register.py [--apps 1000] [--items 100] [--dossier FILE.pdf]

Fills a fresh register with N synthetic applications over five years (each with `--items` ledger
items, 20 evidence files, 2 meetings), then measures, on that register:

- the intake of one more application, given as a record (insert + candidate lookup by index + every
  cross-year rule + storing the findings, in one transaction), once sharing nothing and once reusing
  all items and five files of an earlier application;
- the cross-year checks alone for that application;
- with `--dossier`, the whole `intake` of a real dossier PDF (verify included) into that register.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.core.identifiers import credit_code_check_char, org_code_check_char  # noqa: E402
from assembler.reviewer.register import db as store  # noqa: E402
from assembler.reviewer.register.intake import findings_for, intake_one  # noqa: E402
from assembler.reviewer.register.records import Evidence, Item, Meeting, Record  # noqa: E402


def credit_code(n: int) -> str:
    body = f"MA{n:06d}"
    first17 = "91120116" + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def synthetic(n: int, items: int) -> Record:
    year = 2022 + n % 5
    unit = credit_code(n // 5)  # each unit applies in five years
    return Record(
        year=year,
        scheme="innovation",
        case="count",
        unit_name=f"天津示例第{n // 5}号有限公司",
        credit_code=unit,
        union_name=f"天津示例第{n // 5}号有限公司工会委员会",
        file_sha256=hashlib.sha256(f"file{n}".encode()).hexdigest(),
        claimed_fen=300000,
        recomputed_fen=300000,
        items=tuple(
            Item(f"项目{n}-{i}号改进", f"职工{n}-{i}", f"{year}-03-01", 60000, "小革新", "车间")
            for i in range(items)
        ),
        meetings=(
            Meeting(f"{year}-03-{1 + n % 28:02d}", f"评审会{n}"),
            Meeting(f"{year - 1}-09-{1 + n % 28:02d}", ""),
        ),
        evidence=tuple(
            Evidence(
                f"{m}-材料/文件{k}.pdf", hashlib.sha256(f"ev{n}-{k}".encode()).hexdigest(), 1000 + k, str(m)
            )
            for k, m in enumerate([2, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 6, 7, 7, 7, 7, 7])
        ),
        received_at=f"{year}-04-01T09:00:00+00:00",
        source_name=f"{n}.pdf",
        kind="申报材料 PDF",
        data={"year": year, "scheme": "innovation"},
    )


def record_intake(db, record: Record) -> tuple[float, int]:
    """Insert + checks + findings, as intake_one does after reading the file; returns (s, findings)."""
    start = time.perf_counter()
    with db.atomic():
        app_id = store.insert_record(db, record)
        record = replace(record, id=app_id)
        found = findings_for(db, record, {app_id})
        store.store_findings(db, app_id, "register", found)
    return time.perf_counter() - start, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--dossier", type=Path, help="a dossier PDF to intake into the filled register")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-register-") as tmp:
        path = Path(tmp) / "register.sqlite"
        db = store.open_register(path)
        start = time.perf_counter()
        with db.atomic():
            for n in range(args.apps):
                store.insert_record(db, synthetic(n, args.items))
        fill = time.perf_counter() - start
        rows = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        size = path.stat().st_size + (
            path.with_name(path.name + "-wal").stat().st_size
            if path.with_name(path.name + "-wal").exists()
            else 0
        )
        print(
            f"register: {args.apps} applications, {rows} ledger items, "
            f"filled in {fill:.1f} s, {size / 1e6:.1f} MB"
        )

        fresh = synthetic(args.apps + 10, args.items)
        fresh = replace(fresh, year=2027, credit_code=credit_code(99999), file_sha256="new-1")
        t_clean, n_clean = record_intake(db, fresh)
        reuse_of = synthetic(args.apps // 2, args.items)
        reusing = replace(
            fresh,
            file_sha256="new-2",
            credit_code=credit_code(99998),
            items=reuse_of.items,
            evidence=fresh.evidence[:15] + reuse_of.evidence[:5],
        )
        t_reuse, n_reuse = record_intake(db, reusing)
        checks = []
        for _ in range(20):
            start = time.perf_counter()
            findings_for(db, reusing, set())
            checks.append(time.perf_counter() - start)
        print(f"intake of one more (record, nothing shared): {t_clean * 1000:.1f} ms, {n_clean} findings")
        print(
            f"intake of one more (record, reusing 100 items and 5 files): "
            f"{t_reuse * 1000:.1f} ms, {n_reuse} findings"
        )
        print(f"cross-year checks alone: median {statistics.median(checks) * 1000:.1f} ms over 20 runs")
        if args.dossier:
            start = time.perf_counter()
            result = intake_one(db, args.dossier)
            took = time.perf_counter() - start
            print(
                f"intake of {args.dossier.name} (verify + record + checks): "
                f"{took * 1000:.0f} ms, status {result.status}"
            )
            assert result.record is not None
            with db.atomic():  # forget it again, so that the command line records it anew
                for table in ("evidence", "items", "meetings", "patents", "findings"):
                    db.execute(f"DELETE FROM {table} WHERE application_id = ?", [result.record.id])
                db.execute("DELETE FROM applications WHERE id = ?", [result.record.id])
            db.close()
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "assembler", "intake", str(args.dossier), "--register", str(path)],
                cwd=ROOT,
                check=False,
                capture_output=True,
            )
            print(f"dossier intake {args.dossier.name} (a new process): {time.perf_counter() - start:.2f} s")
        else:
            db.close()


if __name__ == "__main__":
    main()
