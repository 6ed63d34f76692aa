"""What `check` found about each file of an application folder, remembered between runs.

Inspecting a file means hashing it and opening it with a PDF or image library; for a folder that did
not change since the last check this is the bulk of the time and the only reason to import those
libraries. Results are kept per application folder in the user cache, keyed by each file's size,
modification and change times and inode, and by the inspecting code itself (a new version of the
tool inspects again). `build` always re-hashes what it places, so a stale entry can never put bytes
into a dossier that the manifest does not describe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from assembler.core.models import EvidenceFile, Print
from assembler.system.cache import code_version, default_cache_dir

log = logging.getLogger(__name__)


class InspectionMemo:
    """The remembered inspections of one application folder: load, look up by stat, remember, save."""

    def __init__(self, folder: Path, cache_dir: Path | None = None, kind: str = "inspected") -> None:
        self.folder = folder
        real = str(folder.resolve())
        name = hashlib.sha256(real.encode()).hexdigest()[:32]
        self.path = (cache_dir or default_cache_dir()) / kind / f"{name}.json"
        self.version = code_version()
        self.entries: dict[str, Any] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == self.version and data.get("folder") == real:
                self.entries = data["files"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass

    def _stamp(self, rel: str) -> list[int] | None:
        try:
            st = os.stat(self.folder / rel)
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def lookup_value(self, rel: str) -> tuple[bool, Any]:
        """(True, the remembered value) for `rel` if the file is unchanged since, else (False, None)."""
        known = self.entries.get(rel)
        if known is None or known.get("stamp") != self._stamp(rel):
            return False, None
        return True, known.get("file")

    def remember_value(self, rel: str, value: Any) -> None:
        """Keep a value (JSON) found about a file, with the file's stamp as it was."""
        stamp = self._stamp(rel)
        if stamp is not None:
            self.entries[rel] = {"stamp": stamp, "file": value}
            self.changed = True

    def lookup(self, rel: str) -> EvidenceFile | None:
        """The remembered inspection of `rel` if the file is unchanged since, else None (also while its
        fingerprints are still to come, see remember)."""
        found, value = self.lookup_value(rel)
        if not found or value.get("pending"):
            return None
        try:
            fields = {k: v for k, v in value.items() if k != "prints"}  # the memo's own entry stays whole
            prints = tuple(Print(**p) for p in value.get("prints") or ())
            return EvidenceFile(**fields, prints=prints)
        except (TypeError, AttributeError):
            return None

    def remember(self, found: EvidenceFile, pending: bool = False) -> None:
        """Keep the result of inspecting a file, with the file's stamp as it was. `pending`: inspected
        without its fingerprints, which a build adds later from its own decoding (add_prints); until then
        the entry is not used."""
        self.remember_value(found.rel, dataclasses.asdict(found) | ({"pending": True} if pending else {}))

    def add_prints(self, rel: str, prints: tuple[Print, ...]) -> None:
        """Complete a pending entry with the file's fingerprints, if the file is still as it was when it
        was inspected."""
        known = self.entries.get(rel)
        if known is None or not known["file"].get("pending") or known.get("stamp") != self._stamp(rel):
            return
        known["file"] = {k: v for k, v in known["file"].items() if k != "pending"}
        known["file"]["prints"] = [dataclasses.asdict(p) for p in prints]
        self.changed = True

    def save(self, present: set[str]) -> None:
        """Write the memo (only files still present), atomically; an unwritable cache is skipped."""
        if not self.changed and set(self.entries) <= present:
            return
        data = {
            "version": self.version,
            "folder": str(self.folder.resolve()),
            "files": {rel: v for rel, v in self.entries.items() if rel in present},
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.debug("inspection memo not saved: %s", exc)
