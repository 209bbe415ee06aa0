"""Puts the offline pip bootstrap (get_pip_offline.py) where ansible-test looks for it.

ansible-test's sanity venvs start empty; it bootstraps pip in each one with a script it
caches as ~/.ansible/test/cache/get_pip_<pip version>.py and downloads when absent
(ansible_test/_util/target/setup/requirements.py, `bootstrap`). That path is fixed: it
does not follow ANSIBLE_HOME. The pip version is the one ansible-test pins
(python_requirements.get_venv_packages), read from the installed ansible-test.

Usage: python tests/static/install_pip_bootstrap.py [--python-version 3.11]
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

from ansible_test._internal.python_requirements import get_venv_packages

STAND_IN = Path(__file__).resolve().parent / "get_pip_offline.py"


def cache_path(pip_version: str, home: Path) -> Path:
    """Where ansible-test looks for the bootstrap script of a pip version."""
    return home / ".ansible" / "test" / "cache" / f"get_pip_{pip_version.replace('.', '_')}.py"


def pinned_pip_version(python_version: str) -> str:
    return get_venv_packages(SimpleNamespace(version=python_version))["pip"]


def install(destination: Path) -> bool:
    """Copy the stand-in to `destination`; False when it is already there, unchanged."""
    if destination.is_file() and filecmp.cmp(STAND_IN, destination, shallow=False):
        return False
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STAND_IN, destination)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-version", default=f"{sys.version_info[0]}.{sys.version_info[1]}")
    args = parser.parse_args(argv)
    destination = cache_path(pinned_pip_version(args.python_version), Path.home())
    verb = "installed" if install(destination) else "already in place"
    print(f"offline pip bootstrap {verb}: {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
