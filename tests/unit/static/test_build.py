"""The collection as Galaxy users get it: built, installed offline into a fresh project, used.

The tarball holds the collection's content and nothing of its development; installed from
it with ansible.windows (the copy scripts/bootstrap.sh unpacked, no Galaxy), the
collection documents its modules and its playbooks parse, as the README's "Install"
section says. The static tier runs ansible-test sanity over the same installed tree
(tests/static/run_sanity_installed.sh).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
WINDOWS = REPO_ROOT / ".cache" / "collections" / "ansible_collections" / "ansible" / "windows"
# The sha256 of Debian's copy of the GNU GPL version 3 (/usr/share/common-licenses/GPL-3,
# package base-files), which COPYING was copied from, byte for byte.
GPL3_SHA256 = "3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986"

# What ships: the collection's content, and of tests/ what ansible-test runs against an
# installed copy (galaxy.yml, build_ignore, says why).
SHIPPED_FILES = {"README.md", "COPYING", "CHANGELOG.rst"}
SHIPPED_DIRS = ("plugins/", "roles/", "playbooks/", "docs/", "meta/", "changelogs/",
                "tests/sanity/", "tests/integration/targets/")  # fmt: skip
# Under the shipped directories, a build cache.
NOT_SHIPPED = {"changelogs/.plugin-cache.yaml"}
# A few of the development files, named so that a change to the ignore rules that ships
# them is caught even if the partition above were computed wrongly.
DEVELOPMENT_SAMPLES = (
    "benchmarks/fleet_backup.py",
    "scripts/bootstrap.sh",
    ".gitignore",
    "pyproject.toml",
    "pytest.ini",
    ".ansible-lint",
    "requirements.txt",
    "tests/integration/conftest.py",
    "tests/unit/static/conftest.py",
    "tests/lab/pyproject.toml",
    "extensions/molecule/default/molecule.yml",
)
# What a user expects in any build of it.
REQUIRED = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "COPYING",
    "CHANGELOG.rst",
    "changelogs/changelog.yaml",
    "meta/runtime.yml",
    "plugins/modules/cluster_info.ps1",
    "plugins/modules/cluster_info.py",
    "plugins/action/cluster_info.py",
    "roles/backup/tasks/main.yml",
    "roles/restore/meta/argument_specs.yml",
    "playbooks/backup.yml",
    "playbooks/restore.yml",
    "docs/restore.md",
    "tests/sanity/ignore-2.19.txt",
)


def _checkout_files() -> list[str]:
    """The work tree's files that git does not ignore: tracked or new, not run output."""
    listing = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    return [name for name in listing.split("\0") if name and (REPO_ROOT / name).is_file()]


def _ships(name: str) -> bool:
    if name in NOT_SHIPPED:
        return False
    return name in SHIPPED_FILES or name.startswith(SHIPPED_DIRS)


def _clean_environment(home: Path) -> dict[str, str]:
    """The caller's environment without the checkout's Ansible settings: a fresh project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["ANSIBLE_HOME"] = str(home)
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{command} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dist")
    subprocess.run(
        ["ansible-galaxy", "collection", "build", "--output-path", str(output), str(REPO_ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (built,) = output.glob("wsfc-clusterdb-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def shipped(tarball: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(tarball) as archive:
        return {member.name: member for member in archive.getmembers()}


def test_a_file_ships_exactly_when_it_is_collection_content(
    shipped: dict[str, tarfile.TarInfo],
) -> None:
    present = _checkout_files()
    expected = {name for name in present if _ships(name)}
    shipped_files = {name for name, member in shipped.items() if member.isfile()}
    missing = sorted(expected - shipped_files)
    assert missing == [], "collection content left out of the tarball"
    # The build adds its two manifests; every other file is one of the checkout's.
    development = sorted(shipped_files - expected - {"MANIFEST.json", "FILES.json"})
    assert development == [], "files outside the collection's content shipped"
    for name in DEVELOPMENT_SAMPLES:
        assert name in present, f"{name} no longer exists: pick another development file"
        assert name not in shipped, f"{name} is development only"


def test_the_tarball_holds_what_a_user_expects(shipped: dict[str, tarfile.TarInfo]) -> None:
    missing = [name for name in REQUIRED if name not in shipped]
    assert missing == []


def test_copying_is_the_gpl_version_3_text_the_headers_cite(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("COPYING")
        assert member is not None
        text = member.read()
        manifest = json.load(archive.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
    assert hashlib.sha256(text).hexdigest() == GPL3_SHA256
    assert manifest["collection_info"]["license"] == ["GPL-3.0-or-later"]
    header = (
        "GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)"
    )
    assert header in (REPO_ROOT / "plugins" / "modules" / "cluster_info.py").read_text()


def test_the_action_group_holds_the_modules_the_readme_presents() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    presented = set(re.findall(r"^\| module \| `(\w+)` \|", readme, flags=re.MULTILINE))
    assert {"cluster_info", "cluster_backup", "cluster_restore", "cluster_node",
            "backup_set_info"} <= presented  # fmt: skip
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    group = runtime["action_groups"]["clusterdb"]
    assert sorted(group) == sorted(presented), "meta/runtime.yml action_groups.clusterdb"
    for module in group:
        assert (REPO_ROOT / "plugins" / "modules" / f"{module}.py").is_file()


def _readme_install_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Install\n(.*?)(?=^## )", readme, flags=re.MULTILINE | re.DOTALL)
    assert match is not None, "README.md has no section '## Install'"
    return match.group(1)


def _new_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    project.mkdir()
    # The same ansible.cfg as the README's Install section writes.
    config = re.search(r"printf '(\[defaults\][^']*)' > ansible\.cfg", _readme_install_section())
    assert config is not None, "the Install section no longer writes ansible.cfg"
    (project / "ansible.cfg").write_text(config.group(1).replace("\\n", "\n"), encoding="utf-8")
    return project, _clean_environment(tmp_path / "ansible-home")


def _installed(project: Path, env: dict[str, str]) -> dict[str, str]:
    listing = _run(["ansible-galaxy", "collection", "list", "--format", "json"], project, env)
    found = json.loads(listing[listing.index("{") :])
    place = str(project / "collections" / "ansible_collections")
    return {name: info["version"] for name, info in found.get(place, {}).items()}


def _use_installed_collection(project: Path, env: dict[str, str]) -> None:
    installed = project / "collections" / "ansible_collections" / "wsfc" / "clusterdb"
    doc = _run(["ansible-doc", "wsfc.clusterdb.cluster_info"], project, env)
    # ansible-doc names the file it read: the installed copy, not the checkout.
    assert f"({installed}/plugins/modules/cluster_info.py)" in doc
    assert "include_configuration" in doc
    for playbook in ("backup", "restore"):
        parsed = _run(
            ["ansible-playbook", "--syntax-check", f"wsfc.clusterdb.{playbook}"], project, env
        )
        assert f"playbook: {installed}/playbooks/{playbook}.yml" in parsed


def test_installed_from_the_tarball_with_ansible_windows_it_documents_and_parses(
    tarball: Path, tmp_path: Path
) -> None:
    project, env = _new_project(tmp_path)
    # The README's command, with --offline and the local ansible.windows named beside it.
    _run(["ansible-galaxy", "collection", "install", "--offline", str(tarball), str(WINDOWS)],
         project, env)  # fmt: skip
    assert _installed(project, env) == {
        "wsfc.clusterdb": "0.1.0",
        "ansible.windows": json.loads((WINDOWS / "MANIFEST.json").read_text())["collection_info"][
            "version"
        ],
    }
    _use_installed_collection(project, env)


def test_the_readme_requirements_file_installs_the_tarball(tarball: Path, tmp_path: Path) -> None:
    project, env = _new_project(tmp_path)
    block = re.search(r"```yaml\n(.*?)```", _readme_install_section(), flags=re.DOTALL)
    assert block is not None, "the Install section has no requirements.yml"
    requirements = yaml.safe_load(block.group(1))
    (project / tarball.name).write_bytes(tarball.read_bytes())
    (project / "requirements.yml").write_text(block.group(1), encoding="utf-8")
    sources = {entry["name"]: entry for entry in requirements["collections"]}
    assert sources["wsfc.clusterdb"]["source"] == f"./{tarball.name}"
    # No Galaxy here: ansible.windows goes in first from the local copy, so that the file's
    # ansible.windows requirement is met by what is installed.
    _run(["ansible-galaxy", "collection", "install", "--offline", str(WINDOWS)], project, env)
    _run(["ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml"],
         project, env)  # fmt: skip
    assert set(_installed(project, env)) == {"wsfc.clusterdb", "ansible.windows"}
    _use_installed_collection(project, env)
