"""NodeCommandRunner: the CommandRunner (docs/lab.md, Contract 1) of one lab node.

It answers each WinRS command the node's endpoint receives:
- PowerShell -EncodedCommand <bootstrap_wrapper.ps1> with ansible-core's payload on
  stdin: the module emulation it names, or one of the fixed transfer scripts;
- PowerShell -EncodedCommand <Remove-Item '<dir>' -Force -Recurse;>: temp dir cleanup;
- the same from ansible-core 2.16 to 2.18, whose bootstrap, temporary directory and file
  transfer scripts differ (legacy_payload.py, legacy_scripts.py);
- hostname, echo, exit, cmd /c ..., whoami, more: cmd.exe built-ins;
- anything else fails with exit code 1 and a message that names what is not emulated.
A fault in the lab itself (an exception) is reported the same loud way, as a lab error,
and never reaches the endpoint.
"""

from __future__ import annotations

import traceback

from wsfc_lab.emulation.framework.node_environment import DEFAULT_USER, node_environment
from wsfc_lab.emulation.framework.world_api import WorldApi
from wsfc_lab.execution import transfer
from wsfc_lab.execution.cmd_builtins import is_builtin, reads_stdin, run_builtin
from wsfc_lab.execution.command_classifier import (
    BootstrapScript,
    Command,
    RemoveItemScript,
    classify_script,
    encoded_script,
    inner_command,
    parse_command,
    script_lines,
)
from wsfc_lab.execution.context import NodeContext, session_logon, with_logon
from wsfc_lab.execution.failures import (
    failed_result,
    not_emulated_command,
    not_emulated_result,
)
from wsfc_lab.execution.legacy_payload import parse_legacy_payload
from wsfc_lab.execution.legacy_scripts import (
    LegacyBootstrap,
    LegacyTransfer,
    classify_legacy_script,
)
from wsfc_lab.execution.module_action import run_module
from wsfc_lab.execution.payload import (
    MODULE_WRAPPER,
    ManifestAction,
    PayloadError,
    parse_payload,
)
from wsfc_lab.winrm.auth import Session
from wsfc_lab.winrm.runner_contract import CommandResult

# How much of an unemulated script the failure message quotes.
_SCRIPT_EXCERPT = 120


# Programs that print the same whether PowerShell or cmd.exe runs them (without
# arguments; PowerShell's echo is Write-Output, which prints one argument a line).
_SAME_IN_POWERSHELL = frozenset({"hostname", "whoami"})


def _single_builtin_line(script: str) -> Command | None:
    lines = script_lines(script)
    if len(lines) != 1 or len(lines[0].split()) != 1:
        return None
    command = parse_command(lines[0], [])
    return command if command.program in _SAME_IN_POWERSHELL else None


class NodeCommandRunner:
    """Runs WinRS commands on `node` of `world`, as `user` (the WinRM account), in the
    WinRM `session` when the endpoint reports it (for_session)."""

    def __init__(
        self,
        world: WorldApi,
        node: str,
        user: str = DEFAULT_USER,
        session: Session | None = None,
    ) -> None:
        self.world = world
        self.node = node
        self.user = user
        self.session = session

    def for_session(self, session: Session) -> NodeCommandRunner:
        """The runner for the commands of a shell that `session` opened (runner_contract)."""
        return NodeCommandRunner(self.world, self.node, self.user, session)

    def _context(self) -> NodeContext:
        facts = self.world.node_facts(self.node)
        world = self.world
        if self.session is not None:
            world = with_logon(world, session_logon(self.node, self.session))
        environment = node_environment(facts, self.user)
        return NodeContext(world, self.node, self.user, environment, self.session)

    def needs_stdin(self, command: str, arguments: list[str]) -> bool:
        parsed = inner_command(parse_command(command, arguments))
        script = encoded_script(parsed)
        if script is not None:
            if isinstance(classify_script(script), BootstrapScript):
                return True
            legacy = classify_legacy_script(script)
            return isinstance(legacy, LegacyBootstrap) or (
                isinstance(legacy, LegacyTransfer) and legacy.reads_stdin
            )
        return is_builtin(parsed) and reads_stdin(parsed)

    def run(self, command: str, arguments: list[str], stdin: bytes) -> CommandResult:
        try:
            return self._dispatch(inner_command(parse_command(command, arguments)), stdin)
        except Exception as error:
            return failed_result(
                f"lab error while running {command}: {type(error).__name__}: {error}",
                exception=traceback.format_exc(),
            )

    def run_script(self, script: str, stdin: bytes) -> CommandResult:
        """A PowerShell script that a PSRP pipeline runs (runner_contract.ScriptRunner):
        the same dispatch as the -EncodedCommand script of a WinRS command line."""
        try:
            return self._dispatch_script(script, stdin)
        except Exception as error:
            return failed_result(
                f"lab error while running a PowerShell pipeline: {type(error).__name__}: {error}",
                exception=traceback.format_exc(),
            )

    def _dispatch(self, command: Command, stdin: bytes) -> CommandResult:
        script = encoded_script(command)
        if script is not None:
            return self._dispatch_script(script, stdin)
        if is_builtin(command):
            return run_builtin(self._context(), command, stdin)
        return not_emulated_command(f"the command: {command.text}")

    def _dispatch_script(self, script: str, stdin: bytes) -> CommandResult:
        kind = classify_script(script)
        if isinstance(kind, BootstrapScript):
            return self._run_payload(stdin)
        if isinstance(kind, RemoveItemScript):
            return transfer.remove_item(self._context(), kind.path, kind.recurse)
        legacy = classify_legacy_script(script)
        if isinstance(legacy, LegacyBootstrap):
            return self._run_legacy_payload(stdin)
        if isinstance(legacy, LegacyTransfer):
            return self._run_transfer(legacy.action, stdin)
        if (builtin := _single_builtin_line(script)) is not None:
            # `ansible -m raw -a hostname`: PowerShell runs hostname.exe or whoami.exe.
            return run_builtin(self._context(), builtin, stdin)
        excerpt = " ".join(script.split())[:_SCRIPT_EXCERPT]
        return not_emulated_command(f"this PowerShell script: {excerpt}")

    def _run_payload(self, stdin: bytes) -> CommandResult:
        try:
            payload = parse_payload(stdin)
        except PayloadError as error:
            return failed_result(f"the lab could not read the exec wrapper payload: {error}")
        context = self._context()
        final = payload.final_action
        if final.name == MODULE_WRAPPER:
            return run_module(context, payload)
        if payload.wrappers:
            names = ", ".join(payload.action_names)
            return not_emulated_result(f"the exec wrapper actions {names}")
        return self._run_transfer(final, payload.input_data, context)

    def _run_legacy_payload(self, stdin: bytes) -> CommandResult:
        try:
            payload = parse_legacy_payload(stdin)
        except PayloadError as error:
            return failed_result(f"the lab could not read the exec manifest: {error}")
        return run_module(self._context(), payload)

    def _run_transfer(
        self, action: ManifestAction, data: bytes | None, context: NodeContext | None = None
    ) -> CommandResult:
        context = context or self._context()
        if action.name in ("winrm_put_file.ps1", "psrp_put_file.ps1"):
            # Both decode base64 input lines into [File]::Create and print the sha1 JSON.
            return transfer.put_file(context, action, data)
        if action.name == "winrm_fetch_file.ps1":
            return transfer.fetch_file(context, action)
        if action.name == "psrp_fetch_file.ps1":
            return transfer.fetch_file_chunks(context, action)
        if action.name == "powershell_mkdtemp.ps1":
            return transfer.mkdtemp(context, action)
        if action.name == "powershell_expand_user.ps1":
            return transfer.expand_user(context, action)
        return not_emulated_result(f"the exec wrapper script {action.name}")
