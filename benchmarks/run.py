"""Benchmarks of `dossier` against a naive pipeline and against the lower bound, in one run (not tests).

    python benchmarks/run.py [--photos 40] [--scale 20 200] [--repeat 3]

Every figure is the median of `--repeat` runs, with the min and max. Measured: our build (cold cache),
rebuilds (nothing changed; one photo replaced; one field of application.yaml changed), `check` (cold
and with the folder's inspections remembered), the naive script (LibreOffice once per Word file, img2pdf
passthrough for photos, `qpdf --empty --pages` merge), the lower bound of the same work on this machine
(one LibreOffice batch for the Word files, JPEG draft decoding of the photos on both cores, one qpdf
merge — each timed alone), the web app's page of a 300-item application, and our build at 20 vs 200
photos (peak memory). Peak memory is the largest resident set of the main process ("main") and of any
process of the run, LibreOffice and the photo workers included ("tree").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, unique  # noqa: E402

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


def stats(values: list[float]) -> tuple[float, float, float]:
    """Median, min and max."""
    return statistics.median(values), min(values), max(values)


def repeat(times: int, run) -> tuple[tuple[float, float, float], dict]:
    """Run `run()` (returning a measure() dict) `times` times: wall-time statistics and the last result."""
    results = [run() for _ in range(times)]
    return stats([r["wall"] for r in results]), results[-1]


def _decode(path: str) -> None:
    from PIL import Image

    with Image.open(path) as im:
        im.draft("RGB", (1240, 1754))
        im.load()


def lower_bound(app: Path, work: Path) -> dict[str, float]:
    """The physical minimum of the same work on this machine, each step timed alone: one LibreOffice batch
    for the Word files (evidence and the filled forms), JPEG draft decoding of every photo on both cores,
    one qpdf merge of every PDF."""
    from concurrent.futures import ProcessPoolExecutor

    forms = work / "lb-forms"
    subprocess.run(dossier("fill", str(app), "-o", str(forms)), check=True, capture_output=True)
    words = sorted(forms.glob("*.docx")) + sorted(app.rglob("*.docx"))
    out = work / "lb-office"
    t = time.perf_counter()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(work / 'lb-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, words),
        ],
        check=True,
        capture_output=True,
    )
    office = time.perf_counter() - t
    photos = sorted(str(p) for p in app.rglob("*.jpg"))
    t = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_decode, photos))
    decode = time.perf_counter() - t
    pdfs = sorted(app.rglob("*.pdf")) + sorted(out.glob("*.pdf"))
    t = time.perf_counter()
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, pdfs), "--", str(work / "lb.pdf")], check=True)
    merge = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(forms, ignore_errors=True)
    return {"office": office, "decode": decode, "merge": merge, "total": office + decode + merge}


def web_page(app: Path, work: Path, requests: int = 10) -> tuple[float, float, float]:
    """The web app's page of the application (its live check), warm: ms per request."""
    os.environ["DOSSIER_CACHE"] = str(work / "web-cache")
    from assembler.web.app import create_app

    workspace = work / "workspace"
    shutil.copytree(app, workspace / "apps" / "bench")
    client = create_app(workspace).test_client()
    client.get("/a/bench")
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        assert client.get("/a/bench").status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    return stats(times)


def fmt(s: tuple[float, float, float]) -> str:
    return f"{s[0]:.2f} ({s[1]:.2f}–{s[2]:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--scale", type=int, nargs=2, default=[20, 200])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        app = work / "app"
        print(f"generating an application with {args.photos} photos …", file=sys.stderr)
        generate(app, args.photos)
        size_in = sum(p.stat().st_size for p in app.rglob("*") if p.is_file())
        rows: list[tuple[str, tuple[float, float, float], dict, int | None]] = []
        out = work / "ours.pdf"
        counter = iter(range(10**6))

        def cold_build() -> dict:
            out.unlink(missing_ok=True)
            return measure(
                dossier("build", str(app), "-o", str(out), "-q"),
                {"DOSSIER_CACHE": str(work / f"c{next(counter)}")},
            )

        warm = {"DOSSIER_CACHE": str(work / "warm")}
        build_s, build_r = repeat(args.repeat, cold_build)
        rows.append(("build (cold cache)", build_s, build_r, out.stat().st_size))
        measure(dossier("build", str(app), "-o", str(out), "-q"), warm)
        same_s, same_r = repeat(
            args.repeat, lambda: measure(dossier("build", str(app), "-o", str(out), "-q"), warm)
        )
        rows.append(("rebuild, nothing changed", same_s, same_r, out.stat().st_size))
        photo = next(app.rglob("现场照片003.jpg"))
        original = photo.read_bytes()

        def one_photo() -> dict:
            photo.write_bytes(unique(original, f"replaced {next(counter)}"))
            return measure(dossier("build", str(app), "-o", str(out), "-q"), warm)

        photo_s, photo_r = repeat(args.repeat, one_photo)
        rows.append(("rebuild, one photo replaced", photo_s, photo_r, out.stat().st_size))
        yaml_path = app / "application.yaml"
        text = yaml_path.read_text(encoding="utf-8")

        def one_field() -> dict:
            yaml_path.write_text(
                text.replace("name: 刘晓东", f"name: 刘晓东{next(counter) % 9}", 1), encoding="utf-8"
            )
            return measure(dossier("build", str(app), "-o", str(out), "-q"), warm)

        field_s, field_r = repeat(args.repeat, one_field)
        rows.append(("rebuild, one field changed", field_s, field_r, out.stat().st_size))
        yaml_path.write_text(text, encoding="utf-8")
        photo.write_bytes(original)
        check_cold_s, check_cold_r = repeat(
            args.repeat,
            lambda: measure(dossier("check", str(app)), {"DOSSIER_CACHE": str(work / f"k{next(counter)}")}),
        )
        rows.append(("check (first time)", check_cold_s, check_cold_r, None))
        measure(dossier("check", str(app)), warm)
        check_s, check_r = repeat(args.repeat, lambda: measure(dossier("check", str(app)), warm))
        rows.append(("check (folder checked before)", check_s, check_r, None))
        naive_dir = work / "naive"

        def naive_run() -> dict:
            shutil.rmtree(naive_dir, ignore_errors=True)
            naive_dir.mkdir()
            cmd = [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(HERE)!r}); from run import naive; "
                f"from pathlib import Path; naive(Path({str(app)!r}), Path({str(work / 'naive.pdf')!r}), "
                f"Path({str(naive_dir)!r}))",
            ]
            return measure(cmd)

        naive_s, naive_r = repeat(args.repeat, naive_run)
        rows.append(("naive script", naive_s, naive_r, (work / "naive.pdf").stat().st_size))
        bounds = [lower_bound(app, work) for _ in range(args.repeat)]
        bound_s = stats([b["total"] for b in bounds])
        parts = {k: statistics.median(b[k] for b in bounds) for k in ("office", "decode", "merge")}
        web_s = web_page(app, work)
        scale = {}
        for n in args.scale:
            scaled = work / f"app{n}"
            print(f"generating an application with {n} photos …", file=sys.stderr)
            generate(scaled, n)
            target = work / f"s{n}.pdf"

            results = []
            for i in range(args.repeat):
                target.unlink(missing_ok=True)
                cache = {"DOSSIER_CACHE": str(work / f"s{n}-{i}")}
                results.append(measure(dossier("build", str(scaled), "-o", str(target), "-q"), cache))
            scale[n] = stats([r["main_kb"] / 1024 for r in results])
            rows.append(
                (
                    f"build, {n} photos",
                    stats([r["wall"] for r in results]),
                    results[-1],
                    target.stat().st_size,
                )
            )
            shutil.rmtree(scaled)
        print(
            f"input: {args.photos} camera-like photos of 12 MP, 30 PDFs, 6 Word files, 300-row ledger, "
            f"{size_in / 1e6:.0f} MB in all; median (min–max) of {args.repeat} runs\n"
        )
        print("| run | wall (s) | peak RSS main (MB) | peak RSS tree (MB) | output (MB) |")
        print("|---|---:|---:|---:|---:|")
        for name, s, r, size in rows:
            main_mb = f"{r['main_kb'] / 1024:.0f}" if r.get("main_kb") else "—"
            shown = f"{size / 1e6:.1f}" if size else "—"
            print(f"| {name} | {fmt(s)} | {main_mb} | {r['tree_kb'] / 1024:.0f} | {shown} |")
        print(
            f"| lower bound (LibreOffice {parts['office']:.2f} + photo decoding {parts['decode']:.2f} + "
            f"qpdf merge {parts['merge']:.2f}) | {fmt(bound_s)} | — | — | — |"
        )
        print(f"| web app: the application's page (live check), ms per request | {fmt(web_s)} | — | — | — |")
        n1, n2 = args.scale
        naive_size = (work / "naive.pdf").stat().st_size
        print("\n| target | measured | met |")
        print("|---|---:|---|")
        checks = [
            ("build ≤ 0.5 × naive time", build_s[0] / naive_s[0], 0.5),
            ("build ≤ 1.25 × lower bound", build_s[0] / bound_s[0], 1.25),
            ("build ≤ 0.1 × naive size", rows[0][3] / naive_size, 0.1),
            ("rebuild, nothing changed ≤ 0.1 × build", same_s[0] / build_s[0], 0.1),
            ("check ≤ 0.03 × build (folder checked before)", check_s[0] / build_s[0], 0.03),
            ("web page of a 300-item application ≤ 300 ms", web_s[0] / 300, 1.0),
            (f"peak main RSS at {n2} ≤ 1.3 × at {n1} photos", scale[n2][0] / scale[n1][0], 1.3),
        ]
        for name, value, limit in checks:
            print(f"| {name} | {value:.3f} | {'yes' if value <= limit else 'NO'} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
