"""dossier: check, fill and assemble application dossiers for the Tianjin Binhai High-tech Zone
union's employee-innovation funds (津高新工发[2021]2号).

The public API: `check(folder)`, `fill(folder, outdir)`, `build(folder, BuildOptions(...))`,
`verify(pdf)`, `review(paths)`, the result models and `DossierError`. The heavier steps (PDF
assembly, conversions) are imported on first use, so that `check` starts quickly.
"""

__version__ = "0.2.0"

from assembler.errors import DossierError  # noqa: E402

_LAZY = {
    "Award": "assembler.core.models",
    "EvidenceFile": "assembler.core.models",
    "Finding": "assembler.core.models",
    "MaterialResult": "assembler.core.models",
    "Report": "assembler.core.models",
    "check": "assembler.api",
    "fill": "assembler.api",
    "build": "assembler.pipeline.run",
    "BuildOptions": "assembler.pipeline.run",
    "verify": "assembler.reviewer.verify",
    "review": "assembler.reviewer.review",
}

__all__ = [
    "__version__",
    "DossierError",
    *_LAZY,
]


def __getattr__(name: str):
    """Import the entry points and the result types on first use (a cached `check` loads neither)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assembler' has no attribute {name!r}")
