"""Parsing what ansible-core 2.19 sends: command lines and exec wrapper payloads, each
built by ansible-core's own code (see test_execution_support)."""

import base64
import json

import pytest
from test_execution_support import (
    expand_user_command,
    fetch_file_command,
    mkdtemp_command,
    module_command,
    module_payload,
    put_file_command,
    raw_command,
    remove_command,
)
from wsfc_lab.execution import PayloadError, module_fqcn, parse_payload
from wsfc_lab.execution.command_classifier import (
    BootstrapScript,
    OtherScript,
    RemoveItemScript,
    classify_script,
    encoded_script,
    parse_command,
)
from wsfc_lab.execution.payload import decode_base64_lines, input_lines


def _script_kind(command: str, arguments: list[str]):
    script = encoded_script(parse_command(command, arguments))
    assert script is not None
    return classify_script(script)


def test_a_pipelined_module_command_is_the_bootstrap_wrapper():
    command, arguments = module_command()
    assert command == "PowerShell"
    assert isinstance(_script_kind(command, arguments), BootstrapScript)


@pytest.mark.parametrize(
    "build",
    [
        lambda: mkdtemp_command("ansible-tmp-1-2", "%TEMP%")[:2],
        lambda: expand_user_command("~")[:2],
        lambda: fetch_file_command("C:\\x", 512, 0)[:2],
        lambda: put_file_command("C:\\x", b"data")[:2],
    ],
    ids=["mkdtemp (strict mode, exit code line)", "expand_user", "fetch_file", "put_file"],
)
def test_the_fixed_scripts_are_the_bootstrap_wrapper_whatever_lines_the_shell_adds(build):
    command, arguments = build()
    assert isinstance(_script_kind(command, arguments), BootstrapScript)


def test_the_temp_dir_cleanup_is_a_remove_item_with_its_path_unescaped():
    command, arguments = remove_command("C:\\Users\\o'brien\\AppData\\Local\\Temp\\ansible-tmp-1")
    kind = _script_kind(command, arguments)
    assert kind == RemoveItemScript(
        path="C:\\Users\\o'brien\\AppData\\Local\\Temp\\ansible-tmp-1", recurse=True
    )


def test_a_raw_script_is_another_script_with_its_text():
    command, arguments = raw_command("Get-Process | Select-Object -First 1")
    kind = _script_kind(command, arguments)
    assert isinstance(kind, OtherScript)
    assert "Get-Process | Select-Object -First 1" in kind.text


def test_a_command_that_is_not_powershell_has_no_encoded_script():
    assert encoded_script(parse_command("cmd.exe", ["/c", "-EncodedCommand", "AAAA"])) is None
    assert parse_command('"C:\\Windows\\System32\\HOSTNAME.EXE"', []).program == "hostname"


def test_a_module_payload_names_the_module_its_arguments_and_no_wrappers():
    payload = parse_payload(module_payload("win_ping.ps1", {"data": "hello"}))

    assert payload.bootstrap_name == "exec_wrapper"
    assert payload.action_names == ("module_wrapper.ps1",)
    module = payload.module
    assert module is not None
    assert module.fqcn == "ansible.windows.win_ping"
    assert module.script == "ansible_collections.ansible.windows.plugins.modules.win_ping.ps1"
    assert module.arguments["data"] == "hello"
    assert module.arguments["_ansible_remote_tmp"] == "%TEMP%"
    assert module.for_module is True
    assert payload.become is None
    assert payload.input_data is None
    # The module's own source travels in the manifest.
    source = base64.b64decode(payload.scripts[module.script]["script"]).decode("utf-8")
    assert "[Ansible.Basic.AnsibleModule]::Create" in source


def test_a_become_payload_carries_the_runas_action_before_the_module():
    payload = parse_payload(module_payload("win_ping.ps1", {}, become_user="LAB\\operator"))

    assert payload.action_names == ("become_wrapper.ps1", "module_wrapper.ps1")
    assert payload.become is not None
    assert payload.become.params["BecomeUser"] == "LAB\\operator"
    assert payload.become.secure_params == {"BecomePassword": "Secret1"}
    assert payload.module is not None and payload.module.fqcn == "ansible.windows.win_ping"


def test_an_async_payload_carries_the_async_wrapper_and_watchdog():
    payload = parse_payload(module_payload("win_ping.ps1", {}, async_timeout=45))

    assert [a.name for a in payload.wrappers] == ["async_wrapper.ps1", "async_watchdog.ps1"]
    assert payload.wrappers[1].params == {"Timeout": 45}
    assert payload.final_action.name == "module_wrapper.ps1"
    assert payload.module is not None
    assert payload.module.environment == {"ANSIBLE_ASYNC_DIR": "~/.ansible_async"}


def test_a_put_file_payload_carries_the_path_and_the_file_in_base64_lines():
    content = b"line one\r\nline two\x00\xff binary tail"
    _command, _arguments, stdin = put_file_command("C:\\Temp\\file.bin", content)
    payload = parse_payload(stdin)

    assert payload.action_names == ("winrm_put_file.ps1",)
    assert payload.final_action.params == {"Path": "C:\\Temp\\file.bin"}
    lines = input_lines(payload.input_data)
    assert len(lines) > 1
    assert decode_base64_lines(lines) == content


def test_fetch_and_mkdtemp_payloads_carry_their_parameters_and_no_input():
    fetch = parse_payload(fetch_file_command("C:\\a.txt", 524288, 1024)[2])
    assert fetch.final_action.params == {"Path": "C:\\a.txt", "BufferSize": 524288, "Offset": 1024}
    assert fetch.input_data is None

    mkdtemp = parse_payload(mkdtemp_command("ansible-tmp-9", "%TEMP%")[2])
    assert mkdtemp.final_action.name == "powershell_mkdtemp.ps1"
    assert mkdtemp.final_action.params == {"Directory": "%TEMP%", "Name": "ansible-tmp-9"}


COLLECTION_MODULE = "ansible_collections.{}.plugins.modules.{}.ps1"


@pytest.mark.parametrize(
    ("script", "fqcn"),
    [
        (
            "ansible_collections.wsfc.clusterdb.plugins.modules.cluster_info.ps1",
            "wsfc.clusterdb.cluster_info",
        ),
        (
            "ansible_collections.ansible.windows.plugins.modules.win_ping.ps1",
            "ansible.windows.win_ping",
        ),
        ("ansible_collections.ns.coll.plugins.modules.sub.thing.ps1", "ns.coll.sub.thing"),
        ("ansible.modules.win_ping.ps1", "ansible.builtin.win_ping"),
        ("ansible.legacy.my_module.ps1", "ansible.legacy.my_module"),
    ],
)
def test_module_names_come_from_the_script_names(script, fqcn):
    assert module_fqcn(script) == fqcn


@pytest.mark.parametrize(
    "stdin",
    [
        b"",
        b'{"name": "exec_wrapper"}',
        b'{"name": "exec_wrapper"}\n\0\0\0\0\nnot json',
        b'{"name": "exec_wrapper"}\n\0\0\0\0\n{"scripts": {}, "actions": []}',
        b'{"name": "exec_wrapper"}\n\0\0\0\0\n{"scripts": {}, "actions": [{"name": "x.ps1"}]}',
    ],
    ids=["empty", "no manifest", "manifest not JSON", "no actions", "action without script"],
)
def test_input_that_is_not_ansible_cores_payload_is_refused(stdin):
    with pytest.raises(PayloadError):
        parse_payload(stdin)


def test_the_manifest_json_is_the_one_ansible_wrote():
    stdin = module_payload("win_ping.ps1", {"data": "x"})
    manifest = json.loads(stdin.split(b"\n\0\0\0\0\n")[1])
    payload = parse_payload(stdin)
    assert set(payload.scripts) == set(manifest["scripts"])
    assert [a.name for a in payload.actions] == [a["name"] for a in manifest["actions"]]
