"""Whether an Office file is protected by an opening password, read from its structure without the password.

LibreOffice cannot convert such a file; without this check `check` passed it and `build` failed naming a
temporary copy. Three containers: an OLE compound file (.doc/.wps: the Word FIB's fEncrypted bit;
.xls/.et: a FILEPASS record after the workbook's BOF; .docx/.xlsx saved with a password: the OLE file
holds an EncryptionInfo stream instead of a zip), and an OpenDocument zip (.odt/.ods: the manifest lists
encryption data for its parts).
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

_FILEPASS = 0x002F
_BOF = 0x0809
_RECORDS_BEFORE_FILEPASS = 64  # FILEPASS follows BOF directly; a few records at most are tolerated


def ole_encrypted(fh: BinaryIO) -> bool | None:
    """True when the OLE compound file in `fh` is password-protected, False when it is not, None when it is
    not a readable compound file (LibreOffice then reports it)."""
    import olefile

    try:
        ole = olefile.OleFileIO(fh)
    except (OSError, ValueError, struct.error, IndexError):
        return None
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            return True  # an OOXML file saved with a password
        if ole.exists("WordDocument"):
            fib = ole.openstream("WordDocument").read(0x0C)
            return len(fib) >= 0x0C and bool(struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100)
        for name in ("Workbook", "Book"):
            if ole.exists(name):
                return _xls_filepass(ole.openstream(name).read(1 << 16))
        return False
    except (OSError, ValueError, struct.error, IndexError):
        return None
    finally:
        ole.close()


def _xls_filepass(data: bytes) -> bool:
    offset = 0
    for _ in range(_RECORDS_BEFORE_FILEPASS):
        if offset + 4 > len(data):
            return False
        kind, length = struct.unpack_from("<HH", data, offset)
        if kind == _FILEPASS:
            return True
        if offset == 0 and kind != _BOF:
            return False
        offset += 4 + length
    return False


def odf_encrypted(zf: zipfile.ZipFile) -> bool:
    """True when the OpenDocument zip's manifest lists encryption data (its parts are encrypted)."""
    try:
        with zf.open("META-INF/manifest.xml") as fh:
            return b"encryption-data" in fh.read(1 << 20)
    except KeyError:
        return False
