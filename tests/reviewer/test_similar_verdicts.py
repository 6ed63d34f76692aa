"""The reviewers confirm or dismiss near-duplicate pairs from the command line (`dossier applications ID`
lists them numbered, `dossier similar ID N` records a verdict) and from the web's detail page, through one
library function: a real register of the examples, one of them with a photo taken from another unit
(cropped and re-saved) and a ledger item renamed."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import bonus_reusing_a_count_photo, copy_example, csrf_token, edit_yaml

from assembler.api import UnknownApplication, register_similar_pairs, register_similar_verdict
from assembler.cli import cli
from assembler.errors import DossierError, ExitCode
from assembler.reviewer.register import db as store
from assembler.reviewer.register.intake import intake_one

REGISTER = "register.sqlite"
SIGNED = ["--reason", "重复", "--reviewer", "王芳"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A register with A (innovation-count), B (innovation-bonus: a photo of A's cropped and re-saved, a
    ledger item of A's renamed, same proposer) and C (the studio example, nothing alike); B's folder for
    a later version. Tests work on copies of the register file."""
    root = tmp_path_factory.mktemp("similar-register")
    src = root / "src"
    src.mkdir()
    db = store.open_register(root / REGISTER)
    a = intake_one(db, copy_example("innovation-count", src), received_at="2026-04-01T09:00:00+00:00")
    b_dir = bonus_reusing_a_count_photo(src)
    ledger = b_dir / "ledger.csv"  # the example's ledger is GBK, as Excel in China saves it
    rows = list(csv.reader(ledger.read_text(encoding="gbk").splitlines()))
    assert rows[0][1] == "项目名称" and rows[0][3] == "提出人"
    rows[1][1], rows[1][3] = "焊接烟尘收集装置（001）", "任娜"  # A's 焊接烟尘收集罩（001）, 任娜
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    ledger.write_text(text.getvalue(), encoding="gbk")
    b = intake_one(db, b_dir, received_at="2026-04-02T09:00:00+00:00")
    c = intake_one(db, copy_example("studio", src), received_at="2026-04-03T09:00:00+00:00")
    assert {r.rule for r in b.findings} >= {"REGISTER-EVIDENCE-SIMILAR", "REGISTER-ITEM-SIMILAR"}
    db.close()
    assert not (root / f"{REGISTER}-wal").exists()  # closed: one file holds it all
    return root / REGISTER, b_dir, a.record.id, b.record.id, c.record.id


@pytest.fixture
def register(base, tmp_path) -> Path:
    """A private copy of the base register."""
    target = tmp_path / REGISTER
    shutil.copy(base[0], target)
    return target


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def detail(register: Path, app_id: int) -> dict:
    shown = run("applications", app_id, "--register", register, "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)


def rules(shown: dict) -> set[str]:
    return {f["rule"] for f in shown["findings"]}


def test_applications_lists_the_pairs_numbered_with_both_ends(base, register):
    _, _, a_id, b_id, c_id = base
    shown = detail(register, b_id)
    picture, item = shown["similar"]
    assert [picture["number"], item["number"]] == [1, 2]  # pictures before items, per other application
    assert picture["kind"] in ("cropped", "resized", "resaved") and 0.9 <= picture["similarity"] <= 1
    assert picture["this"]["file"].endswith("现场照片2.jpg") and picture["this"]["application_id"] == b_id
    assert picture["other"]["file"].endswith("现场照片1.jpg") and picture["other"]["application_id"] == a_id
    assert picture["this"]["page"] == 1 and len(picture["this"]["sha256"]) == 64
    assert f"登记号 {a_id}" in picture["other"]["label"] and picture["verdict"] is None
    assert item["kind"] == "item" and item["kind_title"] == "名称相近的项目"
    assert (item["this"]["item"], item["this"]["proposer"]) == ("焊接烟尘收集装置（001）", "任娜")
    assert (item["other"]["item"], item["other"]["proposer"]) == ("焊接烟尘收集罩（001）", "任娜")
    assert item["this"]["file"] is None and item["verdict"] is None
    # the other end lists the same two pairs (same keys), and an application with none lists none
    assert {p["key"] for p in detail(register, a_id)["similar"]} == {picture["key"], item["key"]}
    assert detail(register, c_id)["similar"] == []
    text = run("applications", b_id, "--register", register).stdout
    assert "近似重复 2 对" in text and f"dossier similar {b_id} 序号" in text
    first = text[text.index("第 1 对：") : text.index("第 2 对：")]
    assert "现场照片2.jpg" in first and "现场照片1.jpg" in first
    assert f"（登记号 {a_id}）：“4-评审会议/" in first
    assert "相似度" in first and "尚未核实" in first
    second = text[text.index("第 2 对：") :]
    assert "“焊接烟尘收集装置（001）”（提出人 任娜）" in second
    assert "“焊接烟尘收集罩（001）”（提出人 任娜）" in second
    assert "近似重复" not in run("applications", c_id, "--register", register).stdout


def test_a_dismissal_removes_the_warning_here_there_and_in_a_later_version(base, register, tmp_path):
    _, b_src, a_id, b_id, _ = base
    reason = "同一会议室的不同照片，已电话核实"
    done = run(
        "similar", b_id, "1", "--dismiss", "--reason", reason, "--reviewer", "王芳", "--register", register
    )
    assert done.exit_code == 0, done.output
    assert f"已记录：登记号 {b_id} 第 1 对 排除（不是重复）（王芳，" in done.stdout
    assert "现场照片2.jpg" in done.stdout and "不再提示" in done.stdout
    shown = detail(register, b_id)
    assert "REGISTER-EVIDENCE-SIMILAR" not in rules(shown)
    assert "REGISTER-ITEM-SIMILAR" in rules(shown)  # the other pair is still open
    verdict = shown["similar"][0]["verdict"]
    assert (verdict["verdict"], verdict["reviewer"], verdict["application_id"]) == ("dismissed", "王芳", b_id)
    assert verdict["reason"] == "同一会议室的不同照片，已电话核实" and verdict["at"].endswith("+08:00")
    # the other unit's stored findings were refreshed too (the inbox's 问题 column reads them)
    db = store.open_register(register)
    assert "REGISTER-EVIDENCE-SIMILAR" not in {f.rule for f in store.stored_findings(db, a_id)}
    # B sends a new version holding the same files: the dismissed pair is not raised again
    b_dir = shutil.copytree(b_src, tmp_path / "innovation-bonus")
    edit_yaml(b_dir, lambda d: d["applicant"]["contact"].update(phone="022-58009999"))
    again = intake_one(db, b_dir, received_at="2026-04-05T09:00:00+00:00")
    db.close()
    assert again.status == "version" and again.record is not None
    assert "REGISTER-EVIDENCE-SIMILAR" not in {f.rule for f in again.findings}
    assert "REGISTER-ITEM-SIMILAR" in {f.rule for f in again.findings}
    later = detail(register, again.record.id)
    assert "REGISTER-EVIDENCE-SIMILAR" not in rules(later)
    assert later["similar"][0]["verdict"]["verdict"] == "dismissed"  # listed, with the verdict it had
    text = run("applications", again.record.id, "--register", register).stdout
    assert "已排除（不是重复）（王芳，" in text and "：同一会议室的不同照片，已电话核实" in text


def test_a_confirmation_by_key_keeps_the_warning_and_shows_the_verdict(base, register):
    _, _, a_id, b_id, _ = base
    key = detail(register, b_id)["similar"][1]["key"]
    done = run(
        "similar", b_id, key, "--confirm", "--reason", "同一项目改名后再次申报", "--reviewer", "李明",
        "--register", register, "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    assert made["application_id"] == b_id and made["pair"]["number"] == 2 and made["pair"]["key"] == key
    assert (made["pair"]["verdict"]["verdict"], made["pair"]["verdict"]["title"]) == ("confirmed", "确认重复")
    assert sorted(f["rule"] for f in made["similar_findings"]) == [
        "REGISTER-EVIDENCE-SIMILAR",
        "REGISTER-ITEM-SIMILAR",
    ]
    assert "REGISTER-ITEM-SIMILAR" in rules(detail(register, b_id))
    text = run("applications", b_id, "--register", register).stdout
    assert "已确认重复（李明，" in text and "同一项目改名后再次申报" in text
    # the verdict is on the pair: the other end shows it too
    other = {p["key"]: p for p in detail(register, a_id)["similar"]}
    assert other[key]["verdict"]["reviewer"] == "李明"


@pytest.mark.parametrize(
    ("args", "first_line", "option"),
    [
        (["1", "--dismiss", "--reviewer", "王芳"], "错误：请填写核实理由", "--reason"),
        (["1", "--dismiss", "--reason", "   ", "--reviewer", "王芳"], "错误：请填写核实理由", "--reason"),
        (["1", "--confirm", "--reason", "重复"], "错误：请填写评审人姓名", "--reviewer"),
        (["1", *SIGNED], "错误：请选择核实结论：确认重复或排除", "--dismiss"),
        (["1", "--confirm", "--dismiss", *SIGNED], "只能选一个", "--confirm"),
        (["3", "--dismiss", *SIGNED], "没有第 3 对近似重复（共 2 对）", "序号"),
        (["0", "--dismiss", *SIGNED], "没有第 0 对近似重复", "序号"),
        (["item:x|y~z|y", "--dismiss", *SIGNED], "当前的近似重复", "序号"),
    ],
)
def test_refusals_name_the_field_and_exit_2(base, register, args, first_line, option):
    b_id = base[3]
    refused = run("similar", b_id, *args, "--register", register)
    assert refused.exit_code == ExitCode.BAD_INPUT == 2, refused.output
    assert refused.stdout == ""
    assert first_line in refused.stderr.splitlines()[0] and option in refused.stderr
    db = store.open_register(register)
    assert db.execute("SELECT COUNT(*) FROM similar_verdicts").fetchone()[0] == 0
    db.close()


def test_wrong_or_unknown_application_is_refused(base, register):
    _, _, _, b_id, c_id = base
    key = detail(register, b_id)["similar"][0]["key"]
    wrong = run("similar", c_id, key, "--dismiss", *SIGNED, "--register", register)
    assert wrong.exit_code == 2 and f"不是登记号 {c_id} 当前的近似重复" in wrong.stderr.splitlines()[0]
    none = run("similar", c_id, "1", "--dismiss", *SIGNED, "--register", register)
    assert none.exit_code == 2 and f"登记号 {c_id} 没有近似重复可以核实" in none.stderr
    unknown = run("similar", 99, "1", "--dismiss", *SIGNED, "--register", register)
    assert unknown.exit_code == 2 and "登记簿中没有这个登记号" in unknown.stderr
    assert "登记号 99" in unknown.stderr
    assert "dossier applications" in unknown.stderr


def test_the_library_names_the_field_at_fault(base, register):
    _, _, _, b_id, _ = base
    db = store.open_register(register)
    cases = {
        "verdict": ("1", "maybe", "理由", "王芳"),
        "reason": ("1", "dismissed", "", "王芳"),
        "reviewer": ("1", "dismissed", "理由", " "),
        "pair": ("7", "dismissed", "理由", "王芳"),
    }
    for field, (pair, verdict, reason, reviewer) in cases.items():
        with pytest.raises(DossierError) as refused:
            register_similar_verdict(db, b_id, pair, verdict, reason, reviewer)
        assert refused.value.field == field, (field, refused.value.message)
        assert not any("--" in text for text in (refused.value.message, refused.value.fix or ""))
    with pytest.raises(UnknownApplication):
        register_similar_verdict(db, 404, "1", "dismissed", "理由", "王芳")
    made = register_similar_verdict(db, b_id, "2", "dismissed", " 不同的项目 ", " 王芳 ")
    assert made.verdict is not None and (made.verdict.reason, made.verdict.reviewer) == ("不同的项目", "王芳")
    assert [p.verdict.verdict if p.verdict else None for p in register_similar_pairs(db, b_id)] == [
        None,
        "dismissed",
    ]
    db.close()


def test_the_web_route_records_through_the_same_function(base, web_client):
    _, _, a_id, b_id, _ = base
    web_client.workspace.mkdir(parents=True, exist_ok=True)
    shutil.copy(base[0], web_client.workspace / REGISTER)
    token = csrf_token(web_client)
    db = store.open_register(web_client.workspace / REGISTER)
    key = register_similar_pairs(db, b_id)[0].key
    db.close()
    url = f"/register/{b_id}/similar"
    form = {"csrf": token, "key": key, "verdict": "dismissed", "reason": "", "reviewer": "王芳"}
    page = web_client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "请填写“核实理由”和“评审人姓名”后再提交。" in page
    stale = web_client.post(url, data={**form, "key": "aa#1~bb#1", "reason": "理由"}, follow_redirects=True)
    assert f"这一对不是登记号 {b_id} 当前的近似重复" in stale.get_data(as_text=True)
    assert web_client.post(url, data={**form, "verdict": "maybe"}).status_code == 400
    assert web_client.post("/register/404/similar", data={**form, "reason": "理由"}).status_code == 404
    done = web_client.post(url, data={**form, "reason": "同一会议室的不同照片"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "已记录：排除（不是重复）（王芳）。" in page and "已排除（不是重复）" in page
    assert "REGISTER-EVIDENCE-SIMILAR" not in page.split('id="cross-year"')[1].split("</section>")[0]
    other = web_client.get(f"/register/{a_id}").get_data(as_text=True)
    assert "已排除（不是重复）" in other  # the same pair, seen from the other unit's page
