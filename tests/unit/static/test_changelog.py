"""The changelog is antsibull-changelog's: fragments are linted, CHANGELOG.rst is generated.

The static tier runs `antsibull-changelog lint` (tests/static/run_static.sh); these tests
show that the lint fails on a broken fragment, and that CHANGELOG.rst is exactly what
antsibull-changelog writes from changelogs/changelog.yaml, so nobody edits it by hand.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]


def _changelog_copy(tmp_path: Path) -> Path:
    """The files antsibull-changelog reads, in a directory of their own."""
    root = tmp_path / "collection"
    root.mkdir()
    shutil.copy2(REPO_ROOT / "galaxy.yml", root / "galaxy.yml")
    shutil.copytree(REPO_ROOT / "changelogs", root / "changelogs")
    return root


def _antsibull(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["antsibull-changelog", *args],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_checkout_s_changelog_passes_the_lint() -> None:
    for args in (("lint",), ("lint-changelog-yaml", "changelogs/changelog.yaml")):
        result = _antsibull(REPO_ROOT, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        # A section antsibull-changelog does not know (the config's `sections`).
        ("new_features:\n  - Something.\n", "invalid section: new_features"),
        # A section that must hold a list of entries.
        ("bugfixes: A single string.\n", "bugfixes"),
        # Not YAML at all.
        ("bugfixes:\n  - [unclosed\n", "yaml"),
    ],
)
def test_a_broken_fragment_fails_the_lint(tmp_path: Path, content: str, complaint: str) -> None:
    root = _changelog_copy(tmp_path)
    fragment = root / "changelogs" / "fragments" / "broken.yml"
    fragment.write_text(content, encoding="utf-8")
    result = _antsibull(root, "lint")
    assert result.returncode != 0
    assert "changelogs/fragments/broken.yml" in result.stdout
    assert complaint in result.stdout.lower()
    # The same fragment, well formed, passes: the complaint is about the content only.
    fragment.write_text("bugfixes:\n  - Something.\n", encoding="utf-8")
    assert _antsibull(root, "lint").returncode == 0


def test_changelog_rst_is_generated_from_changelog_yaml(tmp_path: Path) -> None:
    config = yaml.safe_load((REPO_ROOT / "changelogs" / "config.yaml").read_text())
    assert [output["file"] for output in config["output"]] == ["CHANGELOG.rst"]
    root = _changelog_copy(tmp_path)
    result = _antsibull(root, "generate")
    assert result.returncode == 0, result.stdout + result.stderr
    generated = (root / "CHANGELOG.rst").read_text(encoding="utf-8")
    assert generated == (REPO_ROOT / "CHANGELOG.rst").read_text(encoding="utf-8"), (
        "CHANGELOG.rst differs from what `antsibull-changelog generate` writes"
    )
    assert not (REPO_ROOT / "CHANGELOG.md").exists(), "the hand-kept changelog is back"


def test_the_first_release_names_what_the_collection_first_shipped() -> None:
    # The entries of the hand-kept changelog this one replaced: five modules, two roles,
    # two playbooks; each still exists under that name.
    changes = yaml.safe_load((REPO_ROOT / "changelogs" / "changelog.yaml").read_text())
    release = changes["releases"]["0.1.0"]
    modules = {m["name"] for m in release["modules"]}
    assert modules == {
        "backup_set_info", "cluster_backup", "cluster_info", "cluster_node", "cluster_restore",
    }  # fmt: skip
    for module in modules:
        assert (REPO_ROOT / "plugins" / "modules" / f"{module}.py").is_file()
    for kind, directory, suffix in (("role", "roles", ""), ("playbook", "playbooks", ".yml")):
        names = {o["name"] for o in release["objects"][kind]}
        assert names == {"backup", "restore"}
        for name in names:
            assert (REPO_ROOT / directory / f"{name}{suffix}").exists()
