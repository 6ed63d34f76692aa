"""The rules table documents every rule id the code and the checklists can emit."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_id_is_documented():
    table = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([A-Z0-9]+(?:-[A-Z0-9]+)+) \|", table, flags=re.M))
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "assembler").rglob("*.py"))
    used = set(re.findall(r'[Ff]inding\(\s*"([A-Z0-9-]+)"', code))  # Finding(...) or messages.finding(...)
    for path in (ROOT / "checklists").rglob("*.yaml"):
        used |= set(re.findall(r"rule: ([A-Z0-9-]+)", path.read_text(encoding="utf-8")))
    assert len(used) > 40
    assert used - documented == set()
    assert documented - used == set(), "documented rules that nothing emits"


def test_changelog_names_the_current_version():
    from assembler import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = [v for v in re.findall(r"^## (\S+)", changelog, flags=re.M) if v != "Unreleased"]
    assert released[0] == __version__


def test_readme_commands_exist():
    """Every `dossier <command>` the README shows is a real command (as sqlite-utils keeps its docs)."""
    from assembler.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^dossier (?:-\S+ )*([a-z]+)\b", readme, flags=re.M))
    assert {"check", "build", "verify", "review", "serve", "init", "fill", "schemes"} <= shown
    assert shown <= set(cli.commands)


def test_no_merge_conflict_markers_were_left():
    markers = re.compile(r"^(<{7} |>{7} |={7}$)", flags=re.M)
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "assembler").rglob("*.py")]:
        assert not markers.search(path.read_text(encoding="utf-8")), path
