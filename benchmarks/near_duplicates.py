"""Time the near-duplicate search at the register's scale (not part of the tests).

    python benchmarks/near_duplicates.py [--apps 1000] [--pictures 50] [--repeat 5]

Fills a fresh register with N synthetic applications of `--pictures` photo fingerprints each (smooth
random scenes, so that their pHashes spread as photos' do), then measures for one more application whose
pictures include five re-saved copies of pictures already in the register:

- the search: every stored hash against the application's 50, one vectorised Hamming pass (numpy
  bitwise_count over the hashes read in one scan), giving the candidate applications;
- the whole near-duplicate judgement, as the intake does it (db.records_to_compare, then
  crossyear.similar_findings): the search, the candidates read narrowly (who and which year; the hashes
  from the index kept in the process; whole fingerprints only of the pictures to judge), every candidate
  pair roughly pre-judged at once and the few look-alikes judged. Its median is reported against the
  target of 100 ms, and its findings are checked against those from whole records of every candidate
  (the former reading), timed once for comparison.

Why a linear vectorised scan and not a BK-tree or a multi-index hash: the candidate net is loose (22 of 64
bits, so that a crop of 10 % is still a candidate); at that radius a BK-tree visits most of its nodes, and
a multi-index hash needs many tables; one pass of numpy over 50 000 × 8 bytes takes well under a
millisecond per picture, with nothing to build or keep in step with the register.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assembler.core.models import PHOTO_SIDE  # noqa: E402
from assembler.core.similar import CHROMA, make_print  # noqa: E402
from assembler.load.checklists import similarity_thresholds, standing_materials  # noqa: E402
from assembler.reviewer.register import db as store  # noqa: E402
from assembler.reviewer.register.crossyear import similar_findings  # noqa: E402
from assembler.reviewer.register.records import Evidence, Record  # noqa: E402


def scene(rng: np.random.Generator):
    """A photo-like fingerprint: a smooth random scene (grey and colour)."""
    small = rng.uniform(0, 255, (6, 8))
    grey = Image.fromarray(small.astype(np.uint8)).resize((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.BICUBIC)
    pixels = np.asarray(grey, dtype=np.float64) + rng.normal(0, 4, (PHOTO_SIDE, PHOTO_SIDE))
    colour = rng.uniform(100, 156, (2, CHROMA, CHROMA))
    return make_print(np.clip(pixels, 0, 255), 1, 960, 720, colour)


def resaved(p, rng: np.random.Generator):
    """The same fingerprint with JPEG-like noise."""
    from assembler.core.similar import chroma_pixels, thumb_pixels

    pixels = np.clip(thumb_pixels(p) + rng.normal(0, 2, (PHOTO_SIDE, PHOTO_SIDE)), 0, 255)
    return make_print(pixels, 1, 800, 600, chroma_pixels(p))


def record(n: int, prints, year: int) -> Record:
    return Record(
        year=year,
        scheme="innovation",
        unit_name=f"单位{n}",
        credit_code=f"9112011600000{n:05d}",
        file_sha256=f"file{n}",
        evidence=tuple(
            Evidence(f"4-评审会议/照片{i}.jpg", f"{n}-{i}", 1000, "4", (p,)) for i, p in enumerate(prints)
        ),
    )


def main() -> None:
    """Fill a register, then time the search and the judgement."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--pictures", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    limits = similarity_thresholds()
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_register(Path(tmp) / "register.sqlite")
        start = time.perf_counter()
        kept = []
        with store.writing(db):
            for n in range(args.apps):
                prints = [scene(rng) for _ in range(args.pictures)]
                kept.append(prints[0])
                r = record(n, prints, 2022 + n % 5)
                store.insert_record(db, r)
        took = time.perf_counter() - start
        print(f"register: {args.apps} applications × {args.pictures} pictures in {took:.0f} s")
        new_prints = [resaved(kept[i * len(kept) // 5], rng) for i in range(5)]
        new_prints += [scene(rng) for _ in range(args.pictures - 5)]
        new = record(99999, new_prints, 2027)
        standing = standing_materials("innovation")
        search, whole = [], []
        t0 = time.perf_counter()
        store.similar_candidate_ids(db, new, limits.hamming, limits.nearest)
        print(
            f"first search in this process (reads the {args.apps * args.pictures} hashes): "
            f"{(time.perf_counter() - t0) * 1000:.0f} ms"
        )
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            store.similar_candidate_ids(db, new, limits.hamming, limits.nearest)
            t1 = time.perf_counter()
            others = store.records_to_compare(db, new, limits)
            found = similar_findings(new, others.similar, standing, limits, stored=others.prints)
            t2 = time.perf_counter()
            search.append((t1 - t0) * 1000)
            whole.append((t2 - t1) * 1000)
        planted = "5 re-saved copies planted"
        print(f"candidates: {len(others.similar)} applications; findings: {len(found)} ({planted})")
        print(
            f"search (vectorised Hamming over {args.apps * args.pictures} hashes): "
            f"median {statistics.median(search):.1f} ms, max {max(search):.1f} ms"
        )
        median = statistics.median(whole)
        print(
            "whole near-duplicate judgement (search, reading the candidates, judging every pair): "
            f"median {median:.0f} ms, max {max(whole):.0f} ms — target 100 ms: "
            + ("met" if median < 100 else "NOT met")
        )
        t0 = time.perf_counter()
        ids = store.candidate_ids(db, new) | store.similar_candidate_ids(
            db, new, limits.hamming, limits.nearest
        )
        before = similar_findings(new, store.load_records(db, ids), standing, limits)
        took = (time.perf_counter() - t0) * 1000
        print(
            f"whole records of every candidate (the former reading), judged once: {took:.0f} ms; "
            f"same findings: {'yes' if before == found else 'NO'}"
        )
        if before != found or len(found) < 5:
            sys.exit(1)


if __name__ == "__main__":
    main()
