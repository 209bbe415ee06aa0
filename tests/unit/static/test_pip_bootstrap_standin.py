"""The offline pip bootstrap, run the way ansible-test runs it, and its installation."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import get_pip_offline
import install_pip_bootstrap
from ansible_test._util.target.setup import quiet_pip


def test_get_pip_only_options_are_dropped():
    argv = ["--disable-pip-version-check", "pip==24.2", "--no-setuptools", "--no-wheel"]

    assert get_pip_offline.pip_install_arguments(argv) == [
        "--disable-pip-version-check",
        "pip==24.2",
    ]


def test_pip_config_file_is_unset_and_the_rest_kept():
    env = get_pip_offline.pip_environment({"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "/w"})

    assert env == {"PIP_FIND_LINKS": "/w"}


def test_bootstraps_pip_into_an_empty_venv_as_ansible_test_does(tmp_path):
    # ansible-test creates the venv without pip, then runs its quiet_pip.py entry point with
    # GET_PIP naming the cached bootstrap script and the get-pip arguments after it.
    # `pip` (unpinned, already there after ensurepip) needs no index, so this runs offline.
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    env = dict(os.environ, GET_PIP=str(Path(get_pip_offline.__file__)), PIP_CONFIG_FILE=os.devnull)
    arguments = ["--disable-pip-version-check", "pip", "--no-setuptools", "--no-wheel"]

    run = subprocess.run(
        [str(python), quiet_pip.__file__, *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    version = subprocess.run(
        [str(python), "-m", "pip", "--version"], capture_output=True, text=True, check=False
    )
    assert version.returncode == 0
    assert str(environment) in version.stdout


def test_cache_path_is_the_one_ansible_test_reads(tmp_path):
    assert install_pip_bootstrap.cache_path("24.2", tmp_path) == (
        tmp_path / ".ansible" / "test" / "cache" / "get_pip_24_2.py"
    )


def test_pinned_pip_version_comes_from_ansible_test():
    from ansible_test._internal.python_requirements import get_venv_packages

    class Python:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"

    assert (
        install_pip_bootstrap.pinned_pip_version(Python.version) == get_venv_packages(Python)["pip"]
    )


def test_install_copies_once_and_replaces_a_different_script(tmp_path):
    destination = tmp_path / "cache" / "get_pip_24_2.py"

    assert install_pip_bootstrap.install(destination) is True
    assert destination.read_bytes() == Path(get_pip_offline.__file__).read_bytes()
    assert install_pip_bootstrap.install(destination) is False

    destination.write_text("# a downloaded get-pip.py\n")
    assert install_pip_bootstrap.install(destination) is True
    assert destination.read_bytes() == Path(get_pip_offline.__file__).read_bytes()
