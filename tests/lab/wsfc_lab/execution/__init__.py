"""Command dispatch (docs/lab.md, Contract 1): what answers the WinRS commands of a node.

runner = NodeCommandRunner(world, "N1")            # a wsfc_lab.winrm CommandRunner
payload = parse_payload(stdin)                    # ansible-core's exec wrapper input
payload.module.fqcn, payload.module.arguments      # e.g. "ansible.windows.win_ping"
"""

from wsfc_lab.execution.node_command_runner import NodeCommandRunner
from wsfc_lab.execution.payload import (
    ExecPayload,
    ManifestAction,
    ModuleRun,
    PayloadError,
    module_fqcn,
    parse_payload,
)

__all__ = [
    "ExecPayload",
    "ManifestAction",
    "ModuleRun",
    "NodeCommandRunner",
    "PayloadError",
    "module_fqcn",
    "parse_payload",
]
