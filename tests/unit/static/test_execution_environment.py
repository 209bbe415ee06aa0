"""The execution environment: `ansible-builder create` writes a build context that installs
the built collection beside ansible.windows, and `ansible-builder introspect` finds the
collection's own Python and system needs (Kerberos included) in the installed copy.

No container engine is needed: `create` only writes the context, `introspect` reads an
installed collections tree.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
VERSION = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
TARBALL = f"wsfc-clusterdb-{VERSION}.tar.gz"


def requirement_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        ["ansible-galaxy", "collection", "build", "--output-path", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out / TARBALL


def test_the_tarball_carries_the_collections_execution_environment_needs(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    assert {
        "meta/execution-environment.yml",
        "meta/ee-requirements.txt",
        "meta/ee-bindep.txt",
    } <= names
    assert "execution-environment.yml" not in names  # the image's definition, not the collection's


def test_create_writes_a_context_that_installs_the_tarball_beside_ansible_windows(
    tarball: Path, tmp_path: Path
) -> None:
    for name in ("execution-environment.yml", "ee-requirements.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(tarball, tmp_path / TARBALL)
    context = tmp_path / "context"
    subprocess.run(
        ["ansible-builder", "create", "-f", "execution-environment.yml", "-c", str(context)],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    )  # fmt: skip
    build_file = (context / "Dockerfile").read_text(encoding="utf-8")
    assert 'ANSIBLE_INSTALL_REFS="ansible-core>=2.16,<2.20 ansible-runner"' in build_file
    assert "COPY _build /build" in build_file and "WORKDIR /build" in build_file
    assert "ansible-galaxy collection install" in build_file
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text("utf-8"))
    names = [entry["name"] for entry in requirements["collections"]]
    assert "ansible.windows" in names
    local = next(entry for entry in requirements["collections"] if entry.get("type") == "file")
    # The galaxy stage installs from /build, which holds the context's _build folder.
    assert (context / "_build" / local["name"]).is_file()
    assert local["name"].endswith(TARBALL)


def test_introspect_finds_the_kerberos_needs_in_the_installed_collection(
    tarball: Path, tmp_path: Path
) -> None:
    collections = tmp_path / "collections"
    subprocess.run(
        # --force: the checkout itself is on the collections path, and counts as installed.
        ["ansible-galaxy", "collection", "install", "--no-deps", "--force", "-p", str(collections),
         str(tarball)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    found = subprocess.run(
        ["ansible-builder", "introspect", "--sanitize", str(collections)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    data = yaml.safe_load(found)
    python = [line.split("#")[0].strip() for line in data["python"]]
    system = [line.split("#")[0].strip() for line in data["system"]]
    assert python == requirement_lines(ROOT / "meta" / "ee-requirements.txt")
    assert system == requirement_lines(ROOT / "meta" / "ee-bindep.txt")
    assert any(line.startswith("pywinrm[kerberos]") for line in python)
    assert "krb5-workstation [platform:rpm]" in system
