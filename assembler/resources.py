"""Where the bundled checklists and templates are: inside the installed package, or in a source checkout."""

from __future__ import annotations

import re
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


def bundled_revisions() -> list[str]:
    """The names of the bundled revisions of the measures ("2021", …)."""
    return sorted(
        p.name for p in bundled("checklists").iterdir() if p.is_dir() and _REVISION.fullmatch(p.name)
    )


_REVISION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,31}")


def checklist_is_bundled(override: Path | None) -> bool:
    """True when the checklists in use are the tool's own (no --checklists, or --checklists naming a bundled
    revision's folder): a dossier built with any other folder must say on its cover that its checklists are
    unofficial."""
    if override is None:
        return True
    try:
        real = override.resolve()
    except OSError:
        return False
    return any(real == (bundled("checklists") / name).resolve() for name in bundled_revisions())


def checklist_dir(measures: str, override: Path | None = None) -> Path:
    """The folder of checklists for a revision of the measures; `override` is a folder given by
    --checklists.

    `measures` (from application.yaml, or a dossier's manifest) selects a bundled revision by its name
    only: a path there is refused, so an application can never bring its own rules; other checklists come
    only from the command line's --checklists.
    """
    if override is not None:
        if not override.is_dir():
            raise UsageError("--checklists 指定的文件夹不存在", where=str(override))
        return override
    known = bundled_revisions()
    if not isinstance(measures, str) or not _REVISION.fullmatch(measures) or ".." in measures:
        raise UsageError(
            f"measures 只能写内置办法版本的名称（已有：{'、'.join(known)}），"
            f"不能写路径：“{str(measures)[:60]}”",
            where="application.yaml measures",
            fix="请把 measures 改为已有的版本；修订版清单只能由评审方用 --checklists 指定。",
        )
    folder = bundled("checklists") / measures
    if measures not in known or not folder.is_dir():
        raise UsageError(
            f"没有“{measures}”版办法的检查清单（已有：{'、'.join(known)}）",
            where="application.yaml measures",
            fix="请把 measures 改为已有的版本，或用 --checklists 指定新版清单文件夹。",
        )
    return folder
