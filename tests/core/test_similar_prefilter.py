"""The rough pre-filter before the alignment search (assembler.core.similar.plausible) lets through every
pair that `compare` accepts on the calibration set (tests/resources/calibration) and the examples' photos,
grey pages compared too, with room to spare; and it does turn pairs away."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np

from assembler.core.similar import ROUGH_CORRELATION, _rough, compare, hamming, plausible
from assembler.load.checklists import similarity_thresholds
from assembler.load.fingerprint import prints_of

ROOT = Path(__file__).resolve().parents[2]
CALIBRATION = ROOT / "tests" / "resources" / "calibration"
PICTURES = sorted(p for p in CALIBRATION.iterdir() if p.suffix in (".jpg", ".png")) + sorted(
    (ROOT / "examples").glob("*/**/*.jpg")
)


def _prints():
    out = []
    for path in PICTURES:
        with path.open("rb") as fh:
            found = prints_of(fh, "image")
        assert found, f"no fingerprint for {path.name}"
        out.append((path.name, found[0]))
    return out


def test_the_pre_filter_never_drops_a_pair_compare_accepts():
    limits = dataclasses.replace(similarity_thresholds(), pages=True)  # grey pages judged too
    prints = _prints()
    assert len(prints) >= 40
    # every ordered pair the hash search could bring (compare turns the others away at once)
    pairs = [
        (a, b)
        for a, b in itertools.permutations(prints, 2)
        if hamming(a[1].phash, b[1].phash) <= limits.hamming
    ]
    passed = plausible([(a[1], b[1]) for a, b in pairs], limits)
    verdicts = [compare(a[1], b[1], limits) for a, b in pairs]
    accepted = [k for k, found in enumerate(verdicts) if found is not None]
    assert len(accepted) >= 150
    assert {found.kind for found in verdicts if found} == {"resaved", "resized", "cropped", "rescanned"}
    dropped = [(pairs[k][0][0], pairs[k][1][0]) for k in accepted if not passed[k]]
    assert dropped == []
    # with room to spare: the accepted pairs' rough correlation stays well above the bar
    rough = _rough([p for k in accepted for p in (pairs[k][0][1], pairs[k][1][1])])
    correlations = np.einsum("ij,ij->i", rough[0::2], rough[1::2]) / rough.shape[1]
    assert correlations.min() >= ROUGH_CORRELATION + 0.1
    # and it is a filter: some pairs near by hash are turned away before the alignment search
    assert not all(passed)


def test_without_pages_grey_pairs_are_not_passed_on():
    limits = similarity_thresholds()
    assert not limits.pages
    prints = dict(_prints())
    page, rescan, photo = prints["receipt-2025.png"], prints["receipt-2025-rescan.jpg"], prints["meeting.jpg"]
    assert plausible([(page, rescan), (photo, prints["meeting-q30.jpg"])], limits) == [False, True]
    assert plausible([(page, rescan)], dataclasses.replace(limits, pages=True)) == [True]
    assert plausible([], limits) == []
