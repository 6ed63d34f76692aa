"""Checklists as data: what each scheme requires, read from checklists/<revision>/<scheme>.yaml.

A revision of the measures changes these files, not the code. The file itself is validated
(unknown keys, wrong values) so that a union editing it gets a clear message.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assembler.core.checklist import Checklist
from assembler.errors import DossierError, InputError
from assembler.load.application import validation_messages
from assembler.load.yamlio import load_yaml
from assembler.resources import checklist_dir

if TYPE_CHECKING:  # numpy and rapidfuzz only when near-duplicates are compared
    from assembler.core.similar import Thresholds


def load_checklist(measures: str, scheme: str, override: Path | None = None) -> Checklist:
    """The checklist of `scheme` under revision `measures` (or from the folder `override`)."""
    folder = checklist_dir(measures, override)
    path = folder / f"{scheme}.yaml"
    if not path.is_file():
        raise InputError(f"清单文件夹中没有 {scheme}.yaml", where=str(folder))
    data, lines = load_yaml(path.read_text(encoding="utf-8"), str(path))
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        details = validation_messages(exc, lines, path.name)
        raise InputError(
            "检查清单文件有错误",
            where=str(path),
            details=details,
            fix="请按 docs/checklists.md 的说明改正清单文件。",
        ) from None
    if checklist.scheme != scheme or checklist.measures != measures and override is None:
        raise InputError(
            f"清单文件写的是 {checklist.measures} 版 {checklist.scheme}，与文件名不符", where=str(path)
        )
    return checklist


def available_checklists(override: Path | None = None) -> list[Checklist]:
    """Every checklist of every bundled revision (or of the folder `override`), for `dossier schemes`."""
    from assembler.resources import bundled

    if override is not None:
        folders = [override]
    else:
        folders = sorted(p for p in bundled("checklists").iterdir() if p.is_dir())
    out = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            out.append(load_checklist(folder.name, path.stem, override))
    return out


CURRENT_MEASURES = "2021"  # the revision `init` writes into new applications


@functools.cache
def fund_titles(measures: str = CURRENT_MEASURES) -> tuple[dict[str, str], dict[str, str]]:
    """The funds' and the cases' titles as the bundled checklists of `measures` print them: for pages that
    list applications of any fund (the reviewer's summary, the web app's home page)."""
    schemes: dict[str, str] = {}
    cases: dict[str, str] = {}
    for checklist in available_checklists():
        if checklist.measures == measures:
            schemes[checklist.scheme] = checklist.title
            cases.update({c.id: c.title for c in checklist.cases})
    return schemes, cases


@functools.cache
def similarity_thresholds() -> Thresholds:
    """When pictures and ledger items count as near duplicates: checklists/similarity.yaml (the reasoning
    in docs/rules.md); a key that is missing, unknown or not a number is refused with its name."""
    from assembler.core.similar import Thresholds
    from assembler.resources import bundled

    path = bundled("checklists") / "similarity.yaml"
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    flat: dict[str, object] = {}
    for section in ("pictures", "ledger"):
        part = data.get(section) if isinstance(data, dict) else None
        if not isinstance(part, dict):
            raise InputError(f"近似重复阈值文件缺少 {section} 一节", where=str(path))
        flat |= part
    known = {f.name: f.type for f in dataclasses.fields(Thresholds)}
    for key, value in flat.items():
        if key not in known:
            raise InputError(f"近似重复阈值文件中有未知的键 {key}", where=str(path))
        if known[key] == "bool" and not isinstance(value, bool):
            raise InputError(f"近似重复设置 {key} 应为 true 或 false", where=str(path))
        if known[key] != "bool" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InputError(f"近似重复阈值 {key} 应为数字", where=str(path))
    kinds = {"int": int, "float": float, "bool": bool}
    return Thresholds(**{k: kinds[str(known[k])](v) for k, v in flat.items()})


@functools.cache
def standing_materials(scheme: str, measures: str = CURRENT_MEASURES) -> frozenset[str]:
    """The numbers of the materials filed again every year by design (a unit's incentive rules):
    `reuse: standing` in the checklist; a near-duplicate across years is not raised for them."""
    try:
        checklist = load_checklist(measures, scheme)
    except DossierError:
        return frozenset()
    return frozenset(m.number for m in checklist.materials if m.reuse == "standing")
