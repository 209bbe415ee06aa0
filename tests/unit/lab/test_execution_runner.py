"""NodeCommandRunner: each kind of command a lab node answers, fed what ansible-core sends."""

import base64
import hashlib
import json

import pytest
from test_execution_support import (
    FakeWorld,
    expand_user_command,
    fetch_file_command,
    mkdtemp_command,
    module_command,
    module_payload,
    put_file_command,
    raw_command,
    remove_command,
)
from wsfc_lab.execution import NodeCommandRunner
from wsfc_lab.world.windows_errors import ERROR_DISK_FULL, WindowsError

TEMP = "C:\\Users\\Administrator\\AppData\\Local\\Temp"


@pytest.fixture
def world(tmp_path):
    return FakeWorld(tmp_path / "lab")


@pytest.fixture
def runner(world):
    return NodeCommandRunner(world, "NODE1")


def run_module(runner, stdin):
    command, arguments = module_command()
    assert runner.needs_stdin(command, arguments)
    return runner.run(command, arguments, stdin)


def module_result(result):
    """Parse the module's stdout as the winrm plugin's caller does: one JSON object."""
    assert result.stdout.endswith(b"\r\n")
    return json.loads(result.stdout)


# -- modules -----------------------------------------------------------------------------


def test_win_ping_answers_pong_with_exit_code_0(runner):
    result = run_module(runner, module_payload("win_ping.ps1", {}))

    assert result.exit_code == 0
    assert result.stderr == b""
    output = module_result(result)
    assert output["ping"] == "pong"
    assert output["changed"] is False
    # invocation.module_args: the arguments after validation, without the _ansible_ ones.
    assert output["invocation"] == {"module_args": {"data": "pong"}}


def test_a_module_crash_is_reported_as_the_exec_wrapper_reports_a_throw(runner):
    result = run_module(runner, module_payload("win_ping.ps1", {"data": "crash"}))

    assert result.exit_code == 1
    output = module_result(result)
    assert output["failed"] is True
    assert output["msg"] == "Unhandled exception while executing module: boom"


def test_a_validation_failure_is_a_failed_result_with_exit_code_1(runner):
    result = run_module(runner, module_payload("win_ping.ps1", {"dta": "x"}))

    assert result.exit_code == 1
    output = module_result(result)
    assert output["failed"] is True
    assert output["msg"].startswith(
        "Unsupported parameters for (ansible.windows.win_ping) module: dta."
    )


def test_an_unemulated_module_fails_loudly_with_its_name(runner):
    # A module of an installed collection that the lab has no emulation for.
    stdin = module_payload(
        "win_ping.ps1", {}, fqn="ansible_collections.ansible.windows.plugins.modules.win_foo"
    )
    result = run_module(runner, stdin)

    assert result.exit_code == 1
    output = module_result(result)
    assert output["failed"] is True
    assert output["msg"] == "the lab does not emulate module ansible.windows.win_foo"
    assert b"ansible.windows.win_foo" in result.stderr


def test_an_async_task_is_not_emulated_and_says_so(runner):
    result = run_module(runner, module_payload("win_ping.ps1", {}, async_timeout=30))

    assert result.exit_code == 1
    assert module_result(result)["msg"] == (
        "the lab does not emulate async tasks (async_wrapper.ps1) for module "
        "ansible.windows.win_ping"
    )


def test_runas_become_runs_the_module_as_the_become_user(runner):
    stdin = module_payload(
        "setup.ps1",
        {"gather_subset": ["!all", "user"], "_ansible_module_name": "ansible.windows.setup"},
        become_user="LAB\\operator",
    )
    result = run_module(runner, stdin)

    assert result.exit_code == 0, result.stdout
    facts = module_result(result)["ansible_facts"]
    assert facts["ansible_user_id"] == "operator"
    assert facts["ansible_user_dir"] == "C:\\Users\\operator"


def test_gather_facts_setup_answers_facts_from_the_world(runner):
    stdin = module_payload(
        "setup.ps1",
        {
            "gather_subset": ["all"],
            "gather_timeout": 10,
            "_ansible_module_name": "ansible.windows.setup",
        },
    )
    result = run_module(runner, stdin)

    assert result.exit_code == 0, result.stdout
    facts = module_result(result)["ansible_facts"]
    assert facts["ansible_hostname"] == "NODE1"
    assert facts["ansible_fqdn"] == "NODE1.lab.local"
    assert facts["ansible_os_family"] == "Windows"
    assert facts["ansible_distribution"] == "Microsoft Windows Server 2019 Datacenter"
    assert facts["ansible_ip_addresses"] == ["127.0.61.11"]


def test_an_undeclared_result_key_is_a_loud_lab_error(runner, monkeypatch):
    from wsfc_lab.emulation import lookup

    emulation = lookup("ansible.windows.win_ping")

    def sloppy(module):
        module.result["ping"] = "pong"
        module.result["surprise"] = 1

    # Registered emulations are frozen: replace this one in the registry for the test.
    from wsfc_lab.emulation.framework import registry

    monkeypatch.setitem(
        registry._emulations,
        "ansible.windows.win_ping",
        registry.Emulation(
            fqcn=emulation.fqcn, function=sloppy, spec=emulation.spec, returns=emulation.returns
        ),
    )
    result = run_module(runner, module_payload("win_ping.ps1", {}))

    assert result.exit_code == 1
    output = module_result(result)
    assert output["msg"] == (
        "lab error: the emulation of ansible.windows.win_ping returned keys it does not "
        "declare: surprise"
    )


# -- transfer scripts --------------------------------------------------------------------


def test_expand_user_answers_the_profile_directory(runner):
    command, arguments, stdin = expand_user_command("~")
    assert runner.needs_stdin(command, arguments)
    result = runner.run(command, arguments, stdin)
    assert (result.stdout, result.exit_code) == (b"C:\\Users\\Administrator\r\n", 0)


def test_mkdtemp_creates_the_directory_under_the_expanded_temp(runner, world):
    command, arguments, stdin = mkdtemp_command("ansible-tmp-123-4", "%TEMP%")
    result = runner.run(command, arguments, stdin)

    assert result.exit_code == 0
    assert result.stdout == f"{TEMP}\\ansible-tmp-123-4\r\n".encode()
    assert world.resolve_path("NODE1", f"{TEMP}\\ansible-tmp-123-4").is_dir()
    assert ("NODE1", "New-Item") in world.operations

    again = runner.run(command, arguments, stdin)
    assert again.exit_code == 1
    assert "already exists" in json.loads(again.stdout)["msg"]


def test_put_file_writes_the_file_and_answers_its_sha1(runner, world):
    content = bytes(range(256)) * 3
    world.resolve_path("NODE1", "C:\\Temp").mkdir(parents=True)
    command, arguments, stdin = put_file_command("C:\\Temp\\payload.bin", content)
    result = runner.run(command, arguments, stdin)

    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout) == {"sha1": hashlib.sha1(content).hexdigest()}
    assert world.resolve_path("NODE1", "C:\\Temp\\payload.bin").read_bytes() == content


def test_put_file_into_a_missing_directory_fails_as_file_create_does(runner):
    command, arguments, stdin = put_file_command("C:\\Nowhere\\x.txt", b"x")
    result = runner.run(command, arguments, stdin)

    assert result.exit_code == 1
    assert (
        "Could not find a part of the path 'C:\\Nowhere\\x.txt'" in json.loads(result.stdout)["msg"]
    )


def test_put_file_on_a_full_disk_fails_with_the_windows_message(runner, world):
    world.resolve_path("NODE1", "C:\\Temp").mkdir(parents=True)
    world.failures[("NODE1", "write_file")] = WindowsError(
        ERROR_DISK_FULL, "There is not enough space on the disk."
    )
    command, arguments, stdin = put_file_command("C:\\Temp\\x.txt", b"x")
    result = runner.run(command, arguments, stdin)

    assert result.exit_code == 1
    assert json.loads(result.stdout)["msg"] == (
        "failure during exec_wrapper: There is not enough space on the disk."
    )


def test_fetch_file_reads_chunks_and_marks_directories_and_missing_files(runner, world):
    target = world.resolve_path("NODE1", "C:\\Data\\report.txt")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"0123456789")

    def fetch(path, size, offset):
        command, arguments, stdin = fetch_file_command(path, size, offset)
        return runner.run(command, arguments, stdin)

    first = fetch("C:\\Data\\report.txt", 4, 0)
    rest = fetch("C:\\Data\\report.txt", 100, 4)
    assert base64.b64decode(first.stdout.strip()) == b"0123"
    assert base64.b64decode(rest.stdout.strip()) == b"456789"
    assert fetch("C:\\Data", 4, 0).stdout == b"[DIR]\r\n"
    missing = fetch("C:\\Data\\gone.txt", 4, 0)
    assert (missing.exit_code, missing.stderr) == (1, b"C:\\Data\\gone.txt does not exist\r\n")


def test_the_temp_dir_cleanup_removes_the_directory_tree(runner, world):
    directory = world.resolve_path("NODE1", f"{TEMP}\\ansible-tmp-1")
    (directory / "sub").mkdir(parents=True)
    (directory / "sub" / "AnsiballZ_x.ps1").write_text("x")
    command, arguments = remove_command(f"{TEMP}\\ansible-tmp-1")

    assert not runner.needs_stdin(command, arguments)
    result = runner.run(command, arguments, b"")
    assert result.exit_code == 0
    assert not directory.exists()
    again = runner.run(command, arguments, b"")
    assert again.exit_code == 1
    assert b"because it does not exist" in again.stderr


# -- cmd.exe built-ins --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "arguments", "stdout", "exit_code"),
    [
        ("hostname", [], b"NODE1\r\n", 0),
        ("echo", ["hello", "world"], b"hello world\r\n", 0),
        ("echo", [], b"ECHO is on.\r\n", 0),
        ("cmd", ["/c", "exit", "3"], b"", 3),
        ("cmd.exe", ["/C", "echo", "hi"], b"hi\r\n", 0),
        ("exit", ["/b", "7"], b"", 7),
        ("whoami", [], b"node1\\administrator\r\n", 0),
    ],
)
def test_cmd_builtins_answer_as_cmd_exe(runner, command, arguments, stdout, exit_code):
    assert not runner.needs_stdin(command, arguments)
    result = runner.run(command, arguments, b"")
    assert (result.stdout, result.stderr, result.exit_code) == (stdout, b"", exit_code)


def test_whoami_of_a_domain_account(world):
    result = NodeCommandRunner(world, "NODE1", user="admin@LAB.LOCAL").run("whoami", [], b"")
    assert result.stdout == b"lab\\admin\r\n"


def test_more_copies_its_input_with_crlf_line_ends(runner):
    assert runner.needs_stdin("more", [])
    result = runner.run("more", [], b"one\ntwo\r\nthree")
    assert result.stdout == b"one\r\ntwo\r\nthree\r\n"


# -- what is not emulated ------------------------------------------------------------------


def test_an_unknown_command_fails_naming_it(runner):
    result = runner.run("ipconfig", ["/all"], b"")
    assert result.exit_code == 1
    assert result.stderr == b"the lab does not emulate the command: ipconfig /all\r\n"


def test_an_arbitrary_encoded_script_fails_quoting_it(runner):
    command, arguments = raw_command("Get-Service clussvc")
    assert not runner.needs_stdin(command, arguments)
    result = runner.run(command, arguments, b"")
    assert result.exit_code == 1
    assert b"the lab does not emulate this PowerShell script: Get-Service clussvc" in result.stderr


def test_raw_hostname_runs_as_hostname_exe(runner):
    command, arguments = raw_command("hostname")
    result = runner.run(command, arguments, b"")
    assert (result.stdout, result.exit_code) == (b"NODE1\r\n", 0)


def test_garbage_on_the_bootstrap_stdin_is_refused_loudly(runner):
    command, arguments = module_command()
    result = runner.run(command, arguments, b"not a payload")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["msg"].startswith(
        "the lab could not read the exec wrapper payload"
    )
