"""Pure matching of evidence files to the checklist: materials by leading number, meetings by date.

No I/O: takes the discovered files and the checklist, returns which file belongs where and what
could not be placed, so every rule downstream works on plain data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from assembler.core.checklist import MaterialSpec, PartSpec
from assembler.core.dates import find_date
from assembler.core.models import EvidenceFile

_LEADING_NUMBER = re.compile(r"\s*0*(\d{1,3})(?!\d)")


def leading_number(name: str) -> str | None:
    """The material number a folder or file name starts with: '2-制度', '02 激励制度', '2_方案' → '2'."""
    m = _LEADING_NUMBER.match(name)
    return m[1] if m else None


@dataclass(frozen=True)
class MaterialFiles:
    """The files found for one applicable material, split into meetings and parts where it has them."""

    spec: MaterialSpec
    files: tuple[EvidenceFile, ...] = ()
    meeting_folders: dict[dt.date, tuple[str, ...]] = field(default_factory=dict)  # date → folder(s) found
    meeting_parts: dict[dt.date, dict[str, tuple[EvidenceFile, ...]]] = field(default_factory=dict)
    parts: dict[str, tuple[EvidenceFile, ...]] = field(default_factory=dict)  # parts not per meeting
    unassigned: tuple[EvidenceFile, ...] = ()  # no part recognises them
    undated_folders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matching:
    """Every applicable material with its files, and the files that match no material (with the reason)."""

    materials: dict[str, MaterialFiles]
    unmatched: tuple[tuple[EvidenceFile, str], ...] = ()


def assign_part(inner_path: str, kind: str, parts: tuple[PartSpec, ...], in_meeting: bool) -> str | None:
    """The part a file belongs to: parts named in the file's path first, then catch-all parts by kind."""
    candidates = [p for p in parts if in_meeting or not p.per_meeting]
    for part in candidates:
        if part.names and kind in part.kinds and any(n in inner_path for n in part.names):
            return part.id
    for part in candidates:
        if not part.names and kind in part.kinds:
            return part.id
    return None


def _split_meetings(spec: MaterialSpec, files: list[EvidenceFile]) -> MaterialFiles:
    by_meeting: dict[dt.date, dict[str, list[EvidenceFile]]] = {}
    folders: dict[dt.date, set[str]] = {}
    top_parts: dict[str, list[EvidenceFile]] = {}
    unassigned: list[EvidenceFile] = []
    undated: set[str] = set()
    for f in files:
        path = PurePosixPath(f.rel)
        top, inner = path.parts[0], PurePosixPath(*path.parts[1:]) if len(path.parts) > 1 else path
        date = None
        if len(inner.parts) > 1:
            sub = inner.parts[0]
            date = find_date(sub)
            if date is None:
                undated.add(f"{top}/{sub}")
            else:
                folders.setdefault(date, set()).add(f"{top}/{sub}")
                inner = PurePosixPath(*inner.parts[1:])
        part = assign_part(inner.as_posix(), f.kind, spec.parts, in_meeting=date is not None)
        if part is None:
            unassigned.append(f)
        elif date is not None and any(p.id == part and p.per_meeting for p in spec.parts):
            by_meeting.setdefault(date, {}).setdefault(part, []).append(f)
        else:
            top_parts.setdefault(part, []).append(f)
    return MaterialFiles(
        spec=spec,
        files=tuple(files),
        meeting_folders={d: tuple(sorted(s)) for d, s in sorted(folders.items())},
        meeting_parts={d: {p: tuple(v) for p, v in parts.items()} for d, parts in sorted(by_meeting.items())},
        parts={p: tuple(v) for p, v in top_parts.items()},
        unassigned=tuple(unassigned),
        undated_folders=tuple(sorted(undated)),
    )


def match_evidence(
    materials: list[MaterialSpec], files: list[EvidenceFile], all_numbers: set[str] | None = None
) -> Matching:
    """Place each file under the applicable material its top-level folder (or file name) is numbered for.

    `all_numbers` are the material numbers of the scheme in any case; a file numbered for a material
    that exists but does not apply to this case is reported as unmatched with that reason.
    """
    by_number = {m.number: m for m in materials}
    grouped: dict[str, list[EvidenceFile]] = {n: [] for n in by_number}
    unmatched: list[tuple[EvidenceFile, str]] = []
    for f in files:
        parts = PurePosixPath(f.rel).parts
        top = parts[0]
        number = leading_number(top)
        if number is None:
            reason = (
                "不在任何编号的材料文件夹中" if len(parts) > 1 else "放在申请文件夹根目录，不属于任何材料"
            )
            unmatched.append((f, reason))
        elif number not in by_number:
            known = all_numbers or set()
            reason = (
                f"材料 {number} 不适用于所选情形" if number in known else f"清单中没有编号为 {number} 的材料"
            )
            unmatched.append((f, reason))
        else:
            grouped[number].append(f)
    result = {
        number: _split_meetings(spec, grouped[number])
        if spec.parts
        else MaterialFiles(spec=spec, files=tuple(grouped[number]))
        for number, spec in by_number.items()
    }
    return Matching(materials=result, unmatched=tuple(unmatched))
