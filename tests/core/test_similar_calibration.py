"""Near-duplicate pictures on the calibration set (tests/resources/calibration, made by
tests/resources/make_calibration.py): re-used pictures found, honest look-alikes not flagged, with the
thresholds of checklists/similarity.yaml. The figures are the ones the README reports."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from assembler.core.similar import compare
from assembler.load.checklists import similarity_thresholds
from assembler.load.fingerprint import prints_of

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "tests" / "resources" / "calibration"
PAIRS = json.loads((CALIBRATION / "pairs.json").read_text(encoding="utf-8"))
PHOTOS = sorted((ROOT / "examples").glob("*/**/*.jpg"))


def _print(path: Path):
    kind = "pdf" if path.suffix == ".pdf" else "image"
    with path.open("rb") as fh:
        found = prints_of(fh, kind)
    assert found, f"no fingerprint for {path.name}"
    return found[0]


def _flagged(a: Path, b: Path, **changes) -> bool:
    limits = dataclasses.replace(similarity_thresholds(), **changes)
    return compare(_print(a), _print(b), limits) is not None


def test_every_reused_photo_is_found_and_no_look_alike_is_flagged():
    photos = [p for p in PAIRS if not p["a"].startswith(("receipt", "letter"))]
    same = [p for p in photos if p["same"]]
    found = [p["what"] for p in same if _flagged(CALIBRATION / p["a"], CALIBRATION / p["b"])]
    alarms = [
        p["what"] for p in photos if not p["same"] and _flagged(CALIBRATION / p["a"], CALIBRATION / p["b"])
    ]
    assert len(same) >= 14 and len(found) == len(same), sorted({p["what"] for p in same} - set(found))
    assert alarms == []


def test_the_examples_meeting_photos_are_not_flagged():
    assert len(PHOTOS) >= 12
    pairs = list(itertools.combinations(PHOTOS, 2))
    alarms = [(a.name, b.name) for a, b in pairs if _flagged(a, b)]
    assert alarms == []


def test_pages_when_compared_find_rescans_and_spare_other_signatures():
    """Grey pages are not compared by default (a thumbnail cannot read a changed date: two meetings'
    minutes on one template look the same); with `pages: true` the calibration's re-scans are found and
    the same form signed by other people is not."""
    pages = [p for p in PAIRS if p["a"].startswith(("receipt", "letter"))]
    for p in pages:
        a, b = CALIBRATION / p["a"], CALIBRATION / p["b"]
        assert _flagged(a, b, pages=True) is p["same"], p["what"]
        assert not _flagged(a, b)


def test_a_template_page_with_another_date_is_why_pages_are_off():
    minutes = sorted((ROOT / "examples" / "innovation-bonus").glob("4-评审会议/*/*纪要.pdf"))
    assert len(minutes) == 3
    assert _flagged(minutes[0], minutes[1], pages=True)  # the known limit, kept visible
    assert not _flagged(minutes[0], minutes[1])


@pytest.mark.parametrize("name", ["meeting.jpg", "receipt-2025.png"])
def test_calibration_set_is_reproducible(name, tmp_path):
    """The script makes the same bytes again (so the set in the repository is what the script makes)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_calibration", CALIBRATION.parent / "make_calibration.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.OUT = tmp_path
    module.main()
    assert (tmp_path / name).read_bytes() == (CALIBRATION / name).read_bytes()
    assert (tmp_path / "pairs.json").read_bytes() == (CALIBRATION / "pairs.json").read_bytes()
