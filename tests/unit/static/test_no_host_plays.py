"""A play that matches no host fails every way the project runs Ansible: ansible-playbook
under tests/ansible.cfg, the integration fixtures (tests/integration/playbook.py), molecule
(each scenario's molecule.yml) and tests/molecule/run_scenarios.sh.

ansible-core's `host_pattern_mismatch = error` stops a pattern that names no group and no
host; a pattern that names an empty group, or that --limit empties, still runs as
"skipping: no hosts matched" with exit status 0, which the callback no_hosts_fail
(tests/callback_plugins) turns into a failed run. Every check here runs the same playbook
with and without hosts to match, so a failure cannot come from anything else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playbook import run_playbook

REPO = Path(__file__).resolve().parents[3]
TEST_CONFIG = REPO / "tests" / "ansible.cfg"
SCENARIOS = REPO / "extensions" / "molecule"
BIN = Path(sys.executable).parent
NO_HOST = "matched no host"
MISMATCH = "Could not match supplied host pattern"


def inventory(path: Path, groups: dict[str, list[str]]) -> Path:
    """Groups of hosts that run locally (the groups may be empty)."""
    children = {
        name: {"hosts": {host: {"ansible_connection": "local"} for host in hosts}}
        for name, hosts in groups.items()
    }
    path.write_text(yaml.safe_dump({"all": {"children": children}}), encoding="utf-8")
    return path


def two_plays(path: Path, first_hosts: str, marker: Path) -> Path:
    """A play on `first_hosts`, then one on localhost that writes `marker`: the marker
    shows whether the run went on after the first play."""
    plays = [
        {
            "name": "First play",
            "hosts": first_hosts,
            "gather_facts": False,
            "tasks": [{"name": "Say hello", "ansible.builtin.debug": {"msg": "hello"}}],
        },
        {
            "name": "Later play",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {
                    "name": "Write the marker",
                    "ansible.builtin.copy": {"content": "ran\n", "dest": str(marker)},
                }
            ],
        },
    ]
    path.write_text(yaml.safe_dump(plays, sort_keys=False), encoding="utf-8")
    return path


def clean_environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without any ANSIBLE_* setting, so that only the named
    configuration applies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        ANSIBLE_HOME=str(tmp_path / "ansible-home"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        **settings,
    )
    return env


def ansible_playbook(
    tmp_path: Path, playbook: Path, inv: Path, *extra: str, config: Path = TEST_CONFIG
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inv), str(playbook), *extra],
        env=clean_environment(tmp_path, ANSIBLE_CONFIG=str(config)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_play_on_an_empty_group_fails_the_run_and_stops_it(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    play = two_plays(tmp_path / "play.yml", "molclu", marker)

    empty = ansible_playbook(tmp_path, play, inventory(tmp_path / "empty.yml", {"molclu": []}))
    assert empty.returncode == 1, empty.stdout + empty.stderr
    assert f"play 'First play' {NO_HOST}" in empty.stderr
    assert not marker.exists()

    held = ansible_playbook(tmp_path, play, inventory(tmp_path / "held.yml", {"molclu": ["n1"]}))
    assert held.returncode == 0, held.stdout + held.stderr
    assert "ok: [n1]" in held.stdout
    assert marker.read_text(encoding="utf-8") == "ran\n"


def test_a_pattern_in_the_wrong_case_fails(tmp_path: Path) -> None:
    # The defect this guards against: the lab writes the group `molclu`, a play said MOLCLU.
    marker = tmp_path / "marker"
    inv = inventory(tmp_path / "inventory.yml", {"molclu": ["n1"]})

    upper = ansible_playbook(tmp_path, two_plays(tmp_path / "upper.yml", "MOLCLU", marker), inv)
    assert upper.returncode != 0, upper.stdout + upper.stderr
    assert f"{MISMATCH}, ignoring: MOLCLU" in upper.stderr
    assert not marker.exists()

    lower = ansible_playbook(tmp_path, two_plays(tmp_path / "lower.yml", "molclu", marker), inv)
    assert lower.returncode == 0, lower.stdout + lower.stderr
    assert marker.exists()


def test_a_limit_that_leaves_a_play_no_host_fails(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    play = two_plays(tmp_path / "play.yml", "first", marker)
    inv = inventory(tmp_path / "inventory.yml", {"first": ["n1"], "second": ["n2"]})

    limited = ansible_playbook(tmp_path, play, inv, "--limit", "n2,localhost")
    assert limited.returncode == 1, limited.stdout + limited.stderr
    assert NO_HOST in limited.stderr
    assert not marker.exists()

    unlimited = ansible_playbook(tmp_path, play, inv, "--limit", "n1,localhost")
    assert unlimited.returncode == 0, unlimited.stdout + unlimited.stderr
    assert marker.exists()


def test_without_the_test_configuration_such_a_play_passes(tmp_path: Path) -> None:
    # What the configuration changes: ansible-core's defaults only warn and skip.
    bare = tmp_path / "bare.cfg"
    bare.write_text("[defaults]\n", encoding="utf-8")
    marker = tmp_path / "marker"
    play = two_plays(tmp_path / "play.yml", "molclu", marker)

    run = ansible_playbook(
        tmp_path, play, inventory(tmp_path / "inv.yml", {"molclu": []}), config=bare
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "skipping: no hosts matched" in run.stdout
    assert marker.exists()


@pytest.mark.parametrize("config", ["tests/ansible.cfg", "bare"])
def test_the_integration_fixtures_fail_such_a_run(tmp_path: Path, config: str) -> None:
    # run_playbook replaces the callback settings of the configuration and may run under
    # another ANSIBLE_CONFIG: it must keep both guards itself.
    if config == "bare":
        bare = tmp_path / "bare.cfg"
        bare.write_text("[defaults]\n", encoding="utf-8")
        env = {"ANSIBLE_CONFIG": str(bare)}
    else:
        env = {"ANSIBLE_CONFIG": str(REPO / config)}
    marker = tmp_path / "marker"
    inv = inventory(tmp_path / "inventory.yml", {"molclu": [], "other": ["n1"]})

    empty = run_playbook(two_plays(tmp_path / "empty.yml", "molclu", marker), inv, env=env)
    assert empty.rc == 1, empty.output
    assert NO_HOST in empty.output
    upper = run_playbook(two_plays(tmp_path / "upper.yml", "MOLCLU", marker), inv, env=env)
    assert upper.rc != 0, upper.output
    assert MISMATCH in upper.output
    assert not marker.exists()

    held = run_playbook(two_plays(tmp_path / "held.yml", "other", marker), inv, env=env)
    assert held.rc == 0, held.output
    assert held.of("Say hello", "n1").status == "ok"
    assert marker.exists()


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS.glob("*/molecule.yml"))


def test_every_scenario_runs_ansible_with_the_test_configuration() -> None:
    assert scenario_files(), "no molecule scenario found"
    for molecule_yml in scenario_files():
        settings = yaml.safe_load(molecule_yml.read_text(encoding="utf-8"))
        config = settings["ansible"]["env"]["ANSIBLE_CONFIG"]
        resolved = config.replace("${MOLECULE_SCENARIO_DIRECTORY}", str(molecule_yml.parent))
        assert Path(resolved).resolve() == TEST_CONFIG, molecule_yml


# -- tests/molecule/run_scenarios.sh on scenarios of its own ---------------------------------

CONVERGE_ON = {
    "wrong_case": "MOLCLU",  # names no group: host_pattern_mismatch
    "empty_group": "spare",  # an empty group: the callback
    "controller_only": "localhost",  # runs, but on no node: the script's own count
    "on_the_nodes": "molclu",  # the one that passes
}


def write_scenario(root: Path, name: str, hosts: str, env: dict[str, str]) -> None:
    scenario = root / "extensions" / "molecule" / name
    scenario.mkdir(parents=True)
    local = {"hosts": "localhost", "gather_facts": False}
    noop = [{"name": "Nothing to do", "ansible.builtin.debug": {"msg": "nothing"}}]
    for step in ("create", "destroy"):
        play = [{"name": step, **local, "tasks": noop}]
        (scenario / f"{step}.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    converge = [
        {
            "name": "Converge",
            "hosts": hosts,
            "gather_facts": False,
            "tasks": [{"name": "Say hello", "ansible.builtin.debug": {"msg": "hello"}}],
        }
    ]
    (scenario / "converge.yml").write_text(yaml.safe_dump(converge), encoding="utf-8")
    inventory(scenario / "inventory.yml", {"molclu": ["n1", "n2"], "spare": []})
    molecule = {
        "ansible": {
            "env": env,
            "executor": {
                "args": {
                    "ansible_playbook": ["--inventory=${MOLECULE_SCENARIO_DIRECTORY}/inventory.yml"]
                }
            },
        },
        "scenario": {"test_sequence": ["destroy", "create", "converge", "destroy"]},
    }
    (scenario / "molecule.yml").write_text(yaml.safe_dump(molecule), encoding="utf-8")


@pytest.mark.slow
def test_run_scenarios_fails_the_scenarios_that_match_no_node(tmp_path: Path) -> None:
    if not (BIN / "molecule").exists():
        pytest.skip("molecule is not installed (scripts/bootstrap.sh installs it)")
    root = tmp_path / "project"
    (root / "tests" / "molecule").mkdir(parents=True)
    for part in ("tests/molecule/run_scenarios.sh", "tests/ansible.cfg"):
        shutil.copy(REPO / part, root / part)
    # A collection, as this one is (molecule then takes the scenarios from
    # extensions/molecule), with no dependencies for molecule to install.
    galaxy = {"namespace": "probe", "name": "nohosts", "version": "1.0.0", "readme": "README.md"}
    galaxy |= {"authors": ["probe"]}
    (root / "galaxy.yml").write_text(yaml.safe_dump(galaxy), encoding="utf-8")
    (root / "README.md").write_text("probe\n", encoding="utf-8")
    shutil.copytree(REPO / "tests" / "callback_plugins", root / "tests" / "callback_plugins")
    # The scenarios take the ANSIBLE_CONFIG setting of the project's own default scenario.
    default = yaml.safe_load((SCENARIOS / "default" / "molecule.yml").read_text("utf-8"))
    env = {"ANSIBLE_CONFIG": default["ansible"]["env"]["ANSIBLE_CONFIG"]}
    for name, hosts in CONVERGE_ON.items():
        write_scenario(root, name, hosts, env)

    run = subprocess.run(
        ["bash", str(root / "tests" / "molecule" / "run_scenarios.sh")],
        env=clean_environment(tmp_path, ANSIBLE_CONFIG=str(TEST_CONFIG)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "molecule scenarios failed: controller_only empty_group wrong_case" in output
    assert f"{MISMATCH}, ignoring: MOLCLU" in output
    assert f"play 'Converge' {NO_HOST}" in output
    assert "molecule scenario controller_only ran no task on any node" in output
    assert "scenario on_the_nodes: ok=2 changed=0 on the nodes" in output
