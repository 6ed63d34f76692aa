"""application.yaml: the loader that fills the schema (assembler.core.application; pydantic v2,
unknown keys forbidden).

Errors are collected for the whole file and reported together, each with its field path,
line number and a fix in Chinese, so a user corrects everything in one pass.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    ValidationError,
)

from assembler.core.application import APPLICATION_FILE, Application, LedgerItem, LoadedApplication
from assembler.errors import InputError
from assembler.load.ledger import load_ledger_file, split_sheet
from assembler.load.sources import Source
from assembler.load.yamlio import load_yaml, read_text_file

_TYPE_WORDS = {
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（如 2026-03-18）",
    "date_parsing": "应为日期（如 2026-03-18）",
    "date_from_datetime_inexact": "应为日期（不带时间）",
    "date_from_datetime_parsing": "应为日期（如 2026-03-18）",
    "list_type": "应为列表（每项以“- ”开头）",
    "dict_type": "应为若干“字段: 值”",
    "model_type": "应为若干“字段: 值”",
    "model_attributes_type": "应为若干“字段: 值”",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
}


def _describe(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "缺少必填字段"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "extra_forbidden":
        return "未知字段（可能拼写错误），请删除或改正"
    if kind == "literal_error":
        return f"取值“{err.get('input')}”无效，允许的值：{err['ctx']['expected']}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind in _TYPE_WORDS:
        return f"{_TYPE_WORDS[kind]}，实际为“{err.get('input')}”"
    if kind.startswith("union"):
        return "格式不对"
    return err["msg"]


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member tags (e.g. 'list[LedgerItem]', 'constrained-str') from an error
    location.
    """
    return tuple(
        p for p in loc if isinstance(p, int) or not ("[" in p or "-" in p or p in {"str", "int", "list"})
    )


def validation_problems(exc: ValidationError, prefix: tuple = ()) -> list[tuple[tuple, str]]:
    """Each schema error as (field path, what is wrong), the path a tuple of keys and 0-based list indexes.

    Where a field accepts several forms (a ledger file name or an inline list), only the errors of
    the form the user chose are kept: an error whose location another error goes deeper into is dropped.
    The CLI words them with file and line (validation_messages), the web form with its labels (web/labels.py).
    """
    errors = [(prefix + _clean_loc(e["loc"]), e) for e in exc.errors()]
    out: list[tuple[tuple, str]] = []
    for loc, err in errors:
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other, _ in errors):
            continue
        problem = (loc, _describe(err))
        if problem not in out:
            out.append(problem)
    return out


def validation_messages(exc: ValidationError, lines: dict, source: str, prefix: tuple = ()) -> list[str]:
    """One Chinese line per schema error: file, line, dotted field path, what is wrong."""
    out: list[str] = []
    for loc, described in validation_problems(exc, prefix):
        probe = loc
        while probe and probe not in lines:
            probe = probe[:-1]
        line = lines.get(probe)
        dotted = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in loc).replace(".[", "[")
        text = f"{source}{f' 第 {line} 行' if line else ''} {dotted or '（顶层）'}：{described}"
        if text not in out:
            out.append(text)
    return out


def load_application(source: Source) -> LoadedApplication:
    """Read, validate and resolve the application of a folder or zip; raise InputError naming every
    problem.
    """
    if not source.exists(APPLICATION_FILE):
        raise InputError(
            f"找不到 {APPLICATION_FILE}",
            where=source.display,
            fix=f"每份申请的文件夹里都要有 {APPLICATION_FILE}（申报信息）。",
            rule="APP-FILE-MISSING",
        )
    text = read_text_file(source.read_bytes(APPLICATION_FILE), APPLICATION_FILE)
    data, lines = load_yaml(text, APPLICATION_FILE)
    if not isinstance(data, dict):
        raise InputError(
            "内容应为若干“字段: 值”", where=APPLICATION_FILE, fix="请参照 `dossier init` 生成的示例填写。"
        )
    try:
        app = Application.model_validate(data)
    except ValidationError as exc:
        details = validation_messages(exc, lines, APPLICATION_FILE)
        raise InputError(
            f"{APPLICATION_FILE} 有 {len(details)} 处错误",
            details=details,
            fix="按上面每行所说改正后再运行。",
        ) from None
    items: tuple[LedgerItem, ...] = ()
    ledger_path = None
    if app.innovation is not None:
        if isinstance(app.innovation.projects, str):
            items = tuple(
                load_ledger_file(
                    source,
                    app.innovation.projects,
                    yaml_where=f"{APPLICATION_FILE} 第 {lines.get(('innovation', 'projects'))} 行",
                )
            )
            ledger_path = split_sheet(app.innovation.projects)[0]  # the file, without a #工作表名
        else:
            items = tuple(
                item.model_copy(update={"row": i}) for i, item in enumerate(app.innovation.projects, start=1)
            )
    return LoadedApplication(app=app, items=items, ledger_path=ledger_path, lines=lines, raw=data)
