"""Writing outputs: atomically (a temporary file in the same folder, then a rename) and with the usual
permissions.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from assembler.errors import FileSystemError


def usual_permissions(path: Path) -> None:
    """Give a file made by mkstemp (0600) the permissions a normally created file would have (umask)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename: never half a file.
    A write that fails (disk full, no permission) is FileSystemError naming `path`, not the temporary file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        usual_permissions(Path(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileSystemError(
            f"文件写入失败（{exc.strerror or exc}）",
            where=str(path),
            fix="检查磁盘空间和文件夹的写入权限后重试。",
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
