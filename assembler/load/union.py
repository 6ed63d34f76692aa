"""The zone union's profile (`union.yaml`): who issues the year's documents, the 发文字号 prefix, whom to
contact, and the periods (公示 working days, 补正 days, holidays). A document never carries a blank where
a profile value belongs: a missing value is asked for before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler.errors import InputError, UsageError

UNION_FILE = "union.yaml"
EXAMPLE_HINT = "示例见 examples/union.yaml，字段说明见 docs/union.md。"
# key → (form label, required)
FIELDS: dict[str, tuple[str, bool]] = {
    "issuer": ("发文机关", True),
    "number_prefix": ("发文字号前缀", True),
    "contact": ("联系人", True),
    "phone": ("联系电话", True),
    "address": ("通讯地址", True),
    "email": ("电子邮箱", True),
    "objection_days": ("公示期（工作日）", False),
    "correction_days": ("补正期限（日）", False),
    "first_number": ("起始文号", False),
    "holidays": ("法定节假日", False),
}
LIMITS = {"objection_days": (1, 30, 5), "correction_days": (1, 90, 10), "first_number": (1, 9999, 1)}


@dataclass(frozen=True)
class UnionProfile:
    """The issuing union as its documents name it."""

    issuer: str
    number_prefix: str
    contact: str
    phone: str
    address: str
    email: str
    objection_days: int = 5
    correction_days: int = 10
    first_number: int = 1
    holidays: tuple[dt.date, ...] = field(default_factory=tuple)

    def number(self, year: int, n: int) -> str:
        """发文字号: prefix〔year〕n号 (GB/T 9704-2012 7.2.4: 六角括号, no leading zeros)."""
        return f"{self.number_prefix}〔{year}〕{n}号"

    def as_data(self) -> dict[str, Any]:
        """The profile as union.yaml holds it."""
        return {
            "issuer": self.issuer,
            "number_prefix": self.number_prefix,
            "contact": self.contact,
            "phone": self.phone,
            "address": self.address,
            "email": self.email,
            "objection_days": self.objection_days,
            "correction_days": self.correction_days,
            "first_number": self.first_number,
            "holidays": [d.isoformat() for d in self.holidays],
        }


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def profile_problems(data: Any) -> dict[str, str]:
    """What is missing or wrong in profile data, by key (empty when the profile is complete)."""
    if not isinstance(data, dict):
        return {"": "内容应为“字段: 值”的列表"}
    problems: dict[str, str] = {}
    for key in data:
        if key not in FIELDS:
            problems[str(key)] = f"未知字段“{key}”（可用字段：{'、'.join(FIELDS)}）"
    for key, (title, required) in FIELDS.items():
        value = data.get(key)
        if key in LIMITS:
            low, high, _ = LIMITS[key]
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not str(value).strip().isdigit() or not low <= int(value) <= high:
                problems[key] = f"“{title}”应为 {low} 至 {high} 之间的整数"
        elif key == "holidays":
            values = value if isinstance(value, list) else [] if value in (None, "") else None
            if values is None or any(_date(v) is None for v in values):
                problems[key] = f"“{title}”应为日期列表，如 [2026-10-01, 2026-10-02]"
        elif required and (not isinstance(value, str | int) or not str(value).strip()):
            problems[key] = f"请填写“{title}”"
    return problems


def profile_from_data(data: Any, source: str) -> UnionProfile:
    """The profile from parsed data; every missing or wrong value is named in one refusal."""
    problems = profile_problems(data)
    if problems:
        raise InputError(
            "总工会信息不完整：" + "；".join(problems.values()),
            where=source,
            fix=f"补全后再生成公文（公文中不留空白）。{EXAMPLE_HINT}",
            field=next(iter(problems)),
        )
    assert isinstance(data, dict)

    def number(key: str) -> int:
        value = data.get(key)
        return int(value) if value not in (None, "") else LIMITS[key][2]

    holidays = sorted({d for d in (_date(v) for v in data.get("holidays") or []) if d is not None})
    return UnionProfile(
        **{k: str(data[k]).strip() for k, (_, required) in FIELDS.items() if required},
        objection_days=number("objection_days"),
        correction_days=number("correction_days"),
        first_number=number("first_number"),
        holidays=tuple(holidays),
    )


def load_union(path: Path) -> UnionProfile:
    """The profile in the YAML file at `path`."""
    from assembler.load.yamlio import load_yaml

    if not path.is_file():
        raise UsageError("找不到总工会信息文件", where=str(path), fix=EXAMPLE_HINT)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"无法读取（{type(exc).__name__}）", where=str(path), fix="请另存为 UTF-8 文本。"
        ) from None
    data, _ = load_yaml(text, str(path))
    return profile_from_data(data, str(path))


def union_beside(register: Path) -> Path:
    """Where the register keeps its profile: union.yaml next to the register file."""
    return register.parent / UNION_FILE


def save_union(path: Path, profile: UnionProfile) -> None:
    """Write the profile as union.yaml (atomically), with a header saying what the file is."""
    import yaml

    from assembler.files import write_atomically

    body = yaml.safe_dump(profile.as_data(), allow_unicode=True, sort_keys=False)
    header = "# 高新区总工会信息：公文的发文机关、文号、联系方式和期限（字段说明见 docs/union.md）\n"
    write_atomically(path, (header + body).encode("utf-8"))
