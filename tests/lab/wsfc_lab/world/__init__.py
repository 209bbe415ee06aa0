"""The simulated world behind the lab's WinRM endpoints (docs/lab.md, Contract 3).

world = World(lab_dir)
with world.transaction() as state:          # LabState, saved on exit
    state.cluster.stop_service("NODE2")     # the cluster rules: cluster.py
world.operation("NODE1", "Stop-ClusterNode")  # injected faults and latency
"""

from wsfc_lab.world.cluster import DOWN, JOINING, PAUSED, UP, Cluster
from wsfc_lab.world.configuration import ConfigChange, ConfigurationError
from wsfc_lab.world.paxos import PaxosTag
from wsfc_lab.world.state import LabState
from wsfc_lab.world.windows_errors import WindowsError
from wsfc_lab.world.world import World

__all__ = [
    "DOWN",
    "JOINING",
    "PAUSED",
    "UP",
    "Cluster",
    "ConfigChange",
    "ConfigurationError",
    "LabState",
    "PaxosTag",
    "WindowsError",
    "World",
]
