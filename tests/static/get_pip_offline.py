"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test creates an empty virtual environment for each sanity test that has
requirements, then runs a cached ``get-pip`` script in it with the arguments
``--disable-pip-version-check pip==<v> --no-setuptools --no-wheel``. The real script is
downloaded from a host this machine cannot reach; this one gives the same result with
what Python ships: ``ensurepip`` puts a pip into the environment, and that pip installs
the pinned packages from the package index the machine is configured for.

tests/static/run_sanity.sh copies this file to the cache path ansible-test looks in
(``~/.ansible/test/cache/get_pip_<version>.py``). ansible-test runs it with ``runpy`` as
``__main__`` and ``sys.argv[1:]`` holding the pip arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys

# get-pip.py options that ``pip install`` does not know: ensurepip installs neither
# setuptools nor wheel (Python 3.12+) or already has (3.11), so they are simply dropped.
GET_PIP_ONLY_OPTIONS = frozenset({"--no-setuptools", "--no-wheel"})


def pip_install_arguments(argv: list[str]) -> list[str]:
    """The get-pip arguments that ``pip install`` understands, in their order."""
    return [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]


def pip_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment for ``pip install``: the machine's own pip configuration.

    ensurepip points PIP_CONFIG_FILE at /dev/null while it runs; if that leaks into the
    environment (it does when ensurepip runs in-process), pip would ignore the index,
    find-links and certificate settings this machine needs.
    """
    env = dict(environ)
    env.pop("PIP_CONFIG_FILE", None)
    return env


def main(argv: list[str]) -> int:
    env = pip_environment(dict(os.environ))
    # A separate process, so ensurepip's environment changes cannot reach ours.
    bootstrap = subprocess.run(
        [sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], env=env, check=False
    )
    if bootstrap.returncode != 0:
        return bootstrap.returncode
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", *pip_install_arguments(argv)], env=env, check=False
    )
    return install.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
