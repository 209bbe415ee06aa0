"""Reading what ansible-core 2.16-2.18 send: the exec manifest after exec_wrapper.ps1, the
command line winrm's exec_command encodes once more, and the fixed scripts. The scripts
here are written as those versions' shell plugin and winrm connection write them; the
version tier (tests/versions/run_versions.sh) runs the real ones end to end."""

from __future__ import annotations

import base64
import json

import pytest
from wsfc_lab.execution.command_classifier import encoded_script, inner_command, parse_command
from wsfc_lab.execution.legacy_payload import parse_legacy_payload, resolve_module_name
from wsfc_lab.execution.legacy_scripts import (
    LegacyBootstrap,
    LegacyTransfer,
    classify_legacy_script,
)
from wsfc_lab.execution.payload import BECOME_WRAPPER, MODULE_WRAPPER, PayloadError

COMMON = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted"]
CONSOLE = "try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding } catch {}"


def encode(script: str) -> list[str]:
    """_encode_script(strict_mode=False, preserve_rc=False) as a command line."""
    text = "\n".join(line.strip() for line in script.splitlines() if line.strip())
    return [
        "PowerShell",
        *COMMON,
        "-EncodedCommand",
        base64.b64encode(text.encode("utf-16-le")).decode(),
    ]


def test_the_doubly_encoded_command_line_is_read_as_the_inner_one():
    inner = encode("Write-Output (Get-Location).Path")
    outer = encode(" ".join(inner))
    command = inner_command(parse_command(outer[0], outer[1:]))
    assert encoded_script(command) == "Write-Output (Get-Location).Path"
    # A script that does more than start PowerShell is itself the command.
    other = encode("hostname\nwhoami")
    assert inner_command(parse_command(other[0], other[1:])).arguments == tuple(other[1:])


@pytest.mark.parametrize("variable", [True, False], ids=["2.16/2.17", "2.18"])
def test_the_bootstrap_wrapper_of_each_version_is_recognised(variable):
    run = (
        "$exec_wrapper = [ScriptBlock]::Create($split_parts[0])\n&$exec_wrapper"
        if variable
        else "& ([ScriptBlock]::Create($split_parts[0]))"
    )
    split = '$exec_wrapper_str.Split(@("`0`0`0`0"), 2, [StringSplitOptions]::RemoveEmptyEntries)'
    script = f"""
        $exec_wrapper_str = $input | Out-String
        $split_parts = {split}
        If (-not $split_parts.Length -eq 2) {{ throw "invalid payload" }}
        Set-Variable -Name json_raw -Value $split_parts[1]
        {run}
    """
    assert classify_legacy_script(script) == LegacyBootstrap()


@pytest.mark.parametrize("console", [True, False], ids=["2.18", "2.16/2.17"])
def test_mkdtemp_is_read_with_its_quotes_unescaped(console):
    lines = [
        "$tmp_path = [System.Environment]::ExpandEnvironmentVariables('C:\\Users\\o''brien\\tmp')",
        "$tmp = New-Item -Type Directory -Path $tmp_path -Name 'ansible-tmp-1'",
        "Write-Output -InputObject $tmp.FullName",
    ]
    found = classify_legacy_script("\n".join(([CONSOLE] if console else []) + lines))
    assert isinstance(found, LegacyTransfer) and not found.reads_stdin
    assert found.action.name == "powershell_mkdtemp.ps1"
    assert found.action.params == {"Directory": "C:\\Users\\o'brien\\tmp", "Name": "ansible-tmp-1"}


@pytest.mark.parametrize(
    ("script", "path"),
    [
        ("Write-Output (Get-Location).Path", "~"),
        ("Write-Output ((Get-Location).Path + '\\.ansible')", "~\\.ansible"),
        ("Write-Output 'C:\\it''s'", "C:\\it's"),
    ],
)
def test_expand_user_is_read_with_or_without_the_console_line(script, path):
    for text in (script, f"{CONSOLE}; {script}"):
        found = classify_legacy_script(text)
        assert isinstance(found, LegacyTransfer)
        assert found.action.params == {"Path": path}


def test_put_file_reads_stdin_and_fetch_file_its_chunk():
    put = classify_legacy_script(
        """begin {
        $path = 'C:\\a b\\f.txt'
        $fd = [System.IO.File]::Create($path)
        }
        process {
        $bytes = [System.Convert]::FromBase64String($input)
        }
        end {
        Write-Output "{""sha1"":""$hash""}"
        }"""
    )
    assert isinstance(put, LegacyTransfer) and put.reads_stdin
    assert (put.action.name, put.action.params) == (
        "winrm_put_file.ps1",
        {"Path": "C:\\a b\\f.txt"},
    )
    fetch = classify_legacy_script(
        """$path = 'C:\\x.bin'
        If (Test-Path -LiteralPath $path -PathType Leaf)
        {
        $buffer_size = 524288
        $offset = 1048576
        $bytes_read = $stream.Read($buffer, 0, $buffer_size)
        [System.Convert]::ToBase64String($bytes)
        }"""
    )
    assert isinstance(fetch, LegacyTransfer) and not fetch.reads_stdin
    assert fetch.action.params == {"Path": "C:\\x.bin", "BufferSize": 524288, "Offset": 1048576}


def test_a_script_of_no_version_is_none():
    assert classify_legacy_script("Get-Service ClusSvc") is None


def manifest(**extra: object) -> bytes:
    data = {
        "module_entry": base64.b64encode(b"#!powershell").decode(),
        "module_args": {"_ansible_module_name": "wsfc.clusterdb.cluster_info", "a": 1},
        "actions": ["module_powershell_wrapper"],
        "environment": {"X": "1"},
    } | extra
    return b"& { exec wrapper }\n\n" + b"\0\0\0\0" + json.dumps(data).encode()


def test_a_module_manifest_becomes_the_2_19_shape():
    payload = parse_legacy_payload(manifest())
    module = payload.module
    assert module is not None and payload.wrappers == ()
    assert module.fqcn == "wsfc.clusterdb.cluster_info"
    assert module.arguments["a"] == 1 and module.environment == {"X": "1"}
    assert module.for_module


def test_become_carries_the_user_the_password_and_the_flags():
    payload = parse_legacy_payload(
        manifest(
            actions=["become_wrapper", "module_powershell_wrapper"],
            become_user="CORP\\svc",
            become_password="pw",
            become_flags="logon_type=new_credentials logon_flags=netcredentials_only",
        )
    )
    assert payload.action_names == (BECOME_WRAPPER, MODULE_WRAPPER)
    request = payload.become_request
    assert request is not None
    assert (request.user, request.password) == ("CORP\\svc", "pw")
    assert (request.logon_type, request.logon_flags) == ("NewCredentials", "NetCredentialsOnly")


@pytest.mark.parametrize(
    ("name", "fqcn"),
    [
        ("ansible.legacy.stat", "ansible.windows.win_stat"),
        ("copy", "ansible.windows.win_copy"),
        ("ansible.legacy.setup", "ansible.windows.setup"),
        ("ansible.builtin.slurp", "ansible.windows.slurp"),
        ("win_ping", "ansible.windows.win_ping"),
        ("ansible.windows.win_file", "ansible.windows.win_file"),
    ],
)
def test_module_names_resolve_as_ansible_core_resolves_them_for_windows(name, fqcn):
    assert resolve_module_name(name) == fqcn


@pytest.mark.parametrize(
    "stdin",
    [
        b"no separator",
        b"\0\0\0\0{}",
        b"wrapper\0\0\0\0not json",
        b"wrapper\0\0\0\0" + json.dumps({"actions": ["async_wrapper"]}).encode(),
        b"wrapper\0\0\0\0" + json.dumps({"actions": ["module_powershell_wrapper"]}).encode(),
    ],
)
def test_input_that_is_no_exec_manifest_is_refused(stdin):
    with pytest.raises(PayloadError):
        parse_legacy_payload(stdin)


def test_the_2_21_bootstrap_wrapper_is_the_2_19_protocol_in_its_new_form():
    from wsfc_lab.execution.command_classifier import BootstrapScript, classify_script

    script = """param([string]$InputFile)
        $codeJson = foreach ($in in $inputData) {
        if ([string]::Equals($in, "`0`0`0`0")) {
        break
        }
        $in
        }
        $code = $codeJson | ConvertFrom-Json
        $inputData | & $cmd @splat"""
    assert classify_script(script) == BootstrapScript()
