"""The register keeps every file it received: a read-only copy named by its SHA-256 in a folder next to
the database (register-files/ab/abcdef…), so that the clerk can open, export and hand on exactly what
arrived, and the register plus its files can be backed up as one archive and restored elsewhere.

A received PDF or .zip is kept byte for byte; a received folder is kept as a .zip of its files (sorted,
with fixed times, so the same folder gives the same copy).
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import tempfile
import zipfile
from pathlib import Path

from sqlite_utils import Database

from assembler.errors import FileSystemError, InputError, UsageError
from assembler.files import write_atomically

FILES_FOLDER = "register-files"
BACKUP_DB = "register.sqlite"
_FIXED_TIME = (2021, 1, 1, 0, 0, 0)


def database_path(db: Database) -> Path:
    """The file of an open register."""
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2])
    raise UsageError("登记簿不是文件（内存数据库），无法保存收到的文件")


def files_dir(db: Database) -> Path:
    """The folder of kept copies, next to the register file."""
    return database_path(db).parent / FILES_FOLDER


def _copy_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def folder_bytes(folder: Path) -> bytes:
    """A received application folder as a .zip: every file, sorted, with fixed times (same folder, same
    bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def keep(db: Database, source: Path) -> str:
    """Keep a read-only copy of the received `source` (file or folder); return its SHA-256."""
    import hashlib

    try:
        data = folder_bytes(source) if source.is_dir() else source.read_bytes()
    except OSError as exc:
        raise FileSystemError.from_os_error(exc) from None
    digest = hashlib.sha256(data).hexdigest()
    target = _copy_path(files_dir(db), digest)
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FileSystemError.from_os_error(exc) from None
        write_atomically(target, data)
        target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return digest


def kept_copy(db: Database, sha256: str) -> Path | None:
    """The kept copy with this hash, None when the register has none (recorded before copies were kept)."""
    if not sha256:
        return None
    path = _copy_path(files_dir(db), sha256)
    return path if path.is_file() else None


def export_name(source_name: str, kind: str) -> str:
    """The name an exported copy gets: the received name; a folder's copy gets .zip."""
    name = Path(source_name).name or "申请"
    return f"{name}.zip" if kind == "申请文件夹" and not name.lower().endswith(".zip") else name


def export_copy(db: Database, app_id: int, outdir: Path) -> Path:
    """Write the kept copy of application `app_id` into `outdir` under its received name."""
    rows = list(db.query("SELECT * FROM applications WHERE id = ?", [app_id]))
    if not rows:
        raise InputError(f"登记簿中没有登记号 {app_id}", fix="用 dossier applications 查看登记号。")
    row = rows[0]
    copy = kept_copy(db, row.get("stored_sha256") or "")
    if copy is None:
        raise InputError(
            f"登记号 {app_id} 登记时登记簿还不保存收到的文件，没有可导出的副本",
            fix="请向申请单位索取原件，或重新登记。",
        )
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileSystemError.from_os_error(exc) from None
    target = outdir / export_name(row["source_name"] or f"登记号{app_id}", row["kind"] or "")
    write_atomically(target, copy.read_bytes())
    return target


def backup(db: Database, archive: Path) -> tuple[int, int]:
    """Write the register (a consistent snapshot) and every kept file into one .zip `archive`; return the
    number of applications and of files."""
    with tempfile.TemporaryDirectory(dir=archive.parent if archive.parent.is_dir() else None) as tmp:
        snapshot = Path(tmp) / BACKUP_DB
        target = sqlite3.connect(snapshot)
        try:
            db.conn.backup(target)
        finally:
            target.close()
        root = files_dir(db)
        kept = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(snapshot, BACKUP_DB)
            for path in kept:
                zf.write(path, f"{FILES_FOLDER}/{path.relative_to(root).as_posix()}")
        write_atomically(archive, buffer.getvalue())
    count = db.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
    return count, len(kept)


def restore(archive: Path, register: Path) -> tuple[int, int]:
    """Bring a backup back as the register file `register` (and its files beside it). Refuses to
    overwrite an existing register; checks every file against its name (SHA-256)."""
    import hashlib

    if register.exists():
        raise UsageError(
            "登记簿文件已存在，未覆盖", where=str(register), fix="请恢复到一个新的文件名或空文件夹。"
        )
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"不是登记簿备份文件（{type(exc).__name__}）", where=str(archive)) from None
    with zf:
        names = zf.namelist()
        if BACKUP_DB not in names:
            raise InputError("备份中没有登记簿（register.sqlite）", where=str(archive))
        register.parent.mkdir(parents=True, exist_ok=True)
        root = register.parent / FILES_FOLDER
        files = 0
        for name in names:
            if not name.startswith(f"{FILES_FOLDER}/") or name.endswith("/"):
                continue
            data = zf.read(name)
            digest = Path(name).name
            if hashlib.sha256(data).hexdigest() != digest or len(digest) != 64:
                raise InputError(f"备份中的文件 {name} 与其 SHA-256 不符：备份已损坏", where=str(archive))
            target = _copy_path(root, digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                write_atomically(target, data)
                target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            files += 1
        write_atomically(register, zf.read(BACKUP_DB))
    check = sqlite3.connect(register)
    try:
        count = check.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        os.unlink(register)
        raise InputError(f"备份中的登记簿无法读取（{exc}）", where=str(archive)) from None
    finally:
        check.close()
    return count, files
