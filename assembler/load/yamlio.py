"""Safe YAML loading that remembers the line of every key, refuses aliases and duplicate keys.

Users edit application.yaml by hand; error messages must point at a line. Aliases and anchors
are refused outright (they have no use in an application and enable "billion laughs" expansion),
and a key given twice is an error instead of PyYAML's silent last-one-wins.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from assembler.errors import InputError

MAX_YAML_BYTES = 1_000_000
MAX_YAML_DEPTH = 50  # application.yaml nests 4 levels; deeper documents are refused before recursion runs out

Path_ = tuple[Any, ...]


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases while composing."""

    source_name = "application.yaml"
    _depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML signature
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise InputError(
                f"第 {event.start_mark.line + 1} 行使用了 YAML 锚点或别名（&{anchor} / *{anchor}）",
                where=self.source_name,
                fix="请把内容直接写出，不要使用 & 和 * 引用。",
            )
        if self._depth >= MAX_YAML_DEPTH:
            raise InputError(
                f"第 {event.start_mark.line + 1} 行嵌套超过 {MAX_YAML_DEPTH} 层",
                where=self.source_name,
                fix="申报信息只有几层缩进，请检查是否多写了括号或缩进。",
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):  # noqa: ANN001 - PyYAML signature
        """A value that YAML recognises but Python cannot hold (the date 2026-02-30, an integer of 5,000
        digits) becomes a message with its line instead of a ValueError."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):
            line = node.start_mark.line + 1
            value = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
            shown = value if len(value) <= 30 else value[:30] + "…"
            if node.tag == "tag:yaml.org,2002:timestamp":
                raise InputError(
                    f"第 {line} 行的日期“{shown}”不存在",
                    where=self.source_name,
                    fix="请写成真实的日期，如 2026-03-18（年份 1–9999，月份 1–12，日期不超过当月天数）。",
                ) from None
            raise InputError(
                f"第 {line} 行的值“{shown}”无法读取（数字过长或写法不对）",
                where=self.source_name,
                fix="请改正该行的值；数字不要超过十几位，文字可加引号。",
            ) from None


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(
                    f"第 {line} 行的字段名不是简单文字（YAML 复杂键“? ”或列表、字典作键）",
                    where=source,
                    fix="字段名只能是一个词，如 name:；请删除“? ”写法。",
                )
            key = key_node.value
            if key in seen:
                raise InputError(
                    f"第 {line} 行的字段“{key}”与第 {seen[key]} 行重复",
                    where=source,
                    fix="每个字段只能写一次，请删除或合并重复的一项。",
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, source)


_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# the characters PyYAML's reader refuses (NUL, other control characters, lone surrogates)


def load_yaml(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text into Python data plus a map from key path to its 1-based line number."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise InputError(
            "文件过大（超过 1 MB）", where=source, fix="申报信息文件只需几十行，请检查是否放错了文件。"
        )
    found = _NON_PRINTABLE.search(text)
    if found is not None:
        bad, pos = found.group(), found.start()
        line = text.count("\n", 0, pos) + 1
        raise InputError(
            f"第 {line} 行含有不允许的控制字符（U+{ord(bad):04X}）",
            where=source,
            fix="文件可能已损坏或不是文本文件；请用记事本打开，删除乱码后另存为 UTF-8。",
        )
    loader = _NoAliasLoader(text)
    loader.source_name = source
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        _walk(node, (), lines, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source} 第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else source
        raise InputError(
            f"YAML 格式错误：{exc.problem or exc.context}",
            where=where,
            fix="请检查该行的缩进（用空格，不用 Tab）、冒号后是否有空格、引号是否成对。",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 格式错误：{exc}", where=source) from None
    except RecursionError:  # pragma: no cover - the depth limit above comes first
        raise InputError(f"嵌套超过 {MAX_YAML_DEPTH} 层", where=source) from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. an integer of 5,000 digits
        raise InputError(
            f"YAML 内容无法读取（{type(exc).__name__}: {str(exc)[:80]}）",
            where=source,
            fix="请检查是否有过长的数字或特殊写法（!! 标签）。",
        ) from None
    finally:
        loader.dispose()
    return data, lines


def read_text_file(data: bytes, source: str) -> str:
    """Decode a hand-edited text file: UTF-8 (with or without BOM), else GB18030 as Chinese Windows saves."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(
                "文件编码无法识别（既不是 UTF-8 也不是 GBK）",
                where=source,
                fix="请用记事本“另存为”，编码选择 UTF-8。",
            ) from None
