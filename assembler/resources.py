"""Where the bundled checklists and templates are: inside the installed package, or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from assembler.errors import UsageError


def bundled(name: str) -> Path:
    """The bundled folder `name` ("checklists" or "templates").

    A wheel carries them as package data under assembler/_data; a source checkout (editable
    install, tests) has them at the repository root.
    """
    packaged = resources.files("assembler") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise UsageError(f"安装不完整：找不到内置的 {name} 文件夹", fix="请重新安装 dossier。")


def checklist_dir(measures: str, override: Path | None = None) -> Path:
    """The folder of checklists for a revision of the measures; `override` is a folder given by
    --checklists.
    """
    if override is not None:
        if not override.is_dir():
            raise UsageError("--checklists 指定的文件夹不存在", where=str(override))
        return override
    folder = bundled("checklists") / measures
    if not folder.is_dir():
        known = sorted(p.name for p in bundled("checklists").iterdir() if p.is_dir())
        raise UsageError(
            f"没有“{measures}”版办法的检查清单（已有：{'、'.join(known)}）",
            where="application.yaml measures",
            fix="请把 measures 改为已有的版本，或用 --checklists 指定新版清单文件夹。",
        )
    return folder
