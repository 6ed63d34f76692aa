"""Fuzz `verify` and `intake` over mutated real dossiers: whatever a received PDF holds — a manifest with any
value at any place, bytes overwritten or cut off — the answer is one of the tool's own messages and exit
codes, never exit 4 and never a traceback. Bounded examples (DOSSIER_FUZZ_EXAMPLES raises them to hunt)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pikepdf
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.cli import cli

FUZZ = settings(
    max_examples=int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**100), max_value=10**100),
    st.sampled_from([2**63, -(2**63) - 1, 2**70, 0, -1, 10**100]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["abc", "1e400", "NaN", "2026-02-30", "../../etc/passwd", "0" * 70, "f" * 64, ""]),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (keys and list indexes), containers included."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:5]):
            out += _paths(value, (*prefix, i))
    return out


def _cli(*args: object) -> int:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code != 4, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code


def _verify_and_intake(path: Path, folder: Path) -> None:
    assert _cli("verify", path) in (0, 1, 2)
    assert _cli("intake", "--register", folder / "register.sqlite", path) in (0, 1, 2)


def _manifest(dossier: Path) -> dict:
    with pikepdf.open(dossier) as pdf:
        return json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())


@FUZZ
@given(data=st.data())
def test_verify_and_intake_survive_any_manifest(example_dossiers, data):
    name = data.draw(st.sampled_from(sorted(example_dossiers)))
    dossier = example_dossiers[name]
    manifest = _manifest(dossier)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(manifest)))
        if not path:
            continue
        node = manifest
        for key in path[:-1]:
            node = node[key]
        if data.draw(st.booleans()) and isinstance(node, dict):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = data.draw(values)
    text = json.dumps(manifest, ensure_ascii=False, default=str).replace("Infinity", "1e400")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with pikepdf.open(dossier) as pdf:
            pdf.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
                pdf, text.encode("utf-8", "surrogatepass"), filename="manifest.json"
            )
            pdf.save(folder / "mutated.pdf")
        _verify_and_intake(folder / "mutated.pdf", folder)


@FUZZ
@given(data=st.data())
def test_verify_and_intake_survive_damaged_bytes(example_dossiers, data):
    dossier = example_dossiers[data.draw(st.sampled_from(sorted(example_dossiers)))]
    blob = bytearray(dossier.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(blob) - 1))
        patch = data.draw(st.binary(min_size=1, max_size=64))
        blob[at : at + len(patch)] = patch
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "damaged.pdf").write_bytes(bytes(blob))
        _verify_and_intake(folder / "damaged.pdf", folder)
