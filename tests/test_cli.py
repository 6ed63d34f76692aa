"""The command line: exit codes, output, and the bad-input corpus (clear message, nothing changed)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, assert_refused, edit_yaml, tree_digest
from openpyxl import load_workbook

from assembler.cli import cli

EXPECTED_AWARD = {"innovation-count": 3000, "innovation-bonus": 30000, "studio": 15000}


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("name", sorted(EXPECTED_AWARD))
def test_check_examples_pass_with_documented_award(name):
    before = tree_digest(EXAMPLES / name)
    result = run("check", EXAMPLES / name)
    assert result.exit_code == 0, result.output
    assert f"可申请鼓励金：{EXPECTED_AWARD[name]:,} 元" in result.output
    assert "材料齐全" in result.output
    assert tree_digest(EXAMPLES / name) == before


@pytest.mark.parametrize("name", sorted(EXPECTED_AWARD))
def test_check_json_has_documented_keys(name):
    result = run("check", EXAMPLES / name, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"scheme", "case", "year", "complete", "award", "materials", "findings"} <= set(data)
    assert data["award"]["amount_yuan"] == EXPECTED_AWARD[name]
    assert data["award"]["amount_fen"] == EXPECTED_AWARD[name] * 100
    assert data["award"]["lines"]
    for m in data["materials"]:
        assert {"number", "title", "required", "status", "files"} <= set(m)
        assert m["status"] in {"ok", "missing", "invalid", "optional", "not-applicable"}
    for f in data["findings"]:
        assert {"rule", "severity", "material", "path", "message"} <= set(f)
        assert f["severity"] in {"error", "warning", "info"}
    assert data["complete"] is True


def test_check_json_meeting_groups():
    data = json.loads(run("check", EXAMPLES / "innovation-count", "--json").output)
    m4 = next(m for m in data["materials"] if m["number"] == "4")
    assert [g["date"] for g in m4["meetings"]] == ["2026-03-18", "2026-06-12"]
    assert all(g["parts"]["minutes"] and len(g["parts"]["photos"]) == 2 for g in m4["meetings"])
    five = [m for m in data["materials"] if m["number"] == "5"]
    assert [m["title"] for m in five] == ["物质奖励签收单"]


def test_init_then_check_explains(tmp_path):
    target = tmp_path / "新申请"
    result = run("init", target, "--scheme", "innovation", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert (target / "application.yaml").is_file() and (target / "ledger.xlsx").is_file()
    assert (target / "2-激励制度").is_dir() and (target / "5-奖励签收单").is_dir()
    wb = load_workbook(target / "ledger.xlsx")
    assert [c.value for c in wb.active[1]][:2] == ["序号", "项目名称"]
    result = run("check", target, "--json")
    assert result.exit_code == 1
    rules = {f["rule"] for f in json.loads(result.output)["findings"]}
    assert {"APP-FIELD-EMPTY", "LEDGER-EMPTY", "A1-TOO-FEW", "A4-NO-MEETINGS", "MATERIAL-MISSING"} <= rules
    text = run("check", target).output
    assert "单位名称" in text and "尚未填写" in text and "缺失" in text
    assert "处理办法" in text and "文件夹：2-激励制度" in text.replace("\n", "").replace("│", "").replace(
        " ", ""
    )


def test_init_studio_and_bonus(tmp_path):
    assert run("init", tmp_path / "s", "--scheme", "studio").exit_code == 0
    assert not (tmp_path / "s" / "ledger.xlsx").exists()
    assert (tmp_path / "s" / "4-专利与重大专项").is_dir()
    assert run("init", tmp_path / "b", "--scheme", "innovation", "--case", "bonus").exit_code == 0
    assert (tmp_path / "b" / "5-银行流水").is_dir() and not (tmp_path / "b" / "5-奖励签收单").exists()
    result = run("check", tmp_path / "s", "--json")
    assert result.exit_code == 1
    assert {"B-PROJECTS-MISSING", "B-RESULTS-MISSING"} <= {
        f["rule"] for f in json.loads(result.output)["findings"]
    }


def test_init_refuses_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = run("init", tmp_path / "x", "--scheme", "studio")
    assert result.exit_code == 2
    assert "不会覆盖" in result.output
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_schemes_lists_materials():
    result = run("schemes")
    assert result.exit_code == 0
    for words in [
        "innovation",
        "studio",
        "情形一",
        "物质奖励签收单",
        "专项奖励银行流水",
        "企业上一年度缴纳工会经费凭证",
        "解读",
    ]:
        assert words in result.output


def test_revised_checklists_folder_is_used(tmp_path):
    revised = tmp_path / "revised"
    shutil.copytree(Path(__file__).resolve().parent.parent / "checklists" / "2021", revised)
    text = (revised / "innovation.yaml").read_text(encoding="utf-8")
    (revised / "innovation.yaml").write_text(
        text.replace("{min: 31, max: 50, amount: 3000}", "{min: 31, max: 50, amount: 3500}"), encoding="utf-8"
    )
    data = json.loads(run("check", EXAMPLES / "innovation-count", "--json", "--checklists", revised).output)
    assert data["award"]["amount_yuan"] == 3500
    assert "3,500 元" in data["award"]["lines"][0]


def test_broken_checklist_file_is_reported(tmp_path):
    revised = tmp_path / "revised"
    shutil.copytree(Path(__file__).resolve().parent.parent / "checklists" / "2021", revised)
    text = (revised / "innovation.yaml").read_text(encoding="utf-8")
    (revised / "innovation.yaml").write_text(
        text.replace("    folder: 2-激励制度", "    foldr: 2-激励制度"), encoding="utf-8"
    )
    result = run("check", EXAMPLES / "innovation-count", "--checklists", revised)
    assert result.exit_code == 2
    assert "innovation.yaml" in result.output and "foldr" in result.output


# ---- bad input: exit 2, a message naming the file and field, nothing changed ----------------------------


def _replace(old: str, new: str):
    def change(folder: Path):
        path = folder / "application.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _set(*path_value):
    *path, value = path_value

    def change(folder: Path):
        def apply(data):
            node = data
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value

        edit_yaml(folder, apply)

    return change


def _write_ledger_csv(text: str, encoding="utf-8"):
    def change(folder: Path):
        (folder / "ledger.csv").write_bytes(text.encode(encoding))
        _replace("projects: ledger.xlsx", "projects: ledger.csv")(folder)

    return change


BAD_INPUTS = {
    "no-yaml": (
        "innovation-count",
        lambda f: (f / "application.yaml").unlink(),
        ["application.yaml", "dossier init"],
    ),
    "yaml-syntax-tab": (
        "innovation-count",
        _replace("scheme: innovation", "scheme:\tinnovation\n\t bad: ["),
        ["application.yaml", "行"],
    ),
    "unknown-key": (
        "innovation-count",
        _replace("  name: 天津", "  nmae: 天津"),
        ["applicant.nmae", "未知字段", "第 "],
    ),
    "wrong-type-year": ("innovation-count", _replace("year: 2026", "year: 二〇二六"), ["year", "整数"]),
    "bad-scheme": (
        "innovation-count",
        _replace("scheme: innovation", "scheme: innovate"),
        ["scheme", "innovation"],
    ),
    "bad-credit-code": (
        "innovation-count",
        _set("applicant", "credit_code", "91120116MA05K3R7X0"),
        ["applicant.credit_code", "校验"],
    ),
    "credit-code-letter-o": (
        "innovation-count",
        _set("applicant", "credit_code", "91120116MAO5K3R7XX"),
        ["applicant.credit_code", "字母"],
    ),
    "bad-phone": (
        "innovation-count",
        _set("applicant", "contact", "phone", "12345"),
        ["applicant.contact.phone", "电话"],
    ),
    "anchor": ("innovation-count", _replace("applicant:", "applicant: &a"), ["锚点"]),
    "billion-laughs": (
        "innovation-count",
        _replace(
            'measures: "2021"',
            'measures: "2021"\nx: &a ["lol","lol"]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            "z: [*b,*b,*b,*b,*b,*b]",
        ),
        ["锚点"],
    ),
    "duplicate-key": ("innovation-count", _replace("year: 2026", "year: 2026\nyear: 2025"), ["year", "重复"]),
    "both-cases": (
        "innovation-count",
        _replace("case: count", "case: [count, bonus]"),
        ["innovation.case", "不可同时"],
    ),
    "missing-field": ("innovation-count", _replace("  union: ", "  unio: "), ["applicant.union", "缺少"]),
    "wrong-section": ("innovation-count", _replace("scheme: innovation", "scheme: studio"), ["studio"]),
    "studio-level": ("studio", _set("studio", "level", "city"), ["studio.level", "zone"]),
    "studio-patent-untitled": (
        "studio",
        _set("studio", "patents", [{"title": " ", "number": "ZL1"}]),
        ["studio.patents[1].title", "不能为空"],
    ),
    "studio-new-type": ("studio", _set("studio", "new", "maybe"), ["studio.new", "true"]),
    "measures-unknown": (
        "innovation-count",
        _replace('measures: "2021"', 'measures: "2099"'),
        ["2099", "measures"],
    ),
    "ledger-missing": ("innovation-count", lambda f: (f / "ledger.xlsx").unlink(), ["ledger.xlsx", "不存在"]),
    "ledger-xls": (
        "innovation-count",
        _replace("projects: ledger.xlsx", "projects: ledger.xls"),
        ["ledger.xls", ".xlsx"],
    ),
    "ledger-corrupt": (
        "innovation-count",
        lambda f: (f / "ledger.xlsx").write_bytes(b"PK\x03\x04garbage"),
        ["ledger.xlsx", "无法打开"],
    ),
    "ledger-bad-date": (
        "innovation-count",
        _write_ledger_csv("序号,项目名称,提出人,采纳日期\n1,夹具,张三,2025-13-45\n"),
        ["ledger.csv", "第 2 行", "D 列", "采纳日期"],
    ),
    "ledger-no-header": ("innovation-count", _write_ledger_csv("a,b,c\n1,2,3\n"), ["ledger.csv", "表头"]),
    "ledger-missing-column": (
        "innovation-count",
        _write_ledger_csv("项目名称,提出人\n夹具,张三\n"),
        ["ledger.csv", "采纳日期"],
    ),
    "ledger-gbk-bad-money": (
        "innovation-count",
        _write_ledger_csv("项目名称,提出人,采纳日期,奖励金额（元）\n夹具,张三,2025/9/12,六百\n", "gbk"),
        ["ledger.csv", "第 2 行", "D 列", "奖励金额", "六百"],
    ),
    "inline-item-bad": (
        "innovation-count",
        _set("innovation", "projects", [{"name": "夹具", "proposer": "张三"}]),
        ["innovation.projects[1].adopted_on", "缺少"],
    ),
    "yaml-is-list": (
        "innovation-count",
        lambda f: (f / "application.yaml").write_text("- a\n- b\n"),
        ["application.yaml"],
    ),
    "yaml-not-utf8": (
        "innovation-count",
        lambda f: (f / "application.yaml").write_bytes(b"\xff\xfe\x00bad\x81"),
        ["application.yaml"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exit_2_with_clear_message(tmp_path, case):
    assert_refused(tmp_path, *BAD_INPUTS[case])


def test_missing_folder_is_exit_2(tmp_path):
    result = run("check", tmp_path / "nope")
    assert result.exit_code == 2 and "找不到" in result.output


def test_zip_slip_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(EXAMPLES / "studio" / "application.yaml", "application.yaml")
        zf.writestr("../../escape.txt", "x")
    result = run("check", archive)
    assert result.exit_code == 2
    assert "zip-slip" in result.output and "evil.zip" in result.output
    assert not (tmp_path.parent / "escape.txt").exists()


class _GbkInfo(zipfile.ZipInfo):
    """Writes the member name in GBK without the UTF-8 flag, as Windows' built-in zip does."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def test_zip_from_chinese_windows_with_gbk_names(tmp_path):
    archive = tmp_path / "申请.zip"
    root = EXAMPLES / "innovation-count"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                info = _GbkInfo("天津申请/" + path.relative_to(root).as_posix())
                zf.writestr(info, path.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
    result = run("check", archive, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["award"]["amount_yuan"] == 3000
    files = [f for m in data["materials"] for f in m["files"]]
    assert "2-激励制度/职工创新创效激励办法.docx" in files


def test_zip_equals_folder(tmp_path):
    root = EXAMPLES / "studio"
    archive = tmp_path / "studio.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", root)
    a = json.loads(run("check", archive, "--json").output)
    b = json.loads(run("check", root, "--json").output)
    assert a == b


def test_version_and_help():
    assert run("--version").exit_code == 0
    out = run("--help").output
    assert "退出码" in out and "check" in out and "init" in out


def test_unwritable_output_is_a_clear_error(tmp_path):
    import os

    if os.geteuid() == 0:  # root ignores permissions; simulate with a file where the folder should be
        (tmp_path / "out").write_text("a file, not a folder")
        result = run("fill", EXAMPLES / "studio", "-o", tmp_path / "out" / "sub")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = run("fill", EXAMPLES / "studio", "-o", locked / "sub")
    assert result.exit_code == 3
    assert "文件读写失败" in result.output
