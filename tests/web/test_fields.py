"""The web places a finding or a refusal by the schema field it carries, never by reading its words: with
every message template reworded (wrapped in 【】) and every refusal of a decision replaced by words that
share nothing with the original, each still lands beside the right input."""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile

import pytest
from conftest import EXAMPLES, csrf_token, edit_yaml

from assembler.core import messages


@pytest.fixture
def client(web_client, monkeypatch):
    reworded = {key: f"【{text}】" for key, text in messages.TEMPLATES.items()}
    monkeypatch.setattr(messages, "TEMPLATES", reworded)
    return web_client


def _zip(name: str) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted((EXAMPLES / name).rglob("*")):
            if path.is_file():
                zf.write(path, f"{name}/{path.relative_to(EXAMPLES / name).as_posix()}")
    buf.seek(0)
    return buf


def _open(client, name: str, change) -> str:  # noqa: ANN001
    """Upload examples/<name> to the workspace, edit its application.yaml there; the application's id."""
    response = client.post(
        "/upload",
        data={"csrf": csrf_token(client), "archive": (_zip(name), f"{name}.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    app_id = response.location.rsplit("/", 1)[1]
    edit_yaml(client.workspace / "apps" / app_id, change)
    return app_id


def _error_text(page: str, element: str) -> str:
    found = re.search(rf'<div class="field-error" id="{re.escape(element)}-error"[^>]*>([^<]*)</div>', page)
    assert found is not None, f"no error element for {element}"
    return html.unescape(found.group(1))


def _studio(data: dict) -> None:
    data["applicant"]["contact"]["name"] = ""  # APP-FIELD-EMPTY → 联系人
    data["studio"].update(projects=[], results=[], new=True, annual=True, tier=5000, tier_reasons=[])
    data["studio"].pop("named_on", None)  # B1-NAMED-ON-MISSING → 命名日期


def _innovation(data: dict) -> None:
    data["innovation"]["meetings"][0]["date"] = "2025-12-30"  # A4-MEETING-OUT-OF-PERIOD → 评审会议第 1 行
    data["applicant"]["contact"]["phone"] = ""


@pytest.mark.parametrize(("example", "change"), [("studio", _studio), ("innovation-count", _innovation)])
def test_every_finding_beside_its_field_with_reworded_templates(client, example, change):
    from assembler.api import check
    from assembler.web.labels import INPUT_IDS, finding_field, finding_place, plain

    app_id = _open(client, example, change)
    report = check(client.workspace / "apps" / app_id)
    placed = [f for f in report.findings if f.field]
    assert len({f.rule for f in placed}) >= 3, [f.rule for f in report.findings]
    # every finding of the check is rendered from the (reworded) template table
    assert all(f.template and f.message.startswith("【") for f in report.findings), report.findings
    with client.get(f"/a/{app_id}") as response:
        page = response.get_data(as_text=True)
    # every error about a field is shown in that input's error element (the first one per input)
    first: dict[str, str] = {}
    for f in placed:
        name = finding_field(f)
        if f.severity == "error" and name:
            first.setdefault(INPUT_IDS.get(name, name), plain(f.message))
    assert first, "no error about a field"
    for element, message in first.items():
        assert message in _error_text(page, element), (element, message)
    # no reworded message sits beside an input it is not about
    for element, text in re.findall(r'<div class="field-error" id="([^"]+)-error"[^>]*>([^<]*)</div>', page):
        if "【" in text:
            assert element in first, (element, text)
    # every finding about a field, warnings too, links from the findings list to its input by its label
    rows = re.findall(r'<a class="hint" href="#([^"]+)">([^<]+)</a>：([^<]*)</td>', page)
    shown = {(html.unescape(m), target, html.unescape(label)) for target, label, m in rows}
    for f in placed:
        place = finding_place(f)
        assert place is not None, f.field
        assert (plain(f.message), *place) in shown, (f.rule, f.field, place)


DECIDE_REFUSALS = [  # (form values, the input the refusal belongs to)
    ({"decision": "也许", "reviewer": "王芳"}, "decision"),
    ({"decision": "通过", "reviewer": ""}, "reviewer"),
    ({"decision": "退回补正", "reviewer": "王芳"}, "reasons"),
    ({"decision": "不予支持", "reasons": "材料不实", "amount": "100", "reviewer": "王芳"}, "amount"),
    ({"decision": "通过", "tier": "7000", "reviewer": "王芳"}, "tier"),
]


def test_every_refusal_of_a_decision_beside_its_input_with_reworded_messages(client, monkeypatch):
    from assembler.errors import UsageError
    from assembler.reviewer.register import decisions

    class Reworded(UsageError):
        """The same refusal in words that share nothing with the original (a hash of them)."""

        def __init__(self, message: str, **kw) -> None:  # noqa: ANN003
            super().__init__(f"【拒绝 {hashlib.sha1(message.encode()).hexdigest()[:8]}】", **kw)

    monkeypatch.setattr(decisions, "UsageError", Reworded)
    response = client.post(
        "/register",
        data={"csrf": csrf_token(client), "files": [(_zip("studio"), "studio.zip")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.get("/register/1").status_code == 200
    for values, field in DECIDE_REFUSALS:
        response = client.post("/register/1/decide", data={"csrf": csrf_token(client), **values})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (values, page[:500])
        assert "【拒绝 " in _error_text(page, field), (values, field)
        others = re.findall(r'id="([^"]+)-error"[^>]*>[^<]*【拒绝', page)
        assert others == [field], (values, others)
    refused = client.post("/register/99/decide", data={"csrf": csrf_token(client), "decision": "通过"})
    assert refused.status_code == 404
