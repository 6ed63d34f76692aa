"""`check` answered from its last run when nothing it reads has changed.

The answer of `check` depends only on the files of the application folder, the checklists and calls it
reads, the options and the program itself. Each is stamped (size, modification and change times, inode)
and the stamps, with the options and the code's own digest, name a cache entry holding the printed
output and the exit code. A folder that changed in any file, a checklist edited, a new version of the
tool: another key, a full check. Light on purpose: stdlib only, so a repeated check loads no pydantic,
rich, PDF or image library.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from assembler.system.cache import code_version, default_cache_dir

MAX_FILES = 20_000  # beyond this the walk itself is the cost: no cache
HASHED_BYTES = (
    1 << 20
)  # files at the top of a folder up to this size (application.yaml, the ledger) are hashed


def _stamps(root: Path) -> list[list[object]] | None:
    """Every file below `root` with its stamp; the small files at its top (application.yaml, the ledger, a
    checklist) also with their content's digest, so that an edit that keeps size and time tick is seen."""
    out: list[list[object]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
                digest = ""
                if dirpath == str(root) and st.st_size <= HASHED_BYTES:
                    with open(path, "rb") as fh:
                        digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                return None
            rel = os.path.relpath(path, root)
            out.append([rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest])
            if len(out) > MAX_FILES:
                return None
    return out


def check_key(folder: Path, checklists: Path, options: dict[str, object]) -> str | None:
    """The key of a check of `folder` (a folder on disk, not a zip) with the checklists in `checklists` (the
    revision's folder, calls included) and `options` (output form, --call file, terminal); None when it
    cannot be stamped."""
    if not folder.is_dir():
        return None
    stamps = _stamps(folder)
    rules = _stamps(checklists)
    if stamps is None or rules is None:
        return None
    call = options.get("call")
    if call:
        try:
            st = os.stat(str(call))
        except OSError:
            return None
        options = {**options, "call_stamp": [st.st_size, st.st_mtime_ns, st.st_ino]}
    parts = [code_version(), str(folder.resolve()), stamps, str(checklists.resolve()), rules, options]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _path(key: str) -> Path:
    return default_cache_dir() / "checks" / f"{key}.json"


def lookup(key: str) -> tuple[str, int] | None:
    """The output and exit code of the check with this key, if it ran before."""
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
        return str(data["output"]), int(data["exit_code"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(key: str, output: str, exit_code: int) -> None:
    """Keep a check's output; a cache that cannot be written is skipped."""
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"output": output, "exit_code": exit_code}, ensure_ascii=False), encoding="utf-8"
        )
        os.replace(tmp, path)
    except OSError:
        pass
