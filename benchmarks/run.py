"""Benchmarks of `dossier` against a naive pipeline, in one run (not part of the tests).

    python benchmarks/run.py [--photos 40] [--scale 20 200]

Measures wall time, peak memory and output size of: our build (cold conversion cache), the naive
script (LibreOffice once per Word file, img2pdf passthrough for photos, `qpdf --empty --pages`
merge), a rebuild with nothing changed (warm cache), `check` alone, and our build at 20 vs 200
photos. Peak memory is the largest resident set of the main process ("main") and of any process of
the run, LibreOffice and the photo workers included ("tree").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

MEASURE = r"""
import resource, subprocess, sys, json, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - t
print(json.dumps({"rc": rc, "wall": wall,
                  "tree_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)
"""
MAIN_RSS = r"""
import resource, sys, atexit, json, os
atexit.register(lambda: open(os.environ["RSS_FILE"], "w").write(
    str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
from assembler.cli import main
sys.argv = ["dossier"] + sys.argv[1:]
main()
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    rss_file = tempfile.mktemp()
    full_env = {**os.environ, **(env or {}), "RSS_FILE": rss_file}
    done = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=full_env, capture_output=True, text=True)
    result = json.loads(done.stderr.strip().splitlines()[-1])
    if result["rc"] not in (0,):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    result["main_kb"] = int(Path(rss_file).read_text()) if Path(rss_file).exists() else None
    return result


def dossier(*args: str) -> list[str]:
    return [sys.executable, "-c", MAIN_RSS, *args]


def naive(app: Path, out: Path, work: Path) -> None:
    """The pipeline a person would script: each file on its own, no resizing, plain concatenation."""
    pdfs = []
    for path in sorted(app.rglob("*")):
        if not path.is_file() or path.name == "application.yaml" or path.name.startswith("ledger."):
            continue
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            pdfs.append(path)
        elif suffix in (".jpg", ".jpeg", ".png"):
            target = work / f"{len(pdfs):04d}.pdf"
            subprocess.run([sys.executable, "-m", "img2pdf", str(path), "-o", str(target)], check=True)
            pdfs.append(target)
        elif suffix in (".docx", ".doc", ".xlsx", ".xls"):
            target_dir = work / f"lo{len(pdfs):04d}"
            subprocess.run(
                ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(target_dir), str(path)],
                check=True,
                capture_output=True,
            )
            pdfs.append(next(target_dir.glob("*.pdf")))
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, pdfs), "--", str(out)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--scale", type=int, nargs=2, default=[20, 200])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        app = work / "app"
        print(f"generating an application with {args.photos} photos …", file=sys.stderr)
        generate(app, args.photos)
        size_in = sum(p.stat().st_size for p in app.rglob("*") if p.is_file())
        rows = []
        cache = {"DOSSIER_CACHE": str(work / "cache")}
        ours = measure(dossier("build", str(app), "-o", str(work / "ours.pdf"), "-q"), cache)
        rows.append(("build (cold cache)", ours, (work / "ours.pdf").stat().st_size))
        rebuild = measure(dossier("build", str(app), "-o", str(work / "again.pdf"), "-q"), cache)
        rows.append(("rebuild, nothing changed", rebuild, (work / "again.pdf").stat().st_size))
        check = measure(dossier("check", str(app)), cache)
        rows.append(("check", check, None))
        naive_dir = work / "naive"
        naive_dir.mkdir()
        naive_cmd = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(HERE)!r}); from run import naive; "
            f"from pathlib import Path; naive(Path({str(app)!r}), Path({str(work / 'naive.pdf')!r}), "
            f"Path({str(naive_dir)!r}))",
        ]
        naive_run = measure(naive_cmd)
        rows.append(("naive script", naive_run, (work / "naive.pdf").stat().st_size))
        scale = {}
        for n in args.scale:
            scaled = work / f"app{n}"
            print(f"generating an application with {n} photos …", file=sys.stderr)
            generate(scaled, n)
            scale[n] = measure(
                dossier("build", str(scaled), "-o", str(work / f"s{n}.pdf"), "-q"),
                {"DOSSIER_CACHE": str(work / f"cache{n}")},
            )
            rows.append((f"build, {n} photos", scale[n], (work / f"s{n}.pdf").stat().st_size))
            shutil.rmtree(scaled)
        print(
            f"input: {args.photos} photos of 12 MP, 30 PDFs, 6 Word files, 300-row ledger, "
            f"{size_in / 1e6:.0f} MB in all\n"
        )
        print("| run | wall (s) | peak RSS main (MB) | peak RSS tree (MB) | output (MB) |")
        print("|---|---:|---:|---:|---:|")
        for name, r, size in rows:
            main_mb = f"{r['main_kb'] / 1024:.0f}" if r.get("main_kb") else "—"
            print(
                f"| {name} | {r['wall']:.1f} | {main_mb} | {r['tree_kb'] / 1024:.0f} | {size / 1e6:.1f} |"
                if size
                else f"| {name} | {r['wall']:.2f} | {main_mb} | {r['tree_kb'] / 1024:.0f} | — |"
            )
        n1, n2 = args.scale
        naive_size = (work / "naive.pdf").stat().st_size
        ours_size = (work / "ours.pdf").stat().st_size
        print("\n| target | measured | met |")
        print("|---|---:|---|")
        checks = [
            ("build ≤ 0.5 × naive time", ours["wall"] / naive_run["wall"], 0.5),
            ("build ≤ 0.1 × naive size", ours_size / naive_size, 0.1),
            ("rebuild ≤ 0.2 × build", rebuild["wall"] / ours["wall"], 0.2),
            ("check ≤ 0.05 × build", check["wall"] / ours["wall"], 0.05),
            (
                f"peak main RSS at {n2} ≤ 1.3 × at {n1} photos",
                scale[n2]["main_kb"] / scale[n1]["main_kb"],
                1.3,
            ),
        ]
        for name, value, limit in checks:
            print(f"| {name} | {value:.3f} | {'yes' if value <= limit else 'NO'} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
