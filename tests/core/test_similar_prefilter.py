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
    limits = dataclasses.replace(similarity_thresholds(), pages=False)
    prints = dict(_prints())
    page, rescan, photo = prints["receipt-2025.png"], prints["receipt-2025-rescan.jpg"], prints["meeting.jpg"]
    assert plausible([(page, rescan), (photo, prints["meeting-q30.jpg"])], limits) == [False, True]
    assert plausible([(page, rescan)], dataclasses.replace(limits, pages=True)) == [True]
    assert plausible([], limits) == []


def _margins_one_at_a_time(big: np.ndarray, small: np.ndarray) -> tuple[float, float]:
    """The alignment's 1-D margin search as it was written before it tried all margins at once."""
    from assembler.core.models import PHOTO_SIDE
    from assembler.core.similar import CROP_SHARE, _normal

    n = len(big)
    grid = np.arange(n)
    target = _normal(small)
    step = n / PHOTO_SIDE
    steps = np.arange(0, CROP_SHARE * n + 0.01, step)

    def error(lo: float, hi: float) -> float:
        cut = np.interp(np.linspace(lo, n - 1 - hi, n), grid, big)
        return float(np.mean(np.abs(_normal(cut) - target)))

    best = min((error(lo, hi), lo, hi) for lo in steps for hi in steps)
    fine = np.arange(-0.75, 0.76, 0.25) * step
    best = min(
        (error(best[1] + a, best[2] + b), best[1] + a, best[2] + b)
        for a in fine
        for b in fine
        if best[1] + a >= 0 and best[2] + b >= 0
    )
    return float(best[1]), float(best[2])


def test_the_margin_search_finds_the_same_margins_to_the_last_bit():
    """compare()'s alignment tries every pair of margins at once: the same margins, exactly, as one at a
    time, on the profiles of the calibration pictures (photos and pages) and on random ones."""
    from assembler.core.similar import _profile_margins, thumb_pixels

    prints = [p for _, p in _prints()[:30]]
    profiles = []
    for a, b in itertools.permutations(prints[:14], 2):
        side = min(thumb_pixels(a).shape[0], thumb_pixels(b).shape[0])  # a page against a photo: 64
        pa, pb = thumb_pixels(a, side), thumb_pixels(b, side)
        profiles += [(pa.mean(axis=1), pb.mean(axis=1)), (pa.mean(axis=0), pb.mean(axis=0))]
    rng = np.random.default_rng(7)
    for n in (64, 128):
        for _ in range(40):
            walk = rng.normal(0, 1, n + 8).cumsum()
            profiles.append((walk[:n], walk[rng.integers(1, 8) :][:n] + rng.normal(0, 0.2, n)))
    assert len(profiles) >= 400
    assert any(len(big) == 128 for big, _ in profiles)
    for big, small in profiles:
        assert _profile_margins(big, small) == _margins_one_at_a_time(big, small)
