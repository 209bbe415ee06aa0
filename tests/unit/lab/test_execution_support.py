"""Shared by the execution and emulation tests: a small fake world, and the command lines
and stdin that ansible-core 2.19 itself builds (its shell plugin, its exec wrapper
manifest builder), so the lab is tested against what Ansible really sends.

The tests at the bottom keep the fake honest: it has every method of the World API the
lab uses, with the same parameters as the real wsfc_lab.world.World.
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ansible.executor.powershell import module_manifest
from ansible.plugins.loader import become_loader, init_plugin_loader
from ansible.plugins.shell.powershell import ShellModule
from wsfc_lab.emulation.framework.world_api import WorldApi
from wsfc_lab.world.windows_errors import WindowsError

REPO = Path(__file__).resolve().parents[3]
COLLECTIONS = REPO / ".cache" / "collections"
WINDOWS_MODULES = (
    COLLECTIONS / "ansible_collections" / "ansible" / "windows" / "plugins" / "modules"
)

init_plugin_loader([str(COLLECTIONS)])

# The _ansible_* arguments ActionBase._update_module_args adds to every module's args.
ANSIBLE_INTERNAL_ARGS: dict[str, Any] = {
    "_ansible_check_mode": False,
    "_ansible_no_log": False,
    "_ansible_debug": False,
    "_ansible_diff": False,
    "_ansible_verbosity": 0,
    "_ansible_version": "2.19.0",
    "_ansible_module_name": "ansible.windows.win_ping",
    "_ansible_syslog_facility": "LOG_USER",
    "_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"],
    "_ansible_socket": None,
    "_ansible_shell_executable": "/bin/sh",
    "_ansible_keep_remote_files": False,
    "_ansible_tmpdir": None,
    "_ansible_remote_tmp": "%TEMP%",
    "_ansible_ignore_unknown_opts": False,
    "_ansible_target_log_info": None,
    "_ansible_tracebacks_for": [],
}


class FakeWorld:
    """Nodes with facts, a directory per node for its C: drive, injectable failures."""

    def __init__(self, root: Path, nodes: tuple[str, ...] = ("NODE1",)) -> None:
        self.root = root
        self.facts = {
            name: {
                "hostname": name,
                "address": f"127.0.61.{index}",
                "domain": "lab.local",
                "os_name": "Microsoft Windows Server 2019 Datacenter",
                "os_version": "10.0.17763",
                "os_release": "2019",
            }
            for index, name in enumerate(nodes, start=11)
        }
        self.failures: dict[tuple[str, str], WindowsError] = {}
        self.operations: list[tuple[str, str]] = []

    @contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        yield {"nodes": self.facts}

    def operation(self, node: str, name: str) -> None:
        self.operations.append((node, name))
        if error := self.failures.get((node, name)):
            raise error

    def resolve_path(self, node: str, windows_path: str) -> Path:
        drive, _separator, rest = windows_path.partition(":\\")
        return self.root / node / drive.upper() / Path(*[p for p in rest.split("\\") if p])

    def node_facts(self, node: str) -> dict[str, str]:
        return dict(self.facts[node])

    def charge_write(self, node: str, windows_path: str, nbytes: int) -> Path:
        return self.resolve_path(node, windows_path)

    def check_access(self, node: str, windows_path: str, user: str, right: str) -> None:
        """No ACLs in the fake world: every access is allowed."""

    def write_file(
        self, node: str, windows_path: str, data: bytes, *, user: str | None = None
    ) -> Path:
        self.operation(node, "write_file")
        target = self.resolve_path(node, windows_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target


# -- what ansible-core sends ------------------------------------------------------------

SHELL = ShellModule()


def split_command(command_line: str) -> tuple[str, list[str]]:
    """What the winrm connection plugin does with an encoded command: split on spaces."""
    command, *arguments = command_line.split(" ")
    return command, arguments


def module_payload(
    module_file: str,
    module_args: dict[str, Any],
    *,
    fqn: str | None = None,
    become_user: str | None = None,
    async_timeout: int = 0,
    internal_args: bool = True,
) -> bytes:
    """The stdin ansible-core pipes into the bootstrap wrapper to run a module."""
    path = WINDOWS_MODULES / module_file
    name = fqn or f"ansible_collections.ansible.windows.plugins.modules.{path.stem}"
    become = None
    if become_user is not None:
        become = become_loader.get("runas")
        become.set_options(direct={"become_user": become_user, "become_pass": "Secret1"})
    arguments = {**(ANSIBLE_INTERNAL_ARGS if internal_args else {}), **module_args}
    return module_manifest._create_powershell_wrapper(
        name=name,
        module_data=path.read_bytes(),
        module_path=str(path),
        module_args=arguments,
        environment={"ANSIBLE_ASYNC_DIR": "~/.ansible_async"} if async_timeout else {},
        async_timeout=async_timeout,
        become_plugin=become,
        substyle="powershell",
        task_vars={},
        profile="legacy",
    )


def module_command() -> tuple[str, list[str]]:
    """The command line of a pipelined module run (ShellModule.build_module_command)."""
    return split_command(SHELL.build_module_command("", "#!powershell", ""))


def exec_script_command(
    script_name: str, params: dict[str, Any], *, strict_mode: bool, preserve_rc: bool
) -> tuple[str, list[str], bytes]:
    """A fixed exec wrapper script as the winrm plugin runs it: command and stdin."""
    script, stdin = module_manifest._bootstrap_powershell_script(script_name, params)
    encoded = SHELL._encode_script(
        script, as_list=True, strict_mode=strict_mode, preserve_rc=preserve_rc
    )
    return encoded[0], encoded[1:], stdin


def put_file_command(windows_path: str, content: bytes) -> tuple[str, list[str], bytes]:
    """Connection.put_file: the bootstrap input, then base64 chunks each ending in CRLF."""
    script, stdin = module_manifest._bootstrap_powershell_script(
        "winrm_put_file.ps1", {"Path": windows_path}, has_input=True
    )
    encoded = SHELL._encode_script(script, as_list=True, strict_mode=False, preserve_rc=False)
    chunk_size = 7  # small, so that the file arrives in several lines
    chunks = [content[i : i + chunk_size] for i in range(0, len(content), chunk_size)]
    data = b"".join(base64.b64encode(chunk) + b"\r\n" for chunk in chunks)
    return encoded[0], encoded[1:], stdin + data


def fetch_file_command(
    windows_path: str, buffer_size: int, offset: int
) -> tuple[str, list[str], bytes]:
    # Connection.fetch_file: strict mode on, exit code line off.
    return exec_script_command(
        "winrm_fetch_file.ps1",
        {"Path": windows_path, "BufferSize": buffer_size, "Offset": offset},
        strict_mode=True,
        preserve_rc=False,
    )


def mkdtemp_command(basefile: str, tmpdir: str) -> tuple[str, list[str], bytes]:
    shell_command = SHELL._mkdtemp2(basefile=basefile, tmpdir=tmpdir)
    command, arguments = split_command(shell_command.command)
    return command, arguments, shell_command.input_data


def expand_user_command(path: str) -> tuple[str, list[str], bytes]:
    shell_command = SHELL._expand_user2(path)
    command, arguments = split_command(shell_command.command)
    return command, arguments, shell_command.input_data


def remove_command(windows_path: str) -> tuple[str, list[str]]:
    return split_command(SHELL.remove(windows_path, recurse=True))


def raw_command(script: str) -> tuple[str, list[str]]:
    """What the raw module sends: the connection encodes the text as a script."""
    encoded = SHELL._encode_script(script, as_list=True, strict_mode=False, preserve_rc=False)
    return encoded[0], encoded[1:]


# -- the fake stays true to the World API ---------------------------------------------


def _world_api_methods() -> list[str]:
    return [name for name in vars(WorldApi) if not name.startswith("_")]


def test_fake_world_has_every_world_api_method_with_the_real_parameters() -> None:
    from wsfc_lab.world import World

    for name in _world_api_methods():
        real = inspect.signature(getattr(World, name))
        fake = inspect.signature(getattr(FakeWorld, name))
        real_positional = [
            p.name for p in real.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        fake_positional = [
            p.name for p in fake.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        assert fake_positional == real_positional, name


def test_fake_world_raises_an_injected_failure_and_records_operations(tmp_path: Path) -> None:
    world = FakeWorld(tmp_path)
    world.failures[("NODE1", "New-Item")] = WindowsError(5, "Access is denied.")
    world.operation("NODE1", "Get-Content")
    try:
        world.operation("NODE1", "New-Item")
    except WindowsError as error:
        assert error.code == 5
    else:
        raise AssertionError("the injected failure was not raised")
    assert world.operations == [("NODE1", "Get-Content"), ("NODE1", "New-Item")]
