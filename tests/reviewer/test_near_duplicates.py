"""Near-duplicate pictures and similar ledger items across applications: the register's rules on plain
records, the intake with fingerprints from a folder, a reviewer's dismissal that holds, and the manifest's
fingerprints read back."""

from __future__ import annotations

import io
from pathlib import Path

from conftest import copy_example, edit_yaml
from PIL import Image, ImageOps

from assembler.core.models import ink_shape, print_from_json
from assembler.load.checklists import similarity_thresholds
from assembler.load.fingerprint import print_of_image
from assembler.reviewer.register import db as store
from assembler.reviewer.register.crossyear import similar_findings
from assembler.reviewer.register.intake import intake_one, record_from_data, refresh_findings
from assembler.reviewer.register.records import Evidence, Item, Record

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "tests" / "resources" / "calibration"
A, B = "91120116MA05XK8Y3N", "91120116MA0AAAAA1B"


def _fp(name: str):
    found = print_of_image((CALIBRATION / name).read_bytes())
    assert found is not None
    return found


def _rec(id_: int, year: int, unit: str, files=(), items=()) -> Record:
    return Record(
        year=year,
        scheme="innovation",
        unit_name=f"单位{id_}",
        credit_code=unit,
        file_sha256=f"f{id_}",
        id=id_,
        evidence=tuple(
            Evidence(path, f"sha-{path}-{id_}", 1000, material, (_fp(pic),)) for path, material, pic in files
        ),
        items=tuple(Item(n, p) for n, p in items),
    )


def _similar(new: Record, others: list[Record], dismissed=frozenset()):
    return similar_findings(new, others, frozenset({"2"}), similarity_thresholds(), dismissed)


def test_another_units_resaved_photo_in_the_same_year_names_both_files_and_the_number():
    old = _rec(7, 2026, A, [("4-评审会议/现场1.jpg", "4", "meeting.jpg")])
    new = _rec(8, 2026, B, [("4-评审会议/照片.jpg", "4", "meeting-wechat.jpg")])
    [finding] = _similar(new, [old])
    assert finding.rule == "REGISTER-EVIDENCE-SIMILAR" and finding.severity == "warning"
    assert "“4-评审会议/照片.jpg”" in finding.message and "“4-评审会议/现场1.jpg”" in finding.message
    assert "登记号 7" in finding.message and "裁剪" in finding.message and "相似度" in finding.message
    assert finding.path == "4-评审会议/照片.jpg"


def test_across_years_only_yearly_materials_and_not_one_units_two_funds():
    rules = _rec(
        1, 2025, A, [("2-激励制度/制度.jpg", "2", "meeting.jpg"), ("4-评审会议/a.jpg", "4", "meeting.jpg")]
    )
    again = _rec(
        2,
        2026,
        A,
        [("2-激励制度/制度.jpg", "2", "meeting-q55.jpg"), ("4-评审会议/b.jpg", "4", "meeting-q30.jpg")],
    )
    found = _similar(again, [rules])
    # the standing material (2) is not raised; the meeting photo (4, yearly) is, against both old files
    assert {f.path for f in found} == {"4-评审会议/b.jpg"}
    same_year_other_fund = _rec(3, 2026, A, [("4-评审会议/c.jpg", "4", "meeting.jpg")])
    assert _similar(again, [same_year_other_fund]) == []


def test_look_alikes_are_not_raised():
    old = _rec(1, 2025, A, [("4/a.jpg", "4", "meeting.jpg"), ("5/签收单.png", "5", "receipt-2025.png")])
    new = _rec(2, 2026, A, [("4/b.jpg", "4", "meeting-moved.jpg"), ("5/签收单.png", "5", "receipt-2026.png")])
    assert _similar(new, [old]) == []


def test_scanned_pages_across_years_a_rescan_raised_another_date_not_an_older_fingerprint_skipped(caplog):
    import dataclasses
    import logging

    old = _rec(1, 2025, A, [("4/纪要.png", "4", "minutes.png"), ("4/纪要2.png", "4", "minutes-date.png")])
    new = _rec(2, 2026, A, [("4/纪要.jpg", "4", "minutes-light.jpg")])
    [finding] = _similar(new, [old])
    assert (
        finding.path == "4/纪要.jpg" and "“4/纪要.png”" in finding.message and "再次扫描" in finding.message
    )
    assert _similar(_rec(3, 2026, A, [("4/纪要.png", "4", "minutes-number.png")]), [old]) == []
    # kept before pages had ink maps: not compared (a square thumbnail cannot read a date), and logged
    before = dataclasses.replace(
        old,
        evidence=tuple(
            dataclasses.replace(e, prints=tuple(dataclasses.replace(p, ink="") for p in e.prints))
            for e in old.evidence
        ),
    )
    with caplog.at_level(logging.INFO, logger="assembler.reviewer.register.crossyear"):
        assert _similar(new, [before]) == []
    assert "2 scanned pages have no ink map" in caplog.text


def test_renamed_ledger_item_with_the_same_proposer():
    old = _rec(4, 2025, A, items=[("焊接烟尘收集器", "李强"), ("包装线自动封箱", "王敏")])
    new = _rec(
        5,
        2026,
        B,
        items=[("焊接烟尘收集装置", "李强"), ("包装线自动贴标", "王敏"), ("焊接烟尘收集装置", "赵六")],
    )
    [finding] = _similar(new, [old])
    assert finding.rule == "REGISTER-ITEM-SIMILAR" and finding.severity == "warning"
    assert "焊接烟尘收集装置" in finding.message and "焊接烟尘收集器" in finding.message
    assert "李强" in finding.message and "登记号 4" in finding.message


def test_a_dismissed_pair_is_not_raised_again():
    old = _rec(7, 2026, A, [("4/a.jpg", "4", "meeting.jpg")])
    new = _rec(8, 2026, B, [("4/b.jpg", "4", "meeting-half.jpg")])
    from assembler.reviewer.register.crossyear import similar_pairs

    [pair] = similar_pairs(new, [old], frozenset(), similarity_thresholds())
    assert _similar(new, [old], frozenset({pair.key})) == []
    # the key is the same whichever application is the new one
    [back] = similar_pairs(old, [new], frozenset(), similarity_thresholds())
    assert back.key == pair.key


def test_manifest_fingerprints_are_read_back_and_bad_ones_skipped():
    good = _fp("meeting.jpg").to_json()
    record = record_from_data(
        {"year": 2026, "scheme": "innovation", "applicant": {"credit_code": A}},
        "bonus",
        [],
        [
            {
                "path": "4/a.jpg",
                "sha256": "x" * 64,
                "size": 9,
                "material": "4",
                "prints": [good, {"page": 1}],
            },
            {"path": "2/b.pdf", "sha256": "y" * 64, "size": 9, "material": "2"},
        ],
        file_sha256="z",
        claimed_fen=None,
        recomputed_fen=None,
        received_at="2026-04-01T08:00:00+00:00",
        source_name="a.pdf",
        kind="申报材料 PDF",
    )
    assert [len(e.prints) for e in record.evidence] == [1, 0]
    assert record.evidence[0].prints[0] == print_from_json(good)


def _resaved_crop(src: Path, dest: Path) -> None:
    im = ImageOps.exif_transpose(Image.open(src))  # as a phone shows it, and saves it again
    w, h = im.size
    out = io.BytesIO()
    im.crop((0, int(h * 0.06), int(w * 0.95), h)).resize((720, 500)).save(out, "JPEG", quality=60)
    dest.write_bytes(out.getvalue())


def test_intake_finds_a_photo_taken_from_another_unit_and_a_dismissal_holds(tmp_path):
    db = store.open_register(tmp_path / "register.sqlite")
    src = tmp_path / "src"
    src.mkdir()
    a = intake_one(db, copy_example("innovation-count", src), received_at="2026-04-01T09:00:00+00:00")
    b_dir = copy_example("innovation-bonus", src)
    theirs = next((src / "innovation-count" / "4-评审会议").glob("2026-03-18*/现场照片1.jpg"))
    mine = next((b_dir / "4-评审会议").glob("2026-05-22*/现场照片2.jpg"))
    _resaved_crop(theirs, mine)
    b = intake_one(db, b_dir, received_at="2026-04-02T09:00:00+00:00")
    similar = [f for f in b.findings if f.rule == "REGISTER-EVIDENCE-SIMILAR"]
    assert len(similar) == 1 and f"登记号 {a.record.id}" in similar[0].message
    assert "现场照片2.jpg" in similar[0].message and "现场照片1.jpg" in similar[0].message
    assert b.exit_code == 0 or all(f.severity != "error" for f in similar)  # a warning, never a refusal
    stored = db.execute("SELECT COUNT(*) FROM prints WHERE application_id = ?", [b.record.id]).fetchone()[0]
    assert stored >= 7  # the photos and the scanned pages of B, kept for later intakes
    pages = [
        p for e in store.get_record(db, b.record.id).evidence for p in e.prints if not p.chroma
    ]  # the scanned pages come back from the register with their ink maps
    assert len(pages) >= 4 and all(ink_shape(p.ink) for p in pages)

    from assembler.reviewer.register.crossyear import similar_pairs

    record = store.get_record(db, b.record.id)
    others = store.load_records(db, {a.record.id})
    [pair] = similar_pairs(record, others, frozenset({"2"}), similarity_thresholds())
    with store.writing(db):
        store.record_verdict(
            db, pair.key, b.record.id, "dismissed", "同一会议室的不同照片", "王芳", "2026-04-03"
        )
    assert not any(f.rule == "REGISTER-EVIDENCE-SIMILAR" for f in refresh_findings(db, b.record.id))
    # B resubmits (a changed phone number): the same two files are not raised again
    edit_yaml(b_dir, lambda d: d["applicant"]["contact"].update(phone="022-58009999"))
    b2 = intake_one(db, b_dir, received_at="2026-04-05T09:00:00+00:00")
    assert b2.status == "version"
    assert not any(f.rule == "REGISTER-EVIDENCE-SIMILAR" for f in b2.findings)


def test_review_of_a_batch_uses_the_same_rules(tmp_path):
    from assembler.reviewer.review import review

    batch = tmp_path / "batch"
    batch.mkdir()
    copy_example("innovation-count", batch)
    b_dir = copy_example("innovation-bonus", batch)
    theirs = next((batch / "innovation-count" / "4-评审会议").glob("2026-03-18*/现场照片1.jpg"))
    _resaved_crop(theirs, next((b_dir / "4-评审会议").glob("2026-05-22*/现场照片2.jpg")))
    summary = review([batch])
    by_name = {r.source.name: r for r in summary.rows}
    for name, other in (("innovation-bonus", "innovation-count"), ("innovation-count", "innovation-bonus")):
        similar = [f for f in by_name[name].findings if f.rule == "REVIEW-SIMILAR-EVIDENCE"]
        assert len(similar) == 1, name
        assert f"（{other}）" in similar[0].message and similar[0].severity == "warning"


def test_a_built_dossier_carries_the_fingerprints_and_still_verifies(example_dossiers):
    from assembler.reviewer.verify import verify

    v = verify(example_dossiers["innovation-bonus"])
    assert v.intact
    photos = [f for f in v.manifest["files"] if f["path"].endswith(".jpg")]
    assert len(photos) == 7
    for f in photos:
        [p] = f["prints"]
        assert print_from_json(p) is not None and p["chroma"]
    scans = [f for f in v.manifest["files"] if f["path"].endswith(".pdf")]
    assert scans and all(len(f["prints"]) == 1 and not f["prints"][0]["chroma"] for f in scans)
