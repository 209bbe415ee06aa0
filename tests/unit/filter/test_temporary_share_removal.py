"""The temporary_share filter's removal commands: what a message names to remove a share a
run created and could not remove."""

from __future__ import annotations

import shlex

from ansible_collections.wsfc.clusterdb.plugins.filter.temporary_share import temporary_share


def test_the_removal_names_both_commands_quoted_for_their_shells() -> None:
    decision = temporary_share(
        True, "clusapi", share_name="WsfcClusterBackup$", host="NODE1", inventory="/srv/my inv.yml"
    )
    assert decision["refused"] is False
    on_node, from_controller = decision["removal"].split("; from the controller: ")
    assert on_node == "on NODE1: Remove-SmbShare -Name 'WsfcClusterBackup$' -Force"
    # The controller's command, read back as a POSIX shell reads it.
    assert shlex.split(from_controller) == [
        "ansible",
        "NODE1",
        "-i",
        "/srv/my inv.yml",
        "-m",
        "ansible.windows.win_share",
        "-a",
        "name=WsfcClusterBackup$ state=absent",
    ]


def test_a_quote_in_the_share_name_is_doubled_for_powershell() -> None:
    removal = temporary_share(False, "vss", share_name="it's$", host="NODE2")["removal"]
    assert "Remove-SmbShare -Name 'it''s$' -Force" in removal
    assert " -i " not in removal  # no inventory given: none named


def test_without_a_share_and_a_host_there_is_no_removal() -> None:
    assert "removal" not in temporary_share(True, "clusapi", share_name="x$")
    assert temporary_share(False, "vss") == {"refused": False, "msg": ""}
