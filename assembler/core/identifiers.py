"""Pure checks of Chinese identifiers and the capital-numeral writing of money.

- 统一社会信用代码 per GB 32100-2015, including the embedded GB 11714 organisation code;
- telephone numbers (mobile and fixed-line, as written on forms);
- 人民币大写 (e.g. 人民币叁仟元整) for amounts in the application forms.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assembler.limits import AMOUNT_MAX_YUAN

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a credit code whose first 17 characters are given."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The check character of an 8-character GB 11714 organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, in Chinese; None when it is valid.

    Users copy codes from licences, so the message names the exact position that is wrong.
    """
    if len(code) != 18:
        return f"应为 18 位，实际 {len(code)} 位"
    for i, c in enumerate(code, start=1):
        if c not in CREDIT_CHARSET:
            hint = "（不使用字母 I、O、S、V、Z，请检查是否把数字 0/1/5/2 写成了字母）" if c.isalpha() else ""
            return f"第 {i} 位字符“{c}”不允许{hint}"
    org_body, org_check = code[8:16], code[16]
    if org_code_check_char(org_body) != org_check:
        return (
            f"第 9–17 位的组织机构代码 {code[8:16]}-{org_check} 校验位错误"
            f"（应为 {org_code_check_char(org_body)}）"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"第 18 位校验码错误（按前 17 位计算应为 {expected}）"
    return None


_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth(text: str) -> str:
    """Full-width ASCII as typed with a Chinese input method (１２００, ＡＢＣ, －, ，) and the
    ideographic space as their ordinary forms; every other character (Chinese text included) unchanged."""
    return text.translate(_FULLWIDTH)


def clean_code(value: object) -> object:
    """A credit code as typed (full-width, lower-case, with spaces) in its stored form: upper-case
    ASCII without spaces. A non-text value is returned unchanged (digits from YAML become text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return value
    return re.sub(r"\s", "", halfwidth(value)).upper()


_COUNT_UNITS = "元人名个项年次条"
_COUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")


def clean_count(value: object) -> object:
    """A whole number as people write it — 1200, “1,200”, “1200人”, “１２００”, “2026年”, “5000元” —
    as an int.

    Text that is not such a number is returned unchanged, so the schema still names what is wrong with it
    (“应为整数，实际为“abc””)."""
    if not isinstance(value, str):
        return value
    text = re.sub(r"\s", "", halfwidth(value)).replace("，", ",")
    text = text.rstrip(_COUNT_UNITS) if len(text) > 1 else text
    if len(text) <= 20 and _COUNT.fullmatch(text):
        return int(text.replace(",", ""))
    return value


_MOBILE = re.compile(r"1[3-9]\d{9}")
_FIXED = re.compile(r"0\d{2,3}\d{7,8}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")


def normalize_phone(text: str) -> str | None:
    """The phone number with separators removed, or None when it is not a Chinese phone number.

    Accepts mobiles (13800000000, +86 138-0000-0000) and fixed lines with or without area code
    and extension (022-58001234, 022-5800 1234-801).
    """
    raw = re.sub(r"[\s\-()（）]", "", halfwidth(text).strip())
    raw = re.sub(r"^(\+86|0086)", "", raw)
    main, _, ext = raw.partition("转")
    if not ext and "," in main:
        main, _, ext = main.partition(",")
    if ext and not ext.isdigit():
        return None
    if _MOBILE.fullmatch(main) or _FIXED.fullmatch(main) or _LOCAL.fullmatch(main):
        return main + (f"转{ext}" if ext else "")
    return None


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    """Capital numerals for 0 < n < 10000, with inner zeros collapsed to one 零."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[d] + _SMALL_UNITS[pos])
    return "".join(out)


def rmb_capital(amount: Decimal | int) -> str:
    """An amount in yuan written the way Chinese financial forms require: 3000 → 人民币叁仟元整.

    Fen are kept (12.05 → 人民币壹拾贰元零伍分); amounts must be non-negative with at most 2 decimals.
    """
    value = Decimal(amount)
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"金额 {amount} 不能写成大写（须为非负、最多两位小数）")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan >= 10**16:
        raise ValueError(f"金额 {amount} 过大")
    parts: list[str] = []
    groups: list[int] = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or g < 1000):
            parts.append("零")
        parts.append(_four_digits(g) + _BIG_UNITS[idx])
        need_zero = False
    text = "".join(parts)
    if yuan:
        text += "元"
    if jiao == 0 and fen == 0:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return "人民币" + text


def comparable(text: str) -> str:
    """`text` without spaces and punctuation, lower-cased: for telling whether two names mean the same
    item.
    """
    return re.sub(r"[\s，,。.；;：:、“”\"'（）()\-—_]", "", text).lower()


_MONEY_NOISE = re.compile(r"[\s¥￥]|元$|RMB", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_THOUSANDS = re.compile(r"-?[0-9]{1,3}([,，][0-9]{3})+(\.[0-9]{1,2})?")


def _shown(value: object) -> str:
    """The value as a message quotes it (long text cut short)."""
    text = str(value) if not isinstance(value, int) or value.bit_length() < 256 else "（过长的数字）"
    return text if len(text) <= 40 else text[:40] + "…"


def _implausible(value: object) -> str:
    return f"金额 {_shown(value)} 超过 {AMOUNT_MAX_YUAN:,} 元，不可信（请检查是否多写了零，金额单位为元）"


def parse_money(value: object) -> Decimal:
    """An amount in yuan from YAML, a spreadsheet cell or CSV text, exactly, with at most 2 decimals.

    Floats only ever arrive from parsers (YAML `600.5`, an Excel number cell); they are read back
    through their shortest decimal text, so 123.45 stays 123.45 and never becomes 123.4499….
    Text allows a comma only as a thousands separator (1,000 or 1,000.50); "1,00" and "1.000,00"
    (a decimal comma) are refused as ambiguous instead of being read as 100 and 1.
    Amounts above limits.AMOUNT_MAX_YUAN are refused as implausible.
    Raises ValueError with a Chinese reason.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("金额应为数字")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        if abs(value) > AMOUNT_MAX_YUAN:
            raise ValueError(_implausible(value))
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        text = _MONEY_NOISE.sub("", halfwidth(value).strip())
        if "," in text or "，" in text:
            if not _THOUSANDS.fullmatch(text):
                raise ValueError(
                    f"金额“{_shown(value)}”写法有歧义（逗号只能作千位分隔，如 1,000.50），"
                    "请写成不带逗号的数字，如 1000.50"
                )
            text = text.replace(",", "").replace("，", "")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
            raise ValueError(f"金额“{_shown(value)}”不是数字")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(f"金额“{_shown(value)}”最多保留两位小数（到分）；如“.”是千位分隔，请去掉")
        if len(text) > 40:
            raise ValueError(f"金额“{_shown(value)}”过长")
        amount = Decimal(text)
    else:
        raise ValueError("金额应为数字")
    if not amount.is_finite():
        raise ValueError("金额应为数字")
    if abs(amount) > AMOUNT_MAX_YUAN:
        raise ValueError(_implausible(value))
    if amount < 0:
        raise ValueError(f"金额 {amount} 不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"金额 {amount} 最多保留两位小数（到分）")
    return amount.quantize(Decimal("0.01")) if amount % 1 else amount.quantize(Decimal("1"))


def certificate_names(subject: str) -> list[str]:
    """The names in a certificate subject as pyHanko prints it (“Organization: 甲公司, Common Name: 甲公司”):
    the common name first, then the organisation; the whole text when it has no such parts. Why: a unit's
    certificate names the unit, and the register compares that name with the applicant's."""
    parts = dict(
        (key.strip(), value.strip())
        for key, sep, value in (p.partition(":") for p in subject.split(", "))
        if sep and value.strip()
    )
    names = [parts[k] for k in ("Common Name", "Organization") if parts.get(k)]
    return list(dict.fromkeys(names)) or [subject.strip()]
