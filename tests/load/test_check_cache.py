"""`check` answered from its last run: nothing heavy loaded for an unchanged folder, every change seen."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import copy_example


def test_check_of_an_unchanged_folder_loads_no_pdf_or_image_library(tmp_path):
    """The second check of a folder answers from the remembered inspections: no PDF or image library."""
    app = copy_example("studio", tmp_path)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assembler.api import check\n"
        f"report = check(Path({str(app)!r}))\n"
        "print(json.dumps([report.award.amount_fen, sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pypdf', 'PIL', 'pikepdf', 'fpdf', 'docx', 'openpyxl', 'flask'})]))"
    )
    env = {**os.environ, "DOSSIER_CACHE": str(tmp_path / "cache")}

    def run() -> list:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        return json.loads(done.stdout)

    first, second = run(), run()
    assert first[0] == second[0] == 1_500_000
    assert "pypdf" in first[1] and "PIL" in first[1]  # the first check opens the files
    assert second[1] == []
    # a file changed since is inspected again: a damaged plan is found at once
    plan = next((app / "2-年度工作计划").iterdir())
    plan.write_bytes(b"%PDF-1.4 damaged")
    assert "pypdf" in run()[1]


def test_a_repeated_check_answers_from_its_last_run_and_sees_every_change(tmp_path):
    """The second check of an unchanged folder prints the same and loads no pydantic or rich; an edit of
    application.yaml (same size, at once), a new file or another option is a full check again."""
    app = copy_example("innovation-count", tmp_path)
    env = {**os.environ, "DOSSIER_CACHE": str(tmp_path / "cache")}
    code = (
        "import sys, json, io, contextlib\n"
        "from assembler.cli import main\n"
        "out = io.StringIO()\n"
        "rc = 0\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        sys.argv = ['dossier'] + sys.argv[1:]\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        rc = int(exc.code or 0)\n"
        "roots = {'pydantic', 'rich', 'yaml', 'pypdf', 'PIL'}\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(json.dumps([rc, out.getvalue(), heavy]))\n"
    )

    def run(*args: str) -> list:
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run("check", str(app), "--json")
    second = run("check", str(app), "--json")
    assert first[0] == second[0] == 0 and first[1] == second[1]
    assert "pydantic" in first[2] and second[2] == []
    yaml_path = app / "application.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("示例精密", "示范精密"), encoding="utf-8")  # same size, same moment
    third = run("check", str(app), "--json")
    assert "pydantic" in third[2] and "示范精密" in third[1] and "示范精密" not in first[1]
    (app / "7-其他佐证材料").mkdir(exist_ok=True)
    (app / "7-其他佐证材料" / "说明.txt").write_text("x", encoding="utf-8")
    fourth = run("check", str(app), "--json")
    assert "pydantic" in fourth[2] and fourth[1] != third[1]
    table = run("check", str(app))
    assert "pydantic" in table[2] and "可申请鼓励金" in table[1]
