"""Where a command runs: the world, the node, and the account the WinRM shell runs as."""

from __future__ import annotations

from dataclasses import dataclass, field

from wsfc_lab.emulation.node_environment import expand_environment_variables
from wsfc_lab.emulation.world_api import WorldApi


@dataclass(frozen=True)
class NodeContext:
    world: WorldApi
    node: str
    user: str
    environment: dict[str, str] = field(default_factory=dict)

    def expand(self, text: str) -> str:
        """[Environment]::ExpandEnvironmentVariables with this shell's environment."""
        return expand_environment_variables(text, self.environment)
