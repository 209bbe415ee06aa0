"""The cluster_backup action and the folder that holds the sets: a path that does not
exist is created by the backup phase with an ACL for the accounts the action names."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._backup_decisions import (
    node_accounts,
)
from test_action_cluster_backup import SHARE, FakeNode, run_backup


def backup_args(node: FakeNode) -> dict:
    (backup,) = [run["args"] for run in node.runs if run["args"]["_phase"] == "backup"]
    return backup


def test_a_new_path_is_created_for_the_nodes_computer_accounts() -> None:
    node = FakeNode()  # nothing under the path yet: inspect reports it missing
    result = run_backup(node, dict(SHARE))
    assert result.get("failed") is not True, result.get("msg")
    # CLUSTER's domain "corp", nodes NODE1 and NODE2 (the fake node's inspect).
    assert backup_args(node)["_home_writers"] == ["CORP\\NODE1$", "CORP\\NODE2$"]


def test_the_operator_names_the_netbios_domain() -> None:
    node = FakeNode()
    run_backup(node, {**SHARE, "node_account_domain": "EXAMPLE"})
    assert backup_args(node)["_home_writers"] == ["EXAMPLE\\NODE1$", "EXAMPLE\\NODE2$"]
    # The option is the controller's: the module never receives it.
    assert all("node_account_domain" not in run["args"] for run in node.runs)


def test_an_existing_path_keeps_its_acl() -> None:
    node = FakeNode()
    node.directories["unrelated"] = {"readme.txt": b"the operator's"}
    run_backup(node, dict(SHARE))
    assert "_home_writers" not in backup_args(node)


@pytest.mark.parametrize(
    ("inspect", "domain", "expected"),
    [
        ({"cluster": {"domain": "corp.example.com"}, "nodes": [{"name": "N1"}]}, "", ["CORP\\N1$"]),
        ({"cluster": {"domain": "corp.example.com"}, "nodes": [{"name": "N1"}]}, "AD", ["AD\\N1$"]),
        # A workgroup cluster: no domain, no computer accounts to name.
        ({"cluster": {"domain": ""}, "nodes": [{"name": "N1"}]}, "", []),
        ({"cluster": None, "nodes": []}, "", []),
    ],
)
def test_node_accounts(inspect: dict, domain: str, expected: list[str]) -> None:
    assert node_accounts(inspect, domain) == expected
