"""Near-duplicate evidence and similar ledger items: pure comparison, shared by `check`, `review` and the
register (no file is opened here; the fingerprints come from assembler.load.fingerprint).

A fingerprint (`Print`) is a 64-bit perceptual hash (pHash: the signs of the lowest 8×8 DCT
coefficients of a 32×32 grey thumbnail against their median) and that thumbnail itself (1 KB). The hash
is the index: a vectorised Hamming distance over every hash of the register picks the few candidates
in well under a millisecond. The thumbnail is the judge: the candidate is aligned (a crop of up to
12 % on each side is searched for, in either direction) and compared block by block, so that
a re-encoded, resized, cropped, slightly rotated or re-scanned picture is found, while two honest
photos of one room differ clearly in at least one block (a person moved, a different page of text).
A scanned page is judged by its ink map instead (Print.ink: straightened, cut to its ink, PAGE_ROWS rows,
one bit a pixel): the maps are aligned and compared window by window (about two characters) by the
centre lines of the strokes, so that a page scanned again (blurred, grainy, turned, lighter or darker)
is found while a page of one template with another date, title or number is not.
The thresholds are data (checklists/similarity.yaml), the reasoning in docs/rules.md.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from assembler.core.identifiers import comparable
from assembler.core.models import PHOTO_SIDE, EvidenceFile, Finding, Print, ink_shape

BLOCKS = 8  # the thumbnail is judged in BLOCKS × BLOCKS blocks
CROP_SHARE = 0.125  # a crop of up to this share of each side is searched for
CHROMA = 32  # the colour is kept in CHROMA × CHROMA blocks

KIND_TITLES = {
    "resaved": "同一张图片重新保存（压缩或转换格式）",
    "resized": "同一张图片缩放后重新保存",
    "cropped": "同一张图片裁剪后重新保存",
    "rescanned": "同一页面再次扫描或翻拍",
    "item": "名称相近的项目",
}


@dataclass(frozen=True)
class Thresholds:
    """When two pictures or two ledger items count as the same (checklists/similarity.yaml; the reasoning
    in docs/rules.md)."""

    hamming: int = 22  # candidates: pHash bits that may differ (a loose net; the thumbnails judge)
    nearest: int = 8  # and of those, at most this many closest per picture are judged
    photo_correlation: float = 0.95  # two pictures in colour: the aligned thumbnails' correlation at least
    photo_block: float = (
        0.18  # and no block differing by more (mean absolute difference, standard deviations)
    )
    photo_colour: float = 18.0  # and no block's colour (Cb + Cr) differing by more levels
    # a page (grey, mostly paper): in no PAGE_WINDOW of the aligned ink maps may a larger share of pixels
    # be centre lines of strokes that the other page lacks
    page_ink: float = 0.035
    pages: bool = True  # compare pages at all
    item_name: float = 78.0  # ledger item names: rapidfuzz ratio at least (0–100), with the same proposer
    item_min_chars: int = 4  # names shorter than this are compared only exactly


@dataclass(frozen=True)
class Match:
    """Two pictures judged the same: how (a KIND_TITLES key) and how alike (0–1)."""

    kind: str
    similarity: float


# ---- fingerprints from pixels (the loader decodes, this computes) ------------------------------------


@lru_cache(maxsize=1)
def _dct_matrix() -> np.ndarray:
    n = np.arange(32)
    m = np.cos(np.pi * (2 * n[None, :] + 1) * n[:, None] / 64) * np.sqrt(2 / 32)
    m[0] /= np.sqrt(2)
    return np.asarray(m)


def phash_of(pixels: np.ndarray) -> str:
    """The 64-bit pHash of a square grey thumbnail (a multiple of 32 pixels), as 16 hex digits: the
    8×8 lowest DCT coefficients of its 32 × 32 reduction against their median (imagehash's phash)."""
    c = _dct_matrix()
    x = pixels.astype(np.float64)
    x = x.reshape(32, x.shape[0] // 32, 32, x.shape[1] // 32).mean(axis=(1, 3))
    low = (c @ x @ c.T)[:8, :8].ravel()
    bits = low > np.median(low)
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:016x}"


def _pack(x: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(x, dtype=np.uint8).tobytes(), 9)).decode(
        "ascii"
    )


def make_print(
    pixels: np.ndarray,
    page: int,
    width: int,
    height: int,
    colour: np.ndarray | None = None,
    ink: str = "",
) -> Print:
    """The fingerprint of a square grey thumbnail (uint8; PHOTO_SIDE or PAGE_SIDE pixels), with its
    colour (2 × CHROMA × CHROMA: Cb, Cr) when the picture has one, and a page's ink map when it is one."""
    grey = np.ascontiguousarray(pixels, dtype=np.uint8)
    chroma = _pack(colour) if colour is not None else ""
    return Print(page, phash_of(grey), _pack(grey), width, height, chroma, ink)


def chroma_pixels(p: Print) -> np.ndarray | None:
    """The fingerprint's colour as 2 × CHROMA × CHROMA floats (Cb, Cr), None without colour."""
    if not p.chroma:
        return None
    raw = np.frombuffer(zlib.decompress(base64.b64decode(p.chroma)), dtype=np.uint8)
    return raw.reshape(2, CHROMA, CHROMA).astype(np.float64)


def thumb_pixels(p: Print, side: int | None = None) -> np.ndarray:
    """The fingerprint's thumbnail as square floats, at PHOTO_SIDE pixels or `side` when given (a page's
    larger thumbnail is averaged down to compare it with a photo's)."""
    raw = np.frombuffer(zlib.decompress(base64.b64decode(p.thumb)), dtype=np.uint8)
    n = int(round(len(raw) ** 0.5))
    x = raw.reshape(n, n).astype(np.float64)
    if side is not None and side < n:
        x = x.reshape(side, n // side, side, n // side).mean(axis=(1, 3))
    return x


# ---- comparing two pictures --------------------------------------------------------------------------


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _normal(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return np.asarray((x - x.mean()) / (sd if sd > 1e-6 else 1.0))


def _resample(
    x: np.ndarray,
    top: float,
    bottom: float,
    left: float,
    right: float,
    degrees: float = 0.0,
    aspect: float = 1.0,
) -> np.ndarray:
    """The region of `x` (square) without the given margins (pixels), turned by `degrees` about its centre
    and stretched back to the full size (bilinear; outside the picture the edge is repeated)."""
    n = x.shape[0]
    t = np.linspace(-0.5, 0.5, n)
    u, v = np.meshgrid(t, t)  # u across, v down
    if degrees:
        a = np.radians(degrees)
        r = aspect  # the picture's height / width: a turn is a turn of the picture, not of the square
        u, v = u * np.cos(a) - v * r * np.sin(a), u / r * np.sin(a) + v * np.cos(a)
    xs = left + (u + 0.5) * (n - 1 - right - left)
    ys = top + (v + 0.5) * (n - 1 - bottom - top)
    xs = np.clip(xs, 0, n - 1)
    ys = np.clip(ys, 0, n - 1)
    x0 = np.minimum(np.floor(xs).astype(int), n - 2)
    y0 = np.minimum(np.floor(ys).astype(int), n - 2)
    fx, fy = xs - x0, ys - y0
    return np.asarray(
        x[y0, x0] * (1 - fy) * (1 - fx)
        + x[y0, x0 + 1] * (1 - fy) * fx
        + x[y0 + 1, x0] * fy * (1 - fx)
        + x[y0 + 1, x0 + 1] * fy * fx
    )


def _profile_margins(big: np.ndarray, small: np.ndarray) -> tuple[float, float]:
    """The margins to cut from the profile `big` so that it best matches `small` (1-D search: whole
    pixels, then quarter pixels around the best). Every pair of margins of a step is tried at once, one
    row each (the same arithmetic row by row as one at a time, so the same figures to the last bit)."""
    n = len(big)
    grid = np.arange(n)
    target = _normal(small)
    step = n / PHOTO_SIDE  # whole pixels of a photo's thumbnail

    def best(cuts: list[tuple[float, float]]) -> tuple[float, float, float]:
        lo, hi = (np.array(side, dtype=np.float64) for side in zip(*cuts, strict=True))
        cut = np.interp(np.linspace(lo, n - 1 - hi, n, axis=1), grid, big)
        sd = cut.std(axis=1, keepdims=True)
        normal = (cut - cut.mean(axis=1, keepdims=True)) / np.where(sd > 1e-6, sd, 1.0)
        errors = np.mean(np.abs(normal - target), axis=1)
        return min(zip(errors.tolist(), lo.tolist(), hi.tolist(), strict=True))

    steps = np.arange(0, CROP_SHARE * n + 0.01, step)
    found = best([(lo, hi) for lo in steps for hi in steps])
    fine = np.arange(-0.75, 0.76, 0.25) * step
    found = best(
        [(found[1] + a, found[2] + b) for a in fine for b in fine if found[1] + a >= 0 and found[2] + b >= 0]
    )
    return float(found[1]), float(found[2])


def _soft(x: np.ndarray) -> np.ndarray:
    """A 3 × 3 box blur (edges repeated): what a re-scan or a half-pixel misalignment changes is smoothed
    away, what differs in content (a person, a line of text) stays."""
    p = np.pad(x, 1, mode="edge")
    n = x.shape[0]
    out = np.zeros_like(x, dtype=np.float64)
    for i in range(3):
        for j in range(3):
            out += p[i : i + n, j : j + n]
    return out / 9


def _judge(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(correlation, worst block's mean absolute difference) of two aligned thumbnails."""
    n = a.shape[0]
    na, nb = _normal(_soft(a)), _normal(_soft(b))
    corr = float(np.mean(na * nb))
    diff = np.abs(na - nb)
    blocks = diff.reshape(BLOCKS, n // BLOCKS, BLOCKS, n // BLOCKS).mean(axis=(1, 3))
    return corr, float(blocks.max())


Margins = tuple[float, float, float, float]  # top, bottom, left, right (thumbnail pixels)


def _margins(a: np.ndarray, b: np.ndarray) -> Margins:
    """The margins to cut from `a` so that it best matches `b`."""
    top, bottom = _profile_margins(a.mean(axis=1), b.mean(axis=1))
    left, right = _profile_margins(a.mean(axis=0), b.mean(axis=0))
    return top, bottom, left, right


def _aligned(x: np.ndarray, degrees: float, margins: Margins, aspect: float) -> np.ndarray:
    """`x` turned by `degrees`, then cut by `margins` and stretched back to its size."""
    turned = _resample(x, 0, 0, 0, 0, degrees, aspect) if degrees else x
    return _resample(turned, *margins)


def _colour_difference(a: Print, b: Print, cut_a: bool, margins: Margins, degrees: float) -> float:
    """The largest difference of colour (Cb + Cr, in levels) between the aligned pictures' blocks; 0 when
    either is grey (a scan in black and white keeps only the grey thumbnail to judge by)."""
    ca, cb = chroma_pixels(a), chroma_pixels(b)
    if ca is None or cb is None:
        return 0.0
    scaled = tuple(m * CHROMA / PHOTO_SIDE for m in margins)
    big, small = (ca, cb) if cut_a else (cb, ca)
    turned = np.stack([_aligned(c, degrees, scaled, _aspect(a)) for c in big])  # type: ignore[arg-type]
    soft = [np.stack([_soft(c) for c in x]) for x in (turned, small)]
    return float(np.abs(soft[0] - soft[1]).sum(axis=0).max())


# a pair whose worst block differs by at most this share of the allowed difference before any alignment
# is judged as it is: re-saved and resized copies of the calibration set reach 0.23 of it, the smallest crop
# (2 %) 2.7 times it, so no alignment search is spent on a copy that needs none
UNALIGNED_SHARE = 1 / 3
ANGLES = (0.5, -0.5, 1.0, -1.0, 2.0, -2.0)  # small turns (degrees) tried when no crop alone fits


def _aspect(p: Print) -> float:
    return p.height / p.width if p.width and p.height else 1.0


def measure(a: Print, b: Print, good: float = 0.0) -> tuple[float, float, float, float]:
    """(correlation, worst grey block, worst colour difference, margin cut) of two fingerprints after the
    best alignment (a crop of either, and a small turn when a crop alone leaves a block over `good`): the
    figures `compare` judges by."""
    pa, pb = thumb_pixels(a), thumb_pixels(b)
    if pa.shape != pb.shape:
        side = min(pa.shape[0], pb.shape[0])
        pa, pb = thumb_pixels(a, side), thumb_pixels(b, side)
    corr, block = _judge(pa, pb)
    none: Margins = (0.0, 0.0, 0.0, 0.0)
    if block <= good * UNALIGNED_SHARE:  # the same picture as it is (re-saved, resized): nothing to align
        return corr, block, _colour_difference(a, b, True, none, 0.0), 0.0
    best: tuple[float, float, bool, Margins, float] = (corr, block, True, none, 0.0)
    for degrees in (0.0, *ANGLES):
        if degrees and (best[1] <= good or best[0] < 0.8):
            break  # a crop alone fits (or nothing will): no turn needed
        for cut_a, (big, small) in ((True, (pa, pb)), (False, (pb, pa))):
            turned = _aligned(big, degrees, none, _aspect(a))
            margins = _margins(turned, small)
            corr, block = _judge(_resample(turned, *margins), small)
            if block < best[1]:
                best = (corr, block, cut_a, margins, degrees)
    corr, block, cut_a, margins, degrees = best
    return corr, block, _colour_difference(a, b, cut_a, margins, degrees), sum(margins) + abs(degrees)


def compare(a: Print, b: Print, limits: Thresholds = Thresholds()) -> Match | None:
    """Whether two fingerprints show the same picture, and how it was changed; None for different pictures
    (including honest look-alikes: the same room, the same blank form)."""
    if hamming(a.phash, b.phash) > limits.hamming:
        return None
    photo = bool(a.chroma and b.chroma)
    if not photo and not limits.pages:
        return None
    if _judge(thumb_pixels(a, PHOTO_SIDE), thumb_pixels(b, PHOTO_SIDE))[0] < 0.5:
        return None  # not even roughly alike: no alignment can make them the same picture
    if not photo:
        return compare_pages(a, b, limits)
    good = limits.photo_block
    corr, block, colour, margin = measure(a, b, good)
    if corr < limits.photo_correlation or block > good or colour > limits.photo_colour:
        return None
    if margin >= 1.0:
        kind = "cropped"
    elif (a.width, a.height) != (b.width, b.height):
        kind = "resized"
    else:
        kind = "resaved"
    return Match(kind, round(corr, 3))


# ---- pages: ink maps -----------------------------------------------------------------------------------

PAGE_WINDOW = (12, 24)  # rows × columns of an ink map (PAGE_ROWS rows): about two characters of a line
PAGE_CUT = 0.125  # a cut of up to this share of either page's rows or columns is searched for


def _thin(mask: np.ndarray) -> np.ndarray:
    """The centre lines of the strokes (Zhang–Suen thinning): how thick a scanner or a printer made a
    stroke no longer matters, only where it runs."""
    img = mask.astype(np.uint8)
    for _ in range(12):
        changed = False
        for step in (0, 1):
            p = np.pad(img, 1)
            # the 8 neighbours clockwise from above: P2 … P9 in Zhang and Suen's paper
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:], p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2]]
            n.append(p[:-2, :-2])
            count = sum(x.astype(np.int16) for x in n)
            turns = sum(((n[i] == 0) & (n[(i + 1) % 8] == 1)).astype(np.int16) for i in range(8))
            if step == 0:
                side = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                side = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            gone = (img == 1) & (count >= 2) & (count <= 6) & (turns == 1) & side
            if gone.any():
                img[gone] = 0
                changed = True
        if not changed:
            break
    return img.astype(bool)


@lru_cache(maxsize=256)
def _ink_parts(ink: str) -> tuple[np.ndarray, np.ndarray] | None:
    """A page's ink map and its strokes' centre lines (kept for the next comparison: the register
    compares one page with up to `nearest` others)."""
    shape = ink_shape(ink)
    if shape is None:
        return None
    rows, cols = shape
    raw = zlib.decompress(base64.b64decode(ink))
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8, offset=4))[: rows * cols]
    mask = bits.reshape(rows, cols).astype(bool)
    return mask, _thin(mask)


def _cut_error(big: np.ndarray, target: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each cut (lo, hi pixels off the ends of the profile `big`, stretched back), how far it is from
    the (normalised) profile `target`: mean absolute difference of the normalised profiles."""
    n = len(big)
    t = np.linspace(0.0, 1.0, len(target))
    pos = lo[:, None] + t[None, :] * (n - 1 - hi - lo)[:, None]
    cut = np.interp(pos.ravel(), np.arange(n), big).reshape(pos.shape)
    cut = (cut - cut.mean(axis=1, keepdims=True)) / np.maximum(cut.std(axis=1, keepdims=True), 1e-6)
    return np.asarray(np.abs(cut - target[None, :]).mean(axis=1))


def _page_cut(big: np.ndarray, small: np.ndarray) -> tuple[float, float, float]:
    """(error, lo, hi): the ends to cut off the ink profile `big` so that it best matches `small`: four-pixel
    steps up to PAGE_CUT on profiles reduced four times, then pixels, then quarter pixels around the best."""
    n = len(big) // 4 * 4
    coarse_big = big[:n].reshape(-1, 4).mean(axis=1)
    coarse_small = small[: len(small) // 4 * 4].reshape(-1, 4).mean(axis=1)
    steps = np.arange(0.0, PAGE_CUT * len(coarse_big) + 0.01)
    lo, hi = (g.ravel() for g in np.meshgrid(steps, steps, indexing="ij"))
    i = int(np.argmin(_cut_error(coarse_big, _normal(coarse_small), lo, hi)))
    best = (0.0, 4 * lo[i], 4 * hi[i])
    target = _normal(small)
    for reach, step in ((4.0, 1.0), (0.75, 0.25)):
        fine = np.arange(-reach, reach + 0.01, step)
        grid = np.meshgrid(best[1] + fine, best[2] + fine, indexing="ij")
        lo, hi = (np.maximum(g.ravel(), 0.0) for g in grid)
        errors = _cut_error(big, target, lo, hi)
        i = int(np.argmin(errors))
        best = (float(errors[i]), float(lo[i]), float(hi[i]))
    return best


def _page_axes(a: np.ndarray, b: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Where to read each page so that they lie on one another: for rows and for columns, the positions
    in `a` and in `b` (whichever page is cut, the one that fits better)."""
    out = []
    for axis, n in ((1, a.shape[0]), (0, a.shape[1])):
        pa = np.convolve(a.mean(axis=axis), np.ones(3) / 3, mode="same")
        pb = np.convolve(b.mean(axis=axis), np.ones(3) / 3, mode="same")
        cut_a = _page_cut(pa, pb)
        cut_b = _page_cut(pb, pa)
        t = np.linspace(0.0, 1.0, n)
        mine, theirs = np.linspace(0, len(pa) - 1, n), np.linspace(0, len(pb) - 1, n)
        if cut_a[0] <= cut_b[0]:
            mine = cut_a[1] + t * (len(pa) - 1 - cut_a[2] - cut_a[1])
        else:
            theirs = cut_b[1] + t * (len(pb) - 1 - cut_b[2] - cut_b[1])
        out.append((mine, theirs))
    return tuple(out)


def _read(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """`x` read at the given positions (nearest pixel)."""
    r = np.clip(np.rint(rows).astype(np.int64), 0, x.shape[0] - 1)
    c = np.clip(np.rint(cols).astype(np.int64), 0, x.shape[1] - 1)
    return np.asarray(x[r][:, c])


def _grow(x: np.ndarray) -> np.ndarray:
    """Each ink pixel with its 8 neighbours (a stroke one pixel away still counts as the same stroke)."""
    p = np.pad(x, 1)
    h, w = x.shape
    out = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            out |= p[i : i + h, j : j + w]
    return out


def _window_sums(x: np.ndarray) -> np.ndarray:
    """The count of True pixels in every PAGE_WINDOW of `x`."""
    wh, ww = PAGE_WINDOW
    c = np.pad(x.astype(np.int32).cumsum(axis=0).cumsum(axis=1), ((1, 0), (1, 0)))
    return np.asarray(c[wh:, ww:] - c[:-wh, ww:] - c[wh:, :-ww] + c[:-wh, :-ww])


def page_difference(a: Print, b: Print) -> float | None:
    """How differently two pages are written where they differ most: after aligning their ink maps, the
    largest share of a PAGE_WINDOW (about two characters) taken by centre lines of strokes that the other
    page has nowhere within a pixel, each window allowed its own shift of a pixel. A page scanned again
    (blurred, grainy, turned, lighter or darker, its border cut) has the same strokes everywhere, a little
    off: near 0; a page with another date or number has other strokes in one place. None when either has
    no ink map (a fingerprint from before the maps, or a blank page)."""
    pa, pb = _ink_parts(a.ink) if a.ink else None, _ink_parts(b.ink) if b.ink else None
    if pa is None or pb is None:
        return None
    (rows_a, rows_b), (cols_a, cols_b) = _page_axes(pa[0], pb[0])
    ma, sa = (_read(x, rows_a, cols_a) for x in pa)
    mb, sb = (_read(x, rows_b, cols_b) for x in pb)
    if min(ma.shape) <= max(PAGE_WINDOW) + 2:
        return None
    ga, gb = _grow(ma), _grow(mb)
    h, w = ma.shape
    inner = (slice(1, h - 1), slice(1, w - 1))
    best: np.ndarray | None = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            moved = (slice(1 + dy, h - 1 + dy), slice(1 + dx, w - 1 + dx))
            lacking = (sa[inner] & ~gb[moved]) | (sb[moved] & ~ga[inner])
            sums = _window_sums(lacking)
            best = sums if best is None else np.minimum(best, sums)
    assert best is not None
    return float(best.max()) / (PAGE_WINDOW[0] * PAGE_WINDOW[1])


def compare_pages(a: Print, b: Print, limits: Thresholds = Thresholds()) -> Match | None:
    """Whether two pages are one page scanned (or saved) again; None for pages of one template with other
    text, and for a page without an ink map (fingerprinted before the maps existed: not compared)."""
    difference = page_difference(a, b)
    if difference is None or difference > limits.page_ink:
        return None
    # the same strokes: a file saved again keeps its grey levels too, a page scanned again does not
    grey = _judge(thumb_pixels(a, PHOTO_SIDE), thumb_pixels(b, PHOTO_SIDE))[0]
    kind = "resaved" if difference == 0 and grey >= 0.99 else "rescanned"
    return Match(kind, round(1 - difference, 3))


# ---- the index: many fingerprints, searched at once ------------------------------------------------


class PrintIndex:
    """Hashes in one numpy array: the Hamming distance to all of them in one vectorised step (50 000
    hashes in well under a millisecond; a BK-tree in Python would visit a large share of its nodes at the
    loose candidate distance used here, and is slower than one pass of numpy over 400 KB)."""

    def __init__(self, hashes: Sequence[str]) -> None:
        self.values = np.array([int(h, 16) for h in hashes], dtype=np.uint64)

    def near(self, phash: str, distance: int, nearest: int = 0) -> np.ndarray:
        """Positions of the hashes within `distance` bits of `phash`; with `nearest`, only that many of the
        closest (ties by position), which bounds the judging however crowded the register gets."""
        return nearest_hashes(self.values, phash, distance, nearest)


def nearest_hashes(values: np.ndarray, phash: str, distance: int, nearest: int = 0) -> np.ndarray:
    """Positions in `values` (uint64 hashes) within `distance` bits of `phash`, closest first; at most
    `nearest` of them when it is not 0."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    bits = np.bitwise_count(np.bitwise_xor(values, np.uint64(int(phash, 16))))
    found = np.flatnonzero(bits <= distance)
    found = found[np.argsort(bits[found], kind="stable")]
    return found[:nearest] if nearest else found


# ---- the pre-filter: many pairs, judged roughly at once -------------------------------------------

ROUGH_SIDE = 16  # the pre-filter looks at the thumbnails averaged down to ROUGH_SIDE × ROUGH_SIDE
ROUGH_CORRELATION = 0.8  # and passes a pair on to `compare` only when they correlate at least this much


def _small(prints: Sequence[Print], side: int) -> np.ndarray:
    """The thumbnails averaged down to `side` pixels (as `thumb_pixels`), those of one size in one step."""
    raws = [zlib.decompress(base64.b64decode(p.thumb)) for p in prints]
    out = np.zeros((len(prints), side, side))
    for size in {len(r) for r in raws}:
        at = [k for k, r in enumerate(raws) if len(r) == size]
        n = int(round(size**0.5))
        x = np.frombuffer(b"".join(raws[k] for k in at), dtype=np.uint8).reshape(len(at), n, n)
        out[at] = x.reshape(len(at), side, n // side, side, n // side).mean(axis=(2, 4))
    return out


def _rough(prints: Sequence[Print]) -> np.ndarray:
    """The thumbnails averaged down to ROUGH_SIDE pixels, blurred (as `_soft`) and normalised, one flat row
    each: the mean of two rows' product is their correlation."""
    n = ROUGH_SIDE
    x = np.pad(_small(prints, n), ((0, 0), (1, 1), (1, 1)), mode="edge")
    soft = sum(x[:, i : i + n, j : j + n] for i in range(3) for j in range(3)) / 9
    flat = np.asarray(soft).reshape(len(prints), n * n)
    sd = flat.std(axis=1, keepdims=True)
    return np.asarray((flat - flat.mean(axis=1, keepdims=True)) / np.where(sd > 1e-6, sd, 1.0))


def plausible(pairs: Sequence[tuple[Print, Print]], limits: Thresholds = Thresholds()) -> list[bool]:
    """For each pair of fingerprints, whether `compare` need look at it at all: both in colour (or grey
    pages compared at all), and their thumbnails at ROUGH_SIDE pixels, unaligned, correlating at least
    ROUGH_CORRELATION. All pairs at once (each thumbnail decoded once, one product of two matrices), so
    the few hundred candidates of one intake cost milliseconds, and only the few look-alikes go on to the
    alignment search, which costs about 15 ms a pair.

    Why this drops nothing `compare` accepts: every pair it accepts correlates at 0.95 or more after an
    alignment of at most 12.5 % a side and 2°; at 16 pixels such an alignment moves the picture by two
    pixels at most, which the blur mostly evens out. Measured: every pair `compare` accepts on the
    calibration set, grey pages included, correlates at 0.96 or more here (tests/core/
    test_similar_prefilter.py holds 0.9 at least); the calibration photo and the examples' 12 photos
    cropped by 0, 6 or 12 % on each side and turned by 0, 1 or -2° (3,804 accepted pairs) at 0.88 or
    more. Different scenes that the loose hash still lets through mostly stay under 0.7."""
    wanted = [bool(a.chroma and b.chroma) or limits.pages for a, b in pairs]
    rows: dict[str, int] = {}
    for (a, b), keep in zip(pairs, wanted, strict=True):
        if keep:
            for p in (a, b):
                rows.setdefault(p.thumb, len(rows))
    if not rows:
        return wanted
    by_thumb = {p.thumb: p for pair in pairs for p in pair}
    matrix = _rough([by_thumb[t] for t in rows])
    left = np.array([rows[a.thumb] if w else 0 for (a, _), w in zip(pairs, wanted, strict=True)])
    right = np.array([rows[b.thumb] if w else 0 for (_, b), w in zip(pairs, wanted, strict=True)])
    correlation = np.einsum("ij,ij->i", matrix[left], matrix[right]) / matrix.shape[1]
    return [w and bool(c >= ROUGH_CORRELATION) for w, c in zip(wanted, correlation, strict=True)]


# ---- pairs of files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One end of a pair: a file (path, page) or a ledger item, and the application that holds it."""

    path: str  # the file's path in its application (an item: its name)
    sha256: str = ""  # the file's hash (an item: "")
    page: int = 1
    label: str = ""  # how a message names the application ("" within one application)
    application: int | None = None  # the register's 登记号
    thumb: str = ""  # the fingerprint's thumbnail (base64 of zlib of grey pixels), for the reviewer's page
    proposer: str = ""  # an item's proposer


@dataclass(frozen=True)
class Pair:
    """Two files (or ledger items) found alike: both ends, the kind (a KIND_TITLES key), the similarity."""

    new: Side
    old: Side
    kind: str
    similarity: float

    @property
    def key(self) -> str:
        """The pair's identity, whichever end is the new one: a reviewer's dismissal holds for the same two
        files (hash and page) or the same two items (name and proposer) in any later version."""
        if self.kind == "item":
            ends = sorted(f"{comparable(s.path)}|{comparable(s.proposer)}" for s in (self.new, self.old))
        else:
            ends = sorted(f"{s.sha256}#{s.page}" for s in (self.new, self.old))
        return "item:" * (self.kind == "item") + "~".join(ends)

    def message(self) -> str:
        """The pair in Chinese: both ends, how they are alike, the figure."""
        if self.kind == "item":
            return (
                f"台账项目“{self.new.path}”（提出人 {self.new.proposer}）与{self.old.label or '本申请'}的项目"
                f"“{self.old.path}”名称相近（相似度 {self.similarity:.0%}），疑似同一项目改名后重复申报"
            )

        def name(s: Side) -> str:
            page = f"第 {s.page} 页" if s.page > 1 else ""
            return f"{s.label + '的' if s.label else ''}“{s.path}”{page}"

        return (
            f"{name(self.new)}与{name(self.old)}疑似{KIND_TITLES.get(self.kind, self.kind)}"
            f"（相似度 {self.similarity:.1%}）"
        )


@dataclass(frozen=True)
class Holder:
    """What the cross-application rules need of one application: who, which year, its pictures and items."""

    unit: str  # 统一社会信用代码
    year: int
    label: str = ""  # how a message names it (2025 年度 某公司（登记号 12）)
    application: int | None = None
    # (path, sha256, material number or None, fingerprints) of each evidence file
    files: tuple[tuple[str, str, str | None, tuple[Print, ...]], ...] = ()
    items: tuple[tuple[str, str], ...] = ()  # (name, proposer) of each ledger item


def _flat(h: Holder, standing: frozenset[str] = frozenset()) -> list[tuple[str, str, Print]]:
    return [
        (path, sha, p) for path, sha, material, prints in h.files if material not in standing for p in prints
    ]


def _side(h: Holder, end: tuple[str, str, Print]) -> Side:
    return Side(end[0], end[1], end[2].page, h.label, h.application, end[2].thumb)


def within_application(h: Holder, limits: Thresholds = Thresholds()) -> list[Pair]:
    """Pictures of one application that show the same picture under two files (the same photo for two
    meetings, a crop of another photo)."""
    flat = _flat(h)
    return [
        Pair(_side(h, a), _side(h, b), m.kind, m.similarity)
        for a, b, m in similar_pictures(flat, flat, limits)
    ]


End = tuple[str, str, Print]  # (path, sha256, fingerprint) of one picture


@dataclass(frozen=True)
class Stored:
    """Pictures kept elsewhere (the register), as arrays to search before any is read whole: for each
    fingerprint, the application holding it, its hash (uint64) and its file's material number; `read`
    gives the whole of the ones at the given positions, as (path, sha256, fingerprint). The positions of
    one application's fingerprints are in the order of its files (and of the pages within a file)."""

    applications: np.ndarray  # int64
    hashes: np.ndarray  # uint64
    materials: np.ndarray  # object: str or None
    read: Callable[[Sequence[int]], Sequence[End]]


def across_applications(
    new: Holder,
    others: Sequence[Holder],
    standing: frozenset[str] = frozenset(),
    limits: Thresholds = Thresholds(),
    stored: Stored | None = None,
) -> list[Pair]:
    """Near-duplicate pictures and similar ledger items between `new` and each of `others`: another unit's
    application of the same year (any material), or any application of another year (yearly materials
    only: a standing document such as the unit's incentive rules is filed again every year by design).
    One unit's two funds in one year may share files and are not compared. All the others' pictures are
    searched at once, and only the `limits.nearest` closest hashes per picture are judged.

    `stored`: the others' pictures, when they are not in the holders' `files` but kept in a register
    (matched to the holders by `Holder.application`): only the hashes are searched, and only the pictures
    to judge are read whole."""
    out: list[Pair] = []
    for other in others:
        if not (other.unit == new.unit and other.year == new.year):
            out += similar_items(new, other, limits)
    if stored is None:
        stored = _in_memory(others)
        owners = stored.applications
    else:
        owners = _positions(others, stored.applications)
    return out + _similar_across(new, others, owners, stored, standing, limits)


def _in_memory(holders: Sequence[Holder]) -> Stored:
    """The holders' own pictures as a Stored (each fingerprint's application: the holder's position)."""
    ends = [(k, end, material) for k, h in enumerate(holders) for end, material in _with_material(h)]
    return Stored(
        np.array([k for k, _, _ in ends], dtype=np.int64),
        np.array([int(end[2].phash, 16) for _, end, _ in ends], dtype=np.uint64),
        np.array([material for _, _, material in ends], dtype=object),
        lambda positions: [ends[j][1] for j in positions],
    )


def _with_material(h: Holder) -> list[tuple[End, str | None]]:
    return [((path, sha, p), material) for path, sha, material, prints in h.files for p in prints]


def _positions(holders: Sequence[Holder], applications: np.ndarray) -> np.ndarray:
    """For each stored fingerprint, the position of its holder in `holders` (-1: none of them)."""
    where = {h.application: k for k, h in enumerate(holders) if h.application is not None}
    if not where:
        return np.full(len(applications), -1, dtype=np.int64)
    keys = np.array(sorted(where), dtype=np.int64)
    values = np.array([where[int(a)] for a in keys], dtype=np.int64)
    at = np.clip(np.searchsorted(keys, applications), 0, len(keys) - 1)
    return np.where(keys[at] == applications, values[at], -1)


def _similar_across(
    new: Holder,
    others: Sequence[Holder],
    owners: np.ndarray,
    stored: Stored,
    standing: frozenset[str],
    limits: Thresholds,
) -> list[Pair]:
    """The picture pairs of `across_applications`. The pool is the others' pictures in the others' order
    (another unit's this year: all; another year's: less the standing materials), searched by hash; the
    pairs to judge are read whole, roughly pre-judged all at once (`plausible`), and judged (`compare`)."""
    if not len(owners):
        return []
    compared = np.array([not (h.unit == new.unit and h.year == new.year) for h in others] + [False])
    later = np.array([h.year != new.year for h in others] + [False])
    rows = np.flatnonzero(compared[owners])  # an owner of -1 (none of the others) reads the last False
    if standing and len(rows):
        lasting = np.frompyfunc(standing.__contains__, 1, 1)(stored.materials[rows]).astype(bool)
        rows = rows[~(later[owners[rows]] & lasting)]
    rows = rows[np.argsort(owners[rows], kind="stable")]  # the others' order, each one's own order kept
    if not len(rows):
        return []
    hashes = stored.hashes[rows]
    chosen: list[tuple[End, int]] = []  # (a picture of `new`, a position in `rows`)
    for path, sha, material, prints in new.files:
        for p in prints:
            for j in nearest_hashes(hashes, p.phash, limits.hamming, limits.nearest):
                if not (later[owners[rows[j]]] and material in standing):
                    chosen.append(((path, sha, p), int(j)))
    wanted = sorted({j for _, j in chosen})
    read = dict(zip(wanted, stored.read([int(rows[j]) for j in wanted]), strict=True))
    chosen = [(mine, j) for mine, j in chosen if read[j][1] != mine[1]]  # the same file: the SHA-256 rules'
    out = []
    pairs = [(mine[2], read[j][2]) for mine, j in chosen]
    for (mine, j), fit in zip(chosen, plausible(pairs, limits), strict=True):
        found = compare(mine[2], read[j][2], limits) if fit else None
        if found is not None:
            other = others[int(owners[rows[j]])]
            out.append(Pair(_side(new, mine), _side(other, read[j]), found.kind, found.similarity))
    return out


def similar_items(new: Holder, other: Holder, limits: Thresholds = Thresholds()) -> list[Pair]:
    """Ledger items of `new` whose name is close to (not the same as) an item of `other` with the same
    proposer: "焊接烟尘收集器" filed again as "焊接烟尘收集装置"."""
    theirs: dict[str, list[str]] = {}
    for name, proposer in other.items:
        theirs.setdefault(comparable(proposer), []).append(name)
    out = []
    for name, proposer in new.items:
        for old in theirs.get(comparable(proposer), []):
            score = similar_name(name, old, limits)
            if score is not None:
                out.append(
                    Pair(
                        Side(name, proposer=proposer, label=new.label, application=new.application),
                        Side(old, proposer=proposer, label=other.label, application=other.application),
                        "item",
                        score,
                    )
                )
    return out


def similar_pictures(
    mine: Sequence[tuple[str, str, Print]],
    theirs: Sequence[tuple[str, str, Print]],
    limits: Thresholds = Thresholds(),
) -> list[tuple[tuple[str, str, Print], tuple[str, str, Print], Match]]:
    """Every pair (one of `mine`, one of `theirs`; each a (path, sha256, print)) showing the same picture
    without being the same file. With `theirs` = `mine`, each unordered pair of different files once."""
    if not mine or not theirs:
        return []
    same_list = mine is theirs
    index = PrintIndex([p.phash for _, _, p in theirs])
    chosen = []
    for i, a in enumerate(mine):
        for j in index.near(a[2].phash, limits.hamming, limits.nearest):
            b = theirs[int(j)]
            if (same_list and int(j) <= i) or a[1] == b[1]:
                continue  # one pair once; a byte-identical file is the SHA-256 rules' business
            chosen.append((a, b))
    out = []
    for (a, b), keep in zip(chosen, plausible([(a[2], b[2]) for a, b in chosen], limits), strict=True):
        found = compare(a[2], b[2], limits) if keep else None
        if found is not None:
            out.append((a, b, found))
    return out


# ---- ledger items ----------------------------------------------------------------------------------


def similar_name(a: str, b: str, limits: Thresholds = Thresholds()) -> float | None:
    """How alike two item names are (0–1) when they count as the same item renamed; None otherwise
    (names equal after normalisation are the exact rules' business)."""
    ca, cb = comparable(a), comparable(b)
    if ca == cb or min(len(ca), len(cb)) < limits.item_min_chars:
        return None
    score = fuzz.ratio(ca, cb)
    return round(score / 100, 3) if score >= limits.item_name else None


# ---- findings --------------------------------------------------------------------------------------

FIX_PICTURE = "如确是不同的照片或文件，评审人员可在登记簿中核实后排除此提示；如是重复使用，请换用本次的材料。"
FIX_ITEM = "如确是不同的项目，评审人员可在登记簿中核实后排除此提示；如是同一项目，请从台账中删除。"


def application_findings(
    evidence: Iterable[EvidenceFile], limits: Thresholds = Thresholds()
) -> list[Finding]:
    """`check`'s warnings: two files of one application that show the same picture (EVIDENCE-SIMILAR)."""
    holder = Holder("", 0, files=tuple((e.rel, e.sha256, None, e.prints) for e in evidence if e.prints))
    return [
        Finding("EVIDENCE-SIMILAR", "warning", p.message(), path=p.new.path, fix=FIX_PICTURE)
        for p in within_application(holder, limits)
    ]
