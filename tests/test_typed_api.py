"""The public API is typed for its users: a program that misuses `check()`'s result fails mypy, a correct one
passes, and the package says it is typed (py.typed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

CORRECT = """
    from decimal import Decimal
    from pathlib import Path

    import assembler
    from assembler import Report, check

    report: Report = check(Path("申请"))
    amount: Decimal | None = report.award.amount
    fen: int | None = report.award.amount_fen
    fields: list[str | None] = [f.field for f in report.findings]
    values = [dict(f.values) for f in report.findings if f.severity == "error"]
    complete: bool = assembler.check(Path("申请")).complete
    size: int = assembler.parse_size("20MB")
"""

MISUSES = {
    "award-as-int": """
        from pathlib import Path
        from assembler import check

        total: int = check(Path("申请")).award
    """,
    "missing-attribute": """
        from pathlib import Path
        import assembler

        assembler.check(Path("申请")).total_award
    """,
    "severity-typo": """
        from pathlib import Path
        from assembler.api import check

        errors = [f for f in check(Path("申请")).findings if f.severity == "fatal"]
    """,
    "wrong-argument": """
        import assembler

        assembler.check("申请", checklists=3)
    """,
}


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory) -> str:
    """One mypy --strict run over the correct consumer and every misuse (one file each): its report."""
    folder = tmp_path_factory.mktemp("consumers")
    files = {"correct": CORRECT, **{f"misuse_{n.replace('-', '_')}": c for n, c in MISUSES.items()}}
    for name, code in files.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(folder / ".cache"),
            "--follow-imports",
            "silent",
            *(str(folder / f"{name}.py") for name in files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "MYPYPATH": str(ROOT)},
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2: mypy itself failed
    return done.stdout


def _errors(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if f"{name}.py:" in line and "error:" in line]


def test_correct_consumer_type_checks(mypy_output):
    assert _errors(mypy_output, "correct") == [], mypy_output


@pytest.mark.parametrize("name", sorted(MISUSES))
def test_misused_result_fails_type_check(mypy_output, name):
    assert _errors(mypy_output, f"misuse_{name.replace('-', '_')}"), mypy_output


def test_package_says_it_is_typed():
    assert (ROOT / "assembler" / "py.typed").is_file()
