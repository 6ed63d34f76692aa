"""Library messages never name a command-line option (the web has none); the CLI adds its own hint, found by
the error's rule id or field."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, copy_example, edit_yaml

from assembler.cli import cli
from assembler.errors import IncompleteError

LIBRARY = [
    *(ROOT / "assembler" / "load").glob("*.py"),
    *(ROOT / "assembler" / "pipeline").glob("*.py"),
    *(ROOT / "assembler" / "reviewer").rglob("*.py"),
    *(ROOT / "assembler" / "core").glob("*.py"),
    ROOT / "assembler" / "api.py",
]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+|用 -o\b")


def _strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_no_library_message_names_a_command_line_option():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in LIBRARY
        for line, text in _strings(path)
        if OPTION.search(text) and re.search(r"[\u4e00-\u9fff]", text)  # a Chinese message, not an argv
    ]
    assert found == []


@pytest.fixture
def incomplete(tmp_path):
    folder = copy_example("innovation-count", tmp_path)
    edit_yaml(folder, lambda d: d["applicant"]["contact"].update(name=""))
    return folder


def test_build_refusal_the_library_names_no_option_the_cli_adds_it(incomplete, tmp_path):
    from assembler.api import build
    from assembler.pipeline.run import BuildOptions

    with pytest.raises(IncompleteError) as caught:
        build(incomplete, BuildOptions(out=tmp_path / "out.pdf"))
    exc = caught.value
    assert exc.rule == "BUILD-INCOMPLETE" and exc.values == {"errors": 1}
    assert "--" not in exc.render() and "预览模式" in (exc.fix or "")
    result = CliRunner().invoke(cli, ["build", str(incomplete), "-o", str(tmp_path / "out.pdf")])
    assert result.exit_code == 1
    assert "命令行：如只需预览，可加 --allow-incomplete" in result.output


def test_register_refusals_carry_their_field_and_the_cli_hint(tmp_path):
    from assembler.api import UnknownApplication, application_detail, register_intake
    from assembler.reviewer.register.db import open_register

    db = open_register(tmp_path / "register.sqlite")
    with pytest.raises(UnknownApplication) as caught:
        application_detail(db, 7)
    assert caught.value.field == "app_id" and "--" not in caught.value.render()
    register_intake(db, [copy_example("studio", tmp_path)])
    detail = application_detail(db, 1)
    assert detail.record.id == 1 and [v.record.id for v in detail.lineage] == [1] and detail.diff is None
    reg = str(tmp_path / "register.sqlite")
    result = CliRunner().invoke(
        cli, ["decide", "1", "--decision", "退回补正", "--reviewer", "王芳", "--register", reg]
    )
    assert result.exit_code == 2
    assert "需要写明理由" in result.output and "命令行：用 --reason 写明理由。" in result.output
    result = CliRunner().invoke(cli, ["applications", "9", "--register", reg])
    assert result.exit_code == 2 and "登记簿中没有这个登记号" in result.output
    assert "命令行：用 dossier applications 查看登记号。" in result.output


def test_every_cli_hint_key_is_a_rule_or_field_the_library_raises():
    from assembler.cli import _HINTS

    code = "".join(
        p.read_text(encoding="utf-8") for p in [*LIBRARY, *(ROOT / "assembler" / "integrity").glob("*.py")]
    )
    for key in _HINTS:
        assert f'rule="{key}"' in code or f'field="{key}"' in code or f'"{key}"' in code, key
