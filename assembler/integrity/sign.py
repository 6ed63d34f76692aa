"""Signatures: a unit signs its dossier (PAdES, through pyHanko), the reviewer's `verify` reports who signed.

Digests prove that the pages and the data are those of one build; only a signature says who made the file.
Keys are RSA with a self-issued certificate made by `dossier keygen` in the user data folder: there is no
public CA for this, so the zone union's register pins each unit's certificate at its first intake and flags a
change. No Python library signs with SM2 (GB/T 32918) today; RSA/ECDSA PKCS#12 files from a unit's own CA
work too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assembler.errors import InputError, UsageError
from assembler.system.cache import user_folder

if TYPE_CHECKING:
    from pyhanko.sign import signers

log = logging.getLogger(__name__)
FIELD = "DossierSignature"


@dataclass(frozen=True)
class SignatureInfo:
    """Who signed a dossier, and whether the signature still holds for the whole file."""

    signer: str
    fingerprint: str  # SHA-256 of the signing certificate (what the register pins)
    intact: bool  # the signed bytes are unchanged and the signature is mathematically valid
    whole_file: bool  # nothing was added after signing
    readable: bool = True  # False: the signature's data (CMS) is damaged and could not be read at all


def default_key_path() -> Path:
    """Where `dossier keygen` puts a unit's key: the user data folder ($DOSSIER_KEYS overrides)."""
    return user_folder("DOSSIER_KEYS", "keys") / "dossier-signing.p12"


def make_key(name: str, path: Path, password: str | None = None) -> Path:
    """A new RSA key with a self-issued certificate naming the unit, as a PKCS#12 file readable only by the
    user; refuses to overwrite an existing key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    if path.exists():
        raise UsageError(
            "签名密钥文件已存在，未覆盖",
            where=str(path),
            fix="如需新密钥，请指定另一个文件。",
            rule="KEY-EXISTS",
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(name.encode(), key, cert, None, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _signer(key: Path, password: str | None) -> signers.SimpleSigner:
    from pyhanko.sign import signers

    if not key.is_file():
        raise UsageError(
            "找不到签名密钥文件", where=str(key), fix="请先运行 dossier keygen 生成本单位的密钥。"
        )
    signer: signers.SimpleSigner | None = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        str(key), password.encode() if password else None
    )
    if signer is None:
        raise InputError("签名密钥文件无法读取（密码不对或不是 PKCS#12 文件）", where=str(key))
    return signer


def sign_dossier(path: Path, key: Path, password: str | None = None) -> SignatureInfo:
    """Sign the dossier at `path` in place (an incremental update, written through a temporary file)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = _signer(key, password)
    tmp = path.with_name(f".{path.name}.signing.tmp")
    try:
        with path.open("rb") as src, tmp.open("wb") as out:
            writer = IncrementalPdfFileWriter(src, strict=False)
            meta = signers.PdfSignatureMetadata(
                field_name=FIELD, reason="申报材料汇编", md_algorithm="sha256"
            )
            signers.sign_pdf(writer, meta, signer=signer, output=out)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    info = signature_of(path)
    if info is None or not info.intact:
        raise InputError("签名后自检未通过", where=str(path))
    log.info("signed %s as %s", path, info.signer)
    return info


def _has_signature_field(path: Path) -> bool:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            form = pdf.Root.get("/AcroForm")
            fields: Any = form.get("/Fields", []) if isinstance(form, pikepdf.Dictionary) else []
            if not isinstance(fields, pikepdf.Array):
                return False  # no signature field of any form (verify reports the odd form itself)
            return any(isinstance(f, pikepdf.Dictionary) and str(f.get("/FT", "")) == "/Sig" for f in fields)
    except (pikepdf.PdfError, OSError, ValueError):
        return True  # let pyHanko say what is wrong


def signature_of(path: Path) -> SignatureInfo | None:
    """The dossier's signature (None when unsigned): the signer, its certificate's fingerprint, whether the
    signature holds and covers the whole file. Trust comes from the register's pinned certificate, not a
    CA."""
    if not _has_signature_field(path):  # most dossiers: no need to load and run pyHanko at all
        return None
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    with path.open("rb") as fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            signatures = reader.embedded_signatures
            if not signatures:
                return None
            sig = signatures[-1]
            cert = sig.signer_cert
        except Exception as exc:  # noqa: BLE001 - asn1crypto and pyHanko raise many kinds on damaged data
            log.info("signature of %s cannot be read: %s: %s", path, type(exc).__name__, exc)
            return SignatureInfo(signer="", fingerprint="", intact=False, whole_file=False, readable=False)
        try:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=[cert]))
            intact = bool(status.intact and status.valid)
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        except (SignatureValidationError, ValueError, TypeError, KeyError) as exc:
            log.info("signature of %s does not validate: %s", path, exc)
            intact, whole = False, False
        return SignatureInfo(
            signer=cert.subject.human_friendly,
            fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
            intact=intact,
            whole_file=whole,
        )
