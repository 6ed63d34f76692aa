from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assembler.core.identifiers import (
    CREDIT_CHARSET,
    clean_code,
    clean_count,
    credit_code_check_char,
    credit_code_problem,
    halfwidth,
    normalize_phone,
    org_code_check_char,
    parse_money,
    rmb_capital,
)

# a real code given in the toolchain facts, and the worked example printed in GB 32100-2015 (附录)
KNOWN_VALID = ["81440000MCL468545M", "91350100M000100Y43"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_valid_codes(code):
    assert credit_code_problem(code) is None


def test_published_check_characters():
    # the examples printed in the standards: GB 11714 组织机构代码 D2143569-X, GB 32100 91350100M000100Y4 → 3
    assert org_code_check_char("D2143569") == "X"
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code,words",
    [
        ("81440000MCL468545", "18 位"),
        ("81440000MCL468545MX", "18 位"),
        ("81440000MCL46854SM", "第 17 位"),  # S is not in the charset
        ("81440000MCL468546M", "组织机构代码"),  # org-code check digit changed
        ("81440000MCL468545N", "第 18 位"),
    ],
)
def test_invalid_codes_say_where(code, words):
    problem = credit_code_problem(code)
    assert problem is not None and words in problem


codes17 = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=16, max_size=16)


def _make(body16: str) -> str:
    first = body16[:8] + body16[8:16]
    org = first[8:16]
    first17 = first[:8] + org[:8]
    first17 = first17[:16] + org_code_check_char(org)
    if first17[16] not in CREDIT_CHARSET:
        return ""
    return first17 + credit_code_check_char(first17)


@given(codes17)
def test_generated_codes_are_valid_and_single_substitutions_are_caught(body):
    code = _make(body)
    assume(code)
    assert credit_code_problem(code) is None
    for i in range(18):
        for c in "0A":
            if code[i] != c:
                assert credit_code_problem(code[:i] + c + code[i + 1 :]) is not None


@pytest.mark.parametrize(
    "raw,norm",
    [
        ("13800000000", "13800000000"),
        ("+86 138-0000-0000", "13800000000"),
        ("022-58001234", "02258001234"),
        ("(022) 5800 1234", "02258001234"),
        ("022-58001234转801", "02258001234转801"),
        ("58001234", "58001234"),
    ],
)
def test_phone_ok(raw, norm):
    assert normalize_phone(raw) == norm


@pytest.mark.parametrize("raw", ["12345", "1380000000", "138000000001", "abc", "010-123", "02258001234转x"])
def test_phone_bad(raw):
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    "amount,text",
    [
        (0, "人民币零元整"),
        (2000, "人民币贰仟元整"),
        (3000, "人民币叁仟元整"),
        (5000, "人民币伍仟元整"),
        (30000, "人民币叁万元整"),
        (10500, "人民币壹万零伍佰元整"),
        (100000, "人民币壹拾万元整"),
        (1000001, "人民币壹佰万零壹元整"),
        (100010000, "人民币壹亿零壹万元整"),
        (Decimal("12.05"), "人民币壹拾贰元零伍分"),
        (Decimal("0.50"), "人民币伍角整"),
        (Decimal("1010.10"), "人民币壹仟零壹拾元壹角整"),
        (Decimal("31200.5"), "人民币叁万壹仟贰佰元伍角整"),
        (Decimal("10.01"), "人民币壹拾元零壹分"),
        (Decimal("600.55"), "人民币陆佰元伍角伍分"),
    ],
)
def test_rmb_capital(amount, text):
    assert rmb_capital(amount) == text


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_rmb_capital_digits_roundtrip(fen):
    text = rmb_capital(Decimal(fen) / 100)
    assert text.startswith("人民币")
    assert "零零" not in text
    assert text.endswith(("整", "分"))
    # reading the capital numerals back gives the same amount
    digits = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
    units = {"拾": 10, "佰": 100, "仟": 1000}
    big = {"万": 10**4, "亿": 10**8}
    body = text[3:]
    yuan_part, _, rest = body.partition("元") if "元" in body else ("", "", body)
    total = section = number = 0
    for ch in yuan_part:
        if ch in digits:
            number = digits[ch]
        elif ch in units:
            section += number * units[ch]
            number = 0
        elif ch in big:
            total = (
                (total + section + number) * big[ch] if ch == "亿" else total + (section + number) * big[ch]
            )
            section = number = 0
    total += section + number
    jiao = digits[rest[rest.index("角") - 1]] if "角" in rest else 0
    fen_d = digits[rest[rest.index("分") - 1]] if "分" in rest else 0
    assert total * 100 + jiao * 10 + fen_d == fen


def test_rmb_capital_rejects_sub_fen_and_negative():
    with pytest.raises(ValueError):
        rmb_capital(Decimal("1.001"))
    with pytest.raises(ValueError):
        rmb_capital(-1)


@pytest.mark.parametrize(
    "raw,value",
    [
        (600, Decimal("600")),
        ("600", Decimal("600")),
        ("1,200元", Decimal("1200")),
        ("¥350.50", Decimal("350.50")),
        (350.5, Decimal("350.50")),
        (123.45, Decimal("123.45")),
        (Decimal("0.10"), Decimal("0.10")),
    ],
)
def test_parse_money(raw, value):
    assert parse_money(raw) == value


@pytest.mark.parametrize("raw", ["abc", -5, "1.234", True, None, float("nan"), "1e5"])
def test_parse_money_rejects(raw):
    with pytest.raises(ValueError):
        parse_money(raw)


# -- lenient input cleaning (issue 9, item 3): the same in the CLI, YAML and the web form -----------------


@pytest.mark.parametrize(
    "raw,value",
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("1，200", 1200),
        ("１２００", 1200),
        ("1200人", 1200),
        ("　1200 人　", 1200),
        ("5000元", 5000),
        ("2026年", 2026),
        ("２０２６年", 2026),
        (430, 430),
    ],
)
def test_clean_count(raw, value):
    assert clean_count(raw) == value


@pytest.mark.parametrize("raw", ["abc", "12,00", "1.5", "", "人", "一千"])
def test_clean_count_leaves_what_is_not_a_number(raw):
    assert clean_count(raw) == raw


def test_halfwidth_and_codes():
    assert halfwidth("ＡＢＣ１２３　－") == "ABC123 -"
    assert halfwidth("天津市") == "天津市"
    assert clean_code("９１１２０１１６ｍａ０５ｋ３ｒ７８ｌ") == "91120116MA05K3R78L"
    assert clean_code(" 91120116ma05k3r78l ") == "91120116MA05K3R78L"
    assert normalize_phone("０２２－５８００１２３４") == "02258001234"
    assert normalize_phone("１３８００００００００") == "13800000000"
    assert parse_money("１０，０００元") == Decimal("10000")
    assert parse_money("２８６") == Decimal("286")


@pytest.mark.parametrize(
    "raw", ["2026-04-28", "2026/4/28", "2026.4.28", "2026年4月28日", "２０２６年４月２８日"]
)
def test_dates_as_written(raw):
    import datetime as dt

    from assembler.core.dates import parse_date_text

    assert parse_date_text(raw) == dt.date(2026, 4, 28)


def test_the_schema_cleans_what_people_type():
    """YAML (and so the CLI) gets the same cleaning as the web form."""
    import yaml
    from conftest import EXAMPLES

    from assembler.core.application import Application

    data = yaml.safe_load((EXAMPLES / "studio" / "application.yaml").read_text(encoding="utf-8"))
    data["year"] = "2026年"
    data["applicant"].update(
        credit_code="９１１２０１１６ｍａ０６ｐ２ｗ１６ｋ",
        employees="1,200人",
        contact={"name": "赵国庆", "phone": "０２２－６６２０１８８８"},
    )
    data["studio"].update(members="１２", named_on="2026年4月28日", tier="5000元", matched_amount="10,000元")
    app = Application.model_validate(data)
    assert app.year == 2026 and app.applicant.employees == 1200
    assert app.applicant.credit_code == "91120116MA06P2W16K"
    assert app.studio.members == 12 and app.studio.tier == 5000
    assert str(app.studio.named_on) == "2026-04-28" and app.studio.matched_amount == Decimal("10000")
    assert app.applicant.contact.phone == "022-66201888"
