"""dossier: check, fill and assemble application dossiers for the Tianjin Binhai High-tech Zone
union's employee-innovation funds (津高新工发[2021]2号)."""

__version__ = "0.1.0"

from assembler.api import check  # noqa: E402
from assembler.errors import DossierError  # noqa: E402
from assembler.models import Award, EvidenceFile, Finding, MaterialResult, Report  # noqa: E402

__all__ = ["__version__", "check", "DossierError", "Award", "EvidenceFile", "Finding", "MaterialResult", "Report"]
