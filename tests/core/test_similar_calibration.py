"""Near-duplicate pictures on the calibration set (tests/resources/calibration, made by
tests/resources/make_calibration.py): re-used pictures found, honest look-alikes not flagged, with the
thresholds of checklists/similarity.yaml. The figures are the ones the README reports: photos and scanned
pages alike, pages compared by default."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from assembler.core.models import PAGE_ROWS, ink_shape, print_from_json
from assembler.core.similar import Holder, compare, page_difference, within_application
from assembler.load.checklists import similarity_thresholds
from assembler.load.fingerprint import prints_of

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "tests" / "resources" / "calibration"
PAIRS = json.loads((CALIBRATION / "pairs.json").read_text(encoding="utf-8"))
PHOTOS = sorted((ROOT / "examples").glob("*/**/*.jpg"))
PAGES = ("receipt", "letter", "minutes")  # the calibration's pages (the other pictures are photos)


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
    photos = [p for p in PAIRS if not p["a"].startswith(PAGES)]
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


def _page_pairs():
    return [p for p in PAIRS if p["a"].startswith(PAGES)]


def test_every_page_scanned_again_is_found_and_no_look_alike_page_is_flagged():
    """Pages are compared by default: the signed 签收单 and the minutes scanned again (blur, grain, a skew up
    to 1.5°, another scanner's brightness, a border cut off; a rendered page printed and scanned) are
    found; the same form signed by others, and pages of one template that differ in one line only (the
    date, the title by one character, one number), are not."""
    pages = _page_pairs()
    same = [p for p in pages if p["same"]]
    found = [p["what"] for p in same if _flagged(CALIBRATION / p["a"], CALIBRATION / p["b"])]
    alarms = [
        p["what"] for p in pages if not p["same"] and _flagged(CALIBRATION / p["a"], CALIBRATION / p["b"])
    ]
    assert len(same) >= 7 and len(found) == len(same), sorted({p["what"] for p in same} - set(found))
    assert len(pages) - len(same) >= 9 and alarms == []
    assert not any(_flagged(CALIBRATION / p["a"], CALIBRATION / p["b"], pages=False) for p in pages)


def test_the_page_threshold_keeps_a_margin_on_both_sides():
    """The worst re-scan and the closest look-alike page lie at least twice the threshold's distance apart
    from it (docs/rules.md states the figures)."""
    limits = similarity_thresholds()
    figures = {True: [], False: []}
    for p in _page_pairs():
        difference = page_difference(_print(CALIBRATION / p["a"]), _print(CALIBRATION / p["b"]))
        assert difference is not None, p["what"]
        figures[p["same"]].append(difference)
    assert 2 * max(figures[True]) <= limits.page_ink <= min(figures[False]) / 2, figures


def _example_holder() -> Holder:
    files = []
    for path in sorted((ROOT / "examples").rglob("*")):
        kind = {".pdf": "pdf", ".ofd": "ofd", ".jpg": "image", ".png": "image"}.get(path.suffix)
        if kind:
            with path.open("rb") as fh:
                prints = prints_of(fh, kind)
            if prints:
                files.append((str(path.relative_to(ROOT)), path.name, None, prints))
    return Holder("", 2026, files=tuple(files))


def test_the_examples_scanned_pages_are_not_flagged_within_or_across_them():
    """All three examples' pictures as one pool: their minutes of different meetings on one template
    (other title, date and number), their rules, receipts and vouchers give no finding."""
    holder = _example_holder()
    pages = [p for _, _, _, prints in holder.files for p in prints if not p.chroma]
    assert len(pages) >= 15 and all(p.ink for p in pages)
    assert within_application(holder, similarity_thresholds()) == []


def test_a_page_fingerprint_is_small_and_older_ones_still_load():
    """A page's ink map costs under 10 KB (base64; the README states the figure); a fingerprint from
    before the maps (no `ink`) still loads, and such a page is not compared with a new one (no finding,
    no error), while a malformed map is refused like any malformed fingerprint."""
    new = _print(CALIBRATION / "minutes.png")
    again = _print(CALIBRATION / "minutes-blur.jpg")
    assert 0 < len(new.ink) < 10_000 and ink_shape(new.ink)[0] == PAGE_ROWS
    assert compare(new, again) is not None
    old = {key: value for key, value in again.to_json().items() if key != "ink"}
    loaded = print_from_json(old)
    assert loaded is not None and loaded.ink == "" and loaded.thumb == again.thumb
    assert compare(new, loaded) is None and compare(loaded, loaded) is None
    assert print_from_json({**again.to_json(), "ink": "bm90IGEgbWFw"}) is None
    photo = _print(CALIBRATION / "meeting.jpg")
    assert "ink" not in photo.to_json()


@pytest.mark.parametrize("name", ["meeting.jpg", "receipt-2025.png", "minutes-blur.jpg"])
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
