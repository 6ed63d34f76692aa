"""The register keeps to the measures, through the command line: decisions the measures allow (or an
override with a written reason), only the current version decided, every received file kept (export,
backup, restore), the union's call per year, Beijing time whatever the machine's zone, standing and
yearly material across years, and a signature by another unit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example, edit_yaml
from docx import Document
from openpyxl import load_workbook

from assembler.cli import cli

UNION = Path(__file__).parents[2] / "examples" / "union.yaml"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def intake_json(path: Path, register: Path) -> list[dict]:
    result = run("intake", path, "--register", register, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def decide(register: Path, app_id: int, *args):
    return run("decide", app_id, "--reviewer", "王芳", "--register", register, *args)


def shown(register: Path, app_id: int) -> dict:
    result = run("applications", app_id, "--register", register, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ---- 1. decisions within the measures -------------------------------------------------------------


def test_decide_refuses_amounts_the_measures_cannot_produce(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    [count] = intake_json(copy_example("innovation-count", src), register)
    [studio] = intake_json(copy_example("studio", src), register)
    computed = count["claimed_fen"] // 100
    wrong = decide(register, count["id"], "--decision", "通过", "--amount", computed + 1000)
    assert wrong.exit_code == 2 and "不符合办法" in wrong.output and "情形一" in wrong.output
    assert "--amount" not in wrong.output.split("\n")[0]  # the library's message names no option
    huge = decide(register, studio["id"], "--decision", "通过", "--amount", "99999", "--tier", "5000")
    assert huge.exit_code == 2 and "超过申请所列上级工会标准 10,000 元" in huge.output
    assert json.loads(run("applications", "--register", register, "--json").output)[0]["decision"] is None
    made = decide(register, count["id"], "--decision", "通过", "--json")
    assert made.exit_code == 0 and json.loads(made.output)[-1]["approved_fen"] == computed * 100


def test_an_open_error_blocks_approval_unless_overridden_and_the_reason_is_shown(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    [app] = intake_json(copy_example("innovation-count", src), register)
    listed = run(
        "disqualify", app["credit_code"], "--since", "2026-01-01", "--reason", "挪用 2025 年度鼓励金",
        "--reviewer", "王芳", "--register", register,
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    refused = decide(register, app["id"], "--decision", "通过")
    assert refused.exit_code == 2 and "未解决的错误" in refused.output and "取消申报资格" in refused.output
    made = decide(register, app["id"], "--decision", "通过", "--override", "经复议，挪用款已于 2026 年退回")
    assert made.exit_code == 0, made.output
    assert "突破办法规定，理由：经复议，挪用款已于 2026 年退回" in made.output
    detail = run("applications", app["id"], "--register", register)
    assert "经复议，挪用款已于 2026 年退回" in detail.output
    assert shown(register, app["id"])["decisions"][-1]["override"] == "经复议，挪用款已于 2026 年退回"
    out = tmp_path / "out"
    written = run("outputs", "--year", 2026, "-o", out, "--register", register, "--union", UNION)
    assert written.exit_code == 0, written.output
    sheet = load_workbook(out / "2026年度汇总.xlsx").active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(
        "突破办法规定" in c and app["unit"] in c and "经复议，挪用款已于 2026 年退回" in c for c in cells
    )


def test_both_cases_of_one_unit_in_one_year_are_never_both_approved(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    [count] = intake_json(copy_example("innovation-count", src), register)
    assert decide(register, count["id"], "--decision", "通过").exit_code == 0
    bonus = copy_example("innovation-bonus", src)
    edit_yaml(
        bonus,
        lambda d: d["applicant"].update(
            name="天津滨海示例精密机械有限公司",
            credit_code=count["credit_code"],
            union="天津滨海示例精密机械有限公司工会委员会",
        ),
    )
    [second] = intake_json(bonus, register)
    assert "REGISTER-DUPLICATE-APPLICATION" in [f["rule"] for f in second["findings"]]
    refused = decide(register, second["id"], "--decision", "通过", "--override", "委员会同意")
    assert (
        refused.exit_code == 2
        and "不可同时申报" in refused.output
        and f"登记号 {count['id']}" in refused.output
    )
    assert (
        decide(register, second["id"], "--decision", "不予支持", "--reason", "每年只能申报一次").exit_code
        == 0
    )


# ---- 2. versions ---------------------------------------------------------------------------------


def test_only_the_current_version_is_decided_and_a_new_version_reopens(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    folder = copy_example("innovation-count", src)
    [first] = intake_json(folder, register)
    returned = decide(register, first["id"], "--decision", "退回补正", "--reason", "照片不清")
    assert returned.exit_code == 0
    edit_yaml(folder, lambda d: d["applicant"]["contact"].update(phone="022-58009999"))
    [second] = intake_json(folder, register)
    assert second["status"] == "version" and second["previous_id"] == first["id"]
    old = decide(register, first["id"], "--decision", "通过")
    assert old.exit_code == 2 and f"已被新版本（登记号 {second['id']}）替换" in old.output
    listed = json.loads(run("applications", "--register", register, "--json").output)
    assert [(a["id"], a["decision"]) for a in listed] == [(second["id"], None)]  # re-opened: 未决定
    current = shown(register, second["id"])
    assert [(d["application_id"], d["decision"]) for d in current["decisions"]] == [(first["id"], "returned")]
    earlier = run("applications", first["id"], "--register", register)
    assert f"本版已被登记号 {second['id']} 替换" in earlier.output
    assert shown(register, first["id"])["replaced_by"] == second["id"]


# ---- 4. every received file kept -----------------------------------------------------------------


def test_kept_copies_export_backup_and_restore_into_an_empty_folder(tmp_path):
    register = tmp_path / "office" / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    folder = copy_example("innovation-count", src)
    shutil.make_archive(str(src / "studio-app"), "zip", copy_example("studio", tmp_path))
    [inn] = intake_json(folder, register)
    [zipped] = intake_json(src / "studio-app.zip", register)
    assert decide(register, inn["id"], "--decision", "通过").exit_code == 0
    kept = [p for p in (register.parent / "register-files").rglob("*") if p.is_file()]
    assert len(kept) == 2 and all(not (p.stat().st_mode & stat.S_IWUSR) for p in kept)

    exported = run("applications", zipped["id"], "--export", tmp_path / "export", "--register", register)
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "export" / "studio-app.zip").read_bytes() == (src / "studio-app.zip").read_bytes()
    run("applications", inn["id"], "--export", tmp_path / "export", "--register", register)
    with zipfile.ZipFile(tmp_path / "export" / "innovation-count.zip") as zf:
        assert zf.read("application.yaml") == (folder / "application.yaml").read_bytes()
        assert "2-激励制度/职工创新创效激励办法.docx" in zf.namelist()

    archive = tmp_path / "backup.zip"
    made = run("register", "backup", archive, "--register", register)
    assert made.exit_code == 0 and "2 份申请、2 个收到的文件" in made.output
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    restored = empty / "register.sqlite"
    back = run("register", "restore", archive, "--register", restored)
    assert back.exit_code == 0 and "已恢复 2 份申请、2 个收到的文件" in back.output, back.output
    listed = json.loads(run("applications", "--register", restored, "--json").output)
    assert [(a["id"], a["decision"]) for a in listed] == [(inn["id"], "approved"), (zipped["id"], None)]
    again = run("applications", zipped["id"], "--export", tmp_path / "again", "--register", restored)
    assert again.exit_code == 0
    assert (tmp_path / "again" / "studio-app.zip").read_bytes() == (src / "studio-app.zip").read_bytes()
    twice = run("register", "restore", archive, "--register", restored)
    assert twice.exit_code == 2 and "未覆盖" in twice.output


# ---- 5. the union's call -------------------------------------------------------------------------


def test_the_union_loads_its_call_and_a_folder_is_checked_against_it(tmp_path):
    register = tmp_path / "register.sqlite"
    call = tmp_path / "通知.yaml"
    call.write_text(
        (Path(__file__).parents[2] / "examples" / "call-2026.yaml")
        .read_text(encoding="utf-8")
        .replace("innovation: {start: 2026-01-01", "innovation: {start: 2026-06-01"),
        encoding="utf-8",
    )
    no_reviewer = run("register", "call", call, "--register", register)
    assert no_reviewer.exit_code == 2
    loaded = run("register", "call", call, "--reviewer", "王芳", "--register", register)
    assert (
        loaded.exit_code == 0
        and "登记簿载入" in loaded.output
        and "2026-06-01 至 2026-12-31" in loaded.output
    )
    src = tmp_path / "src"
    src.mkdir()
    [app] = intake_json(copy_example("innovation-count", src), register)
    # the union's period, not the default calendar year: items adopted before June are out of period now
    rules = [f["rule"] for f in app["findings"]]
    assert "REGISTER-CALL-PERIOD" not in rules and any(r.endswith("OUT-OF-PERIOD") for r in rules), rules


@pytest.mark.slow
def test_a_dossier_built_with_another_period_is_an_error_naming_both_and_verify_prints_the_call(
    example_dossiers, tmp_path
):
    register = tmp_path / "register.sqlite"
    pdf = tmp_path / "innovation-count.pdf"
    shutil.copy(example_dossiers["innovation-count"], pdf)
    verified = run("verify", pdf)
    assert (
        "生成时依据的申报通知：" in verified.output and "活动期间 2026-01-01 至 2026-12-31" in verified.output
    )
    as_json = json.loads(run("verify", pdf, "--json").output)
    assert "2026-01-01 至 2026-12-31" in as_json["call"]
    call = tmp_path / "通知.yaml"
    call.write_text(
        (Path(__file__).parents[2] / "examples" / "call-2026.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "innovation: {start: 2026-01-01, end: 2026-12-31}",
            "innovation: {start: 2025-07-01, end: 2026-06-30}",
        ),
        encoding="utf-8",
    )
    assert run("register", "call", call, "--reviewer", "王芳", "--register", register).exit_code == 0
    result = run("intake", pdf, "--register", register)
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if "REGISTER-CALL-PERIOD" in x)
    assert "2026-01-01 至 2026-12-31" in line and "2025-07-01 至 2026-06-30" in line


# ---- 6. Beijing time -----------------------------------------------------------------------------


class _AtHalfPastOneInBeijing(dt.datetime):
    """2026-12-03 01:30 in Beijing, which is still 2 December in UTC."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206
        moment = dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC)
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


def test_register_dates_in_beijing_time_on_a_utc_machine(tmp_path, monkeypatch):
    import types

    import assembler.core.dates as dates

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(
        dates, "dt", types.SimpleNamespace(**{**vars(dt), "datetime": _AtHalfPastOneInBeijing})
    )
    try:
        register = tmp_path / "register.sqlite"
        src = tmp_path / "src"
        src.mkdir()
        [app] = intake_json(copy_example("innovation-count", src), register)
        assert app["received_at"] == "2026-12-03T01:30:00+08:00"
        assert decide(register, app["id"], "--decision", "退回补正", "--reason", "照片不清").exit_code == 0
        detail = run("applications", app["id"], "--register", register).output
        assert (
            "2026-12-03 01:30（北京时间）收到" in detail
            and "2026-12-03 01:30（北京时间） 王芳：退回补正" in detail
        )
        out = tmp_path / "out"
        written = run("outputs", "--year", 2026, "-o", out, "--register", register, "--union", UNION)
        assert written.exit_code == 0, written.output
        [notice] = out.glob("补正通知-*.docx")
        text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
        assert "你单位于2026年12月3日报送" in text and "12月2日" not in text
        assert "\n2026年12月3日\n" in text  # 成文日期: the Beijing day of the decision
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None


# ---- 8. standing and yearly material across years ------------------------------------------------


def test_standing_policy_refiled_next_year_is_noted_and_yearly_evidence_is_reuse(tmp_path):
    register = tmp_path / "register.sqlite"
    src = tmp_path / "src"
    src.mkdir()
    intake_json(copy_example("innovation-count", src), register)
    (src / "next").mkdir()
    nxt = copy_example("innovation-count", src / "next")
    edit_yaml(nxt, lambda d: d.update(year=2027))
    [app] = intake_json(nxt, register)
    found = {f["rule"]: f for f in app["findings"]}
    assert found["REGISTER-EVIDENCE-STANDING"]["severity"] == "info"
    assert "2-激励制度/职工创新创效激励办法.docx" in found["REGISTER-EVIDENCE-STANDING"]["message"]
    assert "激励办法" not in found["REGISTER-EVIDENCE-REUSED"]["message"]
    assert (
        "签收单" in found["REGISTER-EVIDENCE-REUSED"]["message"]
        or "评审" in found["REGISTER-EVIDENCE-REUSED"]["message"]
    )


def test_studio_results_outside_the_year_are_errors(tmp_path):
    studio = copy_example("studio", tmp_path)
    edit_yaml(
        studio,
        lambda d: d["studio"].update(
            results=[{"title": "变桨轴承润滑状态监测装置", "date": "2024-05-10"}],
            projects=[{"title": "风电变桨轴承在线监测攻关", "date": "2025-11-01"}],
        ),
    )
    result = run("check", studio, "--json")
    found = {f["rule"]: f for f in json.loads(result.output)["findings"]}
    assert result.exit_code == 1
    assert (
        found["B-RESULT-OUT-OF-PERIOD"]["severity"] == "error"
        and "2024-05-10" in found["B-RESULT-OUT-OF-PERIOD"]["message"]
    )
    assert found["B-PROJECT-OUT-OF-PERIOD"]["severity"] == "warning"


# ---- 3 and 9. tampering and signatures, on built dossiers ----------------------------------------


@pytest.mark.slow
def test_a_forged_claim_is_never_shown_as_the_claim(example_dossiers, tmp_path):
    import pikepdf

    register = tmp_path / "register.sqlite"
    forged = tmp_path / "forged.pdf"
    with pikepdf.open(example_dossiers["innovation-count"]) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        manifest["check"]["award"]["amount_fen"] = 500000
        pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(manifest, ensure_ascii=False).encode(), filename="manifest.json"
        )
        pdf.save(forged)
    [app] = intake_json(forged, register)
    detail = run("applications", app["id"], "--register", register).output
    head = detail.split("\n")[0]
    assert "核验：被改动" in detail and "5,000" not in head
    assert (
        "申请金额 3,000 元（取自核验一致的封面页；嵌入的申请金额不予采用）" in head
    )  # as printed on the cover
    assert shown(register, app["id"])["claimed_fen"] == 300000
    refused = decide(register, app["id"], "--decision", "通过")
    assert refused.exit_code == 2 and "未解决的错误" in refused.output
    cover_swapped = tmp_path / "cover-swapped.pdf"
    with pikepdf.open(forged) as pdf, pikepdf.open(example_dossiers["studio"]) as other:
        pdf.pages[0] = other.pages[0]  # a cover that no longer verifies: its figure is not read either
        pdf.save(cover_swapped)
    [swapped] = intake_json(cover_swapped, register)
    assert shown(register, swapped["id"])["claimed_fen"] is None
    assert "申请金额 无法确认" in run("applications", swapped["id"], "--register", register).output


@pytest.mark.slow
def test_a_dossier_signed_with_another_units_key(example_dossiers, tmp_path):
    from assembler.integrity.sign import make_key, sign_dossier

    register = tmp_path / "register.sqlite"
    own = tmp_path / "own.pdf"
    shutil.copy(example_dossiers["innovation-count"], own)
    sign_dossier(own, make_key("天津滨海示例精密机械有限公司", tmp_path / "own.p12"))
    assert "VERIFY-SIGNER-OTHER-UNIT" not in run("verify", own).output
    [first] = intake_json(own, register)
    detail = run("applications", first["id"], "--register", register).output
    assert "核验：完整；已签名：天津滨海示例精密机械有限公司" in detail
    assert "登记簿固定的签名证书：天津滨海示例精密机械有限公司（证书指纹" in detail

    other = tmp_path / "other.pdf"
    shutil.copy(example_dossiers["innovation-count"], other)
    with other.open("ab") as fh:  # another file (another hash) with the same content
        fh.write(b"\n")
    sign_dossier(other, make_key("天津某某别家有限公司", tmp_path / "other.p12"))
    verified = run("verify", other)
    assert verified.exit_code == 0 and "VERIFY-SIGNER-OTHER-UNIT" in verified.output
    assert "签名证书属于“天津某某别家有限公司”，不是申请单位“天津滨海示例精密机械有限公司”" in verified.output
    [second] = intake_json(other, register)
    rules = {f["rule"]: f["severity"] for f in second["findings"]}
    assert rules["REGISTER-SIGNER-OTHER-UNIT"] == "error" and rules["REGISTER-CERTIFICATE-CHANGED"] == "error"
    detail = run("applications", second["id"], "--register", register).output
    assert "已签名：天津某某别家有限公司" in detail
    assert "登记簿固定的签名证书：天津滨海示例精密机械有限公司" in detail  # the unit's own stays pinned
