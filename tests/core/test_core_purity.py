"""The pure core (`assembler.core`: types, matching, rules, awards, report) imports no PDF, image,
Office, YAML or web library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# every module of the core package, so that a new core module is guarded without editing this list
CORE = sorted(
    f"assembler.core.{path.stem}"
    for path in (ROOT / "assembler" / "core").glob("*.py")
    if path.stem != "__init__"
)
IO_LIBRARIES = {
    "pypdf",
    "pikepdf",
    "PIL",
    "pi_heif",
    "pillow_heif",
    "fpdf",
    "docx",
    "docxtpl",
    "openpyxl",
    "flask",
    "werkzeug",
    "yaml",
    "lxml",
    "click",
}


def test_core_imports_no_io_library():
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    assert set(CORE) <= set(loaded)
    heavy = sorted(m for m in loaded if m.split(".")[0] in IO_LIBRARIES)
    assert heavy == [], f"the pure core pulled in I/O libraries: {heavy}"
    io_modules = {
        "assembler.load.evidence",
        "assembler.load.sources",
        "assembler.load.application",
        "assembler.load.ledger",
        "assembler.load.checklists",
        "assembler.load.yamlio",
    }
    assert io_modules.isdisjoint(loaded)
