"""The built wheel carries the checklists and templates and works from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile

import pytest
from conftest import EXAMPLES, IN_CI, ROOT


@pytest.mark.slow
def test_wheel_in_fresh_venv_from_another_directory(tmp_path):
    try:
        import hatchling  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true but hatchling (the build backend) is not installed")
        pytest.skip("hatchling is not installed")
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(dist.glob("dossier-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        assert "assembler/py.typed" in zf.namelist()  # the public API is typed for its users (PEP 561)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(EXAMPLES / "studio", elsewhere / "申请")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import assembler, assembler.resources as r;"
            "print(assembler.__file__); print(r.bundled('checklists'))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert all(str(env_dir) in line for line in where), where
    dossier = env_dir / ("Scripts" if os.name == "nt" else "bin") / "dossier"
    result = subprocess.run(
        [str(dossier), "check", "申请", "--json"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert '"amount_yuan": 15000' in result.stdout
    result = subprocess.run(
        [str(python), "-m", "assembler", "init", "新", "--scheme", "innovation"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "新" / "ledger.xlsx").is_file()
