"""Fuzz: whatever application.yaml, ledger cells or an embedded manifest hold, the tool answers with one of
its own errors (a message and an exit code), never a Python exception; what `check` accepts, the forms and
the cover can print; its JSON is JSON with the interface's keys; no award leaves the measures' tables.
Bounded examples so that it runs in the normal suite and in CI."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import os
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.api import check_source
from assembler.core.identifiers import rmb_capital
from assembler.core.report import report_to_json
from assembler.errors import DossierError
from assembler.load.ledger import load_ledger_file
from assembler.load.scaffold import LEDGER_HEADERS
from assembler.load.sources import FolderSource
from assembler.pipeline.wordforms import fill_forms
from assembler.reviewer.verify import recompute

FUZZ = settings(
    max_examples=int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "40")),  # raise it to hunt locally
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(
        ["2026-02-30", "0000-01-01", "1e20", "1,00", "1.000,00", "999999999999999.99", "¥600元", "  ", "NaN"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


SPECIALS = st.sampled_from(
    [1e20, 999999999999999.99, 10**20, 1e400, -1, 0, 5000, 10000.5, "../2021", "/etc", "2021/../../x", ""]
    + ["2026-02-30", "1,00", "1.000,00", float("nan"), {"a": 1}, [1, 2], None, True, "x" * 300]
)
HOT_PATHS = [
    ("studio", "matched_amount"),
    ("studio", "tier"),
    ("studio", "level"),
    ("measures",),
    ("year",),
    ("filed_on",),
    ("applicant", "name"),
    ("applicant", "credit_code"),
    ("innovation", "projects"),
    ("innovation", "meetings"),
]
mutation_values = st.one_of(SPECIALS, values)


def _leaf_paths(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaf_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaf_paths(value, path + (i,))
    yield path


def _base(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name / "application.yaml").read_text(encoding="utf-8"))


BASES = {name: _base(name) for name in ("studio", "innovation-bonus")}


BONUS_CAP = Decimal(30000)  # 情形二: 最高奖励3万元
COUNT_TIERS = {Decimal(2000), Decimal(3000), Decimal(5000)}  # 情形一's three tiers


def assert_award_within_the_measures(award, scheme: str, case: str | None) -> None:
    """What any computed award must satisfy, whatever the input: exact, not negative, within the tables."""
    if award.amount is None:
        return
    assert isinstance(award.amount, Decimal) and award.amount.is_finite() and award.amount >= 0
    assert award.amount_fen == award.amount * 100
    if scheme == "innovation" and case == "bonus":
        assert award.amount <= BONUS_CAP
    if scheme == "innovation" and case == "count":
        assert award.amount in COUNT_TIERS
    if award.minimum is not None:
        assert award.minimum <= award.amount


def _check_and_print(folder: Path) -> None:
    """check, then what build does with the result before LibreOffice: the forms and the capital amount.
    Properties: only our own errors; the JSON report is JSON with the interface's keys and agrees with the
    findings; the award keeps to the measures' tables and cap."""
    try:
        report, loaded, checklist = check_source(FolderSource(folder))
    except DossierError as exc:
        assert exc.message and int(exc.exit_code) in (1, 2, 3)
        return
    data = json.loads(json.dumps(report_to_json(report), ensure_ascii=False))
    assert {"scheme", "year", "complete", "award", "materials", "findings"} <= set(data)
    errors = [f for f in report.findings if f.severity == "error"]
    assert data["complete"] is (not errors)
    assert len(data["findings"]) == len(report.findings)
    assert_award_within_the_measures(report.award, report.scheme, report.case)
    fill_forms(loaded, report, checklist)
    if report.award.amount is not None:
        rmb_capital(report.award.amount)


def _application_folder(tmp: Path, name: str, text: str) -> Path:
    folder = tmp / "app"
    folder.mkdir()
    (folder / "application.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    for extra in ("ledger.csv",):
        if (EXAMPLES / name / extra).is_file():
            (folder / extra).write_bytes((EXAMPLES / name / extra).read_bytes())
    return folder


@FUZZ
@given(st.sampled_from(sorted(BASES)), st.data())
def test_mutated_application_yaml(name, data):
    app = copy.deepcopy(BASES[name])
    paths = list(_leaf_paths(app))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.one_of(st.sampled_from(HOT_PATHS), st.sampled_from(paths)))
        value = data.draw(mutation_values)
        if not path:
            app = value
            break
        node = app
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        text = yaml.safe_dump(app, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError):
        return
    with tempfile.TemporaryDirectory() as tmp:
        _check_and_print(_application_folder(Path(tmp), name, text))


yaml_fragments = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "filed_on: 2026-02-30\n",
                "? [a, b]\n: 1\n",
                "x: &a [1]\n",
                "\x00",
                "[" * 80,
                "year: " + "9" * 50 + "\n",
                "matched_amount: 1.0e+400\n",
                "- \n",
                ": :\n",
                "\t",
                "!!binary x\n",
                "\ufeff",
            ]
        ),
    ),
    max_size=6,
)


@FUZZ
@given(st.sampled_from(sorted(BASES)), yaml_fragments, st.integers(0, 40))
def test_spliced_application_yaml_text(name, fragments, at):
    text = (EXAMPLES / name / "application.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = min(at, len(lines))
    spliced = "".join(lines[:at]) + "".join(fragments) + "".join(lines[at:])
    with tempfile.TemporaryDirectory() as tmp:
        _check_and_print(_application_folder(Path(tmp), name, spliced))


cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.sampled_from(["1,00", "1.000,00", "2025-02-30", "=SUM(A1)", "合计", "600元", "1e5", "0.06万元"]),
)
HEADER = list(LEDGER_HEADERS)


@FUZZ
@given(st.lists(st.lists(cells, min_size=0, max_size=10), max_size=6), st.booleans())
def test_ledger_cells(rows, as_csv):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if as_csv:
            buf = io.StringIO()
            csv.writer(buf).writerows([HEADER, *rows])
            (folder / "l.csv").write_text(buf.getvalue(), encoding="utf-8")
            rel = "l.csv"
        else:
            from openpyxl import Workbook

            wb = Workbook()
            wb.active.append(HEADER)
            for row in rows:
                wb.active.append([None if isinstance(c, float) and not math.isfinite(c) else c for c in row])
            wb.save(folder / "l.xlsx")
            rel = "l.xlsx"
        try:
            items = load_ledger_file(FolderSource(folder), rel, "application.yaml 第 9 行")
        except DossierError:
            return
        # what the loader accepts is a dated item with an exact, finite, non-negative bonus, one per data row
        assert len(items) <= len(rows)
        for item in items:
            assert isinstance(item.adopted_on, dt.date) and item.name.strip() and item.proposer.strip()
            if item.bonus is not None:
                assert isinstance(item.bonus, Decimal) and item.bonus.is_finite() and item.bonus >= 0
                rmb_capital(item.bonus)


@FUZZ
@given(st.sampled_from(sorted(BASES)), st.data())
def test_manifest_fields(name, data):
    manifest = {"format": "dossier-manifest/1", "application": copy.deepcopy(BASES[name]), "ledger": []}
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(["application", "ledger", "measures", "scheme", "year", "leaf"]))
        value = data.draw(mutation_values)
        if target == "leaf" and isinstance(manifest["application"], dict):
            app = manifest["application"]
            path = data.draw(st.one_of(st.sampled_from(HOT_PATHS), st.sampled_from(list(_leaf_paths(app)))))
            node = app
            try:
                for key in path[:-1]:
                    node = node[key]
                if path:
                    node[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                pass
        elif target in ("measures", "scheme", "year") and isinstance(manifest["application"], dict):
            manifest["application"][target] = value
        else:
            manifest[target if target != "leaf" else "ledger"] = value
    amount, findings = recompute(manifest)
    assert all(
        f.severity in ("error", "warning", "info") and f.rule.startswith("VERIFY-") or f.rule
        for f in findings
    )
    if amount is None:
        # an award that cannot be recomputed is always said, never silently taken as 0
        assert any(f.severity == "error" for f in findings) or not isinstance(manifest["application"], dict)
        return
    assert isinstance(amount, Decimal) and amount.is_finite() and amount >= 0
    app = manifest["application"]
    if app.get("scheme") == "innovation" and isinstance(app.get("innovation"), dict):
        if app["innovation"].get("case") == "bonus":
            assert amount <= BONUS_CAP
    rmb_capital(amount)
