"""Time `dossier review` on a folder of N dossiers (not part of the tests).

    python benchmarks/review.py [--count 200]

Builds the studio example once, copies it N times into a folder, and measures wall time and peak
memory of `dossier review FOLDER -o summary.xlsx`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-review-"))
    try:
        one = work / "one.pdf"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "assembler",
                "build",
                str(ROOT / "examples" / "studio"),
                "-o",
                str(one),
                "-q",
            ],
            check=True,
        )
        incoming = work / "incoming"
        incoming.mkdir()
        for i in range(args.count):
            shutil.copy(one, incoming / f"dossier-{i:04d}.pdf")
        start = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assembler",
                "review",
                str(incoming),
                "-o",
                str(work / "summary.xlsx"),
                "--json",
            ],
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            raise SystemExit("review failed")
        peak = usage.ru_maxrss / 1024
        print(
            f"review of {args.count} dossiers ({one.stat().st_size / 1e6:.1f} MB each): {wall:.1f} s, "
            f"peak RSS {peak:.0f} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
