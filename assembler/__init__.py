"""dossier: check, fill and assemble application dossiers for the Tianjin Binhai High-tech Zone
union's employee-innovation funds (津高新工发[2021]2号).

The public API (assembler/api.py, typed): `check(folder)`, `fill(folder, outdir)`,
`build(folder, BuildOptions(...))`, `verify(pdf)`, `review(paths)`, the register's `register_intake`,
`application_detail`, `register_decide`, `register_outputs`, `register_similar_pairs` and
`register_similar_verdict` (near-duplicate pairs and the reviewers' verdicts), the result models and
`DossierError`. The heavier steps (PDF assembly, conversions) are imported on first use, so that `check`
starts quickly; the names are typed for checkers all the same (the TYPE_CHECKING imports below).
"""

from typing import TYPE_CHECKING

from assembler.errors import DossierError

__version__ = "0.3.0"

if TYPE_CHECKING:  # the names as type checkers and editors see them; at run time __getattr__ imports them
    from assembler.api import (
        FillResult,
        UnknownApplication,
        application_detail,
        build,
        check,
        fill,
        parse_size,
        register_applications,
        register_decide,
        register_intake,
        register_outputs,
        register_similar_pairs,
        register_similar_verdict,
        review,
        verify,
    )
    from assembler.core.models import Award, EvidenceFile, Finding, MaterialResult, Report
    from assembler.pipeline.run import BuildOptions, BuildResult
    from assembler.reviewer.register.views import ApplicationView
    from assembler.reviewer.review import Summary
    from assembler.reviewer.verify import Verification

_LAZY = {
    "Award": "assembler.core.models",
    "EvidenceFile": "assembler.core.models",
    "Finding": "assembler.core.models",
    "MaterialResult": "assembler.core.models",
    "Report": "assembler.core.models",
    "BuildOptions": "assembler.pipeline.run",
    "BuildResult": "assembler.pipeline.run",
    "Verification": "assembler.reviewer.verify",
    "Summary": "assembler.reviewer.review",
    "check": "assembler.api",
    "fill": "assembler.api",
    "build": "assembler.api",
    "verify": "assembler.api",
    "review": "assembler.api",
    "FillResult": "assembler.api",
    "parse_size": "assembler.api",
    "ApplicationView": "assembler.reviewer.register.views",
    "UnknownApplication": "assembler.api",
    "application_detail": "assembler.api",
    "register_applications": "assembler.api",
    "register_intake": "assembler.api",
    "register_decide": "assembler.api",
    "register_outputs": "assembler.api",
    "register_similar_pairs": "assembler.api",
    "register_similar_verdict": "assembler.api",
}

__all__ = [
    "__version__",
    "DossierError",
    "Award",
    "EvidenceFile",
    "Finding",
    "MaterialResult",
    "Report",
    "BuildOptions",
    "BuildResult",
    "Verification",
    "Summary",
    "check",
    "fill",
    "build",
    "verify",
    "review",
    "FillResult",
    "parse_size",
    "ApplicationView",
    "UnknownApplication",
    "application_detail",
    "register_applications",
    "register_intake",
    "register_decide",
    "register_outputs",
    "register_similar_pairs",
    "register_similar_verdict",
]


def __getattr__(name: str) -> object:
    """Import the entry points and the result types on first use (a cached `check` loads neither)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assembler' has no attribute {name!r}")
