"""The pure core (types, matching, rules, awards, report) imports no PDF, image, Office, YAML or web
library."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = [
    "assembler.schema",
    "assembler.specs",
    "assembler.models",
    "assembler.match",
    "assembler.rules",
    "assembler.awards",
    "assembler.report",
    "assembler.crosscheck",
]
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
        "assembler.evidence",
        "assembler.sources",
        "assembler.application",
        "assembler.ledger",
        "assembler.checklists",
        "assembler.yamlio",
    }
    assert io_modules.isdisjoint(loaded)
