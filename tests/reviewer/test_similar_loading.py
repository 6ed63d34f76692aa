"""The register's narrow reads for the cross-application rules (db.records_to_compare: similar_records,
stored_prints, whole records only where the rules on shared keys need them) give the same findings as
whole records of every candidate, on a small register with re-used photos and pages, a standing
material, a later version, a look-alike, a shared file and renamed ledger items."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

from assembler.load.checklists import similarity_thresholds, standing_materials
from assembler.load.fingerprint import print_of_image
from assembler.reviewer.register import db as store
from assembler.reviewer.register.crossyear import register_findings, similar_findings, similar_pairs
from assembler.reviewer.register.records import Evidence, Item, Record

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "tests" / "resources" / "calibration"
A, B, C, D = "91120116MA05XK8Y3N", "91120116MA0AAAAA1B", "91120116MA0CCCCC1C", "91120116MA0DDDDD1D"
STANDING = standing_materials("innovation")
_FILES = itertools.count()


def _record(year: int, unit: str, files=(), items=(), **fields) -> Record:
    evidence = []
    for path, material, picture in files:
        found = print_of_image((CALIBRATION / picture).read_bytes())
        assert found is not None, picture
        evidence.append(Evidence(path, f"sha-{picture}", 1000, material, (found,)))
    return Record(
        year=year,
        scheme="innovation",
        unit_name=f"单位{unit[-3:]}",
        credit_code=unit,
        file_sha256=f"file-{next(_FILES)}",
        evidence=tuple(evidence),
        items=tuple(Item(n, p) for n, p in items),
        **fields,
    )


def _register(tmp_path: Path):
    """A register of five applications and a new one (recorded, as at intake); returns (db, new)."""
    db = store.open_register(tmp_path / "register.sqlite")
    with store.writing(db):
        first = store.insert_record(
            db,
            _record(
                2025,
                A,
                [
                    ("4-评审会议/a.jpg", "4", "meeting.jpg"),
                    ("2-激励制度/制度.jpg", "2", "meeting-q75.jpg"),
                    ("5-发放/签收单.png", "5", "receipt-2025.png"),
                ],
                [("焊接烟尘收集器", "李强"), ("包装线自动封箱", "王 敏"), ("车间照明节能改造", "孙八")],
            ),
        )
        store.insert_record(  # A's later version of the same year: the one the rules compare with
            db,
            _record(
                2025,
                A,
                [
                    ("4-评审会议/a.jpg", "4", "meeting-crop5.jpg"),
                    ("5-发放/签收单.png", "5", "receipt-2025.png"),
                ],
                [("焊接烟尘收集器", "李强"), ("包装线自动封箱", "王 敏")],
                version=2,
                previous_id=first,
            ),
        )
        store.insert_record(  # another unit this year: a look-alike and a re-used photo
            db,
            _record(
                2026,
                C,
                [("4-评审会议/c.jpg", "4", "meeting-other.jpg"), ("4/d.png", "4", "meeting-tiny.png")],
            ),
        )
        store.insert_record(  # shares a file (the same SHA-256) and nothing near by hash
            db, _record(2026, D, [("4-评审会议/letter.png", "4", "letter-b.png")], [("无关项目名称", "周七")])
        )
        studio = _record(2026, B, [("4-评审会议/e.jpg", "4", "meeting-q30.jpg")])
        # the new one's own unit, another fund of the same year: not compared
        store.insert_record(db, dataclasses.replace(studio, scheme="studio", studio_name="甲"))
        new = _record(
            2026,
            B,
            [
                ("4-评审会议/x.jpg", "4", "meeting-wechat.jpg"),
                ("2-激励制度/制度.jpg", "2", "meeting-q55.jpg"),
                ("5-发放/签收单.jpg", "5", "receipt-2025-rescan.jpg"),
                ("4-评审会议/letter.png", "4", "letter-b.png"),
            ],
            [("焊接烟尘收集装置", "李强"), ("包装线自动封装", "王敏"), ("车间照明节能改造", "孙八")],
        )
        new = dataclasses.replace(new, id=store.insert_record(db, new))
    return db, new


def _whole(db, new: Record, limits) -> list[Record]:
    """Whole records (every file and fingerprint) of every candidate: what the rules were given before."""
    skip = store.versions(db, new.id)
    wanted = store.candidate_ids(db, new) | store.similar_candidate_ids(
        db, new, limits.hamming, limits.nearest
    )
    return store.load_records(db, wanted - skip)


def test_narrow_reads_give_the_same_findings_as_whole_records(tmp_path):
    db, new = _register(tmp_path)
    for limits in (similarity_thresholds(), dataclasses.replace(similarity_thresholds(), pages=True)):
        whole = _whole(db, new, limits)
        compared = store.records_to_compare(db, new, limits, store.versions(db, new.id))
        before = similar_findings(new, whole, STANDING, limits)
        after = similar_findings(new, compared.similar, STANDING, limits, stored=compared.prints)
        assert after == before
        rules = {f.rule for f in after}
        assert rules == {"REGISTER-EVIDENCE-SIMILAR", "REGISTER-ITEM-SIMILAR"}
        # the renamed items of both proposers, the second written with a space in one application
        assert sum(f.rule == "REGISTER-ITEM-SIMILAR" for f in after) == 2
        assert register_findings(new, compared.records) == register_findings(new, whole)
        # A's first version shares an item with the new one, its later version (the one compared) does not:
        # whole records of those sharing a key alone would raise it against the superseded version
        keyed = store.load_records(db, store.candidate_ids(db, new) - store.versions(db, new.id))
        assert register_findings(new, keyed) != register_findings(new, whole)
        assert not any(f.rule == "REGISTER-ITEM-REUSED" for f in register_findings(new, compared.records))
        assert any(f.rule == "REGISTER-EVIDENCE-SHARED" for f in register_findings(new, compared.records))
        # fewer whole records: only those sharing a key with the new one (and their chains)
        assert {r.credit_code for r in compared.records} == {A, D}
        assert len(compared.records) < len(compared.similar)
        assert {r.credit_code for r in compared.similar} >= {A, C, D}
        assert all(r.evidence == () for r in compared.similar)
    pages = similar_pairs(
        new,
        compared.similar,
        STANDING,
        dataclasses.replace(similarity_thresholds(), pages=True),
        compared.prints,
    )
    assert any(p.kind == "rescanned" for p in pages)  # the re-scanned page, read through stored_prints
    # A's standing 制度 (material 2, another year) is not compared with the new one's
    earlier = store.versions(db, 1)
    assert any(p.old.application in earlier for p in pages if p.kind != "item")
    assert not any("制度" in p.new.path and p.old.application in earlier for p in pages)
    assert any("制度" in p.new.path for p in pages)  # but with another unit's photo of the same year


def test_stored_prints_reads_the_whole_fingerprints_and_sees_later_rows(tmp_path):
    db, new = _register(tmp_path)
    ids = sorted(store.versions(db, 1) | {3})
    whole = {
        (r.id, e.path, p.page): (e.sha256, p)
        for r in store.load_records(db, ids)
        for e in r.evidence
        for p in e.prints
    }
    stored = store.stored_prints(db, ids)
    assert sorted(set(stored.applications.tolist())) == ids
    read = stored.read(list(range(len(stored.applications))))
    assert len(read) == len(whole)
    for app, (path, sha, p) in zip(stored.applications.tolist(), read, strict=True):
        assert whole[(app, path, p.page)] == (sha, p)
        assert p.thumb  # the thumbnail comes with the whole fingerprint
    assert any(p.chroma for _, _, p in read) and not all(p.chroma for _, _, p in read)  # photos and a page
    assert [int(p.phash, 16) for _, _, p in read] == stored.hashes.tolist()
    # a later application is found by the index kept in the process (extended by the new rows)
    with store.writing(db):
        later = store.insert_record(db, _record(2027, C, [("4/z.jpg", "4", "meeting-half.jpg")]))
    assert later in store.stored_prints(db, [later]).applications.tolist()


def test_similar_records_are_narrow_and_keep_only_the_proposers_items(tmp_path):
    db, new = _register(tmp_path)
    light = store.similar_records(db, [1, 2, 4], ["王敏", "李强"])
    assert [r.id for r in light] == [1, 2, 4]
    assert [r.chain_key for r in light] == [r.chain_key for r in store.load_records(db, [1, 2, 4])]
    assert light[1].version == 2 and light[1].previous_id == 1
    assert [i.proposer for i in light[0].items] == ["李强", "王 敏"]  # "王 敏" is 王敏 (comparable)
    assert light[2].items == ()  # 周七's item: no proposer of the new application
    assert store.similar_records(db, [1], [])[0].items == ()
    assert store.similar_records(db, []) == []
