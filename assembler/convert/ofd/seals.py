"""Seals: the picture inside the SES v1 / v4 ASN.1 of an electronic signature."""

from __future__ import annotations

from assembler.convert.ofd.common import MAX_DER_DEPTH


def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """(identifier octet, content) of the DER/BER items that make up `data`, read by asn1crypto's parser;
    [] when malformed."""
    from asn1crypto import parser

    items = []
    rest = data
    while rest:
        try:
            class_, method, tag, header, content, trailer = parser.parse(rest, strict=False)
        except ValueError:
            return []
        items.append(((class_ << 6) | (method << 5) | min(tag, 0x1F), content))
        rest = rest[len(header) + len(content) + len(trailer) :]
    return items


def find_seal_picture(data: bytes) -> tuple[str, bytes] | None:
    """The seal picture (type, bytes) in an SES signature or seal (GM/T 0031 v1, GB/T 38540 v4).

    Both versions keep it as SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING,
    width INTEGER, height INTEGER } inside SESeal → eSealInfo; the first such SEQUENCE found depth-first
    is the seal, so vendor variants of the surrounding structure (and a bare Seal.esl) work too.
    Returns None for other signatures (e.g. a plain PKCS#7 digital signature)."""

    def walk(content: bytes, depth: int) -> tuple[str, bytes] | None:
        if depth > MAX_DER_DEPTH:
            return None
        items = _der_items(content)
        if (
            len(items) == 4
            and items[0][0] in (0x16, 0x13, 0x0C)
            and items[1][0] == 0x04
            and items[2][0] == 0x02
            and items[3][0] == 0x02
            and len(items[1][1]) > 16
        ):
            kind = items[0][1].decode("latin-1", "replace").strip()
            if 0 < len(kind) <= 8:
                return kind, items[1][1]
        for tag, inner in items:
            if tag in (0x30, 0x31, 0xA0, 0xA1, 0xA2, 0xA3):
                found = walk(inner, depth + 1)
                if found is not None:
                    return found
        return None

    if not data or data[0] != 0x30:
        return None
    return walk(data, 0)
